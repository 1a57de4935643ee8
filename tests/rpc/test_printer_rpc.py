"""PrinterService over a real server, printing on the ESC/P simulator over AppSocket + SNMP."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from hubd.config import DeviceConfig, HubConfig, PrintingConfig
from kioskhub.v1 import hub_pb2, printer_pb2, printer_pb2_grpc
from simulators.escp_printer import EscpPrinterSim
from tests.rpc.conftest import Running, error_info, eventually, serving, watch_from_now

DONE = printer_pb2.PRINT_JOB_STATE_DONE


@pytest.fixture
async def printer_sim(tmp_path: Path) -> AsyncIterator[EscpPrinterSim]:
    sim = EscpPrinterSim(out_dir=tmp_path / "paper")
    sim.url = await sim.start("tcp://127.0.0.1:0")
    yield sim
    await sim.stop()


@pytest.fixture
async def hub(tmp_path: Path, printer_sim: EscpPrinterSim) -> AsyncIterator[Running]:
    async with running_hub(tmp_path, printer_sim) as running:
        yield running


@contextlib.asynccontextmanager
async def running_hub(
    tmp_path: Path, printer_sim: EscpPrinterSim, printing: PrintingConfig | None = None
) -> AsyncIterator[Running]:
    cfg = DeviceConfig(
        "receipt",
        "escp",
        printer_sim.url,
        options={"model": "tvs-msp250"},
        poll_interval=0.1,
        timeout=0.5,
        stale_after=2,
        max_backoff=0.2,
    )
    config = HubConfig(devices={"receipt": cfg}, printing=printing or PrintingConfig())
    async with serving(config, tmp_path / "state", tmp_path / "hubd.sock") as running:
        yield running


def text(key: str, body: str, printer: str = "") -> printer_pb2.PrintDocumentRequest:
    return printer_pb2.PrintDocumentRequest(
        printer_id=printer, idempotency_key=key, text=printer_pb2.TextDocument(text=body)
    )


async def wait_job(stub, job_id: str, state=DONE, reason: str | None = None, timeout: float = 15.0):
    job = None

    async def check() -> bool:
        nonlocal job
        job = (await stub.GetPrintJob(printer_pb2.GetPrintJobRequest(job_id=job_id))).job
        return job.state == state and (reason is None or job.reason == reason)

    await eventually(check, timeout)
    return job


def transcripts(paper: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(paper.glob("job-*.txt"))]


async def test_text_job_prints_once_with_its_footer(hub, tmp_path):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    job = (await stub.PrintDocument(text("r-1", "E-MITRA KIOSK\nAmount Rs 250.00\n"))).job
    assert job.state in (printer_pb2.PRINT_JOB_STATE_QUEUED, printer_pb2.PRINT_JOB_STATE_PRINTING, DONE)
    await wait_job(stub, job.job_id)
    await eventually(lambda: _async(any(job.job_id in t for t in transcripts(tmp_path / "paper"))))
    (page,) = [t for t in transcripts(tmp_path / "paper") if job.job_id in t]
    assert "E-MITRA KIOSK" in page and "Amount Rs 250.00" in page
    assert re.search(rf"kioskhub-job:\s*{job.job_id}", page) and "DUPLICATE" not in page


async def _async(value: bool) -> bool:
    return value


async def test_same_key_same_job_and_different_payload_is_already_exists(hub):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    a = (await stub.PrintDocument(text("same", "hello\n"))).job
    b = (await stub.PrintDocument(text("same", "hello\n"))).job
    assert a.job_id == b.job_id
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.PrintDocument(text("same", "HELLO\n"))
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert a.job_id in err.value.details()
    jobs = (await stub.ListPrintJobs(printer_pb2.ListPrintJobsRequest())).jobs
    assert [j.job_id for j in jobs] == [a.job_id]


def _receipt_named(consumer_name: str) -> printer_pb2.PrintDocumentRequest:
    """A receipt request, valid but for ``consumer_name``."""
    return printer_pb2.PrintDocumentRequest(
        idempotency_key="k",
        receipt=printer_pb2.Receipt(
            kiosk_id="K1", kiosk_name="Kiosk", receipt_no="1", transaction_id="T1", department="JVVNL",
            service="Bill", consumer_no="C1", consumer_name=consumer_name, amount_paise=100,
            payment_mode="Cash", operator="op",
        ),
    )


@pytest.mark.parametrize(
    "request_, field",
    [
        (printer_pb2.PrintDocumentRequest(idempotency_key="k"), "document"),
        (text("", "hi"), "idempotency_key"),
        (text("k", "bad \x1b@ escape"), "text.text"),
        (text("k", "hi", printer="nosuch!"), "printer_id"),
        (
            printer_pb2.PrintDocumentRequest(
                idempotency_key="k", image=printer_pb2.ImageDocument(data=b"GIF89a")
            ),
            "image.data",
        ),
        (_receipt_named("Ram\x1b[0m"), "receipt.consumer_name"),  # an ESC sequence
        (_receipt_named("R" * 5000), "receipt.consumer_name"),  # far over the field's limit
    ],
)
async def test_bad_documents_are_invalid_argument_and_change_nothing(hub, request_, field):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.PrintDocument(request_)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, err.value.details()
    assert error_info(err.value).metadata["field"] == field
    assert not (await stub.ListPrintJobs(printer_pb2.ListPrintJobsRequest())).jobs


async def test_paper_out_mid_job_waits_then_finishes_once(hub, printer_sim, tmp_path):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    printer_sim.state.paper_out_after_lines = 3
    body = "".join(f"line {n:02d} of a long receipt, long enough to fill the line\n" for n in range(120))
    job = (await stub.PrintDocument(text("long", body))).job
    waiting = await wait_job(stub, job.job_id, printer_pb2.PRINT_JOB_STATE_PRINTING, "PAPER_OUT")
    assert waiting.reason_detail
    status = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest())).status
    assert status.paper == printer_pb2.PAPER_STATE_OUT and status.pending_jobs == 1
    printer_sim.state.paper_out_after_lines = None
    printer_sim.interp.load_paper()
    done = await wait_job(stub, job.job_id)
    assert not done.duplicate and done.attempts == 1
    await eventually(lambda: _async(any(job.job_id in t for t in transcripts(tmp_path / "paper"))))
    page = next(t for t in transcripts(tmp_path / "paper") if job.job_id in t)
    assert page.count("line 119 of a long receipt") == 1 and "DUPLICATE" not in page


async def test_disconnect_mid_job_waits_then_reprints_marked_duplicate(hub, printer_sim, tmp_path):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    printer_sim.state.disconnect_after_bytes = 700  # one-shot: the retry finds the cable back
    body = "".join(f"row {n:02d} ..............................................\n" for n in range(60))
    events = await watch_from_now(hub.channel, ("receipt",))
    job = (await stub.PrintDocument(text("cut", body))).job
    seen = []  # the wait may be too short to catch by polling: its event says it happened
    while not seen or seen[-1][0] != "JOB_DONE":
        ev = (await asyncio.wait_for(events.read(), 15)).event
        if ev.attributes.get("job_id") == job.job_id:
            seen.append((hub_pb2.EventType.Name(ev.type).removeprefix("EVENT_TYPE_"), ev.reason))
    events.cancel()
    assert ("JOB_WAITING", "DISCONNECTED") in seen
    done = await wait_job(stub, job.job_id)
    assert done.duplicate and done.attempts >= 2
    await eventually(lambda: _async(any(job.job_id in t for t in transcripts(tmp_path / "paper"))))
    complete = [t for t in transcripts(tmp_path / "paper") if job.job_id in t]
    assert len(complete) == 1 and "DUPLICATE" in complete[0]


async def test_printer_status_is_observed_and_queue_waits_with_reason(hub, printer_sim):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)

    async def paper(state) -> bool:
        st = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(printer_id="receipt"))).status
        return st.paper == state

    await eventually(lambda: paper(printer_pb2.PAPER_STATE_OK))
    st = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest())).status
    assert st.online and not st.error and st.last_seen.seconds > 0
    printer_sim.state.paper_empty = True
    await eventually(lambda: paper(printer_pb2.PAPER_STATE_OUT))
    job = (await stub.PrintDocument(text("blocked", "hi\n"))).job
    queued = await wait_job(stub, job.job_id, printer_pb2.PRINT_JOB_STATE_QUEUED, "PAPER_OUT")
    assert queued.attempts == 0
    cancelled = (await stub.CancelPrintJob(printer_pb2.CancelPrintJobRequest(job_id=job.job_id))).job
    assert cancelled.state == printer_pb2.PRINT_JOB_STATE_CANCELLED
    printer_sim.interp.load_paper()
    await eventually(lambda: paper(printer_pb2.PAPER_STATE_OK))


async def test_job_events_arrive_in_order(hub):
    events = await watch_from_now(hub.channel, ("receipt",))
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    job = (await stub.PrintDocument(text("ev", "events\n"))).job
    seen = []
    while "JOB_DONE" not in seen:
        ev = (await asyncio.wait_for(events.read(), 15)).event
        if ev.attributes.get("job_id") == job.job_id:
            seen.append(hub_pb2.EventType.Name(ev.type).removeprefix("EVENT_TYPE_"))
    assert seen[0] == "JOB_QUEUED" and "JOB_PRINTING" in seen and seen[-1] == "JOB_DONE"
    events.cancel()


async def test_sample_receipt_prints_bilingual(hub, tmp_path):
    from hubd.classes.printer.cli import _sample_receipt

    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    req = printer_pb2.PrintDocumentRequest(idempotency_key="rcpt", receipt=_sample_receipt())
    job = (await stub.PrintDocument(req)).job
    await wait_job(stub, job.job_id, timeout=30)
    await eventually(lambda: _async(any(job.job_id in t for t in transcripts(tmp_path / "paper"))))
    page = next(t for t in transcripts(tmp_path / "paper") if job.job_id in t)
    assert "[graphics" in page  # the Hindi went as bit images
    assert list((tmp_path / "paper").glob("job-*.png"))


async def test_receipt_time_is_printed_in_the_kiosk_zone(hub, tmp_path):
    """A Timestamp is UTC on the wire; the citizen's receipt shows Indian time."""
    from hubd.classes.printer.cli import _sample_receipt

    receipt = _sample_receipt()
    receipt.issued_at.FromJsonString("2026-11-25T09:00:05Z")
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    req = printer_pb2.PrintDocumentRequest(idempotency_key="tz", receipt=receipt)
    job = (await stub.PrintDocument(req)).job
    await wait_job(stub, job.job_id, timeout=30)
    await eventually(lambda: _async(any(job.job_id in t for t in transcripts(tmp_path / "paper"))))
    page = next(t for t in transcripts(tmp_path / "paper") if job.job_id in t)
    assert "25-11-2026 14:30:05 IST" in page


async def test_held_job_is_printed_on_release_with_the_duplicate_banner(tmp_path, printer_sim):
    """Under the "hold" policy a job interrupted mid-print waits for the operator's release."""
    from hubd.classes.printer import documents
    from hubd.classes.printer.queue import JobQueue
    from hubd.clock import SystemClock

    with JobQueue(tmp_path / "state", SystemClock()) as queue:  # a hub died while printing this
        queue.submit("receipt", "held-1", "text", documents.check_text("HELD RECEIPT\n"))
        interrupted = queue.claim_next("receipt")
    assert interrupted is not None
    async with running_hub(tmp_path, printer_sim, PrintingConfig(recovery="hold")) as hub:
        stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
        held = await wait_job(stub, interrupted.job_id, printer_pb2.PRINT_JOB_STATE_HELD, "INTERRUPTED")
        assert held.duplicate
        assert not [t for t in transcripts(tmp_path / "paper") if interrupted.job_id in t]
        released = (
            await stub.ReleasePrintJob(printer_pb2.ReleasePrintJobRequest(job_id=interrupted.job_id))
        ).job
        assert released.state != printer_pb2.PRINT_JOB_STATE_HELD
        await wait_job(stub, interrupted.job_id)

        def pages() -> list[str]:
            return [t for t in transcripts(tmp_path / "paper") if interrupted.job_id in t]

        await eventually(lambda: _async(bool(pages())))
        (page,) = pages()
        assert "HELD RECEIPT" in page and "DUPLICATE" in page
        with pytest.raises(grpc.aio.AioRpcError) as err:  # done: nothing left to release
            await stub.ReleasePrintJob(printer_pb2.ReleasePrintJobRequest(job_id=interrupted.job_id))
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert error_info(err.value).reason == "JOB_STATE"



async def test_a_job_the_printer_never_confirms_stays_printing_then_fails_at_its_deadline(
    hub, printer_sim, tmp_path
):
    """Status channel down: the job printed, but DONE needs the printer to say so. It stays
    PRINTING with UNCONFIRMED (never DONE on a failed status read) until its retry deadline."""
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    printer_sim.state.silent = True  # the print server's SNMP agent answers nothing
    req = text("unconfirmed", "E-MITRA KIOSK\n")
    req.retry_for.seconds = 3
    job = (await stub.PrintDocument(req)).job
    waiting = await wait_job(stub, job.job_id, printer_pb2.PRINT_JOB_STATE_PRINTING, "UNCONFIRMED")
    assert "status unknown" in waiting.reason_detail
    await eventually(lambda: _async(any(job.job_id in t for t in transcripts(tmp_path / "paper"))))
    failed = await wait_job(stub, job.job_id, printer_pb2.PRINT_JOB_STATE_FAILED, "DEADLINE_EXCEEDED", 15)
    assert "never confirmed" in failed.reason_detail and "may have printed" in failed.reason_detail
