"""A few-iteration smoke run of every benchmark inside ``make test`` (figures printed, not asserted)."""

from __future__ import annotations

import importlib

import pytest

from tests.bench.__main__ import modules


@pytest.mark.bench
@pytest.mark.parametrize("name", modules())
def test_benchmark_runs(name: str) -> None:
    module = importlib.import_module(f"tests.bench.{name}")
    module.main(quick=True)
