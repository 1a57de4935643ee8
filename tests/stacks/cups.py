"""A real CUPS scheduler for tests: a private ``cupsd`` on its own dir, socket and free loopback port."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from hubd.errors import DeviceUnavailable
from hubd.stacks import cups
from tests.stacks.base import free_port, private_dir, remove_dir, skip_or_fail, stop_process

START_ATTEMPTS = 3
RETRYABLE = {"exited", "port_in_use"}  # another worker took the port between free_port and bind


class CupsStack:
    """A running private cupsd; clients reach it through ``env`` (CUPS_SERVER = its socket)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: cups.CupsPaths | None = None
        self.cupsd: subprocess.Popen[bytes] | None = None

    def start(self) -> CupsStack:
        """Start on a free port; retry with another port if that one was taken meanwhile."""
        for attempt in range(START_ATTEMPTS):
            port = free_port()
            try:
                (self.cupsd,) = cups.start(self.root, port)
            except DeviceUnavailable as err:
                if err.metadata.get("cause") not in RETRYABLE or attempt == START_ATTEMPTS - 1:
                    raise
                continue
            self.paths = cups.paths(self.root, port)
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop cupsd by pid."""
        if self.cupsd is not None:
            stop_process(self.cupsd)
        if self.paths is not None:
            self.paths.remove_socket()

    @property
    def p(self) -> cups.CupsPaths:
        """The instance's paths (after ``start``)."""
        assert self.paths is not None, "CupsStack not started"
        return self.paths

    @property
    def server(self) -> str:
        """The ``CUPS_SERVER`` value (the scheduler's unix socket)."""
        return self.p.server

    @property
    def port(self) -> int:
        """The scheduler's loopback IPP port."""
        return self.p.port

    def add_raw_queue(self, name: str, device_uri: str) -> None:
        """``lpadmin -p NAME -v URI -E`` (raw: no PPD, no filters)."""
        cups.add_raw_queue(self.p, name, device_uri)

    def add_everywhere_queue(self, name: str, printer_uri: str) -> None:
        """``lpadmin -p NAME -v ipp://… -m everywhere -E`` (driverless queue, A4 default)."""
        cups.add_everywhere_queue(self.p, name, printer_uri)

    def admin(self, *argv: str) -> str:
        """Run an admin command (cupsdisable, cupsreject, lp…) against this instance; its stdout."""
        result = cups.client(self.p, *argv)
        assert result.returncode == 0, f"{argv[0]} failed: {result.stderr or result.stdout}"
        return result.stdout

    def lp_raw(self, queue: str, data: bytes) -> int:
        """Submit ``data`` with ``lp -d QUEUE -o raw``; the CUPS job id."""
        return cups.submit_raw(self.p, queue, data)

    def active_jobs(self, queue: str) -> list[int]:
        """Ids of the queue's pending or processing jobs."""
        return cups.job_ids(self.p, queue)

    def completed_jobs(self, queue: str) -> list[int]:
        """Ids of the queue's completed jobs."""
        return cups.job_ids(self.p, queue, completed=True)

    def printer_status(self, queue: str) -> str:
        """``lpstat -l -p QUEUE`` output (state and printer-state-message)."""
        return cups.printer_status(self.p, queue)

    async def wait_completed(self, queue: str, job_id: int, timeout: float) -> float:
        """Poll (off the event loop) until ``job_id`` is completed; the seconds it took."""
        t0 = time.monotonic()
        while job_id not in await asyncio.to_thread(self.completed_jobs, queue):
            if time.monotonic() - t0 >= timeout:
                status = (await asyncio.to_thread(self.printer_status, queue)).splitlines()[:2]
                pytest.fail(f"CUPS job {queue}-{job_id} not completed within {timeout:.1f}s: {status}")
            await asyncio.sleep(0.05)
        return time.monotonic() - t0


def start_cups(root: Path) -> CupsStack:
    """Start a private cupsd in ``root`` (skip-or-fail when CUPS is not installed)."""
    missing = cups.missing_binaries()
    if missing:
        skip_or_fail(f"CUPS: not installed: {', '.join(missing)} (packages cups-daemon, cups-client)")
    return CupsStack(Path(root)).start()


def cups_stack_at(root: Path) -> Generator[CupsStack]:
    """Generator for fixtures: a started stack in ``root``; stopped and removed afterwards."""
    stack: CupsStack | None = None
    try:
        stack = start_cups(root)
        yield stack
    finally:
        if stack is not None:
            stack.stop()
        remove_dir(root)


@pytest.fixture
def cups_stack() -> Iterator[CupsStack]:
    """A fresh private cupsd for one test."""
    yield from cups_stack_at(private_dir("cups"))
