"""Demo step: the scanner's capabilities and presets, then two sheets through the document feeder
into one PDF under 200 KB (the hub picks resolution and JPEG quality to fit)."""

from __future__ import annotations

import re

from hubd.demo.session import DemoError, Session

TITLE = "Scanner: a 2-page document from the feeder to a PDF under 200 KB (simulated eSCL scanner)"
CAP_KB = 200


def run(session: Session) -> None:
    """Show the scanner, load two sheets, scan them to a capped PDF, check it and record it."""
    session.hubctl("scanner")
    session.sim_control("scanner", "load", "2")  # an application form and an identity card
    out = session.out / "scan-2-pages.pdf"
    shown = session.hubctl("scan", "--source", "adf", "--max-kb", str(CAP_KB), "--deskew", "-o", str(out))
    size = out.stat().st_size
    pages = len(re.findall(r"^page \d+:", shown, re.M))
    if pages != 2 or size > CAP_KB * 1000 or out.read_bytes()[:5] != b"%PDF-":
        raise DemoError(f"expected a 2-page PDF under {CAP_KB} KB, got {pages} page(s), {size} bytes")
    made = re.search(r"^wrote .* at (\d+) dpi(?:, JPEG quality (\d+))?$", shown, re.M)
    how = f" at {made.group(1)} dpi, JPEG quality {made.group(2) or '-'}" if made else ""
    outcome = f"{pages} pages, {size / 1000:.0f} KB <= {CAP_KB} KB{how}"
    session.record("a 2-page scan to a capped PDF", outcome, out)
