"""systemd readiness, status and watchdog notifications, spoken without any compiled library.

Wire protocol (sd_notify(3)): one AF_UNIX SOCK_DGRAM datagram per notification, its payload
newline-separated ``KEY=VALUE`` lines, sent to ``$NOTIFY_SOCKET`` (a filesystem path starting
with ``/``, or ``@name`` for a Linux abstract socket, sent as ``\\0name``). With ``WatchdogSec=``
systemd exports ``WATCHDOG_USEC`` (and ``WATCHDOG_PID``) and expects ``WATCHDOG=1`` more often.
Without ``$NOTIFY_SOCKET`` (not started by systemd) every call is a no-op.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
from collections.abc import Callable, Mapping

from hubd.clock import Clock

log = logging.getLogger(__name__)

_KEY = re.compile(r"[A-Z0-9_]+")


class Notifier:
    """Sends sd_notify datagrams to one address, or does nothing when there is none."""

    def __init__(self, address: str | None) -> None:
        self._address = address
        self._sock: socket.socket | None = None
        self._failing = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """A notifier for ``$NOTIFY_SOCKET`` (``/path`` or ``@abstract``); disabled when unset."""
        env = os.environ if environ is None else environ
        raw = env.get("NOTIFY_SOCKET", "")
        if not raw:
            return cls(None)
        if raw.startswith("/"):
            return cls(raw)
        if raw.startswith("@") and len(raw) > 1:
            return cls("\0" + raw[1:])
        log.warning("NOTIFY_SOCKET=%r is not a unix socket address; notifications disabled", raw)
        return cls(None)

    @property
    def enabled(self) -> bool:
        """True when there is a socket to notify."""
        return self._address is not None

    @property
    def address(self) -> str | None:
        """The socket address (abstract names start with NUL), or None."""
        return self._address

    def notify(self, **fields: str | int) -> bool:
        """Send ``fields`` as one datagram of ``KEY=VALUE`` lines; True if it was sent."""
        for key in fields:
            if not _KEY.fullmatch(key):
                raise ValueError(f"sd_notify key {key!r} must be A-Z, 0-9 and _")
        if self._address is None:
            return False
        # A value is one line: a newline in (say) device text must not inject another key.
        lines = [f"{k}={_one_line(str(v))}" for k, v in fields.items()]
        payload = "\n".join(lines).encode("utf-8")
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                # Never block the event loop on a full queue: that is an error like any other.
                self._sock.setblocking(False)
            self._sock.sendto(payload, self._address)
        except OSError as err:
            if not self._failing:
                log.warning("cannot notify systemd at %r: %s", self._address, err)
            else:
                log.debug("cannot notify systemd at %r: %s", self._address, err)
            self._failing = True
            return False
        if self._failing:
            log.info("systemd notifications work again")
            self._failing = False
        return True

    def ready(self, status: str | None = None) -> bool:
        """READY=1 (start-up finished: the server listens), with an optional STATUS line."""
        if status is None:
            return self.notify(READY=1)
        return self.notify(READY=1, STATUS=status)

    def status(self, text: str) -> bool:
        """STATUS=text, shown by ``systemctl status``."""
        return self.notify(STATUS=text)

    def stopping(self, status: str | None = None) -> bool:
        """STOPPING=1 (shutdown has begun), with an optional STATUS line."""
        if status is None:
            return self.notify(STOPPING=1)
        return self.notify(STOPPING=1, STATUS=status)

    def watchdog(self) -> bool:
        """WATCHDOG=1: one keep-alive ping."""
        return self.notify(WATCHDOG=1)

    def extend_timeout(self, seconds: float) -> bool:
        """EXTEND_TIMEOUT_USEC: ask for ``seconds`` more to finish starting or stopping."""
        return self.notify(EXTEND_TIMEOUT_USEC=max(0, round(seconds * 1_000_000)))

    def close(self) -> None:
        """Close the sending socket (a later call opens a new one)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _one_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def watchdog_interval(
    environ: Mapping[str, str] | None = None, pid: int | None = None
) -> float | None:
    """The watchdog interval in seconds from WATCHDOG_USEC, or None (unset, invalid, other pid)."""
    env = os.environ if environ is None else environ
    raw_usec = env.get("WATCHDOG_USEC", "")
    if not raw_usec:
        return None
    try:
        usec = int(raw_usec)
    except ValueError:
        log.warning("ignoring invalid WATCHDOG_USEC=%r", raw_usec)
        return None
    if usec <= 0:
        return None
    raw_pid = env.get("WATCHDOG_PID", "")
    if raw_pid:
        try:
            watchdog_pid = int(raw_pid)
        except ValueError:
            log.warning("ignoring WATCHDOG_USEC: invalid WATCHDOG_PID=%r", raw_pid)
            return None
        if watchdog_pid != (os.getpid() if pid is None else pid):
            return None  # inherited from a parent: the watchdog is not ours
    return usec / 1_000_000


def _is_healthy(healthy: Callable[[], bool]) -> bool:
    try:
        return bool(healthy())
    except Exception:
        log.exception("watchdog health check raised; treating the hub as unhealthy")
        return False


async def run_watchdog(
    notifier: Notifier,
    clock: Clock,
    interval: float,
    healthy: Callable[[], bool] = lambda: True,
) -> None:
    """Ping WATCHDOG=1 every ``interval``/2 while the event loop (and ``healthy()``) is healthy.

    The task runs on the event loop, so a stalled loop sends nothing. A loop that is alive but
    was stalled for more than ``interval``/2 past a ping's due time skips that ping (by then
    systemd's deadline has passed anyway). Runs until cancelled; send errors are only logged.
    """
    if interval <= 0:
        raise ValueError(f"watchdog interval must be positive, not {interval}")
    period = interval / 2
    max_lag = interval / 2
    due = clock.monotonic()
    withheld = False
    while True:
        delay = due - clock.monotonic()
        if delay > 0:
            await clock.sleep(delay)
        now = clock.monotonic()
        lag = now - due
        if lag > max_lag:
            log.warning(
                "event loop stalled %.3fs past a watchdog ping (limit %.3fs); ping skipped",
                lag,
                max_lag,
            )
            due = now + period
            continue
        if _is_healthy(healthy):
            if withheld:
                log.info("hub healthy again; watchdog pings resumed")
            withheld = False
            notifier.watchdog()
        elif not withheld:
            withheld = True
            log.warning("hub unhealthy; watchdog pings withheld")
        due += period


def start_watchdog(
    notifier: Notifier,
    clock: Clock,
    healthy: Callable[[], bool] = lambda: True,
    environ: Mapping[str, str] | None = None,
) -> asyncio.Task[None] | None:
    """Start ``run_watchdog`` as a task when systemd asked for a watchdog; None otherwise."""
    interval = watchdog_interval(environ)
    if interval is None or not notifier.enabled:
        return None
    log.info("systemd watchdog every %.1fs (pinging every %.1fs)", interval, interval / 2)
    return asyncio.get_running_loop().create_task(
        run_watchdog(notifier, clock, interval, healthy), name="sd-watchdog"
    )
