"""Private OS-stack daemons for ``hubd --simulate``: a driver that is served by an OS stack names
it (``DriverInfo.stack``), and ``hubd.stacks.<name>.simulate(state_dir, device)`` starts it.

A stack whose binaries are installed is started privately (own config, free loopback port, own
state dir) without delaying the hub's start; one that is absent becomes a device listed
UNAVAILABLE with reason STACK_NOT_INSTALLED. ``StackResult.stop`` stops what was started.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hubd.classes.spec import SimulatedDevice
from hubd.config import DeviceConfig
from hubd.errors import DeviceUnavailable
from hubd.stacks.process import stop_all

log = logging.getLogger(__name__)


@dataclass
class StackResult:
    """A stack-served device: its config, or why it is missing, plus what to record/stop."""

    config: DeviceConfig
    missing: str = ""
    record: dict[str, object] = field(default_factory=dict)
    task: asyncio.Task[list[subprocess.Popen[bytes]]] | None = None
    abandon: threading.Event = field(default_factory=threading.Event)
    stop: Callable[[list[subprocess.Popen[bytes]]], None] = stop_all
    """Stops the processes the start task returned."""


async def start(name: str, state_dir: Path, device: SimulatedDevice) -> StackResult:
    """Start stack ``name`` for ``device`` (``hubd.stacks.<name>.simulate``)."""
    module = importlib.import_module(f"hubd.stacks.{name}")
    result: StackResult = await module.simulate(state_dir, device)
    return result


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
        await asyncio.to_thread(res.stop, procs)


async def report_failures(results: list[StackResult]) -> None:
    """Log (once) a stack that failed to start; its device shows the reason through polling."""
    for res in results:
        if res.task is not None:
            try:
                await res.task
            except DeviceUnavailable as err:
                log.error("%s: %s", res.config.id, err.message.splitlines()[0])
