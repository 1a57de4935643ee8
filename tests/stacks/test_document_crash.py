"""kill -9 of a real hubd while a 20-page document is on its way to a real IPP printer (a private
ippeveprinter): after the restart the job is printed exactly once, under the same job, and never
stamped DUPLICATE when the printer's own job list shows it had not printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from kioskhub.v1 import printer_pb2, printer_pb2_grpc
from tests.e2e.conftest import HubProcess, wait_for
from tests.pdfs import heavy_pdf, pdf_images, pdf_pages
from tests.stacks.cups import CupsStack
from tests.stacks.ippeveprinter import IppEveStack

pytestmark = [pytest.mark.stack, pytest.mark.timeout(120)]
PAGES = 20
DONE = printer_pb2.PrintJob.STATE_SUCCEEDED


def config(tmp: Path, url: str) -> Path:
    path = tmp / "hubd.toml"
    path.write_text(
        f'[devices.laser]\ndriver = "ipp"\nurl = "{url}"\n'
        "poll_interval = 0.2\ntimeout = 2\nstale_after = 2\nmax_backoff = 0.5\n"
    )
    return path


def submit(hub: HubProcess, document: Path) -> subprocess.CompletedProcess[str]:
    """hubctl print document, the same request id every time (a client retrying)."""
    return hub.hubctl("--json", "print", "document", str(document), "--request-id", "certificate-42")


def readable(pdf: Path) -> bool:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True).returncode == 0


def stamped_pages(pdf: Path) -> list[int]:
    """Pages carrying the DUPLICATE stamp (a wide image), by poppler's pdfimages."""
    return sorted(page for page, width, height in pdf_images(pdf) if width > 4 * height)


def job(hub: HubProcess) -> printer_pb2.PrintJob:
    with grpc.insecure_channel(hub.target) as channel:
        jobs = printer_pb2_grpc.PrinterServiceStub(channel).ListPrintJobs(
            printer_pb2.ListPrintJobsRequest(), timeout=10
        ).print_jobs
    [only] = jobs
    return only


@pytest.mark.parametrize("point", ["job_persisted", "mid_send", "document_sent", "after_send_before_done"])
def test_kill_9_while_a_document_is_sent_prints_it_once(
    point: str, ippeve_stack: IppEveStack, tmp_path: Path
) -> None:
    document = heavy_pdf(tmp_path / "twenty.pdf", PAGES)  # ~2 MB: many chunks on the wire
    cfg = config(tmp_path, ippeve_stack.url)
    crash_log = tmp_path / "crash.log"
    env = {"KIOSKHUB_CRASH_AT": point, "KIOSKHUB_CRASH_LOG": str(crash_log)}
    first = HubProcess(tmp_path, env=env, config=cfg).start()
    try:
        submit(first, document)  # acknowledged or not: the client cannot tell which
        assert first.wait(60) == -9, "hubd should have been killed at the crash point"
    finally:
        first.stop()
    assert crash_log.read_text().split() == [point]

    second = HubProcess(tmp_path, config=cfg).start()
    try:
        retry = submit(second, document)
        assert retry.returncode == 0, retry.stderr
        wait_for(lambda: job(second).state == DONE, 60, what=f"the job to print after a kill at {point}")
        done = job(second)
        assert done.page_count == PAGES and done.attempts == (1 if point == "job_persisted" else 2)
    finally:
        second.stop()
    printouts = ippeve_stack.printouts()
    if point == "mid_send":
        # ippeveprinter prints what it got of a request cut short (so may a real printer): the
        # hub cannot prove it whole (no job-k-octets), so the job is printed again, stamped
        cut, whole = printouts
        assert not readable(cut.pdf) and done.duplicate, done
        assert pdf_pages(whole.pdf) == PAGES and stamped_pages(whole.pdf) == list(range(1, PAGES + 1))
    else:
        [whole] = printouts  # exactly one copy reached the printer
        assert pdf_pages(whole.pdf) == PAGES and stamped_pages(whole.pdf) == [] and not done.duplicate


def test_the_test_document_is_big_enough(tmp_path: Path) -> None:
    """The kill at mid_send falls inside the send only if the document spans many chunks."""
    from hubd.classes.printer.document_worker import READ_CHUNK

    size = os.path.getsize(heavy_pdf(tmp_path / "twenty.pdf", PAGES))
    assert size > 4 * READ_CHUNK, (size, sys.version)


def test_kill_9_mid_send_through_cups_leaves_one_copy_in_the_queue(
    cups_stack: CupsStack, ippeve_stack: IppEveStack, tmp_path: Path
) -> None:
    """CUPS spools the whole document before it prints: a request cut short never reaches the
    printer, and the queue ends with one completed copy, sent again under the same job."""
    cups_stack.add_everywhere_queue("Laser", ippeve_stack.url)
    document = heavy_pdf(tmp_path / "twenty.pdf", PAGES)
    cfg = config(tmp_path, f"cups://Laser?server={cups_stack.server}")
    first = HubProcess(tmp_path, env={"KIOSKHUB_CRASH_AT": "mid_send"}, config=cfg).start()
    try:
        submit(first, document)
        assert first.wait(60) == -9
    finally:
        first.stop()
    second = HubProcess(tmp_path, config=cfg).start()
    try:
        wait_for(lambda: job(second).state == DONE, 60, what="the job to print after the kill")
        done = job(second)
        assert not done.duplicate and done.confirmation == printer_pb2.PrintJob.CONFIRMATION_SPOOLER
    finally:
        second.stop()
    assert len(cups_stack.completed_jobs("Laser")) == 1 and cups_stack.active_jobs("Laser") == []
    [whole] = ippeve_stack.printouts()
    assert pdf_pages(whole.pdf) == PAGES and stamped_pages(whole.pdf) == []
