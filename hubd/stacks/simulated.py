"""Private OS-stack daemons for ``hubd --simulate`` (NUT today; CUPS, pcscd, PulseAudio later).

A stack whose binaries are installed is started privately (own config, free loopback port, own
state dir) without delaying the hub's start; one that is absent becomes a device listed
UNAVAILABLE with reason STACK_NOT_INSTALLED.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from hubd.config import DeviceConfig
from hubd.errors import DeviceUnavailable
from hubd.stacks import nut
from hubd.stacks.process import free_port

log = logging.getLogger(__name__)


@dataclass
class StackResult:
    """A stack-served device: its config, or why it is missing, plus what to record/stop."""

    config: DeviceConfig
    missing: str = ""
    record: dict[str, object] = field(default_factory=dict)
    task: asyncio.Task[list[subprocess.Popen[bytes]]] | None = None
    abandon: threading.Event = field(default_factory=threading.Event)


async def start_nut(state_dir: Path, device_id: str = "ups-nut") -> StackResult:
    """Start upsd + dummy-ups in the background; the device polls it through ``nut://``."""
    if not nut.binaries_present():
        detail = f"NUT is not installed (missing {', '.join(nut.missing_binaries())})"
        return StackResult(DeviceConfig(device_id, "nut"), missing=detail)
    port = free_port()
    root = state_dir / "nut"
    paths = nut.paths(root, port)
    # The executor thread lives as long as the daemon, so the parent-death signal set from it
    # stops upsd and the driver even if hubd is killed with SIGKILL.
    abandon = threading.Event()
    start = functools.partial(nut.start, root, port, die_with_parent=True, abandon=abandon)
    task = asyncio.create_task(asyncio.to_thread(start), name="stack:nut")
    options = {"password_file": str(paths.password_file), "username": nut.USERNAME}
    cfg = DeviceConfig(device_id, "nut", paths.url, options=options)
    record: dict[str, object] = {"stack": "nut", "url": paths.url, "dev": str(paths.dev)}
    return StackResult(cfg, record=record, task=task, abandon=abandon)


async def stop(results: list[StackResult]) -> None:
    """Stop every stack daemon that was started (a start still in progress is abandoned)."""
    for res in results:
        if res.task is None:
            continue
        res.abandon.set()
        try:
            procs = await res.task
        except DeviceUnavailable as err:
            if err.metadata.get("cause") != "abandoned":
                log.error("stack for %s had failed to start: %s", res.config.id, err)
            continue
        await asyncio.to_thread(nut.stop, procs)


async def report_failures(results: list[StackResult]) -> None:
    """Log (once) a stack that failed to start; its device shows the reason through polling."""
    for res in results:
        if res.task is not None:
            try:
                await res.task
            except DeviceUnavailable as err:
                log.error("%s: %s", res.config.id, err.message.splitlines()[0])
