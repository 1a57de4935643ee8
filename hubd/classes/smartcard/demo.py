"""Demo step: the virtual card in the private pcscd's reader: its ATR, then SELECT and GET DATA
in one card session (T=0: the hub fetches 61xx and corrects 6Cxx itself)."""

from __future__ import annotations

import json

from hubd.demo.session import DemoError, Session

TITLE = "Smart card: read the virtual card's ATR, then SELECT and GET DATA (private pcscd + vpcd)"
SELECT = "00A4040009F04B494F534B48554200"
GET_SERIAL = "00CA005A00"


def _card_in(session: Session) -> bool:
    try:
        out = session.hubctl("card", "readers", "--json", show=False)
    except DemoError:
        return False  # pcscd still starting
    return any(json.loads(line)["card_present"] for line in out.splitlines())


def run(session: Session) -> None:
    """Wait for the card, read its ATR, talk to it."""
    device = json.loads(session.hubctl("device", "card", "--json", show=False))
    if device["reason"] == "STACK_NOT_INSTALLED":
        session.say(f"card: {device['reason_detail']}")
        session.record("read the virtual card's ATR", "skipped: pcscd not installed")
        return
    session.wait_for(lambda: _card_in(session), 30, "the virtual card in the reader")
    shown = [session.hubctl("card", "readers"), session.hubctl("card", "atr"),
             session.hubctl("card", "apdu", SELECT, GET_SERIAL)]
    atr = json.loads(session.hubctl("card", "atr", "--json", show=False))["atr"]
    artifact = session.out / "smartcard.txt"
    artifact.write_text("\n\n".join(shown), encoding="utf-8")
    session.record("read the virtual card's ATR", f"ATR {atr}; SELECT + GET DATA 9000", artifact)
