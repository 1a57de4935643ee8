"""The scan job state machine every scanner driver shares (a scripted job stands in for a device)."""

from __future__ import annotations

import asyncio

import pytest

from hubd.classes.scanner.contract import (
    AdfState,
    JobState,
    ScannerDevice,
    ScannerState,
    ScannerStatus,
    ScanRequest,
    ScanSource,
)
from hubd.device import DeviceState
from hubd.errors import DeviceNotReady, DeviceUnavailable
from tests.fakes.scanner import ScriptedJob, raw_page

ADF = ScanRequest(ScanSource.ADF, 100)


async def test_pages_then_the_end() -> None:
    job = ScriptedJob(ADF)
    for n in (1, 2):
        job.feed.put_nowait(raw_page(n))
    job.feed.put_nowait(None)
    assert [p.number async for p in job] == [1, 2]
    assert job.state is JobState.COMPLETED and job.done and job.error is None
    assert (job.aborts, job.releases) == (0, 1)
    assert [p async for p in job] == []  # iterating a finished job yields nothing


async def test_flatbed_stops_after_one_page_and_feeder_after_max_pages() -> None:
    flat = ScriptedJob(ScanRequest(ScanSource.FLATBED, 100))
    flat.feed.put_nowait(raw_page(1))
    assert len([p async for p in flat]) == 1 and flat.state is JobState.COMPLETED and flat.aborts == 0
    two = ScriptedJob(ScanRequest(ScanSource.ADF, 100, max_pages=2))
    for n in (1, 2, 3):
        two.feed.put_nowait(raw_page(n))
    assert len([p async for p in two]) == 2
    assert two.state is JobState.COMPLETED and two.aborts == 1  # the feeder is told to stop


async def test_cancel_while_a_page_is_awaited() -> None:
    job = ScriptedJob(ADF)
    job.feed.put_nowait(raw_page(1))
    got = []

    async def consume() -> None:
        async for page in job:
            got.append(page.number)

    task = asyncio.create_task(consume())
    await asyncio.wait_for(_until(lambda: bool(got) and job.waiting.is_set()), 5)
    await asyncio.wait_for(job.cancel(), 5)
    await asyncio.wait_for(task, 5)
    assert got == [1] and job.state is JobState.CANCELED
    assert (job.aborts, job.releases) == (1, 1)
    await job.cancel()  # idempotent
    assert job.aborts == 1


async def test_cancel_between_pages_and_by_leaving_the_block() -> None:
    job = ScriptedJob(ADF)
    job.feed.put_nowait(raw_page(1))
    async with job:
        async for _ in job:
            break
    assert job.state is JobState.CANCELED and job.aborts == 1 and job.releases == 1


async def test_failure_is_raised_kept_and_ends_the_job() -> None:
    job = ScriptedJob(ADF)
    job.feed.put_nowait(raw_page(1))
    job.feed.put_nowait(DeviceNotReady("jam", reason="ADF_JAM"))
    pages = []
    with pytest.raises(DeviceNotReady) as err:
        async for page in job:
            pages.append(page)
    assert len(pages) == 1 and err.value.reason == "ADF_JAM"
    assert job.state is JobState.FAILED and job.error is err.value and job.aborts == 1


async def test_a_driver_bug_still_ends_the_job_with_a_reason() -> None:
    job = ScriptedJob(ADF)
    job.feed.put_nowait(KeyError("oops"))
    with pytest.raises(DeviceUnavailable) as err:
        await anext(job)
    assert err.value.reason == "DRIVER_ERROR" and job.state is JobState.FAILED


async def test_the_consumer_task_cancelled_stops_the_scanner() -> None:
    job = ScriptedJob(ADF)
    task = asyncio.create_task(anext(job))
    await asyncio.wait_for(job.waiting.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(_until(lambda: job.done), 5)
    assert job.state is JobState.CANCELED and job.aborts == 1


class _Scanner(ScannerDevice):
    async def capabilities(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    async def read_status(self) -> ScannerStatus:
        raise NotImplementedError

    async def _open_job(self, request, source):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def test_assess_and_events() -> None:
    dev = _Scanner("s", "fake://")
    idle = ScannerStatus(ScannerState.IDLE, AdfState.LOADED)
    jam = ScannerStatus(ScannerState.STOPPED, AdfState.JAM, detail="Stopped ScannerAdfJam")
    empty = ScannerStatus(ScannerState.IDLE, AdfState.EMPTY)
    busy = ScannerStatus(ScannerState.BUSY, AdfState.LOADED)
    assert dev.assess(idle) == (DeviceState.AVAILABLE, "", "")
    assert dev.assess(jam) == (DeviceState.UNAVAILABLE, "ADF_JAM", "Stopped ScannerAdfJam")
    cover = ScannerStatus(ScannerState.IDLE, cover_open=True)
    assert dev.assess(cover)[:2] == (DeviceState.UNAVAILABLE, "COVER_OPEN")
    assert dev.assess(empty) == (DeviceState.AVAILABLE, "", "ADF_EMPTY")
    assert dev.assess(busy) == (DeviceState.AVAILABLE, "", "SCANNER_BUSY")
    assert dev.assess(ScannerStatus(ScannerState.WARMING_UP))[2] == "WARMING_UP"
    kinds = lambda old, new: [e.kind for e in dev.events_between(old, new)]  # noqa: E731
    assert kinds(idle, jam) == ["ADF_JAM"] and kinds(jam, jam) == []
    assert kinds(idle, empty) == ["ADF_EMPTY"] and kinds(empty, idle) == ["ADF_LOADED"]
    assert kinds(None, idle) == []


async def _until(condition) -> None:  # type: ignore[no-untyped-def]
    while not condition():
        await asyncio.sleep(0.005)
