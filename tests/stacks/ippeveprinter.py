"""A real IPP Everywhere printer for tests: a private ``ippeveprinter`` (+ its D-Bus) on a free port."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubd.errors import DeviceUnavailable
from hubd.stacks import ippeveprinter
from tests.stacks.base import free_port, private_dir, remove_dir, skip_or_fail, stop_all

START_ATTEMPTS = 3


class IppEveStack:
    """A private ippeveprinter; ``stop``/``start`` turn it off and on again on the same port."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = 0
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> IppEveStack:
        """Start (on a free port the first time, on the same port afterwards)."""
        for attempt in range(START_ATTEMPTS):
            port = self.port or free_port()
            try:
                self.procs = ippeveprinter.start(self.root, port)
            except DeviceUnavailable as err:
                if self.port or err.metadata.get("cause") != "exited" or attempt == START_ATTEMPTS - 1:
                    raise
                continue
            self.port = port
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Turn the printer off (ippeveprinter and its bus stopped by pid)."""
        stop_all(self.procs)
        self.procs = []

    @property
    def p(self) -> ippeveprinter.IppEvePaths:
        """The instance's paths."""
        assert self.port, "IppEveStack not started"
        return ippeveprinter.paths(self.root, self.port)

    @property
    def url(self) -> str:
        """``ipp://127.0.0.1:PORT/ipp/print``."""
        return self.p.url

    def printouts(self) -> list[ippeveprinter.Printout]:
        """Documents the printer received, oldest first."""
        return ippeveprinter.printouts(self.p)

    async def wait_printouts(self, count: int, timeout: float = 10.0) -> list[ippeveprinter.Printout]:
        """Poll until ``count`` documents arrived; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        while len(found := self.printouts()) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"{count} printouts expected within {timeout:.0f}s, got {len(found)}")
            await asyncio.sleep(0.05)
        return found


def start_ippeve(root: Path) -> IppEveStack:
    """Start a private ippeveprinter in ``root`` (skip-or-fail when it is not installed)."""
    missing = ippeveprinter.missing_binaries()
    if missing:
        skip_or_fail(f"ippeveprinter stack: not installed: {', '.join(missing)} (cups-ipp-utils, dbus)")
    return IppEveStack(root).start()


@pytest.fixture
def ippeve_stack() -> Iterator[IppEveStack]:
    """A fresh private IPP Everywhere printer for one test."""
    root = private_dir("ippeve")
    stack: IppEveStack | None = None
    try:
        stack = start_ippeve(root)
        yield stack
    finally:
        if stack is not None:
            stack.stop()
        remove_dir(root)
