"""Shared pytest options and fixtures."""

from __future__ import annotations

import os

import pytest


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
