"""Printing in the hub: the job queue, one worker per printer, job events, printer status."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Literal, TypeVar

from hubd.classes.printer.queue import JobQueue
from hubd.classes.printer.records import Job, JobState
from hubd.classes.printer.worker import PrintWorker
from hubd.clock import Clock
from hubd.device import DeviceClass
from hubd.events import EventBus
from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
T = TypeVar("T")

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
        # The queue's own thread: its fsync'd commits never stall the event loop, and calls
        # (hence job events) keep the order they were made in.
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="jobs")
        self._loop: asyncio.AbstractEventLoop | None = None
        queue.on_change = self._publish

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a ``JobQueue`` method on the queue's thread and return its result."""
        self._loop = asyncio.get_running_loop()
        return await self._loop.run_in_executor(self._thread, functools.partial(fn, *args, **kwargs))

    def _publish(self, job: Job) -> None:
        """Job event for a committed change, handed to the loop's thread (the bus is not thread-safe)."""
        kind = "JOB_WAITING" if job.reason and not job.state.final else _EVENT[job.state]
        attrs = {"job_id": job.job_id, "state": job.state.value}
        if job.duplicate:
            attrs["duplicate"] = "true"
        publish = functools.partial(
            self.bus.publish, kind, job.printer_id, reason=job.reason, message=job.detail, attributes=attrs
        )
        if self._loop is None or _running_loop() is self._loop:
            publish()
        else:
            self._loop.call_soon_threadsafe(publish)

    def start(self, printers: list[Supervisor]) -> None:
        """Recover interrupted jobs, then start a worker per printer."""
        for job in self.queue.recover(self.recovery):
            log.warning(
                "job %s was printing when the hub stopped: %s",
                job.job_id,
                "reprinting marked DUPLICATE" if job.state is JobState.QUEUED else "held",
            )
        for sup in printers:
            worker = PrintWorker(self, sup, self.clock)
            self.workers[sup.id] = worker
            worker.start()

    async def stop(self) -> None:
        """Stop the workers and close the queue."""
        for worker in self.workers.values():
            await worker.stop()
        # Runs after any call a cancelled worker left in flight on the queue's thread.
        await self.call(self.queue.close)
        self._thread.shutdown()

    async def submit(
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
        job = await self.call(
            self.queue.submit, printer_id, key, kind, payload, ttl=ttl or DEFAULT_TTL, deadline=deadline
        )
        if printer_id in self.workers:
            self.workers[printer_id].wake.set()
        return job

    async def release(self, job_id: str) -> Job:
        """Queue a held job again (printed with the DUPLICATE banner) and wake its worker."""
        job = await self.call(self.queue.release, job_id)
        if job.printer_id in self.workers:
            self.workers[job.printer_id].wake.set()
        return job

    async def pending(self, printer_id: str) -> int:
        """Jobs queued or printing on a printer."""
        return await self.call(self.queue.count, printer_id, states=[JobState.QUEUED, JobState.PRINTING])


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
