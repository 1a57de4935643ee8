"""Demo step: the UPS, a power cut, and the event that reports it."""

from __future__ import annotations

import json

from hubd.demo.session import Session

TITLE = "UPS: status, then a power cut (simulated) and the ON_BATTERY event"


def run(session: Session) -> None:
    """Show the UPS, cut the mains on the simulator, and show the event and new status."""
    session.hubctl("ups", "ups")
    info = json.loads(session.hubctl("info", "--json", show=False))
    resume = f"{info['boot_id']}:{info.get('last_sequence', 0)}"
    events = session.hubctl_stream("events", "--device", "ups", "--resume", resume)
    try:
        session.sim_control("ups", "on_battery", "on")
        assert events.stdout is not None
        while True:
            line = events.stdout.readline()
            if not line:
                raise RuntimeError("event stream ended")
            session.say(line.rstrip())
            if " ON_BATTERY " in line:
                break
    finally:
        events.terminate()
        events.wait(10)
    session.hubctl("ups", "ups")
    session.record("UPS power cut", "ON_BATTERY event, status on battery")
    session.sim_control("ups", "on_battery", "off")
