"""The laser printer of ``hubd --simulate`` (a private ippeveprinter the hub starts) through
hubctl: a PDF printed with options, the page image left for people, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubd.stacks import ippeveprinter
from tests.e2e.conftest import HubProcess, wait_for
from tests.pdfs import page_text, pdf_pages, pdf_text, text_pdf
from tests.stacks.base import skip_or_fail

pytestmark = pytest.mark.stack


@pytest.fixture(autouse=True)
def _installed() -> None:
    if ippeveprinter.missing_binaries():
        skip_or_fail(f"ippeveprinter stack not installed: {ippeveprinter.missing_binaries()}")


def laser_ready(hubd: HubProcess) -> bool:
    out = hubd.hubctl("--json", "printer", "laser")
    return out.returncode == 0 and json.loads(out.stdout)["state"] == "DEVICE_STATE_AVAILABLE"


def test_hubctl_prints_a_pdf_on_the_simulated_laser(hubd: HubProcess, tmp_path: Path) -> None:
    wait_for(lambda: laser_ready(hubd), 30, what="the simulated laser printer")
    doc = text_pdf(tmp_path / "form.pdf", 3)
    out = hubd.hubctl("--json", "print", "document", str(doc), "--copies", "2", "--sides",
                      "two-sided-long-edge", "--wait", timeout=60)
    assert out.returncode == 0, out.stderr
    job = json.loads(out.stdout)
    assert job["state"] == "STATE_SUCCEEDED" and job["page_count"] == 3 and job["kind"] == "KIND_DOCUMENT"
    printouts = hubd.state / "printouts" / "laser"
    [pdf] = [p for p in printouts.glob("*.pdf") if job["print_job_id"] in p.name]
    assert pdf_pages(pdf) == 3 and pdf_text(pdf) == [page_text(n, 3) for n in range(1, 4)]
    env = dict(line.split("=", 1) for line in pdf.with_suffix(".env").read_text().splitlines())
    assert (env["IPP_COPIES"], env["IPP_SIDES"]) == ("2", "two-sided-long-edge")
    assert len(list(printouts.glob(f"*{job['print_job_id']}*.png"))) == 3  # a page image each
    shown = hubd.hubctl("printers")
    assert "laser" in shown.stdout and "document_printer" in shown.stdout


def test_hubctl_refuses_bad_documents_in_one_line(hubd: HubProcess, tmp_path: Path) -> None:
    wait_for(lambda: laser_ready(hubd), 30, what="the simulated laser printer")
    notes = tmp_path / "notes.pdf"
    notes.write_text("not a pdf\n")
    cases = [
        (("print", "document", str(notes)), 1, "NOT_A_PDF"),
        (("print", "document", str(tmp_path / "missing.pdf")), 2, "cannot read"),
        (("print", "document", str(text_pdf(tmp_path / "one.pdf", 1)), "--pages", "2-3"), 1, "page_ranges"),
        (("print", "document", str(notes), "--pages", "x"), 2, "--pages"),
        (("print", "document", str(notes), "--printer", "receipt"), 1, "document_printer"),
    ]
    for args, code, words in cases:
        out = hubd.hubctl(*args)
        assert out.returncode == code, (args, out.stderr)
        assert words in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    jobs = hubd.hubctl("--json", "jobs", "--printer", "laser")
    assert jobs.stdout.strip() == ""
