"""sd_notify wire protocol and the event-loop watchdog, against a real AF_UNIX datagram socket."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubd.clock import FakeClock, SystemClock, settle
from hubd.sdnotify import Notifier, run_watchdog, start_watchdog, watchdog_interval


@pytest.fixture
def sock_dir() -> Iterator[Path]:
    # AF_UNIX paths are limited to 107 bytes; pytest's tmp_path can be longer.
    path = Path(tempfile.mkdtemp(prefix="sdn-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def receiver(sock_dir: Path) -> Iterator[tuple[socket.socket, str]]:
    """A bound datagram socket standing in for systemd, and its NOTIFY_SOCKET value."""
    path = sock_dir / "notify"
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind(str(path))
    rx.setblocking(False)
    yield rx, str(path)
    rx.close()


def drain(rx: socket.socket) -> list[bytes]:
    """Every datagram queued on ``rx`` right now, one entry per datagram."""
    out: list[bytes] = []
    while True:
        try:
            out.append(rx.recv(4096))
        except BlockingIOError:
            return out


# --- the wire protocol -------------------------------------------------------------------------


def test_ready_and_status_are_one_datagram_per_call(receiver: tuple[socket.socket, str]) -> None:
    rx, env_value = receiver
    n = Notifier.from_env({"NOTIFY_SOCKET": env_value})
    assert n.enabled
    assert n.ready("Serving 3 devices")
    assert n.status("Printer receipt: paper low")
    assert n.stopping()
    assert n.watchdog()
    assert drain(rx) == [
        b"READY=1\nSTATUS=Serving 3 devices",
        b"STATUS=Printer receipt: paper low",
        b"STOPPING=1",
        b"WATCHDOG=1",
    ]
    n.close()


def test_plain_ready_and_extend_timeout(receiver: tuple[socket.socket, str]) -> None:
    rx, env_value = receiver
    n = Notifier.from_env({"NOTIFY_SOCKET": env_value})
    n.ready()
    n.stopping("Finishing receipt 42")
    n.extend_timeout(1.5)
    assert drain(rx) == [
        b"READY=1",
        b"STOPPING=1\nSTATUS=Finishing receipt 42",
        b"EXTEND_TIMEOUT_USEC=1500000",
    ]


def test_newline_in_a_value_cannot_inject_a_key(receiver: tuple[socket.socket, str]) -> None:
    rx, env_value = receiver
    n = Notifier.from_env({"NOTIFY_SOCKET": env_value})
    n.status("paper out\nREADY=1\r\n")
    assert drain(rx) == [b"STATUS=paper out READY=1  "]


def test_status_is_utf8(receiver: tuple[socket.socket, str]) -> None:
    rx, env_value = receiver
    Notifier.from_env({"NOTIFY_SOCKET": env_value}).status("रसीद ₹10")
    assert drain(rx) == ["STATUS=रसीद ₹10".encode()]


def test_bad_key_is_a_programming_error(receiver: tuple[socket.socket, str]) -> None:
    _, env_value = receiver
    with pytest.raises(ValueError):
        Notifier.from_env({"NOTIFY_SOCKET": env_value}).notify(**{"bad key": "x"})


def test_abstract_socket_address() -> None:
    name = f"kioskhub-test-{uuid.uuid4().hex}"
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind("\0" + name)
    rx.setblocking(False)
    try:
        n = Notifier.from_env({"NOTIFY_SOCKET": "@" + name})
        assert n.address == "\0" + name
        assert n.ready("up")
        assert drain(rx) == [b"READY=1\nSTATUS=up"]
    finally:
        rx.close()


@pytest.mark.parametrize("value", [None, "", "vsock:2:1234", "relative/path", "@"])
def test_no_usable_socket_means_every_call_is_a_noop(value: str | None) -> None:
    env = {} if value is None else {"NOTIFY_SOCKET": value}
    n = Notifier.from_env(env)
    assert not n.enabled
    assert not n.ready("x")
    assert not n.status("x")
    assert not n.stopping()
    assert not n.watchdog()


def test_from_env_reads_the_process_environment(
    receiver: tuple[socket.socket, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rx, env_value = receiver
    monkeypatch.setenv("NOTIFY_SOCKET", env_value)
    Notifier.from_env().ready()
    assert drain(rx) == [b"READY=1"]
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert not Notifier.from_env().enabled


def test_socket_gone_is_logged_once_and_never_raised(
    receiver: tuple[socket.socket, str], caplog: pytest.LogCaptureFixture
) -> None:
    rx, env_value = receiver
    n = Notifier.from_env({"NOTIFY_SOCKET": env_value})
    assert n.watchdog()
    rx.close()
    os.unlink(env_value)
    with caplog.at_level(logging.DEBUG, logger="hubd.sdnotify"):
        assert not n.watchdog()
        assert not n.watchdog()
        assert not n.status("still here")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "cannot notify systemd" in warnings[0].getMessage()


# --- WATCHDOG_USEC ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WATCHDOG_USEC": "30000000"}, 30.0),
        ({"WATCHDOG_USEC": "250000", "WATCHDOG_PID": "4242"}, 0.25),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4243"}, None),  # another process's
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "x"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "-5"}, None),
        ({"WATCHDOG_USEC": "30s"}, None),
        ({"WATCHDOG_PID": "4242"}, None),
        ({}, None),
    ],
)
def test_watchdog_interval(env: dict[str, str], expected: float | None) -> None:
    assert watchdog_interval(env, pid=4242) == expected


def test_watchdog_pid_defaults_to_our_pid() -> None:
    env = {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(os.getpid())}
    assert watchdog_interval(env) == 1.0
    env["WATCHDOG_PID"] = str(os.getpid() + 1)
    assert watchdog_interval(env) is None


# --- the watchdog task on a fake clock ---------------------------------------------------------


async def test_pings_every_half_interval_as_fake_time_passes(
    receiver: tuple[socket.socket, str],
) -> None:
    rx, env_value = receiver
    clock = FakeClock()
    task = asyncio.create_task(run_watchdog(Notifier.from_env({"NOTIFY_SOCKET": env_value}), clock, 30.0))
    try:
        await settle()
        assert drain(rx) == [b"WATCHDOG=1"]  # one ping at start
        await clock.advance(14.9)
        assert drain(rx) == []
        await clock.advance(0.1)  # t = 15
        assert drain(rx) == [b"WATCHDOG=1"]
        await clock.advance(60.0)  # t = 75: due at 30, 45, 60, 75
        assert drain(rx) == [b"WATCHDOG=1"] * 4
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_unhealthy_hub_withholds_pings(receiver: tuple[socket.socket, str]) -> None:
    rx, env_value = receiver
    clock = FakeClock()
    healthy = True
    n = Notifier.from_env({"NOTIFY_SOCKET": env_value})
    task = asyncio.create_task(run_watchdog(n, clock, 10.0, lambda: healthy))
    try:
        await settle()
        assert drain(rx) == [b"WATCHDOG=1"]
        healthy = False
        await clock.advance(20.0)
        assert drain(rx) == []
        healthy = True
        await clock.advance(5.0)
        assert drain(rx) == [b"WATCHDOG=1"]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_raising_health_check_counts_as_unhealthy(
    receiver: tuple[socket.socket, str],
) -> None:
    rx, env_value = receiver

    def broken() -> bool:
        raise RuntimeError("registry lock poisoned")

    clock = FakeClock()
    task = asyncio.create_task(
        run_watchdog(Notifier.from_env({"NOTIFY_SOCKET": env_value}), clock, 10.0, broken)
    )
    try:
        await clock.advance(20.0)
        assert drain(rx) == []
        assert not task.done()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


class LateClock:
    """A clock whose sleeps end only when the test says, at whatever time the test sets."""

    def __init__(self) -> None:
        self.t = 0.0
        self.wakeup: asyncio.Future[None] | None = None

    def now(self) -> object:
        raise NotImplementedError

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.wakeup = asyncio.get_running_loop().create_future()
        await self.wakeup

    async def wake_at(self, t: float) -> None:
        self.t = t
        assert self.wakeup is not None
        self.wakeup.set_result(None)
        await settle()


async def test_a_late_wakeup_skips_the_ping(
    receiver: tuple[socket.socket, str], caplog: pytest.LogCaptureFixture
) -> None:
    rx, env_value = receiver
    clock = LateClock()
    task = asyncio.create_task(
        run_watchdog(Notifier.from_env({"NOTIFY_SOCKET": env_value}), clock, 10.0)  # type: ignore[arg-type]
    )
    try:
        await settle()
        assert drain(rx) == [b"WATCHDOG=1"]
        await clock.wake_at(9.9)  # due at 5, ran 4.9 late: within interval/2
        assert drain(rx) == [b"WATCHDOG=1"]
        with caplog.at_level(logging.WARNING, logger="hubd.sdnotify"):
            await clock.wake_at(15.2)  # due at 10, ran 5.2 late: the loop was stalled
        assert drain(rx) == []
        assert "stalled" in caplog.text
        await clock.wake_at(20.2)  # rescheduled for 15.2 + 5 = 20.2
        assert drain(rx) == [b"WATCHDOG=1"]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_start_watchdog_only_when_systemd_asks(
    receiver: tuple[socket.socket, str],
) -> None:
    rx, env_value = receiver
    n = Notifier.from_env({"NOTIFY_SOCKET": env_value})
    clock = FakeClock()
    assert start_watchdog(n, clock, environ={}) is None
    assert start_watchdog(Notifier(None), clock, environ={"WATCHDOG_USEC": "1000000"}) is None
    task = start_watchdog(n, clock, environ={"WATCHDOG_USEC": "1000000"})
    assert task is not None
    try:
        await settle()
        await clock.advance(0.5)
        assert drain(rx) == [b"WATCHDOG=1"] * 2
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


# --- the watchdog task on the real event loop ----------------------------------------------


async def poll_for(rx: socket.socket, pred_count: int, deadline_s: float) -> list[float]:
    """Receive times (monotonic) of datagrams until ``pred_count`` arrived or the deadline."""
    times: list[float] = []
    deadline = time.monotonic() + deadline_s
    while len(times) < pred_count and time.monotonic() < deadline:
        for payload in drain(rx):
            assert payload == b"WATCHDOG=1"
            times.append(time.monotonic())
        await asyncio.sleep(0.005)
    return times


async def test_a_stalled_event_loop_sends_no_ping(receiver: tuple[socket.socket, str]) -> None:
    rx, env_value = receiver
    interval = 0.4  # pings due every 0.2 s
    n = Notifier.from_env({"NOTIFY_SOCKET": env_value})
    task = asyncio.create_task(run_watchdog(n, SystemClock(), interval))
    try:
        assert len(await poll_for(rx, 2, 10.0)) >= 2  # the task pings while the loop is healthy

        async def blocking_handler() -> float:
            drain(rx)
            # A handler that blocks the loop: this sleep IS the stall under test.
            time.sleep(1.0)
            # Still inside the stall (the loop has not run anything else): nothing may be queued.
            assert drain(rx) == []
            return time.monotonic()

        stall_end = await asyncio.create_task(blocking_handler())

        after = await poll_for(rx, 1, 10.0)
        assert after, "pings did not resume after the stall"
        # The overdue wake-up right after the stall is skipped (lag > interval/2); the first ping
        # comes one period later, never immediately.
        assert after[0] - stall_end >= interval / 4
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
