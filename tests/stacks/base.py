"""Shared helpers for private daemons in tests: dirs, ports, processes, polling, skip-or-fail."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import NoReturn, TypeVar

import pytest

from hubd.stacks.process import (
    find_binary,
    free_port,
    log_tail,
    start_process,
    stop_all,
    stop_process,
    wait_until,
)
from tests.conftest import require_stacks

__all__ = [
    "eventually",
    "find_binary",
    "free_port",
    "log_tail",
    "private_dir",
    "require_binaries",
    "skip_or_fail",
    "start_process",
    "stop_all",
    "stop_process",
    "wait_until",
]

T = TypeVar("T")


def skip_or_fail(message: str) -> NoReturn:
    """Skip the test, or fail it when KIOSKHUB_REQUIRE_STACKS=1 (CI must not skip silently)."""
    if require_stacks():
        pytest.fail(f"{message} (KIOSKHUB_REQUIRE_STACKS=1)", pytrace=False)
    pytest.skip(message)


def require_binaries(stack: str, names: Iterable[str], dirs: Iterable[str] = ()) -> None:
    """Skip-or-fail naming every program of ``stack`` that is not installed."""
    search = list(dirs)
    missing = [name for name in names if find_binary(name, search) is None]
    if missing:
        skip_or_fail(f"{stack}: not installed: {', '.join(missing)}")


def private_dir(prefix: str) -> Path:
    """A fresh directory with a short path (unix socket paths are limited to 108 bytes)."""
    return Path(tempfile.mkdtemp(prefix=f"kioskhub-{prefix}-"))


def remove_dir(path: Path) -> None:
    """Remove a private directory and all in it."""
    shutil.rmtree(path, ignore_errors=True)


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    timeout: float,
    interval: float = 0.1,
    what: str = "condition",
) -> T:
    """Await ``probe()`` until ``accept`` says yes; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = await probe()
        if accept(last):
            return last
        if time.monotonic() >= deadline:
            pytest.fail(f"{what} not reached within {timeout:.1f}s; last: {last!r}")
        await asyncio.sleep(interval)
