"""Demo step: the fingerprint device's health, a capture, and a poor one with the operator's hint.

The PID block never reaches the transcript or any file: hubctl shows its size and quality only.
"""

from __future__ import annotations

import re

from hubd.demo.session import Session

TITLE = "Fingerprint: RD Service health and a capture (simulated scanner; the PID block is never kept)"


def run(session: Session) -> None:
    """Show the RD Service found by discovery, capture, then coach a poor capture."""
    shown = [session.hubctl("biometric", "info")]
    good = session.hubctl("biometric", "capture")
    session.sim_control("fingerprint", "quality", "25", "12")
    try:
        poor = session.hubctl("biometric", "capture")
    finally:
        session.sim_control("fingerprint", "quality", "78", "38")
    artifact = session.out / "fingerprint.txt"
    artifact.write_text("\n\n".join([*shown, good, poor]), encoding="utf-8")
    score = re.search(r"quality (\d+)", good)
    outcome = f"quality {score.group(1) if score else '?'}; poor one coached (hi/en); PID block not kept"
    session.record("a fingerprint capture", outcome, artifact)
