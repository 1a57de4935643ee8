"""Shared pytest options and fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: a fuzz test checks what a parser does, not how fast (a first example
# that meets a cold import or a busy CI core is not a failure; timing belongs in tests/bench).
settings.register_profile("kioskhub", deadline=None)
settings.load_profile("kioskhub")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--hw",
        action="append",
        default=[],
        metavar="DRIVER=URL",
        help="run contract tests against real hardware, e.g. --hw megatec_ups=serial:///dev/ttyUSB0",
    )
    parser.addoption(
        "--regen-golden", action="store_true", help="rewrite golden images instead of comparing"
    )


def hw_url(config: pytest.Config, driver: str) -> str | None:
    """The --hw URL given for ``driver``, or None."""
    for item in config.getoption("--hw"):
        name, _, url = item.partition("=")
        if name == driver and url:
            return url
    return None


def require_stacks() -> bool:
    """True when a missing real daemon must fail the run instead of skipping (CI)."""
    return os.environ.get("KIOSKHUB_REQUIRE_STACKS") == "1"


def sigpipe_ignored() -> bool:
    """Whether the kernel says this process ignores SIGPIPE (not Python's cached view)."""
    status = Path("/proc/self/status").read_text().splitlines()
    line = next(ln for ln in status if ln.startswith("SigIgn:"))
    return bool(int(line.split()[1], 16) & (1 << (13 - 1)))


@pytest.fixture(autouse=True)
def _sigpipe_stays_ignored() -> Iterator[None]:
    """A library that sets SIGPIPE back to terminate (libsane does) makes the next write to a
    closed socket kill the process silently: hubd in the field, a test worker here."""
    yield
    assert sigpipe_ignored(), "SIGPIPE is no longer ignored after this test (a library reset it)"
