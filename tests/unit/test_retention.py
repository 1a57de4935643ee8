"""Retention: finished jobs' payloads (citizens' names, consumer numbers, amounts) are erased after
``[printing] keep_payload`` and the jobs themselves deleted after ``keep_jobs``, on a schedule."""

from __future__ import annotations

import logging
from pathlib import Path

from hubd.classes.printer.contract import Confirmation
from hubd.classes.printer.queue import JobQueue
from hubd.classes.printer.records import JobState
from hubd.classes.printer.spooler import PrintingConfig, Spooler
from hubd.clock import FakeClock, settle
from hubd.events import EventBus

DAY = 86400.0


def _done(q: JobQueue, key: str, payload: bytes) -> str:
    job = q.submit("receipt", key, "text", payload)
    claimed = q.claim_next("receipt")
    assert claimed is not None and claimed.job_id == job.job_id
    q.mark_done(job.job_id, Confirmation.PRINTER)
    return job.job_id


async def test_payloads_then_jobs_are_purged_on_schedule(tmp_path: Path, caplog) -> None:
    clock = FakeClock()
    spooler = Spooler(tmp_path, EventBus(clock), clock, PrintingConfig(keep_payload=DAY, keep_jobs=30 * DAY))
    q = spooler.queue
    old = _done(q, "old", "उपभोक्ता: सुनीता शर्मा, K.N. 210412345678\n".encode())
    pending = q.submit("thermal", "pending", "text", b"not printed yet\n")
    await clock.advance(2 * DAY)
    fresh = _done(q, "fresh", b"printed today\n")
    with caplog.at_level(logging.INFO, logger="hubd.classes.printer.spooler_runtime"):
        dropped, size, deleted = await spooler.purge()
    assert (dropped, deleted) == (1, 0) and size > 40
    assert "dropped 1 finished jobs' payloads" in caplog.text
    assert q.get(old).payload == b"" and q.get(fresh).payload and q.get(pending.job_id).payload
    # the same request again still names the same job: the digest was kept
    again = q.submit("receipt", "old", "text", "उपभोक्ता: सुनीता शर्मा, K.N. 210412345678\n".encode())
    assert again.job_id == old
    await clock.advance(31 * DAY)
    assert (await spooler.purge())[2] == 2  # old and fresh; the pending job stays
    assert [j.job_id for j in q.list()] == [pending.job_id]
    assert q.get(pending.job_id).state is JobState.QUEUED
    spooler._thread.shutdown()


async def _until(check, timeout: float = 5.0) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)
    await settle()


async def test_purge_runs_by_itself(tmp_path: Path) -> None:
    """The spooler's retention task runs at start and then every hour, supervised."""
    from hubd.classes.printer import spooler_runtime as module

    clock = FakeClock()
    spooler = Spooler(tmp_path, EventBus(clock), clock, PrintingConfig(keep_payload=60.0))
    await clock.advance(0)
    old = _done(spooler.queue, "k", b"name and amount\n")

    runs = []
    real = spooler.purge

    async def counting() -> tuple[int, int, int]:
        runs.append(clock.monotonic())
        return await real()

    spooler.purge = counting  # type: ignore[method-assign]
    spooler._loop = None
    task, _ = module.supervise("print-retention", spooler._purge_forever, clock)
    await _until(lambda: clock.sleepers == 1)  # the first pass (at start) is done and it sleeps
    assert len(runs) == 1 and spooler.queue.get(old).payload == b"name and amount\n"
    await clock.advance(module.PURGE_EVERY)
    await _until(lambda: clock.sleepers == 1 and len(runs) == 2)
    assert spooler.queue.get(old).payload == b""
    task.cancel()
    spooler._thread.shutdown()
