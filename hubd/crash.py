"""Named crash points: a test sets ``KIOSKHUB_CRASH_AT=point[:n]`` and the process dies there.

On the n-th hit (default 1) of the named point the process appends ``point\\n`` to the file named
by ``KIOSKHUB_CRASH_LOG`` (if set, fsynced, so a test can prove the point was reached) and then
kills itself with SIGKILL: no atexit handlers, no buffered writes flushed, exactly like a power
cut or ``kill -9``. With the variable unset a call costs one global lookup and one comparison.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Mapping
from types import MappingProxyType

from hubd.errors import ConfigError

log = logging.getLogger(__name__)

ENV_AT = "KIOSKHUB_CRASH_AT"
ENV_LOG = "KIOSKHUB_CRASH_LOG"

_POINTS: dict[str, str] = {}
CRASH_POINTS: Mapping[str, str] = MappingProxyType(_POINTS)
"""Every registered crash point, with what has and has not happened when a process dies there."""


def register(points: Mapping[str, str]) -> None:
    """Declare crash points (name → what has and has not happened there); a module that calls
    ``crash_point(name)`` registers its names when it is imported."""
    for name, meaning in points.items():
        if _POINTS.get(name, meaning) != meaning:
            raise ValueError(f"crash point {name!r} is registered twice with different meanings")
        _POINTS[name] = meaning


_UNSET = ("", 0)
_target: tuple[str, int] | None = _UNSET
"""The parsed ``(point, n)``; None when disarmed; ``_UNSET`` before the environment was read."""
_hits = 0


def parse_crash_at(value: str) -> tuple[str, int]:
    """Parse ``point[:n]`` into ``(point, n)``; raise ConfigError naming the variable if bad."""
    name, sep, count = value.strip().partition(":")
    if name not in CRASH_POINTS:
        known = ", ".join(sorted(CRASH_POINTS))
        raise ConfigError(
            f"{ENV_AT}={value!r}: unknown crash point {name!r} (known: {known})",
            metadata={"key": ENV_AT},
        )
    n = 1
    if sep:
        try:
            n = int(count)
        except ValueError:
            n = 0
        if n < 1:
            raise ConfigError(
                f"{ENV_AT}={value!r}: the hit count after ':' must be an integer >= 1",
                metadata={"key": ENV_AT},
            )
    return name, n


def load(environ: Mapping[str, str] | None = None) -> tuple[str, int] | None:
    """Parse ``KIOSKHUB_CRASH_AT`` once (call at startup so a typo fails early); return the target.

    Later calls return the cached value and keep the hit count; passing ``environ`` re-reads it
    and resets the count (for tests).
    """
    global _target, _hits
    if environ is None and _target is not _UNSET:
        return _target
    value = (os.environ if environ is None else environ).get(ENV_AT, "")
    _target = parse_crash_at(value) if value.strip() else None
    _hits = 0
    if _target is not None:
        log.warning("crash point armed: %s on hit %d", *_target)
    return _target


def crash_point(name: str) -> None:
    """Die here with SIGKILL if this is the armed point's n-th hit; otherwise do nothing."""
    if _target is None:
        return
    _armed_hit(name)


def _armed_hit(name: str) -> None:
    global _hits
    target = load() if _target is _UNSET else _target
    if target is None:
        return
    if name not in CRASH_POINTS:
        raise ValueError(f"crash_point({name!r}) is not registered in hubd.crash.CRASH_POINTS")
    point, n = target
    if name != point:
        return
    _hits += 1
    if _hits < n:
        return
    path = os.environ.get(ENV_LOG)
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{name}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)
