"""Run the demo: every ``step_*`` module in order, then stop everything that was started."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import sys
from pathlib import Path

import hubd.demo
from hubd.demo.session import DemoError, Session


def steps() -> list[str]:
    """Step module names in run order."""
    return sorted(m.name for m in pkgutil.iter_modules(hubd.demo.__path__) if m.name.startswith("step_"))


def main() -> int:
    """Run the demo session; artifacts land in ./demo-output."""
    out = Path("demo-output").resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    session = Session(out)
    code = 0
    try:
        session.say("== kioskhub demo: hubd --simulate (no hardware, no config file) ==")
        session.start()
        for name in steps():
            module = importlib.import_module(f"hubd.demo.{name}")
            session.say(f"\n== {module.TITLE} ==")
            module.run(session)
    except DemoError as err:
        session.say(f"\nDEMO FAILED: {err}")
        code = 1
    finally:
        left = session.stop()
    if left:
        print(f"processes left behind: {left}", file=sys.stderr)
        code = 1
    print(f"\nAll processes stopped. Artifacts: {out}/ (session.txt, hubd.log, state/)")
    return code


if __name__ == "__main__":
    sys.exit(main())
