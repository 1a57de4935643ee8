"""Printing in the hub: the job queue, one worker per printer, job events, printer status."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Literal

from hubd.clock import Clock
from hubd.device import DeviceClass
from hubd.events import EventBus
from hubd.jobs import JobQueue
from hubd.jobstore import Job, JobState
from hubd.print_worker import PrintWorker
from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(hours=1)
DEFAULT_RETRY = timedelta(hours=24)
PRINTER_CLASSES = (DeviceClass.RECEIPT_PRINTER,)
_EVENT = {
    JobState.QUEUED: "JOB_QUEUED",
    JobState.PRINTING: "JOB_PRINTING",
    JobState.HELD: "JOB_HELD",
    JobState.DONE: "JOB_DONE",
    JobState.FAILED: "JOB_FAILED",
    JobState.EXPIRED: "JOB_EXPIRED",
    JobState.CANCELLED: "JOB_CANCELLED",
}


class Printing:
    """Accepts jobs (persisted before they are acknowledged) and prints them in order."""

    def __init__(
        self,
        queue: JobQueue,
        bus: EventBus,
        clock: Clock,
        recovery: Literal["reprint", "hold"] = "reprint",
    ) -> None:
        self.queue = queue
        self.bus = bus
        self.clock = clock
        self.recovery = recovery
        self.workers: dict[str, PrintWorker] = {}
        queue.on_change = self._publish

    def _publish(self, job: Job) -> None:
        kind = "JOB_WAITING" if job.reason and not job.state.final else _EVENT[job.state]
        attrs = {"job_id": job.job_id, "state": job.state.value}
        if job.duplicate:
            attrs["duplicate"] = "true"
        self.bus.publish(kind, job.printer_id, reason=job.reason, message=job.detail, attributes=attrs)

    def start(self, printers: list[Supervisor]) -> None:
        """Recover interrupted jobs, then start a worker per printer."""
        for job in self.queue.recover(self.recovery):
            log.warning(
                "job %s was printing when the hub stopped: %s",
                job.job_id,
                "reprinting marked DUPLICATE" if job.state is JobState.QUEUED else "held",
            )
        for sup in printers:
            worker = PrintWorker(self.queue, sup, self.clock)
            self.workers[sup.id] = worker
            worker.start()

    async def stop(self) -> None:
        """Stop the workers and close the queue."""
        for worker in self.workers.values():
            await worker.stop()
        self.queue.close()

    def submit(
        self,
        printer_id: str,
        key: str,
        kind: str,
        payload: bytes,
        ttl: timedelta | None = None,
        retry_for: timedelta | None = None,
    ) -> Job:
        """Persist a job for ``printer_id`` and wake its worker."""
        deadline = self.clock.now() + (retry_for or DEFAULT_RETRY)
        job = self.queue.submit(printer_id, key, kind, payload, ttl=ttl or DEFAULT_TTL, deadline=deadline)
        if printer_id in self.workers:
            self.workers[printer_id].wake.set()
        return job

    def pending(self, printer_id: str) -> int:
        """Jobs queued or printing on a printer."""
        return len(self.queue.list(printer_id, states=[JobState.QUEUED, JobState.PRINTING], limit=10_000))
