"""A private SANE configuration for tests: only the ``test`` backend (patterned pictures, A4 glass).

libsane reads its configuration once per process, so the stack is session-wide: every SANE test
of a test process (an xdist worker) shares it. Tests choose pictures and faults per device with
the sane driver's ``sane_options`` (``test-picture=Color pattern``, ``read-return-value=...``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from hubd.stacks import sane
from tests.stacks.base import private_dir, remove_dir, skip_or_fail


@pytest.fixture(scope="session")
def sane_stack() -> Iterator[sane.SanePaths]:
    """The private SANE configuration, active in this process (SANE_CONFIG_DIR)."""
    lacks = sane.missing()
    if lacks:
        skip_or_fail(f"SANE: not installed: {', '.join(lacks)}")
    root = private_dir("sane")
    before = os.environ.get("SANE_CONFIG_DIR")
    paths = sane.write_config(root)
    sane.activate(paths)
    try:
        yield paths
    finally:
        if before is None:
            os.environ.pop("SANE_CONFIG_DIR", None)
        else:
            os.environ["SANE_CONFIG_DIR"] = before
        remove_dir(root)
