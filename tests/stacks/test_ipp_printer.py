"""The IPP driver against real stacks: a private ippeveprinter (an IPP Everywhere printer) reached
directly, and a private cupsd with a driverless queue to it. What arrived is read by tools that
are not ours: poppler (pdfinfo, pdftotext) for the document, the printer's own IPP_* job
attributes for copies and sides, CUPS's admin commands for pausing and rejecting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from hubd.classes.printer import pdf
from hubd.classes.printer.document_printer import (
    PrinterState,
    PrintOptions,
    RemoteJob,
    RemoteJobState,
    Severity,
    Sides,
)
from hubd.device import DeviceState, StatusSource
from hubd.errors import FailedPrecondition, InvalidArgument, NotFound, TransportError
from hubd.stacks import ippeveprinter
from kioskhub.drivers.ipp import IppPrinter
from tests.pdfs import encrypted_pdf, flate_bomb, page_text, pdf_pages, pdf_text, text_pdf
from tests.stacks.cups import CupsStack
from tests.stacks.ippeveprinter import IppEveStack

pytestmark = [pytest.mark.stack, pytest.mark.timeout(90)]
T = TypeVar("T")
DONE_IN = 20.0


async def until(probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], what: str,
                timeout: float = DONE_IN) -> T:
    """Await ``probe()`` until ``accept``; fail with the last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached in {timeout:.0f}s; last: {value!r}")
        await asyncio.sleep(0.05)


async def finished(printer: IppPrinter, remote_id: str) -> RemoteJob:
    """The job once it is done (completed, canceled or aborted)."""
    return await until(lambda: printer.job_state(remote_id), lambda j: j.state.done, f"job {remote_id} done")


@pytest.fixture
def three_pages(tmp_path: Path) -> Path:
    return text_pdf(tmp_path / "three.pdf", 3)


def check_printout(printout: ippeveprinter.Printout, pages: int) -> None:
    """The document the printer got has ``pages`` pages and their text, as poppler reads them."""
    assert pdf_pages(printout.pdf) == pages
    assert pdf_text(printout.pdf) == [page_text(n, pages) for n in range(1, pages + 1)]


async def test_print_straight_to_an_ipp_everywhere_printer(ippeve_stack: IppEveStack,
                                                          three_pages: Path) -> None:
    printer = IppPrinter("laser", ippeve_stack.url)
    try:
        caps = await printer.capabilities()
        assert caps.media_default == "iso_a4_210x297mm" and "two-sided-long-edge" in caps.sides_supported
        assert caps.make_and_model == "KIOSKHUB Laser A4" and (600, 600) in caps.resolutions_dpi
        assert "application/pdf" in caps.document_formats and not caps.color_supported
        status = await printer.read_status()
        assert printer.assess(status)[:2] == (DeviceState.AVAILABLE, "")
        assert status.source is StatusSource.DEVICE
        options = PrintOptions(copies=2, sides=Sides.TWO_SIDED_LONG_EDGE, title="Certificate", key="job-1")
        remote_id = await printer.submit(three_pages, options)
        job = await finished(printer, remote_id)
        assert job.state is RemoteJobState.COMPLETED
        assert job.pages_completed == 6  # the printer's count: 3 pages x 2 copies
        assert (await printer.find_job("job-1")) == job
        assert await printer.find_job("no-such-key") is None
        assert (await printer.cancel(remote_id)).state is RemoteJobState.COMPLETED  # already ended
    finally:
        await printer.close()
    (printout,) = await ippeve_stack.wait_printouts(1)
    check_printout(printout, 3)
    got = printout.attributes
    assert (got["IPP_COPIES"], got["IPP_SIDES"]) == ("2", "two-sided-long-edge")
    assert got["IPP_MEDIA"] == "iso_a4_210x297mm"
    assert got["IPP_DOCUMENT_FORMAT_SUPPLIED"] == "application/pdf"


async def test_a_document_streamed_in_chunks(ippeve_stack: IppEveStack, three_pages: Path) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        data = three_pages.read_bytes()
        for at in range(0, len(data), 100):
            yield data[at:at + 100]

    printer = IppPrinter("laser", ippeve_stack.url)
    try:
        job = await finished(printer, await printer.submit(chunks(), PrintOptions(page_ranges=((2, 3),))))
    finally:
        await printer.close()
    assert job.state is RemoteJobState.COMPLETED
    (printout,) = await ippeve_stack.wait_printouts(1)
    check_printout(printout, 3)  # the printer applies page-ranges itself
    assert printout.attributes["IPP_PAGE_RANGES"] == "2-3"


async def test_status_follows_paper_and_toner_and_a_job_waits_for_paper(
    ippeve_stack: IppEveStack, three_pages: Path
) -> None:
    printer = IppPrinter("laser", ippeve_stack.url)
    try:
        ippeveprinter.set_toner(ippeve_stack.p, 5)
        low = await printer.read_status()
        assert printer.assess(low)[:2] == (DeviceState.AVAILABLE, "TONER_LOW")  # not an error: prints on
        ippeveprinter.set_media(ippeve_stack.p, 0)
        empty = await printer.read_status()
        assert {c.reason for c in empty.conditions} == {"TONER_LOW", "PAPER_OUT"}
        assert [e.kind for e in printer.events_between(low, empty)] == ["PAPER_OUT"]
        remote_id = await printer.submit(three_pages, PrintOptions(key="wait"))
        waiting = await until(printer.read_status, lambda s: s.has("PAPER_NEEDED"), "a call for paper")
        assert waiting.state is PrinterState.PROCESSING
        assert next(c for c in waiting.conditions if c.reason == "PAPER_OUT").severity is Severity.WARNING
        assert (await printer.job_state(remote_id)).state is RemoteJobState.PROCESSING
        assert ippeve_stack.printouts() == []
        ippeveprinter.set_media(ippeve_stack.p, 250)
        assert (await finished(printer, remote_id)).state is RemoteJobState.COMPLETED
        loaded = await printer.read_status()
        assert not loaded.has("PAPER_OUT") and ("PAPER_LOADED", "PAPER_OUT") in [
            (e.kind, e.attributes["reason"]) for e in printer.events_between(empty, loaded)]
    finally:
        await printer.close()
    assert len(await ippeve_stack.wait_printouts(1)) == 1


async def test_printer_off_then_back_prints_once(ippeve_stack: IppEveStack, three_pages: Path) -> None:
    printer = IppPrinter("laser", ippeve_stack.url)
    try:
        first = await printer.submit(three_pages, PrintOptions(key="before"))
        await finished(printer, first)
        ippeve_stack.stop()
        with pytest.raises(TransportError) as err:
            await printer.read_status()
        assert err.value.reason == "CONNECTION_REFUSED" and str(ippeve_stack.port) in err.value.message
        with pytest.raises(TransportError):
            await printer.submit(three_pages, PrintOptions(key="while-off"))
        ippeve_stack.start()  # same port, same spool; its job ids start at 1 again
        again = await printer.submit(three_pages, PrintOptions(key="after"))
        assert (await finished(printer, again)).state is RemoteJobState.COMPLETED
        assert again.split(";")[0] == first.split(";")[0]  # the id is reused...
        with pytest.raises(NotFound) as gone:
            await printer.job_state(first)  # ...but not taken for the old job
        assert gone.value.reason == "REMOTE_JOB_NOT_FOUND"
    finally:
        await printer.close()
    printouts = await ippeve_stack.wait_printouts(2)
    assert [p.attributes["IPP_JOB_NAME"] for p in printouts] == ["kioskhub \\[before]", "kioskhub \\[after]"]


async def test_ipps_with_the_printers_certificate(ippeve_stack: IppEveStack) -> None:
    url = f"ipps://localhost:{ippeve_stack.port}/ipp/print"
    trusted = IppPrinter("laser", url, {"ca_file": str(ippeveprinter.certificate(ippeve_stack.p))})
    strict = IppPrinter("laser", url)
    try:
        assert (await trusted.read_status()).state is PrinterState.IDLE
        with pytest.raises(TransportError) as err:
            await strict.read_status()
        assert err.value.reason == "TLS_ERROR"
    finally:
        await trusted.close()
        await strict.close()


@pytest.fixture
async def laser_queue(cups_stack: CupsStack, ippeve_stack: IppEveStack) -> AsyncIterator[IppPrinter]:
    """A driverless CUPS queue ``Laser`` to the ippeveprinter, and the driver on CUPS's socket."""
    await asyncio.to_thread(cups_stack.add_everywhere_queue, "Laser", ippeve_stack.url)
    printer = IppPrinter("laser", f"cups://Laser?server={cups_stack.server}")
    yield printer
    await printer.close()


async def test_print_through_a_cups_queue(laser_queue: IppPrinter, ippeve_stack: IppEveStack,
                                          three_pages: Path) -> None:
    printer = laser_queue
    assert printer.status_source is StatusSource.SPOOLER
    options = PrintOptions(copies=2, sides=Sides.TWO_SIDED_LONG_EDGE, key="cups-1")
    remote_id = await printer.submit(three_pages, options)
    job = await finished(printer, remote_id)
    assert job.state is RemoteJobState.COMPLETED and job.name == "kioskhub [cups-1]"
    (printout,) = await ippeve_stack.wait_printouts(1)
    check_printout(printout, 3)
    got = printout.attributes
    assert (got["IPP_COPIES"], got["IPP_SIDES"]) == ("2", "two-sided-long-edge")
    assert "media-size={x-dimension=21000 y-dimension=29700}" in got["IPP_MEDIA_COL"]  # A4
    assert (await printer.find_job("cups-1")) == job
    assert job.k_octets == -(-three_pages.stat().st_size // 1024)  # CUPS says it holds all of it


async def test_cups_keeps_the_job_while_the_printer_is_off(
    laser_queue: IppPrinter, ippeve_stack: IppEveStack, three_pages: Path
) -> None:
    printer = laser_queue
    ippeve_stack.stop()
    remote_id = await printer.submit(three_pages, PrintOptions(key="later"))
    down = await until(printer.read_status, lambda s: printer.assess(s)[0] is DeviceState.UNAVAILABLE,
                       "the queue says the printer is not there")
    assert printer.assess(down)[1] == "PRINTER_OFFLINE" and down.message
    assert not (await printer.job_state(remote_id)).state.done
    ippeve_stack.start()
    assert (await finished(printer, remote_id)).state is RemoteJobState.COMPLETED
    (printout,) = await ippeve_stack.wait_printouts(1)
    check_printout(printout, 3)
    await asyncio.sleep(0)  # nothing else arrives: the job was delivered once
    assert len(ippeve_stack.printouts()) == 1


async def test_paused_queue_is_shown_and_resumed(laser_queue: IppPrinter, cups_stack: CupsStack,
                                                 ippeve_stack: IppEveStack, three_pages: Path) -> None:
    printer = laser_queue
    await asyncio.to_thread(cups_stack.admin, "cupsdisable", "-r", "toner being changed", "Laser")
    await asyncio.to_thread(cups_stack.admin, "cupsreject", "-r", "closed for the day", "Laser")
    paused = await printer.read_status()
    assert (paused.state, paused.accepting) == (PrinterState.STOPPED, False)
    state, reason, detail = printer.assess(paused)
    assert (state, reason) == (DeviceState.UNAVAILABLE, "PAUSED")
    assert "closed for the day" in detail or "toner being changed" in detail
    over_tcp = IppPrinter("laser", f"cups://Laser?server=127.0.0.1:{cups_stack.port}")
    try:
        with pytest.raises(FailedPrecondition) as err:
            await over_tcp.resume()  # no socket peer to vouch for us: CUPS wants an admin
        assert err.value.reason == "NOT_AUTHORIZED"
    finally:
        await over_tcp.close()
    resumed = await printer.resume()  # over the unix socket, as root (PeerCred)
    assert (resumed.state, resumed.accepting, printer.assess(resumed)[0]) == (
        PrinterState.IDLE, True, DeviceState.AVAILABLE)
    remote_id = await printer.submit(three_pages, PrintOptions())
    assert (await finished(printer, remote_id)).state is RemoteJobState.COMPLETED
    assert len(await ippeve_stack.wait_printouts(1)) == 1


async def test_cancel_a_waiting_job(laser_queue: IppPrinter, cups_stack: CupsStack, ippeve_stack: IppEveStack,
                                    three_pages: Path) -> None:
    printer = laser_queue
    await asyncio.to_thread(cups_stack.admin, "cupsdisable", "Laser")
    remote_id = await printer.submit(three_pages, PrintOptions(key="cancel-me"))
    assert (await printer.job_state(remote_id)).state is RemoteJobState.PENDING
    canceled = await printer.cancel(remote_id)
    assert canceled.state is RemoteJobState.CANCELED
    await asyncio.to_thread(cups_stack.admin, "cupsenable", "Laser")
    last = await printer.submit(three_pages, PrintOptions(key="after-cancel"))
    await finished(printer, last)
    assert [p.attributes["IPP_JOB_NAME"] for p in await ippeve_stack.wait_printouts(1)] == [
        "kioskhub \\[after-cancel]"]


async def test_refused_documents_never_reach_the_printer(ippeve_stack: IppEveStack, tmp_path: Path) -> None:
    good = text_pdf(tmp_path / "good.pdf", 3)
    bad = {
        "PDF_ENCRYPTED": encrypted_pdf(tmp_path / "locked.pdf", good).read_bytes(),
        "NOT_A_PDF": b"MZ\x90\x00 not a document at all",
        "PDF_TOO_COMPLEX": flate_bomb(tmp_path / "bomb.pdf", 300).read_bytes(),
    }
    store = tmp_path / "documents"
    printer = IppPrinter("laser", ippeve_stack.url)
    try:
        for reason, data in bad.items():
            with pytest.raises(InvalidArgument) as err:
                await pdf.accept(one_chunk(data), store)
            assert (err.value.field, err.value.reason) == ("document", reason)
        doc = await pdf.accept(one_chunk(good.read_bytes()), store)
        assert list(store.iterdir()) == [doc.path]
        job = await finished(printer, await printer.submit(doc.path, PrintOptions()))
        assert job.state is RemoteJobState.COMPLETED
    finally:
        await printer.close()
    (printout,) = await ippeve_stack.wait_printouts(1)
    check_printout(printout, doc.pages)


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data
