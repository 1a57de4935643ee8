"""The print spooler: the printer class's runner, with the ``[printing]`` settings.

Its async methods are what the servicer calls (submitting receipts and documents, reading,
cancelling and releasing jobs); the job queue's thread, the supervised worker per printer, job
events and retention are ``spooler_runtime.SpoolerRuntime``'s.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hubd.classes.printer import pdf
from hubd.classes.printer.document_jobs import DocumentJob
from hubd.classes.printer.document_worker import DocumentWorker
from hubd.classes.printer.records import Job, JobState
from hubd.classes.printer.spooler_runtime import SpoolerRuntime
from hubd.config import HubConfig

if TYPE_CHECKING:
    from collections.abc import AsyncIterable

    from hubd.app import Hub

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(hours=1)
DEFAULT_RETRY = timedelta(hours=24)
MAX_WINDOW = timedelta(days=7)


def zone(name: str) -> tzinfo:
    """An IANA time zone; Asia/Kolkata works even on a PC without the zone database."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Asia/Kolkata":
            return timezone(timedelta(hours=5, minutes=30), "IST")
        raise


@dataclass(frozen=True)
class PrintingConfig:
    """``[printing]``: crash recovery, the receipts' time zone, how long finished jobs are kept,
    the document size cap and whether a paused document-printer queue is re-enabled."""

    recovery: Literal["reprint", "hold"] = "reprint"
    timezone: str = "Asia/Kolkata"
    keep_payload: float = 86400.0
    keep_jobs: float = 30 * 86400.0
    max_document_mb: int = 50
    resume_paused: bool = True

    @property
    def zone(self) -> tzinfo:
        """The zone receipt times are printed in (a kiosk PC's own clock zone is often UTC)."""
        return zone(self.timezone)

    @classmethod
    def from_config(cls, config: HubConfig) -> PrintingConfig:
        """The ``[printing]`` section, checked."""
        s = config.section("printing")
        return cls(
            s["recovery"], s["timezone"], float(s["keep_payload"]), float(s["keep_jobs"]),
            int(s["max_document_mb"]), bool(s["resume_paused"]),
        )

    @property
    def pdf_limits(self) -> pdf.PdfLimits:
        """What a document may be (its size from ``max_document_mb``)."""
        return pdf.PdfLimits(max_bytes=self.max_document_mb * pdf.MB)


def runner(hub: Hub) -> Spooler:
    """The printer class's runner."""
    return Spooler(hub.state_dir, hub.bus, hub.clock, PrintingConfig.from_config(hub.config))


class Spooler(SpoolerRuntime):
    """Accepts jobs (persisted before they are acknowledged) and prints them in order."""

    # -- what the servicer calls -------------------------------------------------------------------

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
        self._wake(job.printer_id)
        return job

    async def submit_receipt(self, printer_id: str, key: str, fields: dict[str, Any]) -> Job:
        """Check receipt fields (those of ``hubd.render.model.Receipt``; errors name
        ``receipt.<field>``) and persist them as a receipt job (another class's receipts)."""
        from hubd.classes.printer.documents import receipt_payload

        issued = fields.get("issued_at")
        if issued is not None and issued.tzinfo is not None:  # printed in the kiosk's zone
            fields = {**fields, "issued_at": issued.astimezone(self.config.zone)}
        return await self.submit(printer_id, key, "receipt", receipt_payload(fields, self.config.zone))

    async def accept_document(self, chunks: AsyncIterable[bytes]) -> pdf.Document:
        """Receive and check a document into the store (refusals: INVALID_ARGUMENT ``document``)."""
        return await self.documents.accept(chunks)

    async def submit_document(
        self,
        printer_id: str,
        key: str,
        document: pdf.Document,
        job: DocumentJob,
        ttl: timedelta | None = None,
        retry_for: timedelta | None = None,
    ) -> Job:
        """Persist a document job (its file is already in the store) and wake its worker."""
        deadline = self.clock.now() + (retry_for or DEFAULT_RETRY)
        committed = await self.call(
            self.queue.submit, printer_id, key, "document", job.payload(), ttl=ttl or DEFAULT_TTL,
            deadline=deadline, pages=document.pages, document_size=document.size,
        )
        self._wake(committed.printer_id)
        return committed

    async def get(self, job_id: str) -> Job:
        """One job (NOT_FOUND PRINT_JOB_NOT_FOUND)."""
        return await self.call(self.queue.get, job_id)

    async def page(
        self, printer_id: str | None, states: Iterable[JobState] | None, size: int, before: int | None
    ) -> tuple[builtins.list[Job], int | None]:
        """Jobs newest first, ``size`` at most, older than queue position ``before``; and the
        position to continue from (None at the end)."""
        return await self.call(self.queue.page, printer_id, states, size, before)

    async def cancel(self, job_id: str) -> Job:
        """Cancel a job not yet printing (a document job also while its printer has it)."""
        job = await self.get(job_id)
        worker = self.workers.get(job.printer_id)
        if job.state is JobState.PRINTING and isinstance(worker, DocumentWorker):
            return await worker.cancel(job)
        return await self.call(self.queue.cancel, job_id)

    async def resume(self, job_id: str) -> Job:
        """Queue a held job again (printed with the DUPLICATE banner) and wake its worker."""
        job = await self.call(self.queue.release, job_id)
        self._wake(job.printer_id)
        return job

    def _wake(self, printer_id: str) -> None:
        if printer_id in self.workers:
            self.workers[printer_id].wake.set()
