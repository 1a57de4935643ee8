"""Document jobs: their files on disk and what the job row says about them.

A document is written to ``<state>/documents/<sha256>.pdf`` (named by the SHA-256 of the bytes
received, fsynced with its directory) before the job that prints it is committed, so a committed
job always has its file. The job's payload is JSON: the file's hash, what was sent (PDF, JPEG,
PNG), the title and the print options. The same document sent again under a new request id
shares the file. Files no kept job needs (its payload dropped by retention, or never committed
after a crash) are swept; a file still arriving (``incoming/``) is left alone for an hour.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hubd.classes.printer import pdf
from hubd.classes.printer.document_printer import Orientation, PrintOptions, Sides
from hubd.classes.printer.records import Job
from hubd.errors import InvalidArgument

log = logging.getLogger(__name__)

STALE_AFTER = 3600.0
"""Seconds after which an unreferenced document file (or a partial upload) is removed."""


@dataclass(frozen=True)
class DocumentJob:
    """What a document job prints: the file (by hash), its format and title, and the options."""

    sha256: str
    source_format: str
    title: str
    options: PrintOptions

    def payload(self) -> bytes:
        """The job's payload (JSON, stable key order: the same request gives the same bytes)."""
        o = self.options
        data = {
            "document": self.sha256, "format": self.source_format, "title": self.title,
            "options": {
                "copies": o.copies, "sides": o.sides.value, "orientation": o.orientation.value,
                "page_ranges": [list(r) for r in o.page_ranges], "fit_to_page": o.fit_to_page,
                "media": o.media,
            },
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def of(cls, job: Job) -> DocumentJob:
        """Decode a document job's payload (InvalidArgument when it is not one, or was dropped)."""
        if job.kind != "document" or not job.payload:
            raise InvalidArgument("payload", f"job {job.job_id} has no document (kind {job.kind})")
        data: dict[str, Any] = json.loads(job.payload)
        o = data["options"]
        options = PrintOptions(
            copies=int(o["copies"]), sides=Sides(o["sides"]), orientation=Orientation(o["orientation"]),
            page_ranges=tuple((int(a), int(b)) for a, b in o["page_ranges"]),
            fit_to_page=bool(o["fit_to_page"]), media=str(o["media"]), title=str(data["title"]),
            key=job.job_id,
        )
        return cls(str(data["document"]), str(data["format"]), str(data["title"]), options)


class DocumentStore:
    """The document files of the printer class, under ``<state>/documents``."""

    def __init__(self, state_dir: Path, limits: pdf.PdfLimits) -> None:
        self.root = state_dir / "documents"
        self.incoming = self.root / "incoming"
        self.limits = limits

    async def accept(self, chunks: AsyncIterable[bytes]) -> pdf.Document:
        """Receive and check a document; it is in the store (durably) when this returns."""
        doc = await pdf.accept(chunks, self.incoming, self.limits)
        final = self.path(doc.sha256)
        os.replace(doc.path, final)
        _fsync_dir(self.root)
        return replace(doc, path=final)

    def path(self, sha256: str) -> Path:
        """Where the document with this hash is kept."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise InvalidArgument("document", f"not a document hash: {sha256[:70]!r}")
        return self.root / f"{sha256}.pdf"

    def sweep(self, needed: Iterable[str], *, older_than: float = STALE_AFTER) -> int:
        """Remove files no job needs (and partial uploads) last changed ``older_than`` s ago."""
        keep = {f"{sha}.pdf" for sha in needed}
        cutoff = time.time() - older_than
        removed = 0
        for folder in (self.root, self.incoming):
            for entry in folder.glob("*") if folder.is_dir() else ():
                if entry.is_file() and entry.name not in keep and entry.stat().st_mtime <= cutoff:
                    entry.unlink(missing_ok=True)
                    removed += 1
        if removed:
            log.info("documents: removed %d files no job needs", removed)
        return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
