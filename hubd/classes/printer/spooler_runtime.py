"""The spooler's machinery: the job queue's thread, a worker per printer, job events, retention.

Every ``JobQueue`` call runs on the queue's own thread (its fsync'd commits never stall the event
loop, and calls — hence job events — keep the order they were made in). Every background task (a
worker per printer, the retention purge) is supervised: a failure is logged once, shown on the
printer (UNAVAILABLE with the reason, e.g. STORAGE_FULL) and retried with backoff. What the
servicer calls is added by ``hubd.classes.printer.spooler.Spooler``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from hubd.classes.printer.document_jobs import DocumentStore
from hubd.classes.printer.document_printer import DocumentPrinterDevice
from hubd.classes.printer.document_worker import DocumentWorker
from hubd.classes.printer.pdf_checker import CHECKER
from hubd.classes.printer.queue import JobQueue
from hubd.classes.printer.records import Job, JobState
from hubd.classes.printer.worker import PrintWorker
from hubd.classes.printer.worker_base import QueueWorker
from hubd.clock import Clock
from hubd.errors import HubError
from hubd.events import EventBus
from hubd.supervisor import Supervisor
from hubd.tasks import TaskHealth, recovered, supervise

if TYPE_CHECKING:
    from pathlib import Path

    from hubd.classes.printer.spooler import PrintingConfig

log = logging.getLogger(__name__)
T = TypeVar("T")

PURGE_EVERY = 3600.0
_EVENT = {
    JobState.QUEUED: "JOB_QUEUED",
    JobState.PRINTING: "JOB_PRINTING",
    JobState.HELD: "JOB_HELD",
    JobState.DONE: "JOB_SUCCEEDED",
    JobState.FAILED: "JOB_FAILED",
    JobState.EXPIRED: "JOB_EXPIRED",
    JobState.CANCELLED: "JOB_CANCELLED",
}
_PENDING = (JobState.QUEUED, JobState.PRINTING)


class SpoolerRuntime:
    """The queue's thread, the supervised workers, job events and retention (``Spooler`` adds
    what the servicer calls)."""

    def __init__(self, state_dir: Path, bus: EventBus, clock: Clock, config: PrintingConfig) -> None:
        self.state_dir = state_dir
        self.bus = bus
        self.clock = clock
        self.config = config
        self.workers: dict[str, PrintWorker | DocumentWorker] = {}
        self.documents = DocumentStore(state_dir, config.pdf_limits)
        self.printers: dict[str, Supervisor] = {}
        self._queue: JobQueue | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="jobs")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: dict[str, set[str]] = {}

    # -- life ----------------------------------------------------------------------------------

    @property
    def queue(self) -> JobQueue:
        """The job database (opened on first use: a hub with no printer never touches it)."""
        if self._queue is None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self._queue = JobQueue(self.state_dir, self.clock, on_change=self._publish)
        return self._queue

    async def start(self, printers: list[Supervisor]) -> None:
        """Recover interrupted jobs, count pending ones, start a worker per printer and the purge."""
        if not printers:
            return
        self._loop = asyncio.get_running_loop()
        for job in await self.call(self.queue.recover, self.config.recovery):
            log.warning(
                "job %s was printing when the hub stopped: %s",
                job.job_id,
                "reprinting marked DUPLICATE" if job.state is JobState.QUEUED else "held",
            )
        for job in await self.call(self.queue.list, None, _PENDING, 1_000_000):
            self._pending.setdefault(job.printer_id, set()).add(job.job_id)
        await self.sweep_documents(older_than=0.0)  # nothing is arriving yet
        for sup in printers:
            kind = DocumentWorker if isinstance(sup.device, DocumentPrinterDevice) else PrintWorker
            worker = kind(self, sup, self.clock)
            self.workers[sup.id] = worker
            self.printers[sup.id] = sup
            report = functools.partial(self._worker_health, sup)
            run = functools.partial(self._run_worker, worker)
            task, worker.health = supervise(f"print-worker:{sup.id}", run, self.clock, on_change=report)
            self._tasks.append(task)
        purge, _ = supervise("print-retention", self._purge_forever, self.clock)
        self._tasks.append(purge)

    async def stop(self) -> None:
        """Stop the workers (a job being printed stays ``printing`` and is recovered at the next
        start) and the purge, then close the queue."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for worker in self.workers.values():
            await worker.abort()
        if self._queue is not None:
            # Runs after any call a cancelled worker left in flight on the queue's thread.
            await self.call(self._queue.close)
        self._thread.shutdown()
        await asyncio.to_thread(CHECKER.stop)

    async def _run_worker(self, worker: QueueWorker) -> None:
        """One life of a worker. After a failure (its supervisor restarts it) a job it left
        printing is recovered as after a crash: reprinted marked DUPLICATE, or held."""
        if worker.health.failures:
            for job in await self.call(self.queue.recover, self.config.recovery, worker.sup.id):
                log.warning("job %s was printing when its worker failed: recovered as duplicate", job.job_id)
        await worker.run()

    def _worker_health(self, sup: Supervisor, health: TaskHealth) -> None:
        """Show a failing worker on its printer (and clear it when it works again)."""
        if health.reason:
            sup.set_fault(health.reason, f"print worker stopped: {health.detail}; retrying")
        else:
            sup.clear_fault()

    def failing(self, worker: QueueWorker, err: HubError) -> None:
        """A worker is retrying something that must happen (a commit on a full disk): shown on its
        printer meanwhile."""
        if (worker.health.reason, worker.health.detail) != (err.reason, err.message):
            worker.health.reason, worker.health.detail = err.reason, err.message
            self._worker_health(worker.sup, worker.health)

    def worked(self, worker: QueueWorker) -> None:
        """A worker made progress: a failure it reported is over."""
        recovered(worker.health, functools.partial(self._worker_health, worker.sup))

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a ``JobQueue`` method on the queue's thread and return its result."""
        self._loop = asyncio.get_running_loop()
        return await self._loop.run_in_executor(self._thread, functools.partial(fn, *args, **kwargs))

    def _publish(self, job: Job) -> None:
        """Job event for a committed change, handed to the loop's thread (the bus is not thread-safe)."""
        if self._loop is None or _running_loop() is self._loop:
            self._on_job(job)
        else:
            self._loop.call_soon_threadsafe(self._on_job, job)

    def _on_job(self, job: Job) -> None:
        pending = self._pending.setdefault(job.printer_id, set())
        if job.state in _PENDING:
            pending.add(job.job_id)
        else:
            pending.discard(job.job_id)
        kind = "JOB_WAITING" if job.reason and not job.state.final else _EVENT[job.state]
        attrs = {"state": job.state.value} | ({"duplicate": "true"} if job.duplicate else {})
        self.bus.publish(
            kind, job.printer_id, reason=job.reason, message=job.detail, attributes=attrs, payload=job
        )

    def pending(self, printer_id: str) -> int:
        """Jobs queued or printing on a printer (kept in memory from the job events)."""
        return len(self._pending.get(printer_id, ()))

    # -- retention -----------------------------------------------------------------------------

    async def _purge_forever(self) -> None:
        """Drop finished jobs' payloads after ``keep_payload`` and their rows after ``keep_jobs``."""
        while True:
            await self.purge()
            await self.clock.sleep(PURGE_EVERY)

    async def purge(self) -> tuple[int, int, int]:
        """One retention pass: (payloads dropped, their bytes, job rows deleted)."""
        now = self.clock.now()
        payloads, size = await self.call(
            self.queue.drop_payloads, now - timedelta(seconds=self.config.keep_payload)
        )
        rows = await self.call(self.queue.purge, now - timedelta(seconds=self.config.keep_jobs))
        await self.sweep_documents()
        if payloads or rows:
            log.info(
                "print retention: dropped %d finished jobs' payloads (%d bytes), deleted %d jobs",
                payloads,
                size,
                rows,
            )
        return payloads, size, rows

    async def sweep_documents(self, older_than: float | None = None) -> int:
        """Remove document files no kept job needs (see ``DocumentStore.sweep``)."""
        needed = await self.call(self.queue.document_hashes)
        extra = {} if older_than is None else {"older_than": older_than}
        return await asyncio.to_thread(self.documents.sweep, needed, **extra)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
