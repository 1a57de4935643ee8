"""Demo step: print a receipt on the dot-matrix printer and show where its page image is."""

from __future__ import annotations

import json
from pathlib import Path

from hubd.demo.session import Session

TITLE = "Printing: text and bilingual e-Mitra receipts on the dot-matrix and thermal printers"

TEXT = """E-MITRA KIOSK 0142, JAIPUR
Receipt 2026-000417
Service   Electricity bill (JVVNL)
Consumer  K.N. 210412345678
Amount    Rs 1,250.00
Fee       Rs 10.00
उपभोक्ता: सुनीता शर्मा
Thank you / धन्यवाद
"""


def _page_of(session: Session, printer: str, job_id: str) -> str:
    out = Path(session.simulator(printer)["output"])
    index = json.loads((out / "index.json").read_text())
    files = index["ids"][job_id]["files"]
    return ", ".join(str(out / f) for f in files if f.endswith(".png"))


def run(session: Session) -> None:
    """Print a text receipt and a sample receipt, then list jobs and the printer's status."""
    text = session.out / "receipt.txt"
    text.write_text(TEXT, encoding="utf-8")
    session.hubctl("printer", "receipt")
    runs = [
        ("receipt", ("print", "text", str(text))),
        ("receipt", ("print", "receipt", "--sample")),
        ("thermal", ("print", "receipt", "--sample")),
    ]
    for printer, args in runs:
        out = session.hubctl(*args, "--printer", printer, "--wait", "--json", show=False)
        job = json.loads(out)
        session.say(f"$ hubctl {' '.join(args)} --printer {printer} --wait")
        session.say(f"job {job['print_job_id']}: {job['state']}")
        session.wait_for(
            lambda j=job, p=printer: _has_page(session, p, j["print_job_id"]), 20, "the printed page"
        )
        page = _page_of(session, printer, job["print_job_id"])
        session.say(f"printed page: {page}")
        what = "text" if args[1] == "text" else "bilingual receipt"
        session.record(f"print a {what} on {printer}", job["state"].removeprefix("STATE_").lower(),
                       Path(page.split(", ")[0]))
    session.hubctl("jobs")


def _has_page(session: Session, printer: str, job_id: str) -> bool:
    try:
        return bool(_page_of(session, printer, job_id))
    except (OSError, KeyError, ValueError):
        return False
