"""``hubctl``: the operator's and technician's view of the hub.

The core commands (info, devices, device, events) are here; each device class adds its own
(``ClassSpec.cli``). Output and exit codes: ``hubd.cli.common``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator

import grpc
from google.protobuf.duration_pb2 import Duration

from hubd import __version__
from hubd.classes import resolve, specs
from hubd.cli import report
from hubd.cli.common import (
    EXIT_HUB_DOWN,
    TIMEOUT,
    Command,
    UsageError,
    channel,
    emit,
    positive_int,
    report_rpc_error,
    report_usage_error,
)
from hubd.cli.output import ago, enum_name, table, yes_no
from hubd.paths import default_target
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc

LEASE_TTL = 30
Metadata = tuple[tuple[str, str], ...]

DESCRIPTION = """talk to the local kioskhub daemon (hubd).

The hub is found at --target, else $KIOSKHUB_TARGET, else the local socket. With --json every
command prints one JSON object per resource, one per line (JSON Lines), and errors as one JSON
object on stderr. Exit codes: 0 ok, 1 refused or failed, 2 bad usage, 3 hub unreachable."""


def _globals(p: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS
    p.add_argument(
        "--target",
        default=default if suppress else default_target(),
        help="hub address: unix:///path or 127.0.0.1:PORT (default: $KIOSKHUB_TARGET, "
        "else the local hub's socket)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        default=default if suppress else False,
        help="print JSON Lines: one object per resource",
    )


def _sub(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_: str, example: str
) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name,
        help=help_,
        description=help_,
        epilog=f"example: {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _globals(p, suppress=True)
    return p


def parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    """hubctl's parser and its commands; --target and --json work before or after the command."""
    p = argparse.ArgumentParser(
        prog="hubctl", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _globals(p, suppress=False)
    p.add_argument("--version", action="version", version=f"hubctl {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _sub(sub, "info", "hub version, boot id and whether it simulates", "hubctl info")
    _sub(sub, "devices", "every device and its state", "hubctl devices --json")
    dev = _sub(sub, "device", "one device, with why it is not available", "hubctl device receipt")
    dev.add_argument("device_id")
    ev = _sub(
        sub,
        "events",
        "hub events as they happen (until --count, or the hub stops)",
        "hubctl events --device ups --count 5",
    )
    ev.add_argument("--count", type=positive_int, default=None, help="stop after N events")
    ev.add_argument("--resume", default="", metavar="BOOT_ID:SEQ", help="resume after an event")
    ev.add_argument("--device", action="append", default=[], help="only this device (repeat)")
    rep = _sub(sub, "report", "the technician's diagnostics report: hub, devices, every class, events",
               "hubctl report -o kiosk-report.txt")
    report.add_arguments(rep)
    commands: dict[str, Command] = {
        "report": report.cmd_report,
        "info": cmd_info,
        "devices": cmd_devices,
        "device": cmd_device,
        "events": cmd_events,
    }
    for spec in specs():
        if spec.cli:
            commands.update(resolve(f"{spec.cli}:register")(sub, lambda sp: _globals(sp, suppress=True)))
    return p, commands


def device_rows(devices: list[common_pb2.Device]) -> str:
    """Devices as a table for people."""
    rows = [
        [
            d.device_id + (" *" if d.default else ""),
            enum_name(common_pb2.DeviceClass.Name(d.device_class), "DEVICE_CLASS_"),
            enum_name(common_pb2.DeviceState.Name(d.state), "DEVICE_STATE_"),
            d.reason or "-",
            d.driver + (" (sim)" if d.simulated else ""),
            ago(d.last_seen_time),
            f"{d.lease.holder} until {d.lease.expire_time.ToDatetime():%H:%M:%S}"
            if d.HasField("lease")
            else "-",
        ]
        for d in devices
    ]
    return table(["DEVICE", "CLASS", "STATE", "REASON", "DRIVER", "LAST SEEN", "LEASED BY"], rows)


def list_devices(ch: grpc.Channel, device_class: int = 0) -> Iterator[common_pb2.Device]:
    """Every device (of a class), following the pages."""
    stub = hub_pb2_grpc.HubServiceStub(ch)
    token = ""
    while True:
        resp = stub.ListDevices(
            hub_pb2.ListDevicesRequest(
                device_class=device_class,  # type: ignore[arg-type]
                page_token=token,
            ),
            timeout=TIMEOUT,
        )
        yield from resp.devices
        token = resp.next_page_token
        if not token:
            return


def default_device(ch: grpc.Channel, device_class: int, what: str) -> str:
    """The only device of a class, else its default; UsageError when that leaves no answer."""
    devices = list(list_devices(ch, device_class))
    chosen = devices if len(devices) == 1 else [d for d in devices if d.default]
    if not chosen:
        problem = f"this hub has no {what}" if not devices else f"several {what}s and none is the default"
        raise UsageError(f"{problem}: name one")
    return chosen[0].device_id


@contextlib.contextmanager
def leased(ch: grpc.Channel, device_id: str, ttl: int = LEASE_TTL) -> Iterator[Metadata]:
    """Hold a lease on ``device_id`` while the block runs; its request metadata."""
    hub = hub_pb2_grpc.HubServiceStub(ch)
    request = hub_pb2.AcquireLeaseRequest(device_id=device_id, holder=f"hubctl (pid {os.getpid()})",
                                          ttl=Duration(seconds=ttl))
    lease = hub.AcquireLease(request, timeout=TIMEOUT).lease
    try:
        yield (("kioskhub-lease-id", lease.lease_id),)
    finally:
        with contextlib.suppress(grpc.RpcError):
            hub.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id), timeout=TIMEOUT)


def cmd_info(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print hub identity."""
    info = hub_pb2_grpc.HubServiceStub(ch).GetHubInfo(hub_pb2.GetHubInfoRequest(), timeout=TIMEOUT)
    emit(
        args,
        info,
        f"hubd {info.version}  boot {info.boot_id}  simulate: {yes_no(info.simulate)}\n"
        f"started {info.start_time.ToJsonString()}  last event #{info.last_sequence}",
    )


def cmd_devices(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print every device (* marks the default of its class)."""
    devices = list(list_devices(ch))
    for d in devices:
        emit(args, d)
    if not args.json:
        print(device_rows(devices))


def cmd_device(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print one device."""
    d = (
        hub_pb2_grpc.HubServiceStub(ch)
        .GetDevice(hub_pb2.GetDeviceRequest(device_id=args.device_id), timeout=TIMEOUT)
        .device
    )
    human = device_rows([d]) + (f"\nreason: {d.reason_detail}" if d.reason_detail else "")
    emit(args, d, human)


def _resume(text: str) -> tuple[str, int]:
    boot, sep, seq = text.partition(":")
    if text and (not sep or not boot or not seq.isdigit()):
        raise UsageError(f"--resume must be BOOT_ID:SEQUENCE, got {text[:40]!r}")
    return boot, int(seq or 0)


def cmd_events(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """Print events as they arrive; exit 3 with a line when the hub stops."""
    boot, seq = _resume(args.resume)
    req = hub_pb2.WatchEventsRequest(resume_boot_id=boot, resume_after_sequence=seq, device_ids=args.device)
    stream = hub_pb2_grpc.HubServiceStub(ch).WatchEvents(req)
    for n, item in enumerate(stream, start=1):
        e = item.event
        kind = enum_name(hub_pb2.EventType.Name(e.type), "EVENT_TYPE_").upper()
        if kind == "UNSPECIFIED" and e.attributes.get("kind"):
            kind = e.attributes["kind"]
        extra = " ".join(f"{k}={v}" for k, v in sorted(e.attributes.items()) if k != "kind")
        emit(
            args,
            e,
            f"#{e.sequence} {e.publish_time.ToJsonString()} {kind} {e.device_id or '-'} "
            f"{e.reason} {e.message} {extra}".rstrip(),
        )
        if args.count and n >= args.count:
            stream.cancel()  # type: ignore[no-untyped-call]
            return None
    print("hubctl: the event stream ended", file=sys.stderr)
    return EXIT_HUB_DOWN


def main(argv: list[str] | None = None) -> int:
    """Run one hubctl command; exit 0 ok, 1 refused or failed, 2 usage, 3 hub unreachable."""
    p, commands = parser()
    args = p.parse_args(argv)
    try:
        with channel(args.target) as ch:
            return commands[args.command](ch, args) or 0
    except grpc.RpcError as err:
        if isinstance(err, grpc.Call) and err.code() is grpc.StatusCode.CANCELLED:
            return 0
        return report_rpc_error(err, args)
    except UsageError as err:
        return report_usage_error(str(err), args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
