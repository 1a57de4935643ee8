"""PrinterService over a real server, printing on the ESC/P simulator over AppSocket + SNMP."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from hubd.config import DeviceConfig, HubConfig
from kioskhub.simulators.escp_printer import EscpPrinterSim
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc, printer_pb2, printer_pb2_grpc
from tests.rpc.conftest import Running, error_info, eventually, serving, watch_from_now

DONE = printer_pb2.PrintJob.STATE_SUCCEEDED


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
    tmp_path: Path, printer_sim: EscpPrinterSim, printing: dict[str, str] | None = None
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
    config = HubConfig(devices={"receipt": cfg}, sections={"printing": printing or {}})
    async with serving(config, tmp_path / "state", tmp_path / "hubd.sock") as running:
        yield running


def text(key: str, body: str, printer: str = "") -> printer_pb2.PrintDocumentRequest:
    return printer_pb2.PrintDocumentRequest(
        device_id=printer, request_id=key, text=printer_pb2.TextDocument(text=body)
    )


async def wait_job(stub, job_id: str, state=DONE, reason: str | None = None, timeout: float = 15.0):
    job = None

    async def check() -> bool:
        nonlocal job
        job = (await stub.GetPrintJob(printer_pb2.GetPrintJobRequest(print_job_id=job_id))).print_job
        return job.state == state and (reason is None or job.reason == reason)

    await eventually(check, timeout)
    return job


def transcripts(paper: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(paper.glob("job-*.txt"))]


async def test_text_job_prints_once_with_its_footer(hub, tmp_path):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    job = (await stub.PrintDocument(text("r-1", "E-MITRA KIOSK\nAmount Rs 250.00\n"))).print_job
    assert job.state in (printer_pb2.PrintJob.STATE_QUEUED, printer_pb2.PrintJob.STATE_PRINTING, DONE)
    await wait_job(stub, job.print_job_id)
    await eventually(lambda: _async(any(job.print_job_id in t for t in transcripts(tmp_path / "paper"))))
    (page,) = [t for t in transcripts(tmp_path / "paper") if job.print_job_id in t]
    assert "E-MITRA KIOSK" in page and "Amount Rs 250.00" in page
    assert re.search(rf"kioskhub-job:\s*{job.print_job_id}", page) and "DUPLICATE" not in page


async def _async(value: bool) -> bool:
    return value


async def test_same_key_same_job_and_different_payload_is_already_exists(hub):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    a = (await stub.PrintDocument(text("same", "hello\n"))).print_job
    b = (await stub.PrintDocument(text("same", "hello\n"))).print_job
    assert a.print_job_id == b.print_job_id
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.PrintDocument(text("same", "HELLO\n"))
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert a.print_job_id in err.value.details()
    jobs = (await stub.ListPrintJobs(printer_pb2.ListPrintJobsRequest())).print_jobs
    assert [j.print_job_id for j in jobs] == [a.print_job_id]


def _receipt_named(consumer_name: str) -> printer_pb2.PrintDocumentRequest:
    """A receipt request, valid but for ``consumer_name``."""
    return printer_pb2.PrintDocumentRequest(
        request_id="k",
        receipt=printer_pb2.Receipt(
            kiosk_id="K1",
            kiosk_name="Kiosk",
            receipt_no="1",
            transaction_id="T1",
            department="JVVNL",
            service="Bill",
            consumer_no="C1",
            consumer_name=consumer_name,
            amount_paise=100,
            payment_mode="Cash",
            operator="op",
        ),
    )


@pytest.mark.parametrize(
    "request_, field",
    [
        (printer_pb2.PrintDocumentRequest(request_id="k"), "document"),
        (text("", "hi"), "request_id"),
        (text("k", "bad \x1b@ escape"), "text.text"),
        (text("k", "hi", printer="nosuch!"), "device_id"),
        (
            printer_pb2.PrintDocumentRequest(request_id="k", image=printer_pb2.ImageDocument(data=b"GIF89a")),
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
    assert not (await stub.ListPrintJobs(printer_pb2.ListPrintJobsRequest())).print_jobs


async def test_paper_out_mid_job_waits_then_finishes_once(hub, printer_sim, tmp_path):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    printer_sim.state.paper_out_after_lines = 3
    body = "".join(f"line {n:02d} of a long receipt, long enough to fill the line\n" for n in range(120))
    job = (await stub.PrintDocument(text("long", body))).print_job
    waiting = await wait_job(stub, job.print_job_id, printer_pb2.PrintJob.STATE_PRINTING, "PAPER_OUT")
    assert waiting.reason_detail
    status = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest())).status
    assert status.paper == printer_pb2.PAPER_STATE_OUT and status.pending_job_count == 1
    printer_sim.state.paper_out_after_lines = None
    printer_sim.interp.load_paper()
    done = await wait_job(stub, job.print_job_id)
    assert not done.duplicate and done.attempts == 1
    await eventually(lambda: _async(any(job.print_job_id in t for t in transcripts(tmp_path / "paper"))))
    page = next(t for t in transcripts(tmp_path / "paper") if job.print_job_id in t)
    assert page.count("line 119 of a long receipt") == 1 and "DUPLICATE" not in page


async def test_disconnect_mid_job_waits_then_reprints_marked_duplicate(hub, printer_sim, tmp_path):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    printer_sim.state.disconnect_after_bytes = 700  # one-shot: the retry finds the cable back
    body = "".join(f"row {n:02d} ..............................................\n" for n in range(60))
    events = await watch_from_now(hub.channel, ("receipt",))
    job = (await stub.PrintDocument(text("cut", body))).print_job
    seen = []  # the wait may be too short to catch by polling: its event says it happened
    while not seen or seen[-1][0] != "JOB_SUCCEEDED":
        ev = (await asyncio.wait_for(events.read(), 15)).event
        if ev.WhichOneof("payload") == "print_job" and ev.print_job.print_job_id == job.print_job_id:
            seen.append((hub_pb2.EventType.Name(ev.type).removeprefix("EVENT_TYPE_"), ev.reason))
    events.cancel()
    assert ("JOB_WAITING", "DISCONNECTED") in seen
    done = await wait_job(stub, job.print_job_id)
    assert done.duplicate and done.attempts >= 2
    await eventually(lambda: _async(any(job.print_job_id in t for t in transcripts(tmp_path / "paper"))))
    complete = [t for t in transcripts(tmp_path / "paper") if job.print_job_id in t]
    assert len(complete) == 1 and "DUPLICATE" in complete[0]


async def test_printer_status_is_observed_and_queue_waits_with_reason(hub, printer_sim):
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)

    async def paper(state) -> bool:
        st = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(device_id="receipt"))).status
        return st.paper == state

    await eventually(lambda: paper(printer_pb2.PAPER_STATE_OK))
    st = (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest())).status
    assert st.online and not st.error and st.last_seen_time.seconds > 0
    printer_sim.state.paper_empty = True
    await eventually(lambda: paper(printer_pb2.PAPER_STATE_OUT))
    job = (await stub.PrintDocument(text("blocked", "hi\n"))).print_job
    queued = await wait_job(stub, job.print_job_id, printer_pb2.PrintJob.STATE_QUEUED, "PAPER_OUT")
    assert queued.attempts == 0
    cancelled = (
        await stub.CancelPrintJob(printer_pb2.CancelPrintJobRequest(print_job_id=job.print_job_id))
    ).print_job
    assert cancelled.state == printer_pb2.PrintJob.STATE_CANCELLED
    printer_sim.interp.load_paper()
    await eventually(lambda: paper(printer_pb2.PAPER_STATE_OK))


async def test_job_events_arrive_in_order(hub):
    events = await watch_from_now(hub.channel, ("receipt",))
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    job = (await stub.PrintDocument(text("ev", "events\n"))).print_job
    seen = []
    while "JOB_SUCCEEDED" not in seen:
        ev = (await asyncio.wait_for(events.read(), 15)).event
        if ev.WhichOneof("payload") == "print_job" and ev.print_job.print_job_id == job.print_job_id:
            seen.append(hub_pb2.EventType.Name(ev.type).removeprefix("EVENT_TYPE_"))
    assert seen[0] == "JOB_QUEUED" and "JOB_PRINTING" in seen and seen[-1] == "JOB_SUCCEEDED"
    events.cancel()


async def test_sample_receipt_prints_bilingual(hub, tmp_path):
    from hubd.classes.printer.cli import _sample_receipt

    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    req = printer_pb2.PrintDocumentRequest(request_id="rcpt", receipt=_sample_receipt())
    job = (await stub.PrintDocument(req)).print_job
    await wait_job(stub, job.print_job_id, timeout=30)
    await eventually(lambda: _async(any(job.print_job_id in t for t in transcripts(tmp_path / "paper"))))
    page = next(t for t in transcripts(tmp_path / "paper") if job.print_job_id in t)
    assert "[graphics" in page  # the Hindi went as bit images
    assert list((tmp_path / "paper").glob("job-*.png"))


async def test_receipt_time_is_printed_in_the_kiosk_zone(hub, tmp_path):
    """A Timestamp is UTC on the wire; the citizen's receipt shows Indian time."""
    from hubd.classes.printer.cli import _sample_receipt

    receipt = _sample_receipt()
    receipt.issue_time.FromJsonString("2026-11-25T09:00:05Z")
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    req = printer_pb2.PrintDocumentRequest(request_id="tz", receipt=receipt)
    job = (await stub.PrintDocument(req)).print_job
    await wait_job(stub, job.print_job_id, timeout=30)
    await eventually(lambda: _async(any(job.print_job_id in t for t in transcripts(tmp_path / "paper"))))
    page = next(t for t in transcripts(tmp_path / "paper") if job.print_job_id in t)
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
    async with running_hub(tmp_path, printer_sim, {"recovery": "hold"}) as hub:
        stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
        held = await wait_job(stub, interrupted.job_id, printer_pb2.PrintJob.STATE_HELD, "INTERRUPTED")
        assert held.duplicate
        assert not [t for t in transcripts(tmp_path / "paper") if interrupted.job_id in t]
        released = (
            await stub.ResumePrintJob(printer_pb2.ResumePrintJobRequest(print_job_id=interrupted.job_id))
        ).print_job
        assert released.state != printer_pb2.PrintJob.STATE_HELD
        await wait_job(stub, interrupted.job_id)

        def pages() -> list[str]:
            return [t for t in transcripts(tmp_path / "paper") if interrupted.job_id in t]

        await eventually(lambda: _async(bool(pages())))
        (page,) = pages()
        assert "HELD RECEIPT" in page and "DUPLICATE" in page
        with pytest.raises(grpc.aio.AioRpcError) as err:  # done: nothing left to release
            await stub.ResumePrintJob(printer_pb2.ResumePrintJobRequest(print_job_id=interrupted.job_id))
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert error_info(err.value).reason == "JOB_STATE"


async def test_storage_full_is_resource_exhausted_and_changes_nothing(hub, tmp_path):
    """A full disk (SQLite's own SQLITE_FULL, reached by capping the file's pages): a submission
    is RESOURCE_EXHAUSTED STORAGE_FULL, nothing is half-saved, and printing goes on once there is
    room again."""
    from hubd.classes.printer.spooler import Spooler

    spooler = hub.hub.runner("printer", Spooler)
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    db = spooler.queue._db
    pages = (await spooler.call(lambda: db.execute("PRAGMA page_count").fetchone()))[0]
    await spooler.call(db.execute, f"PRAGMA max_page_count = {pages}")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.PrintDocument(text("while-full", "x" * 60000))
    assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error_info(err.value).reason == "STORAGE_FULL"
    await spooler.call(db.execute, "PRAGMA max_page_count = 1073741823")
    after = (await stub.PrintDocument(text("after-full", "room again\n"))).print_job
    await wait_job(stub, after.print_job_id, timeout=30)
    listed = (await stub.ListPrintJobs(printer_pb2.ListPrintJobsRequest())).print_jobs
    assert "while-full" not in {j.request_id for j in listed}


async def test_a_full_disk_mid_job_is_shown_retried_and_loses_nothing(hub, tmp_path, monkeypatch):
    """The disk fills while job A is being marked done: the worker retries the commit with backoff
    (A printed once: it must not be reprinted), the printer shows STORAGE_FULL meanwhile, and
    once there is room A is done and B, submitted meanwhile, prints too."""
    from hubd.classes.printer.queue import JobQueue
    from hubd.errors import StorageFull

    real = JobQueue.mark_done
    calls = {"n": 0}

    def full_once(self, job_id, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise StorageFull("job store: the disk is full; nothing was saved")
        return real(self, job_id, *args, **kwargs)

    monkeypatch.setattr(JobQueue, "mark_done", full_once)
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    hub_stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    events = await watch_from_now(hub.channel, ("receipt",))
    a = (await stub.PrintDocument(text("job-a", "JOB A\n"))).print_job
    while True:
        ev = (await asyncio.wait_for(events.read(), 10)).event
        if ev.type == hub_pb2.EVENT_TYPE_DEVICE_UNAVAILABLE and ev.reason == "STORAGE_FULL":
            break
    dev = (await hub_stub.GetDevice(hub_pb2.GetDeviceRequest(device_id="receipt"))).device
    assert dev.reason in ("STORAGE_FULL", "") and "print worker" in (dev.reason_detail or "print worker")
    b = (await stub.PrintDocument(text("job-b", "JOB B\n"))).print_job
    done_a = await wait_job(stub, a.print_job_id, timeout=30)
    await wait_job(stub, b.print_job_id, timeout=30)
    assert not done_a.duplicate and done_a.attempts == 1  # retried in place, not reprinted
    dev = (await hub_stub.GetDevice(hub_pb2.GetDeviceRequest(device_id="receipt"))).device
    assert dev.reason != "STORAGE_FULL"  # shown while it lasted, cleared after
    events.cancel()


async def test_a_printer_that_stopped_answering_shows_unknown_not_stale_ok(hub, printer_sim):
    """A printer UNAVAILABLE (its print server's status refused) no longer claims online/paper OK."""
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)

    async def status() -> printer_pb2.PrinterStatus:
        return (await stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(device_id="receipt"))).status

    await eventually(lambda: _async_status(status, lambda st: st.paper == printer_pb2.PAPER_STATE_OK))
    await printer_sim.stop()
    gone = common_pb2.DEVICE_STATE_UNAVAILABLE
    await eventually(lambda: _async_status(status, lambda st: st.state == gone))
    st = await status()
    assert st.paper == printer_pb2.PAPER_STATE_UNKNOWN
    assert not st.HasField("online") and not st.HasField("error") and st.last_seen_time.seconds > 0


async def _async_status(get, accept) -> bool:
    return bool(accept(await get()))


async def test_a_receipt_without_issue_time_retried_later_is_the_same_job(hub):
    """Idempotency compares what the caller sent: the hub's clock is not baked into the payload."""
    from hubd.classes.printer.cli import _sample_receipt

    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    receipt = _sample_receipt()
    receipt.ClearField("issue_time")
    req = printer_pb2.PrintDocumentRequest(request_id="no-time", receipt=receipt)
    first = (await stub.PrintDocument(req)).print_job
    await asyncio.sleep(1.1)  # a retry a second later: the hub's "now" has moved on
    again = (await stub.PrintDocument(req)).print_job
    assert again.print_job_id == first.print_job_id


async def test_a_job_the_printer_never_confirms_stays_printing_then_fails_at_its_deadline(
    hub, printer_sim, tmp_path
):
    """Status channel down: the job printed, but DONE needs the printer to say so. It stays
    PRINTING with UNCONFIRMED (never DONE on a failed status read) until its retry deadline."""
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    printer_sim.state.silent = True  # the print server's SNMP agent answers nothing
    req = text("unconfirmed", "E-MITRA KIOSK\n")
    req.retry_duration.seconds = 3
    job = (await stub.PrintDocument(req)).print_job
    waiting = await wait_job(stub, job.print_job_id, printer_pb2.PrintJob.STATE_PRINTING, "UNCONFIRMED")
    assert "status unknown" in waiting.reason_detail
    await eventually(lambda: _async(any(job.print_job_id in t for t in transcripts(tmp_path / "paper"))))
    failed = await wait_job(
        stub, job.print_job_id, printer_pb2.PrintJob.STATE_FAILED, "DEADLINE_EXCEEDED", 15
    )
    assert "never confirmed" in failed.reason_detail and "may have printed" in failed.reason_detail


async def test_a_worker_that_dies_is_restarted_shown_and_recovers_its_job(hub, monkeypatch):
    """An unexpected failure (a bug) kills the print worker mid-job: its supervisor logs it once,
    shows the reason on the printer, restarts it with backoff, and the job it left printing is
    reprinted marked DUPLICATE (it may be on paper already) — never stuck, never silent."""
    from hubd.classes.printer.queue import JobQueue

    real = JobQueue.mark_done
    calls = {"n": 0}

    def bug_once(self, job_id, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("a bug in the worker")
        return real(self, job_id, *args, **kwargs)

    monkeypatch.setattr(JobQueue, "mark_done", bug_once)
    stub = printer_pb2_grpc.PrinterServiceStub(hub.channel)
    events = await watch_from_now(hub.channel, ("receipt",))
    a = (await stub.PrintDocument(text("job-a", "JOB A\n"))).print_job
    while True:
        ev = (await asyncio.wait_for(events.read(), 10)).event
        if ev.type == hub_pb2.EVENT_TYPE_DEVICE_UNAVAILABLE and ev.reason == "TASK_FAILED":
            assert "print worker stopped" in ev.device.reason_detail
            break
    done_a = await wait_job(stub, a.print_job_id, timeout=30)
    assert done_a.duplicate and done_a.attempts == 2
    events.cancel()
