"""``hubctl``: the operator's and technician's view of the hub."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from hubd.classes.printer import cli as hubctl_print
from hubd.cli.output import ago, as_json, enum_name, number, table
from hubd.errors import DOMAIN
from hubd.paths import default_target
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc, ups_pb2, ups_pb2_grpc

EXIT_RPC_ERROR = 1
EXIT_USAGE = 2
EXIT_HUB_DOWN = 3
TIMEOUT = 5.0


def _globals(p: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS
    p.add_argument("--target", default=default if suppress else default_target(),
                   help="hub address: unix:///path or 127.0.0.1:PORT (default: the local hub)")
    p.add_argument("--json", action="store_true", default=default if suppress else False,
                   help="print JSON with proto field names")


def parser() -> argparse.ArgumentParser:
    """hubctl's parser; --target and --json work before or after the subcommand."""
    p = argparse.ArgumentParser(prog="hubctl", description="talk to the local kioskhub daemon")
    _globals(p, suppress=False)
    sub = p.add_subparsers(dest="command", required=True)
    for name, help_ in [("info", "hub version and boot id"), ("devices", "every device")]:
        _globals(sub.add_parser(name, help=help_), suppress=True)
    dev = sub.add_parser("device", help="one device")
    dev.add_argument("device_id")
    ups = sub.add_parser("ups", help="UPS status (every UPS, or one; --json: a line per UPS)")
    ups.add_argument("device_id", nargs="?", default="")
    ups.add_argument("--watch", action="store_true", help="keep printing on every change")
    ev = sub.add_parser("events", help="hub events as they happen")
    ev.add_argument("--count", type=int, default=0, help="stop after N events")
    ev.add_argument("--resume", default="", metavar="BOOT_ID:SEQ", help="resume after an event")
    ev.add_argument("--device", action="append", default=[], help="only this device (repeat)")
    for sp in (dev, ups, ev):
        _globals(sp, suppress=True)
    hubctl_print.add_parsers(sub, lambda sp: _globals(sp, suppress=True))
    return p


def _print_device_table(devices: list[common_pb2.Device]) -> None:
    rows = [
        [d.id, enum_name(common_pb2.DeviceClass.Name(d.device_class), "DEVICE_CLASS_"),
         enum_name(common_pb2.DeviceState.Name(d.state), "DEVICE_STATE_"), d.reason or "-",
         d.driver + (" (sim)" if d.simulated else ""), ago(d.last_seen), d.url]
        for d in devices
    ]
    print(table(["DEVICE", "CLASS", "STATE", "REASON", "DRIVER", "LAST SEEN", "URL"], rows))


def cmd_info(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print hub identity."""
    info = hub_pb2_grpc.HubServiceStub(ch).GetHubInfo(hub_pb2.GetHubInfoRequest(), timeout=TIMEOUT)
    if args.json:
        print(as_json(info))
        return
    print(f"hubd {info.version}  boot {info.boot_id}  simulate={info.simulate}")
    print(f"started {info.started_at.ToJsonString()}  last event #{info.last_sequence}")


def cmd_devices(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print every device."""
    resp = hub_pb2_grpc.HubServiceStub(ch).ListDevices(
        hub_pb2.ListDevicesRequest(), timeout=TIMEOUT
    )
    print(as_json(resp)) if args.json else _print_device_table(list(resp.devices))


def cmd_device(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print one device."""
    resp = hub_pb2_grpc.HubServiceStub(ch).GetDevice(
        hub_pb2.GetDeviceRequest(device_id=args.device_id), timeout=TIMEOUT
    )
    if args.json:
        print(as_json(resp))
        return
    _print_device_table([resp.device])
    if resp.device.reason_detail:
        print(f"reason: {resp.device.reason_detail}")


def _print_ups(st: ups_pb2.UpsStatus, as_js: bool) -> None:
    if as_js:
        print(as_json(st), flush=True)
        return
    state = enum_name(common_pb2.DeviceState.Name(st.state), "DEVICE_STATE_")
    power = "ON BATTERY" if st.on_battery else ("on line" if st.status else "unknown")
    charge = number(st, "battery_charge", "{:.0f}%") + (" (estimated)" if st.battery_charge_estimated else "")
    rows = [
        ["device", st.device_id], ["state", state + (f" ({st.reason})" if st.reason else "")],
        ["power", power + (", LOW BATTERY" if st.low_battery else "")],
        ["status", " ".join(st.status) or "-"], ["battery charge", charge],
        ["battery runtime", number(st, "battery_runtime", "{:.0f} s")],
        ["battery voltage", number(st, "battery_voltage", "{:.1f} V")],
        ["input voltage", number(st, "input_voltage", "{:.1f} V")],
        ["output voltage", number(st, "output_voltage", "{:.1f} V")],
        ["load", number(st, "load", "{:.0f}%")], ["model", st.model or "-"],
        ["source", enum_name(common_pb2.StatusSource.Name(st.source), "STATUS_SOURCE_")],
        ["last seen", ago(st.last_seen)],
    ]
    print(table(["UPS", ""], rows), flush=True)


def cmd_ups(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print UPS status (once, or on every change)."""
    stub = ups_pb2_grpc.UpsServiceStub(ch)
    if not args.watch:
        ids = [args.device_id] if args.device_id else [
            d.id for d in hub_pb2_grpc.HubServiceStub(ch).ListDevices(
                hub_pb2.ListDevicesRequest(device_class=common_pb2.DEVICE_CLASS_UPS), timeout=TIMEOUT
            ).devices
        ]
        for n, device_id in enumerate(ids):
            resp = stub.GetUpsStatus(ups_pb2.GetUpsStatusRequest(device_id=device_id), timeout=TIMEOUT)
            if n and not args.json:
                print()
            _print_ups(resp.status, args.json)
        return
    for item in stub.WatchUpsStatus(ups_pb2.WatchUpsStatusRequest(device_id=args.device_id)):
        _print_ups(item.status, args.json)


def cmd_events(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print events as they arrive."""
    boot, _, seq = args.resume.partition(":")
    if args.resume and not seq.isdigit():
        raise SystemExit("hubctl: --resume must be BOOT_ID:SEQUENCE")
    req = hub_pb2.WatchEventsRequest(
        resume_boot_id=boot, resume_after_sequence=int(seq or 0), device_ids=args.device
    )
    stream = hub_pb2_grpc.HubServiceStub(ch).WatchEvents(req)
    for n, item in enumerate(stream, start=1):
        e = item.event
        if args.json:
            print(as_json(e), flush=True)
        else:
            kind = enum_name(hub_pb2.EventType.Name(e.type), "EVENT_TYPE_").upper()
            extra = " ".join(f"{k}={v}" for k, v in sorted(e.attributes.items()))
            print(f"#{e.sequence} {e.time.ToJsonString()} {kind} {e.device_id or '-'} "
                  f"{e.reason} {e.message} {extra}".rstrip(), flush=True)
        if args.count and n >= args.count:
            stream.cancel()  # type: ignore[no-untyped-call]
            return


COMMANDS: dict[str, Callable[[grpc.Channel, argparse.Namespace], None]] = {
    "info": cmd_info, "devices": cmd_devices, "device": cmd_device, "ups": cmd_ups,
    "events": cmd_events,
    **hubctl_print.COMMANDS,
}


def _error_line(err: grpc.RpcError, target: str) -> tuple[int, str]:
    """One line and an exit code for an RPC failure (hub down is told apart from device errors)."""
    code = err.code() if isinstance(err, grpc.Call) else grpc.StatusCode.UNKNOWN
    status = rpc_status.from_call(err) if isinstance(err, grpc.Call) else None
    info = error_details_pb2.ErrorInfo()
    ours = status is not None and any(
        d.Is(info.DESCRIPTOR) and d.Unpack(info) for d in status.details
    )
    if code is grpc.StatusCode.UNAVAILABLE and not (ours and info.domain == DOMAIN):
        return EXIT_HUB_DOWN, f"hubctl: cannot reach the hub at {target} (is hubd running?)"
    details = err.details() if isinstance(err, grpc.Call) else str(err)
    reason = f" [{info.reason}]" if ours else ""
    return EXIT_RPC_ERROR, f"hubctl: {code.name}{reason}: {details}"


def main(argv: list[str] | None = None) -> int:
    """Run one hubctl command; exit 0 ok, 1 RPC error, 2 usage, 3 hub unreachable."""
    args = parser().parse_args(argv)
    try:
        with grpc.insecure_channel(args.target) as channel:
            COMMANDS[args.command](channel, args)
    except grpc.RpcError as err:
        if isinstance(err, grpc.Call) and err.code() is grpc.StatusCode.CANCELLED:
            return 0
        code, line = _error_line(err, args.target)
        print(line, file=sys.stderr)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
