"""A real NUT stack for tests: ``dummy-ups`` + ``upsd`` on a private config and a free loopback port."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path

import pytest

from hubd.errors import DeviceUnavailable
from hubd.stacks import nut
from tests.stacks.base import (
    free_port,
    private_dir,
    remove_dir,
    skip_or_fail,
    stop_process,
    wait_until,
)

START_ATTEMPTS = 3


class NutStack:
    """A running private NUT instance; its UPS is ``ups`` at ``url``; faults are methods."""

    def __init__(self, root: Path, *, maxage: int = nut.DEFAULT_MAXAGE) -> None:
        self.root = root
        self.maxage = maxage
        self.paths: nut.NutPaths | None = None
        self.driver: subprocess.Popen[bytes] | None = None
        self.upsd: subprocess.Popen[bytes] | None = None
        self.variables: dict[str, str] = dict(nut.DEFAULT_VARIABLES)

    # --------------------------------------------------------------- lifecycle
    def start(self) -> NutStack:
        """Start on a free port; retry with another port if upsd exits (port taken meanwhile)."""
        for attempt in range(START_ATTEMPTS):
            port = free_port()
            try:
                self.driver, self.upsd = nut.start(self.root, port, maxage=self.maxage)
            except DeviceUnavailable as err:
                if err.metadata.get("cause") != "exited" or attempt == START_ATTEMPTS - 1:
                    raise
                continue
            self.paths = nut.paths(self.root, port)
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop upsd and the driver by pid; remove state kept outside the root."""
        for proc in (self.upsd, self.driver):
            if proc is not None:
                stop_process(proc)
        if self.paths is not None:
            self.paths.remove_state()

    @property
    def p(self) -> nut.NutPaths:
        """The instance's paths (after ``start``)."""
        assert self.paths is not None, "NutStack not started"
        return self.paths

    @property
    def port(self) -> int:
        """upsd's loopback port."""
        return self.p.port

    @property
    def url(self) -> str:
        """``nut://ups@127.0.0.1:PORT``."""
        return self.p.url

    @property
    def username(self) -> str:
        """The upsd user with a password (``upsd.users``)."""
        return nut.USERNAME

    @property
    def password_file(self) -> Path:
        """The file holding that user's password."""
        return self.p.password_file

    # --------------------------------------------------------------- state and faults
    def write_vars(self, variables: Mapping[str, str]) -> None:
        """Merge ``variables`` into the UPS data and rewrite the .dev file (dummy-ups re-reads it)."""
        self.variables.update(variables)
        nut.write_dev(self.p, self.variables)

    def set_status(self, status: str) -> None:
        """Set ``ups.status`` (e.g. ``"OB LB"``)."""
        self.write_vars({"ups.status": status})

    def kill_driver(self) -> None:
        """Stop dummy-ups (upsd then answers ERR DRIVER-NOT-CONNECTED)."""
        if self.driver is not None:
            stop_process(self.driver)

    def start_driver(self) -> None:
        """Start dummy-ups again (upsd reconnects to it by itself) and wait for its socket."""
        self.kill_driver()
        self.driver = nut.start_driver(self.p)
        wait_until(self.p.driver_socket.exists, 10.0, what="dummy-ups socket", alive=[self.driver])

    def pause_driver(self) -> None:
        """SIGSTOP dummy-ups: upsd keeps the socket but hears nothing (DATA-STALE after MAXAGE)."""
        assert self.driver is not None
        self.driver.send_signal(signal.SIGSTOP)

    def resume_driver(self) -> None:
        """SIGCONT dummy-ups."""
        assert self.driver is not None
        self.driver.send_signal(signal.SIGCONT)

    def kill_upsd(self) -> None:
        """Stop upsd (clients see the connection close, then connection refused)."""
        if self.upsd is not None:
            stop_process(self.upsd)

    def start_upsd(self) -> None:
        """Start upsd again on the same port and wait until it serves a status."""
        self.kill_upsd()
        self.upsd = nut.start_upsd(self.p)
        wait_until(lambda: nut.ready(self.p), 10.0, what="upsd status", alive=[self.upsd])

    def status(self) -> str | None:
        """``ups.status`` as upsd serves it now (a tiny independent client), None on ERR."""
        return nut.status(self.port)


def start_nut(tmpdir: Path, *, maxage: int = nut.DEFAULT_MAXAGE) -> NutStack:
    """Start a private NUT instance in ``tmpdir`` (skip-or-fail when NUT is not installed)."""
    missing = nut.missing_binaries()
    if missing:
        skip_or_fail(f"NUT: not installed: {', '.join(missing)} (package nut-server)")
    return NutStack(Path(tmpdir), maxage=maxage).start()


def nut_stack_at(root: Path, *, maxage: int = nut.DEFAULT_MAXAGE) -> Generator[NutStack]:
    """Generator for fixtures: a started stack in ``root``; stopped and removed afterwards."""
    stack: NutStack | None = None
    try:
        stack = start_nut(root, maxage=maxage)
        yield stack
    finally:
        if stack is not None:
            stack.stop()
        remove_dir(root)


@pytest.fixture
def nut_stack() -> Iterator[NutStack]:
    """A fresh NUT stack for one test (tests may kill or pause its daemons)."""
    yield from nut_stack_at(private_dir("nut"))


@pytest.fixture(scope="module")
def shared_nut_stack() -> Iterator[NutStack]:
    """One NUT stack per module (per xdist worker) for tests that leave its state alone."""
    yield from nut_stack_at(private_dir("nut"))
