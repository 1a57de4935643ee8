"""Demo step: the loopback self-test (speaker -> microphone), then a voice prompt in Hindi."""

from __future__ import annotations

import json

from hubd.demo.session import DemoError, Session

TITLE = "Audio: the loopback self-test and a Hindi voice prompt (private PulseAudio null sink)"


def run(session: Session) -> None:
    """Self-test the speaker and microphone; speak the welcome prompt."""
    device = json.loads(session.hubctl("device", "audio", "--json", show=False))
    if device["reason"] == "STACK_NOT_INSTALLED":
        session.say(f"audio: {device['reason_detail']}")
        session.record("audio self-test", "skipped: PulseAudio not installed")
        return
    artifact = session.out / "audio-selftest.txt"
    if session.simulator("audio").get("server") == "existing":
        # The desktop's own sound server: its speaker and microphone are real, so the test may fail.
        try:
            shown = session.hubctl("audio", "selftest")
        except DemoError as err:
            shown = str(err)
    else:
        session.wait_for(lambda: _available(session), 30, "the private PulseAudio")
        shown = session.hubctl("audio", "selftest")
    said = session.hubctl("audio", "say", "welcome", "--language", "hi")
    artifact.write_text(f"{shown}\n{said}", encoding="utf-8")
    session.record("audio self-test", shown.splitlines()[0].removeprefix("audio self-test "), artifact)


def _available(session: Session) -> bool:
    device = json.loads(session.hubctl("device", "audio", "--json", show=False))
    return bool(device["state"] == "DEVICE_STATE_AVAILABLE")
