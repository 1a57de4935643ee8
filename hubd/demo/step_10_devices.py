"""Demo step: what the hub sees."""

from __future__ import annotations

import json

from hubd.demo.session import Session

TITLE = "Devices the hub owns (each one a simulator reached through its real transport URL)"


def _settled(session: Session) -> bool:
    out = session.hubctl("devices", "--json", show=False)
    devices = [json.loads(line) for line in out.splitlines() if line.strip()]
    return all(
        d["state"] == "DEVICE_STATE_AVAILABLE" or d["reason"] == "STACK_NOT_INSTALLED" for d in devices
    )


def run(session: Session) -> None:
    """List the hub and its devices once every device has been observed (or is known missing)."""
    session.hubctl("info")
    try:
        session.wait_for(lambda: _settled(session), 20, "every device to answer")
    except Exception as err:  # noqa: BLE001 - show the table anyway: it says why
        session.say(f"(not every device answered: {err})")
    session.hubctl("devices")
