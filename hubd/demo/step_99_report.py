"""Demo step: the technician's diagnostics report at the end of the session."""

from __future__ import annotations

from hubd.demo.session import DemoError, Session

TITLE = "What a field technician reads first: hubctl report"


def run(session: Session) -> None:
    """Write the diagnostics report (with the self-tests) and show its summary lines."""
    path = session.out / "diagnostics-report.txt"
    session.hubctl("report", "--selftest", "-o", str(path))
    text = path.read_text(encoding="utf-8")
    attention = next((line for line in text.splitlines() if "devices need attention" in line), "")
    if not attention:
        raise DemoError("the report has no devices section")
    session.say(attention)
    session.record("diagnostics report", attention, path)
