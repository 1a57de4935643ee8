"""Run the demo: the hub's own first step, then each class's demo step (``ClassSpec.demo``, in
``demo_order``), the diagnostics report, then stop everything that was started."""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

from hubd.classes import specs
from hubd.demo.session import DemoError, Session


def steps() -> list[str]:
    """Step modules in run order: what the hub sees first, then each class's step."""
    firsts = [(s.demo_order, s.demo) for s in specs() if s.demo]
    ordered = sorted(firsts + [step for s in specs() for step in s.later_demos])
    return ["hubd.demo.step_10_devices", *(module for _, module in ordered), "hubd.demo.step_99_report"]


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
            module = importlib.import_module(name)
            session.say(f"\n== {module.TITLE} ==")
            module.run(session)
    except DemoError as err:
        session.say(f"\nDEMO FAILED: {err}")
        code = 1
    finally:
        session.say_summary()
        left = session.stop()
    if left:
        print(f"processes left behind: {left}", file=sys.stderr)
        code = 1
    print(f"\nAll processes stopped. Artifacts: {out}/ (session.txt, hubd.log, state/)")
    return code


if __name__ == "__main__":
    sys.exit(main())
