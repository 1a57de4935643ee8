"""One worker per printer: take the oldest job, print it, record the outcome — and lose nothing.

The job is claimed (committed ``printing``) before the first byte leaves. If the printer stops
taking bytes (paper out, offline) the job stays ``printing`` with the reason shown and the rest of
its bytes stay queued on the open link, so loading paper finishes it without sending anything
twice. After the last byte the job stays ``printing`` until the driver confirms it
(``PrinterDevice.confirm_job``: every byte acknowledged and, where the printer can tell, finished
with them), showing UNCONFIRMED or the printer's reason meanwhile; it is ``done`` with how it was
confirmed, and only then does the next job start. If the link drops or the printer loses the job
it goes back to the queue marked duplicate (part of it may be on paper already) and is reprinted
with the banner when the printer is back. A job that cannot start because the printer said it
cannot print waits queued with that reason.

A job store that cannot write (disk full) leaves the job ``printing`` while the commit is
retried (``QueueWorker._commit``); a crash meanwhile reprints it marked DUPLICATE.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, TypeVar

from hubd.classes.printer.contract import UNCONFIRMED, Confirmation, Delivery, PrinterDevice, PrinterStatus
from hubd.classes.printer.documents import build_program
from hubd.classes.printer.records import Job
from hubd.classes.printer.worker_base import RETRY_MAX, RETRY_MIN, QueueWorker
from hubd.clock import Clock
from hubd.crash import crash_point
from hubd.errors import DeviceUnavailable, HubError, TransportError, TransportTimeout
from hubd.supervisor import Supervisor

if TYPE_CHECKING:
    from hubd.classes.printer.spooler_runtime import SpoolerRuntime

log = logging.getLogger(__name__)
T = TypeVar("T")

# The first chunk is small (it soon shows whether the printer takes bytes at all); later ones are
# larger, so a receipt is a few writes rather than dozens. A stall is timed per wait for progress,
# not per chunk, so a slow serial line does not look stalled because a chunk is big.
FIRST_CHUNK, CHUNK = 512, 8192
STALL_TIMEOUT = 2.0
CONFIRM_FIRST, CONFIRM_MAX = 0.002, 0.5
"""Seconds between looks at an unconfirmed job: quick at first (most confirm at once), then calmer."""
CONFIRM_LIMIT = 10.0
"""A backstop on one ``confirm_job`` look (drivers bound their own reads well below it)."""
# Failures that mean no byte of the job can have reached the printer (no banner needed on retry).
NEVER_CONNECTED = frozenset(
    {"CONNECTION_REFUSED", "NO_SUCH_DEVICE", "PERMISSION_DENIED", "HOST_UNREACHABLE", "DEVICE_BUSY",
     "QUEUE_NOT_ACCEPTING"}
)


class PrintWorker(QueueWorker):
    """Prints one receipt printer's queue in order."""

    def __init__(self, printing: SpoolerRuntime, sup: Supervisor, clock: Clock) -> None:
        super().__init__(printing, sup, clock)
        assert isinstance(sup.device, PrinterDevice)
        self.device: PrinterDevice = sup.device
        self._retry = RETRY_MIN
        self._accepted = 0

    async def run(self) -> None:
        """Forever: print the next job, or wait for one (or for the printer to come back)."""
        while True:
            blocked = self._blocked()
            if blocked is not None:
                why, detail = blocked.why_blocked, blocked.detail
                await self._show(self.queue.mark_printer_waiting, self.sup.id, why, detail)
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
        """Drop the job in flight's queued bytes and close the link."""
        await self.device.abort_job()

    def _blocked(self) -> PrinterStatus | None:
        """The last observed status if it says the printer cannot print now."""
        reading = self.sup.reading
        if isinstance(reading, PrinterStatus) and reading.blocks_printing:
            return reading
        return None

    async def print(self, job: Job) -> bool:
        """Print one claimed job; True when it is done."""
        try:
            data = await asyncio.to_thread(self._encode, job)
        except HubError as err:
            await self._commit(self.queue.mark_failed, job.job_id, err.reason, err.message)
            return True
        self._accepted = 0
        try:
            await self.device.start_job()
            await self._send(job, data)
            await self.device.end_job()
            confirmation = await self._until_confirmed(job)
        except DeviceUnavailable as err:  # the link dropped or refused, the printer lost the job
            await self.device.abort_job()
            partial = self._accepted > 0 or err.reason not in NEVER_CONNECTED
            await self._commit(self.queue.mark_waiting, job.job_id, err.reason, str(err), partial=partial)
            return False
        crash_point("after_send_before_done")
        await self._commit(self.queue.mark_done, job.job_id, confirmation)
        return True

    def _encode(self, job: Job) -> bytes:
        return self.device.encode(build_program(job, self.device.geometry()))

    async def _send(self, job: Job, data: bytes) -> None:
        """Send in chunks; ride out stalls while the job's deadline allows."""
        for offset in (0, *range(FIRST_CHUNK, len(data), CHUNK)):
            if offset == FIRST_CHUNK:
                crash_point("mid_send")
            end = FIRST_CHUNK if offset == 0 else offset + CHUNK
            try:
                await self.device.send(data[offset:end], STALL_TIMEOUT)
            except TransportTimeout:
                self._accepted += 1
                await self._ride_out_stall(job)
            else:
                self._accepted += 1
        with contextlib.suppress(TransportTimeout):
            await self.device.flush(STALL_TIMEOUT)
            return
        await self._ride_out_stall(job)

    async def _ride_out_stall(self, job: Job) -> None:
        """The printer stopped taking bytes: show why, keep the rest queued, resume when it moves."""
        while True:
            reason, detail = await self._why_stalled()
            await self._show(self.queue.mark_stalled, job.job_id, reason, detail)
            if job.deadline is not None and self.clock.now() >= job.deadline:
                raise TransportError(f"gave up: {detail}", reason="DEADLINE_EXCEEDED")
            try:
                await self.device.flush(STALL_TIMEOUT)
            except TransportTimeout:
                continue
            await self._show(self.queue.mark_stalled, job.job_id, "")
            return

    async def _until_confirmed(self, job: Job) -> Confirmation:
        """After the last byte: ask the driver until it confirms the job; meanwhile the job stays
        ``printing`` showing why (UNCONFIRMED, PAPER_OUT...). Past the job's deadline it fails."""
        shown = ("", "")
        delay = CONFIRM_FIRST
        while True:
            try:
                delivery = await asyncio.wait_for(self.device.confirm_job(), CONFIRM_LIMIT)
            except TimeoutError:
                delivery = Delivery.waiting(UNCONFIRMED, f"the printer gave no answer in {CONFIRM_LIMIT:g} s")
            if delivery.status is not None:
                self.sup.observe(delivery.status)
            if delivery.confirmation is not None:
                if shown[0]:
                    await self._show(self.queue.mark_stalled, job.job_id, "")
                return delivery.confirmation
            why = (delivery.reason or UNCONFIRMED, delivery.detail)
            if why != shown:
                await self._show(self.queue.mark_stalled, job.job_id, *why)
                shown = why
            if job.deadline is not None and self.clock.now() >= job.deadline:
                raise TransportError(f"sent in full but never confirmed by the printer ({why[0]}: "
                                     f"{why[1]}); it may have printed", reason="DEADLINE_EXCEEDED")
            await self._idle(delay)
            delay = min(CONFIRM_MAX, delay * 2)

    async def _read_status(self) -> PrinterStatus:
        """Ask the printer now; what it says is also the device's latest observed status."""
        status = await asyncio.wait_for(self.device.read_status(), STALL_TIMEOUT)
        self.sup.observe(status)
        return status

    async def _why_stalled(self) -> tuple[str, str]:
        """Ask the printer (if it can tell) why it is not taking bytes."""
        try:
            status = await self._read_status()
        except (HubError, TimeoutError):
            status = None
        if status is not None and status.blocks_printing:
            return status.why_blocked, status.detail or "the printer reports it cannot print"
        return "PRINTER_NOT_ACCEPTING", "the printer stopped taking data (paper? cover? offline?)"
