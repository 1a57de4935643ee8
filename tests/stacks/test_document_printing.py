"""Documents through the hub to real printers: a private ippeveprinter reached directly and through
a private cupsd's IPP Everywhere queue. What arrived is read by tools that are not ours (pdfinfo,
pdftotext, pdfimages; the printer's IPP_* job attributes); waits, pauses and a printer that
restarts are the stacks' own (stopping ippeveprinter, cupsdisable)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from hubd.config import DeviceConfig, HubConfig
from hubd.stacks import ippeveprinter
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc, printer_pb2, printer_pb2_grpc
from tests.pdfs import heavy_pdf, page_text, pdf_images, pdf_pages, pdf_text, text_pdf
from tests.rpc.conftest import Running, eventually, serving
from tests.stacks.cups import CupsStack
from tests.stacks.ippeveprinter import IppEveStack

pytestmark = [pytest.mark.stack, pytest.mark.timeout(120)]
PrintJob = printer_pb2.PrintJob
Options = printer_pb2.DocumentOptions
FINAL = {PrintJob.STATE_SUCCEEDED, PrintJob.STATE_FAILED, PrintJob.STATE_CANCELLED, PrintJob.STATE_EXPIRED}


def laser(url: str) -> DeviceConfig:
    """A document printer polled often (tests should not wait for a slow poll)."""
    return DeviceConfig("laser", "ipp", url, poll_interval=0.2, timeout=2.0, stale_after=2, max_backoff=0.5)


def hub_config(url: str, **printing: object) -> HubConfig:
    return HubConfig(devices={"laser": laser(url)}, sections={"printing": dict(printing)})


async def stream_print(running: Running, path: Path, request_id: str, **options: object) -> PrintJob:
    """StreamPrintDocument: the header, then the file in 64 KiB chunks."""
    header = printer_pb2.DocumentHeader(
        device_id="laser", request_id=request_id, title=path.name, options=Options(**options),  # type: ignore[arg-type]
        size_bytes=path.stat().st_size,
    )

    async def messages() -> AsyncIterator[printer_pb2.StreamPrintDocumentRequest]:
        yield printer_pb2.StreamPrintDocumentRequest(header=header)
        data = path.read_bytes()
        for at in range(0, len(data), 65536):
            yield printer_pb2.StreamPrintDocumentRequest(chunk=data[at : at + 65536])

    stub = printer_pb2_grpc.PrinterServiceStub(running.channel)
    return (await stub.StreamPrintDocument(messages())).print_job


async def job_now(running: Running, job_id: str) -> PrintJob:
    stub = printer_pb2_grpc.PrinterServiceStub(running.channel)
    return (await stub.GetPrintJob(printer_pb2.GetPrintJobRequest(print_job_id=job_id))).print_job


async def until_job(running: Running, job_id: str, check, timeout: float = 30.0) -> PrintJob:  # type: ignore[no-untyped-def]
    """The job once ``check(job)`` holds."""
    seen: list[PrintJob] = []

    async def ok() -> bool:
        seen.append(await job_now(running, job_id))
        return bool(check(seen[-1]))

    try:
        await eventually(ok, timeout)
    except AssertionError:
        pytest.fail(f"job {job_id} never reached the state wanted; last: {seen[-1] if seen else None}")
    return seen[-1]


async def finished(running: Running, job_id: str, timeout: float = 30.0) -> PrintJob:
    return await until_job(running, job_id, lambda j: j.state in FINAL, timeout)


def check_printout(printout: ippeveprinter.Printout, pages: int) -> None:
    assert pdf_pages(printout.pdf) == pages
    assert pdf_text(printout.pdf) == [page_text(n, pages) for n in range(1, pages + 1)]


@pytest.fixture
def three_pages(tmp_path: Path) -> Path:
    return text_pdf(tmp_path / "three.pdf", 3)


@pytest.fixture
async def cups_laser(cups_stack: CupsStack, ippeve_stack: IppEveStack) -> str:
    """A CUPS IPP Everywhere queue ``Laser`` to the ippeveprinter; the hub's URL for it."""
    await asyncio.to_thread(cups_stack.add_everywhere_queue, "Laser", ippeve_stack.url)
    return f"cups://Laser?server={cups_stack.server}"


async def print_and_check(url: str, spooled: bool, ippeve_stack: IppEveStack, three_pages: Path,
                          tmp_path: Path) -> None:
    """3 pages, 2 copies, duplex through the hub: done, confirmed, and whole at the printer."""
    async with serving(hub_config(url), tmp_path / "state", tmp_path / "hubd.sock") as running:
        job = await stream_print(running, three_pages, "cert-1", copies=2,
                                 sides=Options.SIDES_TWO_SIDED_LONG_EDGE)
        assert job.kind == PrintJob.KIND_DOCUMENT and job.page_count == 3
        assert job.document_options.copies == 2
        done = await finished(running, job.print_job_id)
        assert done.state == PrintJob.STATE_SUCCEEDED, done
        want = PrintJob.CONFIRMATION_SPOOLER if spooled else PrintJob.CONFIRMATION_DEVICE
        assert done.confirmation == want and done.printer_job_id and not done.duplicate
        again = await stream_print(running, three_pages, "cert-1", copies=2,
                                   sides=Options.SIDES_TWO_SIDED_LONG_EDGE)
        assert again.print_job_id == job.print_job_id  # the same request id is the same job
    [printout] = await ippeve_stack.wait_printouts(1)
    check_printout(printout, 3)
    assert printout.attributes["IPP_COPIES"] == "2"
    assert printout.attributes["IPP_SIDES"] == "two-sided-long-edge"
    assert f"[{job.print_job_id}]" in printout.attributes["IPP_JOB_NAME"]


async def test_a_document_straight_to_the_printer(ippeve_stack: IppEveStack, three_pages: Path,
                                                  tmp_path: Path) -> None:
    await print_and_check(ippeve_stack.url, False, ippeve_stack, three_pages, tmp_path)


async def test_a_document_through_a_cups_queue(cups_laser: str, ippeve_stack: IppEveStack, three_pages: Path,
                                               tmp_path: Path) -> None:
    await print_and_check(cups_laser, True, ippeve_stack, three_pages, tmp_path)


async def test_a_printer_that_is_off_keeps_the_job_waiting_then_prints_it_once(
    ippeve_stack: IppEveStack, three_pages: Path, tmp_path: Path
) -> None:
    ippeve_stack.stop()
    async with serving(hub_config(ippeve_stack.url), tmp_path / "state", tmp_path / "hubd.sock") as running:
        job = await stream_print(running, three_pages, "while-off")
        waiting = await until_job(running, job.print_job_id, lambda j: j.reason != "")
        assert waiting.state in (PrintJob.STATE_QUEUED, PrintJob.STATE_PRINTING)
        assert waiting.reason in {"CONNECTION_REFUSED", "DISCONNECTED", "HOST_UNREACHABLE"}, waiting
        await asyncio.to_thread(ippeve_stack.start)
        done = await finished(running, job.print_job_id, timeout=60)
        assert done.state == PrintJob.STATE_SUCCEEDED and not done.duplicate
    [printout] = await ippeve_stack.wait_printouts(1)
    check_printout(printout, 3)
    await asyncio.sleep(0.5)
    assert len(ippeve_stack.printouts()) == 1


async def test_a_paused_queue_shows_why_and_is_resumed_by_policy(
    cups_laser: str, cups_stack: CupsStack, ippeve_stack: IppEveStack, three_pages: Path, tmp_path: Path
) -> None:
    await asyncio.to_thread(cups_stack.admin, "cupsdisable", "-r", "toner being changed", "Laser")
    state, sock = tmp_path / "state", tmp_path / "hubd.sock"
    async with serving(hub_config(cups_laser, resume_paused=False), state, sock) as running:
        job = await stream_print(running, three_pages, "paused-1")
        stub = printer_pb2_grpc.PrinterServiceStub(running.channel)

        async def paused() -> bool:
            st = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(device_id="laser"))).status
            return st.reason == "PAUSED" and "toner being changed" in st.reason_detail

        await eventually(paused, 15)
        waiting = await until_job(running, job.print_job_id, lambda j: j.reason == "PAUSED")
        # held by the hub, or already in the stopped queue (CUPS takes jobs while stopped)
        assert waiting.state in (PrintJob.STATE_QUEUED, PrintJob.STATE_PRINTING)
    assert ippeve_stack.printouts() == []
    async with serving(hub_config(cups_laser, resume_paused=True), state, sock) as running:
        hub = hub_pb2_grpc.HubServiceStub(running.channel)
        boot = (await hub.GetHubInfo(hub_pb2.GetHubInfoRequest())).boot_id
        events = hub.WatchEvents(hub_pb2.WatchEventsRequest(  # every event of this boot
            device_ids=["laser"], resume_boot_id=boot, resume_after_sequence=0))
        done = await finished(running, job.print_job_id, timeout=60)
        assert done.state == PrintJob.STATE_SUCCEEDED
        resumed = hub_pb2.EVENT_TYPE_PRINTER_RESUMED
        while (ev := (await asyncio.wait_for(events.read(), 10)).event).type != resumed:
            pass
        assert ev.reason == "PAUSED" and "toner being changed" in ev.message
        events.cancel()
    [printout] = await ippeve_stack.wait_printouts(1)
    check_printout(printout, 3)


async def test_a_printer_that_restarts_and_forgets_the_job_prints_it_again_stamped(
    ippeve_stack: IppEveStack, three_pages: Path, tmp_path: Path
) -> None:
    ippevep = ippeve_stack.p
    ippeveprinter.set_delay(ippevep, 30)  # the printer is still at the job when it is switched off
    async with serving(hub_config(ippeve_stack.url), tmp_path / "state", tmp_path / "hubd.sock") as running:
        job = await stream_print(running, three_pages, "forgotten-1")
        await until_job(running, job.print_job_id, lambda j: j.printer_job_id != "")
        ippeve_stack.stop()
        ippeveprinter.set_delay(ippevep, 0)
        await asyncio.to_thread(ippeve_stack.start)
        done = await finished(running, job.print_job_id, timeout=60)
        assert done.state == PrintJob.STATE_SUCCEEDED and done.duplicate, done
        assert done.attempts >= 2
    [printout] = await ippeve_stack.wait_printouts(1)
    check_printout(printout, 3)  # the text is untouched...
    stamps = [img for img in pdf_images(printout.pdf) if img[1] > 4 * img[2]]  # ...a wide stamp is added
    assert sorted(page for page, _, _ in stamps) == [1, 2, 3], pdf_images(printout.pdf)


async def test_cancelling_a_job_the_printer_has(ippeve_stack: IppEveStack, three_pages: Path,
                                                tmp_path: Path) -> None:
    ippeveprinter.set_delay(ippeve_stack.p, 30)
    async with serving(hub_config(ippeve_stack.url), tmp_path / "state", tmp_path / "hubd.sock") as running:
        job = await stream_print(running, three_pages, "cancel-1")
        await until_job(running, job.print_job_id, lambda j: j.printer_job_id != "")
        stub = printer_pb2_grpc.PrinterServiceStub(running.channel)
        cancelled = (await stub.CancelPrintJob(printer_pb2.CancelPrintJobRequest(
            print_job_id=job.print_job_id))).print_job
        assert cancelled.state == PrintJob.STATE_CANCELLED and cancelled.reason == "CANCELLED"
        await asyncio.sleep(1.0)
        assert (await job_now(running, job.print_job_id)).state == PrintJob.STATE_CANCELLED


async def test_documents_are_refused_before_anything_is_queued(ippeve_stack: IppEveStack,
                                                               tmp_path: Path) -> None:
    big = heavy_pdf(tmp_path / "big.pdf", 20)  # ~2 MB
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("just text\n")
    async with serving(hub_config(ippeve_stack.url, max_document_mb=1), tmp_path / "state",
                       tmp_path / "hubd.sock") as running:
        for path, reason in ((big, "DOCUMENT_TOO_LARGE"), (not_pdf, "NOT_A_PDF")):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stream_print(running, path, f"bad-{reason}")
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert reason in (caught.value.details() or "") or reason in str(caught.value.trailing_metadata())
        stub = printer_pb2_grpc.PrinterServiceStub(running.channel)
        jobs = (await stub.ListPrintJobs(printer_pb2.ListPrintJobsRequest())).print_jobs
        assert list(jobs) == []
    assert list((tmp_path / "state" / "documents").glob("*.pdf")) == []
    assert ippeve_stack.printouts() == []


async def test_status_shows_the_printers_conditions(ippeve_stack: IppEveStack, tmp_path: Path) -> None:
    async with serving(hub_config(ippeve_stack.url), tmp_path / "state", tmp_path / "hubd.sock") as running:
        stub = printer_pb2_grpc.PrinterServiceStub(running.channel)
        await asyncio.to_thread(ippeveprinter.set_media, ippeve_stack.p, 0)

        async def out_of_paper() -> bool:
            st = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(device_id="laser"))).status
            return st.paper == printer_pb2.PAPER_STATE_OUT and st.state == common_pb2.DEVICE_STATE_UNAVAILABLE

        await eventually(out_of_paper, 15)
        st = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(device_id="laser"))).status
        assert st.reason == "PAPER_OUT" and any(c.keyword == "media-empty" for c in st.conditions)
        assert st.accepting_jobs and "KIOSKHUB Laser A4" in st.model
