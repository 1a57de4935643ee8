"""hubctl's UPS command: ``hubctl ups [ID] [--watch]``."""

from __future__ import annotations

import argparse

import grpc

from hubd.cli.common import TIMEOUT, AddGlobals, Command, emit
from hubd.cli.hubctl import list_devices
from hubd.cli.output import ago, enum_name, number, table
from kioskhub.v1 import common_pb2, ups_pb2, ups_pb2_grpc


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add_globals: AddGlobals
) -> dict[str, Command]:
    """Add ``ups`` to hubctl."""
    ups = sub.add_parser("ups", help="UPS status (every UPS, or one)", epilog="example: hubctl ups --watch")
    ups.add_argument(
        "device_id", nargs="?", default="", help="the UPS (default: every UPS; --watch: the default)"
    )
    ups.add_argument("--watch", action="store_true", help="keep printing on every change")
    add_globals(ups)
    return {"ups": cmd_ups}


def _human(st: ups_pb2.UpsStatus) -> str:
    state = enum_name(common_pb2.DeviceState.Name(st.state), "DEVICE_STATE_")
    if st.HasField("on_battery"):
        power = ("ON BATTERY" if st.on_battery else "on line") + (", LOW BATTERY" if st.low_battery else "")
    else:
        power = "unknown"
    charge = number(st, "battery_charge_percent", "{:.0f}%") + (
        " (estimated)" if st.battery_charge_estimated else ""
    )
    runtime = f"{st.battery_runtime.seconds} s" if st.HasField("battery_runtime") else "-"
    rows = [
        ["device", st.device_id],
        ["state", state + (f" ({st.reason})" if st.reason else "")],
        ["power", power],
        ["status", " ".join(st.status) or "-"],
        ["battery charge", charge],
        ["battery runtime", runtime],
        ["battery voltage", number(st, "battery_voltage_volts", "{:.1f} V")],
        ["input voltage", number(st, "input_voltage_volts", "{:.1f} V")],
        ["output voltage", number(st, "output_voltage_volts", "{:.1f} V")],
        ["load", number(st, "load_percent", "{:.0f}%")],
        ["model", st.model or "-"],
        ["source", enum_name(common_pb2.StatusSource.Name(st.source), "STATUS_SOURCE_")],
        ["last seen", ago(st.last_seen_time)],
    ]
    return table(["UPS", ""], rows)


def cmd_ups(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print UPS status (once, or on every change)."""
    stub = ups_pb2_grpc.UpsServiceStub(ch)
    if args.watch:
        for item in stub.WatchUpsStatus(ups_pb2.WatchUpsStatusRequest(device_id=args.device_id)):
            emit(args, item.status, _human(item.status) + "\n")
        return
    ids = (
        [args.device_id]
        if args.device_id
        else [d.device_id for d in list_devices(ch, common_pb2.DEVICE_CLASS_UPS)]
    )
    for n, device_id in enumerate(ids):
        st = stub.GetUpsStatus(ups_pb2.GetUpsStatusRequest(device_id=device_id), timeout=TIMEOUT).status
        emit(args, st, ("\n" if n else "") + _human(st))
