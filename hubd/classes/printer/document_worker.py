"""One worker per document printer: hand the oldest job to the printer, follow it to the end.

The job is claimed (committed ``printing``) before it is sent. IPP Print-Job carries the
attributes and the PDF in one request, and a spooler creates the job only once it has all of
it; the printer's job id is committed (``remote_id``) as soon as it answers. Then the job is
followed with Get-Job-Attributes until the printer says completed (done), canceled or aborted;
while it waits its reason is the printer's (PAPER_OUT, PRINTER_OFFLINE, PAUSED...).

After a crash (or a send whose answer was lost) nothing is sent twice blindly: a job with a
``remote_id`` is followed; one without is looked up in the printer's job list by its job id
(``find_job``: the job name carries it) and adopted if found, else sent. A printer that no longer
knows a job it had (it restarted) may have printed it: the job is sent again with a DUPLICATE /
प्रतिलिपि stamp on every page, as a reprinted receipt has its banner.

A stopped or rejecting queue is re-enabled when ``[printing] resume_paused`` is on (an event
PRINTER_RESUMED says so); otherwise jobs wait showing PAUSED or QUEUE_NOT_ACCEPTING.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hubd.classes.printer.contract import (
    PAUSED,
    QUEUE_NOT_ACCEPTING,
    Confirmation,
    DocumentPrinterDevice,
    DocumentPrinterStatus,
    RemoteJob,
    RemoteJobState,
)
from hubd.classes.printer.document_jobs import DocumentJob
from hubd.classes.printer.records import Job
from hubd.classes.printer.stamp import stamp_duplicate
from hubd.classes.printer.worker_base import RETRY_MAX, RETRY_MIN, QueueWorker
from hubd.clock import Clock
from hubd.crash import crash_point
from hubd.device import StatusSource
from hubd.errors import FailedPrecondition, HubError, InvalidArgument, NotFound
from hubd.supervisor import Supervisor

if TYPE_CHECKING:
    from hubd.classes.printer.spooler_runtime import SpoolerRuntime

log = logging.getLogger(__name__)

FOLLOW_FIRST, FOLLOW_MAX = 0.05, 2.0
"""Seconds between looks at a job the printer has: quick at first, then calmer."""
RESUME_EVERY = 60.0
"""Seconds between attempts to re-enable a queue that stays paused."""
READ_CHUNK = 256 * 1024
_RESUMABLE = (PAUSED, "PRINTER_STOPPED", QUEUE_NOT_ACCEPTING)


class DocumentWorker(QueueWorker):
    """Prints one document printer's queue in order."""

    def __init__(self, printing: SpoolerRuntime, sup: Supervisor, clock: Clock) -> None:
        super().__init__(printing, sup, clock)
        assert isinstance(sup.device, DocumentPrinterDevice)
        self.device: DocumentPrinterDevice = sup.device
        self._retry = RETRY_MIN
        self._resumed_at: float | None = None

    async def run(self) -> None:
        """Forever: print the next job, or wait for one (or for the printer to come back)."""
        while True:
            why = await self._blocked()
            if why:
                await self._show(self.queue.mark_printer_waiting, self.sup.id, *why)
                await self._idle(RETRY_MAX)
                continue
            job = await self._commit(self.queue.claim_next, self.sup.id)
            if job is None:
                await self._idle(RETRY_MAX)
                continue
            if await self.print(job):
                self._retry = RETRY_MIN
            else:
                await self._idle(self._retry)
                self._retry = min(RETRY_MAX, self._retry * 2)

    async def abort(self) -> None:
        """Close the connection (the printer keeps a job it has; it is followed after restart)."""
        await self.device.close()

    async def _blocked(self) -> tuple[str, str] | None:
        """(reason, detail) when the last observed status says the printer cannot print now;
        a paused or rejecting queue is first re-enabled if the policy says so."""
        reading = self.sup.reading
        if not isinstance(reading, DocumentPrinterStatus) or not reading.why_blocked:
            return None
        if reading.why_blocked in _RESUMABLE and self.printing.config.resume_paused:
            reading = await self._resume(reading)
        why = reading.why_blocked
        return (why, reading.describe()) if why else None

    async def _resume(self, reading: DocumentPrinterStatus) -> DocumentPrinterStatus:
        now = self.clock.monotonic()
        if self._resumed_at is not None and now - self._resumed_at < RESUME_EVERY:
            return reading
        self._resumed_at = now
        try:
            after = await self.device.resume()
        except HubError as err:
            log.warning("%s: could not re-enable the queue (%s): %s", self.sup.id, err.reason, err.message)
            return reading
        self.sup.observe(after)
        log.warning("%s: re-enabled the queue ([printing] resume_paused); it was %s", self.sup.id,
                    reading.describe())
        self.printing.bus.publish("PRINTER_RESUMED", self.sup.id, reason=reading.why_blocked,
                                  message=f"was {reading.describe()}")
        return after

    async def print(self, job: Job) -> bool:
        """Send (or find) one claimed job and follow it; True when it ended."""
        try:
            remote_id = job.remote_id
            if not remote_id and job.attempts > 1:
                remote_id, job = await self._find(job)
            remote_id = remote_id or await self._send(job)
        except InvalidArgument as err:  # the printer cannot honour an option, or no document
            reason = "DOCUMENT_REFUSED" if err.reason == InvalidArgument.default_reason else err.reason
            await self._commit(self.queue.mark_failed, job.job_id, reason, err.message)
            return True
        except HubError as err:  # unreachable, not accepting, a protocol error: try again later
            reason = err.reason or "PRINTER_ERROR"
            await self._commit(self.queue.mark_waiting, job.job_id, reason, err.message)
            return False
        return await self._follow(job, remote_id)

    async def _find(self, job: Job) -> tuple[str, Job]:
        """A job claimed before (a crash, or an answer lost) may have reached the printer: its
        remote id if the printer has all of it; else ("", the job to send again). A printer keeps
        (and may print) a document cut short by a crash mid-send, so a job found without proof it
        is whole (``job-k-octets`` at least the file's size) is cancelled there and sent again,
        marked DUPLICATE when part of it may be on paper."""
        found = await self.device.find_job(job.job_id)
        if found is None:
            return "", job
        need_k = -(-job.document_size // 1024)
        if found.k_octets is not None and found.k_octets >= need_k:
            log.warning("%s: job %s was already at the printer as %s: following it", self.sup.id, job.job_id,
                        found.remote_id)
            return (await self._commit(self.queue.mark_sent, job.job_id, found.remote_id)).remote_id, job
        if not found.state.done:
            found = await self.device.cancel(found.remote_id)
        printed = found.state not in (RemoteJobState.PENDING, RemoteJobState.HELD, RemoteJobState.CANCELED)
        printed = printed or bool(found.pages_completed)
        log.warning("%s: job %s was at the printer as %s (%s, %s of %d KB): it may be cut short; sending it "
                    "again%s", self.sup.id, job.job_id, found.remote_id, found.state.value,
                    "?" if found.k_octets is None else found.k_octets, need_k, " marked DUPLICATE" * printed)
        if printed and not job.duplicate:
            job = await self._commit(self.queue.mark_duplicate, job.job_id)
        return "", job

    async def _send(self, job: Job) -> str:
        doc = DocumentJob.of(job)
        path = self.printing.documents.path(doc.sha256)
        if not path.exists():
            raise InvalidArgument("document", f"the file of job {job.job_id} is gone ({path.name})",
                                  reason="DOCUMENT_MISSING")
        if job.duplicate:
            stamped = self.printing.documents.incoming / f"{job.job_id}-duplicate.pdf"
            path = await asyncio.to_thread(stamp_duplicate, path, stamped)
        try:
            remote_id = await self.device.submit(_chunks(path), doc.options)
        finally:
            if job.duplicate:
                path.unlink(missing_ok=True)
        await self._commit(self.queue.mark_sent, job.job_id, remote_id)
        return remote_id

    async def _follow(self, job: Job, remote_id: str) -> bool:
        """Ask the printer about the job until it ends; True when it did here."""
        shown, delay = ("", ""), FOLLOW_FIRST
        while True:
            try:
                remote = await self.device.job_state(remote_id)
            except NotFound as err:
                await self._commit(self.queue.mark_lost, job.job_id, "JOB_LOST",
                                   f"{err.message}; printing it again marked DUPLICATE")
                return False
            except HubError as err:
                why = (err.reason or "UNCONFIRMED", err.message)
            else:
                if remote.state.done:
                    return await self._ended(job, remote)
                why = await self._blocked() or self._why_waiting(remote)  # (re-enables a paused queue)
            if why != shown:
                await self._show(self.queue.mark_stalled, job.job_id, *why)
                shown = why
            if job.deadline is not None and self.clock.now() >= job.deadline:
                with contextlib.suppress(HubError):
                    await self.device.cancel(remote_id)
                await self._end(self.queue.mark_failed, job.job_id, "DEADLINE_EXCEEDED",
                                f"the printer did not finish it in time ({why[0] or 'printing'}); cancelled")
                return True
            await self._idle(delay)
            delay = min(FOLLOW_MAX, delay * 2)

    def _why_waiting(self, remote: RemoteJob) -> tuple[str, str]:
        """Why a job the printer has is not moving ("" while it prints)."""
        reading = self.sup.reading
        if isinstance(reading, DocumentPrinterStatus) and reading.why_blocked:
            return reading.why_blocked, reading.describe()
        if remote.state is RemoteJobState.HELD:
            return "HELD_AT_PRINTER", remote.message or ", ".join(remote.reasons)
        if remote.state is RemoteJobState.STOPPED:
            return "PRINTER_STOPPED", remote.message or ", ".join(remote.reasons)
        return "", ""

    async def _ended(self, job: Job, remote: RemoteJob) -> bool:
        pages = "" if remote.pages_completed is None else f" ({remote.pages_completed} impressions)"
        if remote.state is RemoteJobState.COMPLETED:
            spooled = self.device.status_source is StatusSource.SPOOLER
            how = Confirmation.SPOOLER if spooled else Confirmation.PRINTER
            crash_point("after_send_before_done")
            await self._end(self.queue.mark_done, job.job_id, how)
        elif remote.state is RemoteJobState.CANCELED:
            await self._end(self.queue.mark_cancelled, job.job_id, "CANCELLED",
                            f"cancelled at the printer{pages}")
        else:
            await self._end(self.queue.mark_failed, job.job_id, "PRINTER_ABORTED",
                            (remote.message or "the printer aborted the job") + pages)
        return True

    async def _end(self, fn: Callable[..., Job], *args: object) -> None:
        """A final transition; a job that already ended (cancelled by a client) stays as it is."""
        try:
            await self._commit(fn, *args)
        except FailedPrecondition as err:
            if err.reason != "JOB_STATE":
                raise

    async def cancel(self, job: Job) -> Job:
        """Cancel a job its printer has (a client asked): the printer first, then the record."""
        if not job.remote_id:
            raise FailedPrecondition(
                f"job {job.job_id} is being sent to {self.sup.id}; cancel it in a moment",
                reason="JOB_STATE", metadata={"jobId": job.job_id, "state": "printing"},
            )
        remote = await self.device.cancel(job.remote_id)
        if remote.state is RemoteJobState.COMPLETED:
            raise FailedPrecondition(f"job {job.job_id} has already printed", reason="JOB_STATE",
                                     metadata={"jobId": job.job_id, "state": "printing"})
        self.wake.set()
        return await self._commit(self.queue.mark_cancelled, job.job_id, "CANCELLED",
                                  f"cancelled; the printer's job {remote.remote_id} is {remote.state.value}")


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    """The file in chunks (never whole in memory); the ``mid_send`` crash point after the first."""
    with path.open("rb") as handle:
        first = True
        while chunk := await asyncio.to_thread(handle.read, READ_CHUNK):
            yield chunk
            if first:
                crash_point("mid_send")
                first = False
