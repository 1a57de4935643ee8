"""``make bench``: every benchmark in tests/bench, full size; figures are printed, not asserted."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import tests.bench


def modules() -> list[str]:
    """Benchmark modules (``bench_*``) in name order."""
    return sorted(m.name for m in pkgutil.iter_modules(tests.bench.__path__) if m.name.startswith("bench_"))


def main() -> int:
    """Run each benchmark's ``main()``."""
    quick = "--quick" in sys.argv
    for name in modules():
        print(f"== {name}", flush=True)
        importlib.import_module(f"tests.bench.{name}").main(quick=quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
