"""``hubctl report``: the field technician's diagnostics report, one file to read or hand over.

The hub (version, boot, uptime), every device with why it is not available, then each device
class's own status commands (``ClassSpec.report``, run exactly as ``hubctl`` runs them), then the
hub's recent events. A section that cannot be read says why and the report goes on: the report
shows what was observed and nothing else. ``--selftest`` adds the sections that exercise devices
(a tone played and recorded). ``--json``: one object per section.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import grpc

from hubd.classes import specs
from hubd.classes.spec import ReportSection
from hubd.cli.common import TIMEOUT, UsageError
from hubd.cli.output import as_dict, enum_name
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc

IST = timezone(timedelta(hours=5, minutes=30), "IST")
EVENTS = 40
"""The newest events the report shows."""


@dataclass
class Section:
    """One part of the report: its text for people, its objects for --json, and its exit code."""

    title: str
    text: str = ""
    items: list[Any] = field(default_factory=list)
    command: str = ""
    exit_code: int = 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``hubctl report``'s own options."""
    p.add_argument("-o", "--output", default="", help="write the report to this file (default: print it)")
    p.add_argument("--selftest", action="store_true", help="also run the self-tests (a tone is played)")
    p.add_argument("--events", type=int, default=EVENTS, help=f"newest events to include (default {EVENTS})")


def _run(argv: list[str], target: str, as_json: bool) -> tuple[int, str, str]:
    """Run one hubctl command in this process: (exit code, stdout, stderr)."""
    from hubd.cli.hubctl import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--target", target, *(["--json"] if as_json else [])])
    return code, out.getvalue(), err.getvalue()


def _class_section(part: ReportSection, args: argparse.Namespace) -> Section:
    code, out, err = _run(list(part.argv), args.target, args.json)
    section = Section(part.title, command="hubctl " + " ".join(part.argv), exit_code=code)
    if args.json:
        section.items = [json.loads(line) for line in out.splitlines() if line.strip()]
        if err.strip():
            section.items.append({"error": json.loads(err) if err.lstrip().startswith("{") else err.strip()})
    else:
        section.text = (out + err).rstrip() or "(nothing)"
    return section


def _hub_section(ch: grpc.Channel, args: argparse.Namespace) -> tuple[Section, hub_pb2.GetHubInfoResponse]:
    info = hub_pb2_grpc.HubServiceStub(ch).GetHubInfo(hub_pb2.GetHubInfoRequest(), timeout=TIMEOUT)
    started = info.start_time.ToDatetime(UTC)
    now = datetime.now(UTC)
    lines = [
        f"report made  {now.astimezone(IST):%d-%m-%Y %H:%M:%S} IST on {platform.node() or '-'}",
        f"hubd         {info.version}  boot {info.boot_id}  simulate: {'yes' if info.simulate else 'no'}",
        f"running for  {_span(now - started)} (since {started.astimezone(IST):%d-%m-%Y %H:%M} IST)",
    ]
    return Section("Hub", "\n".join(lines), [as_dict(info)], "hubctl info"), info


def _span(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    return (f"{days} d " if days else "") + f"{rest // 3600} h {rest % 3600 // 60} min"


def _devices_section(ch: grpc.Channel) -> Section:
    from hubd.cli.hubctl import device_rows, list_devices

    devices = list(list_devices(ch))
    attention = [d for d in devices if d.state != common_pb2.DEVICE_STATE_AVAILABLE]
    lines = [f"{len(attention)} of {len(devices)} devices need attention", "", device_rows(devices)]
    for d in attention:
        state = enum_name(common_pb2.DeviceState.Name(d.state), "DEVICE_STATE_")
        lines.append(f"\n{d.device_id}: {state} {d.reason or ''}".rstrip())
        lines.append(f"  {d.reason_detail or 'no detail given'}")
        lines.append(f"  driver {d.driver}, {d.url}")
    return Section("Devices", "\n".join(lines), [as_dict(d) for d in devices], "hubctl devices")


def _events_section(ch: grpc.Channel, info: hub_pb2.GetHubInfoResponse, count: int) -> Section:
    """The newest retained events (those already published when the report began)."""
    section = Section("Recent events", command=f"hubctl events --resume {info.boot_id}:0")
    if count <= 0 or not info.last_sequence:
        section.text = "(none)"
        return section
    request = hub_pb2.WatchEventsRequest(resume_boot_id=info.boot_id, resume_after_sequence=0)
    stream = hub_pb2_grpc.HubServiceStub(ch).WatchEvents(request, timeout=TIMEOUT)
    events: list[hub_pb2.Event] = []
    try:
        for item in stream:
            if item.event.sequence > info.last_sequence:
                break
            events.append(item.event)
            if item.event.sequence == info.last_sequence:
                break
    finally:
        stream.cancel()  # type: ignore[no-untyped-call]
    events = events[-count:]
    section.items = [as_dict(e) for e in events]
    section.text = "\n".join(
        f"#{e.sequence} {e.publish_time.ToDatetime(UTC).astimezone(IST):%d-%m %H:%M:%S} "
        f"{enum_name(hub_pb2.EventType.Name(e.type), 'EVENT_TYPE_').upper()} {e.device_id or '-'} "
        f"{e.reason} {e.message}".rstrip()
        for e in events
    ) or "(none)"
    return section


def _guarded(title: str, make: Any, *a: Any) -> Section:
    """A core section, or what stopped it."""
    try:
        section: Section = make(*a)
        return section
    except grpc.RpcError as err:
        detail = err.details() if isinstance(err, grpc.Call) else str(err)
        return Section(title, f"could not be read: {detail}", [{"error": detail}], exit_code=1)


def sections(ch: grpc.Channel, args: argparse.Namespace) -> Iterator[Section]:
    """Every section, in order (the hub first: unreachable, hubctl exits 3 as usual)."""
    hub, info = _hub_section(ch, args)
    yield hub
    yield _guarded("Devices", _devices_section, ch)
    for spec in sorted(specs(), key=lambda sp: sp.demo_order):  # the order a kiosk session meets them
        for part in spec.report:
            if args.selftest or not part.selftest:
                yield _class_section(part, args)
    yield _guarded("Recent events", _events_section, ch, info, args.events)


def cmd_report(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """Print (or write) the diagnostics report."""
    if not 0 <= args.events <= 1000:
        raise UsageError("--events must be 0..1000")
    chunks: list[str] = []
    for s in sections(ch, args):
        if args.json:
            chunks.append(json.dumps({"section": s.title, "command": s.command, "exit_code": s.exit_code,
                                      "items": s.items}, ensure_ascii=False, sort_keys=True))
        else:
            chunks.append(f"== {s.title}" + (f"  ({s.command})" if s.command else "") + f"\n{s.text}\n")
    text = "\n".join(chunks) + "\n"
    if not args.output:
        print(text, end="", flush=True)
        return None
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as err:
        print(f"hubctl: cannot write {args.output}: {err.strerror}", file=sys.stderr)
        return 1
    if not args.json:
        print(f"report written to {args.output}")
    return None
