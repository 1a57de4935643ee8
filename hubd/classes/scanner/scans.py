"""The scanner class's runner: scan jobs from the first page to the finished file.

``Scans.scan`` runs one job and yields its progress: the job (``ScanJobInfo``) when it starts,
each page (``PageInfo``) as the scanner delivers it, the job again while the file is made (in a
worker thread: the size search is CPU work), the file (``OutputFile``) and the job at its end.
A job ends once (``SUCCEEDED``, ``FAILED`` with the error's reason, ``CANCELLED``) and publishes
SCAN_STARTED, SCAN_PAGE, then SCAN_SUCCEEDED / SCAN_FAILED / SCAN_CANCELLED on the hub's bus.

Jobs live in memory only, never on disk (the pages are citizens' documents), for [scanner]
keep_results after they end: ``cancel`` finds them, and a job with a request_id keeps its file
so that the same request replays it without scanning again (a feeder's sheets are gone once
scanned). A request_id whose scan failed or was cancelled scans again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import TYPE_CHECKING

from hubd.classes.scanner.contract import JobState, ScanJob, ScannedPage, ScannerCapabilities, ScannerDevice
from hubd.classes.scanner.order import ScannerConfig, ScanOrder
from hubd.classes.scanner.output import OutputFile, render
from hubd.classes.scanner.records import PageInfo, Progress, ScanRecord, ScanState
from hubd.classes.ups.power import PowerPolicy
from hubd.errors import (
    AlreadyExists,
    DeviceUnavailable,
    FailedPrecondition,
    HubError,
    NotFound,
    ResourceExhausted,
)

if TYPE_CHECKING:
    from hubd.app import Hub
    from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
WORK_KIND = "scan"
MAX_KEPT_BYTES = 64 << 20
"""Files kept for request_id replays, at most this many bytes in all (the oldest go first)."""
MAX_JOB_PIXELS_BYTES = 1 << 30
"""A job's pages, decoded, may take at most this much memory (the file is made of all of them at
once): 40 colour or 120 gray A4 pages at 300 dpi, 10 colour ones at 600 dpi."""


EVENT_OF = {ScanState.SUCCEEDED: "SCAN_SUCCEEDED", ScanState.FAILED: "SCAN_FAILED",
            ScanState.CANCELLED: "SCAN_CANCELLED"}


def runner(hub: Hub) -> Scans:
    """The scanner class's runner."""
    return Scans(hub, ScannerConfig.from_config(hub.config))


class Scans:
    """Scan jobs on the hub's scanners (one at a time per scanner: the driver refuses a second)."""

    def __init__(self, hub: Hub, config: ScannerConfig) -> None:
        self.hub = hub
        self.config = config
        self.jobs: dict[str, ScanRecord] = {}
        self._by_request: dict[str, str] = {}

    async def start(self, devices: list[Supervisor]) -> None:
        """Nothing runs in the background: scans happen on request."""

    async def stop(self) -> None:
        """Cancel every running scan (reason HUB_STOPPING)."""
        for record in list(self.jobs.values()):
            if not record.done:
                await self._cancel(record, "HUB_STOPPING", "the hub is stopping")

    # ------------------------------------------------------------------ queries
    def scanner(self, sup: Supervisor) -> ScannerDevice:
        """``sup``'s scanner; UNAVAILABLE with the device's reason when it is a stand-in."""
        if not isinstance(sup.device, ScannerDevice):
            raise DeviceUnavailable(sup.reason_detail or "not a scanner",
                                    reason=sup.status.reason or "DEVICE_UNAVAILABLE")
        return sup.device

    async def capabilities(self, sup: Supervisor) -> ScannerCapabilities:
        """What ``sup``'s scanner can do (asked once, then from the driver's memory)."""
        return await self.scanner(sup).capabilities()

    def get(self, scan_job_id: str) -> ScanRecord:
        """A kept job; NOT_FOUND SCAN_JOB_NOT_FOUND."""
        self._expire()
        record = self.jobs.get(scan_job_id)
        if record is None:
            raise NotFound(f"no scan job {scan_job_id!r} (jobs are kept {self.config.keep_results:g} s after "
                           "they end)", reason="SCAN_JOB_NOT_FOUND", metadata={"scanJobId": scan_job_id})
        return record

    # ------------------------------------------------------------------ scanning
    async def scan(self, sup: Supervisor, order: ScanOrder) -> AsyncGenerator[Progress, None]:
        """Run ``order`` on ``sup``'s scanner (the caller checked its lease), yielding progress."""
        device = self.scanner(sup)
        kept = self._kept(sup.id, order)
        if kept is not None:
            log.info("%s: %s replayed for its request_id", kept.device_id, kept.scan_job_id)
            for item in self._replay(kept):
                yield item
            return
        power = self._power()
        guard = power.work(WORK_KIND) if power is not None else contextlib.nullcontext()
        async with guard:
            request = order.scan_request(await device.capabilities(), self.config.default_dpi)
            job = await device.start_scan(request)
            record = ScanRecord(f"scan-{uuid.uuid4().hex[:16]}", sup.id, order, request.dpi,
                                self.hub.clock.now(), job)
            self._add(record)
            self._publish("SCAN_STARTED", record)
            log.info("%s: %s started (%s, %d dpi, %s -> %s%s)", sup.id, record.scan_job_id,
                     request.source.value, request.dpi, request.color_mode.value, order.output.format.name,
                     f", preset {order.preset}" if order.preset else "")
            try:
                async with contextlib.aclosing(self._run(record, job)) as progress:
                    async for item in progress:
                        yield item
            except HubError as err:
                err.metadata.update(scanJobId=record.scan_job_id, pagesScanned=str(len(record.pages)))
                self._finish(record, ScanState.FAILED, err.reason, err.message)
                raise
            except (asyncio.CancelledError, GeneratorExit):  # the client went away
                await self._cancel(record, "CLIENT_GONE", "the client went away")
                raise

    async def _run(self, record: ScanRecord, job: ScanJob) -> AsyncGenerator[Progress, None]:
        """Pages, then the file; a cancel at any point ends it with the job CANCELLED."""
        yield record.info()
        pages: list[ScannedPage] = []
        held = 0
        async with job:  # leaving early (an error, the client gone) cancels the device's job
            async for page in job:
                held += page.width_px * page.height_px * page.color_mode.channels
                if held > MAX_JOB_PIXELS_BYTES:
                    raise ResourceExhausted(
                        f"page {page.number}: the pages so far need more than {MAX_JOB_PIXELS_BYTES >> 20} "
                        "MiB; scan fewer pages at a time, or at a lower resolution", reason="SCAN_TOO_LARGE")
                pages.append(page)
                record.pages.append(PageInfo.of(page))
                self._publish("SCAN_PAGE", record, page=str(page.number))
                yield record.pages[-1]
        if job.state is not JobState.COMPLETED or record.cancel_requested.is_set():
            self._finish(record, ScanState.CANCELLED, "CANCELLED", "cancelled while scanning")
            yield record.info()
            return
        record.state = ScanState.PROCESSING
        yield record.info()
        output = await self._render(record, pages)
        del pages
        if output is None:
            yield record.info()
            return
        if record.order.request_id:
            record.output = output
        self._finish(record, ScanState.SUCCEEDED)
        log.info("%s: %s made %s of %d page(s), %d bytes at %d dpi, JPEG quality %s (%d tries)",
                 record.device_id, record.scan_job_id, output.format.name, output.pages, len(output.data),
                 output.dpi, output.quality or "-", output.attempts)
        yield output
        yield record.info()

    async def _render(self, record: ScanRecord, pages: list[ScannedPage]) -> OutputFile | None:
        """The file, made in a worker thread; None when the job was cancelled meanwhile (the
        thread finishes on its own and its result is dropped)."""
        work = asyncio.ensure_future(asyncio.to_thread(render, pages, record.order.output))
        work.add_done_callback(lambda f: f.cancelled() or f.exception())  # an abandoned outcome is no error
        cancelled = asyncio.ensure_future(record.cancel_requested.wait())
        try:
            await asyncio.wait({work, cancelled}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            cancelled.cancel()
        return None if record.cancel_requested.is_set() else work.result()

    async def cancel(self, record: ScanRecord) -> ScanRecord:
        """Stop a running job (the caller checked the lease); a cancelled one is returned again,
        a finished one is FAILED_PRECONDITION JOB_STATE."""
        if record.state in (ScanState.SUCCEEDED, ScanState.FAILED):
            raise FailedPrecondition(f"scan job {record.scan_job_id} already {record.state.value}",
                                     reason="JOB_STATE", metadata={"scanJobId": record.scan_job_id})
        if not record.done:
            await self._cancel(record, "CANCELLED", "cancelled by a client")
        return record

    async def _cancel(self, record: ScanRecord, reason: str, detail: str) -> None:
        """End ``record`` CANCELLED now and tell the scanner to stop (a page being read is
        abandoned; the Scan stream, when it runs again, sees the job ended)."""
        record.cancel_requested.set()
        self._finish(record, ScanState.CANCELLED, reason, detail)
        if record.job is not None:
            try:
                await asyncio.wait_for(asyncio.shield(record.job.cancel()), 30)
            except TimeoutError:
                log.warning("%s: %s: the scanner did not stop within 30 s", record.device_id,
                            record.scan_job_id)

    def _finish(self, record: ScanRecord, state: ScanState, reason: str = "", detail: str = "") -> None:
        """End the job once (the first outcome wins) and publish it."""
        if record.done:
            return
        record.state, record.reason, record.detail = state, reason, detail
        record.ended = self.hub.clock.now()
        self._publish(EVENT_OF[state], record)
        if state is not ScanState.SUCCEEDED:
            log.info("%s: %s %s after %d page(s): %s %s", record.device_id, record.scan_job_id, state.value,
                     len(record.pages), reason, detail)

    def _publish(self, kind: str, record: ScanRecord, **attributes: str) -> None:
        self.hub.bus.publish(kind, record.device_id, reason=record.reason, message=record.detail,
                             attributes=attributes, payload=record.info())

    # ------------------------------------------------------------------ kept jobs
    def _add(self, record: ScanRecord) -> None:
        self._expire()
        self.jobs[record.scan_job_id] = record
        if record.order.request_id:
            self._by_request[record.order.request_id] = record.scan_job_id

    def _kept(self, device_id: str, order: ScanOrder) -> ScanRecord | None:
        """The finished job of ``order``'s request_id to replay; None to scan (no request_id, or
        its scan failed or was cancelled). ALREADY_EXISTS when the request differs."""
        if not order.request_id:
            return None
        self._expire()
        record = self.jobs.get(self._by_request.get(order.request_id, ""))
        if record is None:
            return None
        if (record.device_id, record.order) != (device_id, order):
            why = f"request_id {order.request_id!r} names a different scan ({record.scan_job_id})"
            raise AlreadyExists(why, reason="REQUEST_ID_REUSED", metadata={"scanJobId": record.scan_job_id})
        if not record.done:
            raise FailedPrecondition(f"the scan of this request_id ({record.scan_job_id}) is still running",
                                     reason="JOB_STATE", metadata={"scanJobId": record.scan_job_id})
        return record if record.output is not None else None

    @staticmethod
    def _replay(record: ScanRecord) -> list[Progress]:
        """A kept job as it ended, its pages, its file, and the job again."""
        assert record.output is not None
        return [record.info(), *record.pages, record.output, record.info()]

    def _expire(self) -> None:
        """Forget jobs that ended more than keep_results ago, and kept files beyond the budget."""
        now = self.hub.clock.now()
        keep = timedelta(seconds=self.config.keep_results)
        for record in [r for r in self.jobs.values() if r.ended is not None and now - r.ended > keep]:
            del self.jobs[record.scan_job_id]
            if self._by_request.get(record.order.request_id) == record.scan_job_id:
                del self._by_request[record.order.request_id]
        total = 0
        for record in sorted(self.jobs.values(), key=lambda r: r.created, reverse=True):
            if record.output is not None:
                total += len(record.output.data)
                if total > MAX_KEPT_BYTES:
                    record.output = None

    def _power(self) -> PowerPolicy | None:
        try:
            return self.hub.runner("ups", PowerPolicy)
        except HubError:
            return None  # no UPS unit in this hub: nothing guards power
