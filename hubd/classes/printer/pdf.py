"""Documents for the document printer: received in chunks, checked, images made PDF.

``accept(chunks, directory)`` streams a document into a temporary file in ``directory`` (the
state dir) with a size cap and a SHA-256, then checks it: a PDF is taken as it is, a JPEG or PNG
is placed on an A4 page by img2pdf (lossless: JPEG data copied, PNG pixels kept; shrunk to fit
the page, never enlarged). A document that is not a PDF (bad header, no xref trailer,
truncated, damaged), needs a password or forbids printing, or is a bomb (too many or too large
pages, a stream that decompresses past a limit) is refused with INVALID_ARGUMENT naming
``document`` and nothing is kept. The result is a ``Document``: its file, size, hash and page
count.

The checks (``pdf_checks``) run pikepdf (qpdf, fuzzed upstream) in a child process under memory
and CPU limits, kept warm between documents (``pdf_checker``): a hostile file can neither exhaust
the daemon's memory nor crash it, and the daemon never holds the document in memory (only the
chunk in hand).
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import logging
import os
import tempfile
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubd.classes.printer.pdf_checks import JPEG, MB, PDF, PNG, PdfLimits
from hubd.errors import HubError, InvalidArgument, StorageFull

log = logging.getLogger(__name__)

__all__ = ["JPEG", "MB", "PDF", "PNG", "Document", "PdfLimits", "accept", "check", "receive", "sniff"]

DEFAULT_LIMITS = PdfLimits()
_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


@dataclass(frozen=True)
class Document:
    """A document accepted for printing: a PDF in the state directory."""

    path: Path
    size: int
    """Bytes of the PDF at ``path``."""
    sha256: str
    """Of the bytes received (before an image became a PDF)."""
    pages: int
    source_format: str
    """``application/pdf``, ``image/jpeg`` or ``image/png``: what the caller sent."""
    encrypted: bool = False
    """Owner-password protected but printable without a password."""


async def accept(chunks: AsyncIterable[bytes], directory: Path,
                 limits: PdfLimits = DEFAULT_LIMITS) -> Document:
    """Receive, check and (for an image) convert a document; the caller owns ``Document.path``."""
    path, _, digest = await receive(chunks, directory, limits.max_bytes)
    return await check(path, limits, sha256=digest)


async def receive(chunks: AsyncIterable[bytes], directory: Path, max_bytes: int) -> tuple[Path, int, str]:
    """Stream ``chunks`` into ``directory/…part``; (path, size, sha256). Past ``max_bytes`` the
    file is removed and INVALID_ARGUMENT (DOCUMENT_TOO_LARGE) raised; a full disk is StorageFull."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix="document-", suffix=".part")
    path, size, digest = Path(name), 0, hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidArgument("document", f"larger than the {max_bytes // MB} MB limit",
                                          reason="DOCUMENT_TOO_LARGE")
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
            await asyncio.to_thread(_sync, out)
        if size == 0:
            raise InvalidArgument("document", "is empty", reason="DOCUMENT_EMPTY")
    except OSError as err:
        path.unlink(missing_ok=True)
        if err.errno == errno.ENOSPC:
            raise StorageFull(f"no space left in {directory} for the document") from err
        raise HubError(f"cannot store the document in {directory}: {err.strerror}") from err
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest()


def _sync(out: Any) -> None:
    out.flush()
    os.fsync(out.fileno())


def sniff(head: bytes) -> str:
    """The format of a document from its first bytes; INVALID_ARGUMENT for anything else."""
    for magic, kind in _MAGIC:
        if head.startswith(magic) or (kind == PDF and magic in head[:1024]):
            return kind
    raise InvalidArgument("document", "is not a PDF, JPEG or PNG (no %PDF- header)", reason="NOT_A_PDF")


async def check(path: Path, limits: PdfLimits = DEFAULT_LIMITS, *, sha256: str = "") -> Document:
    """Check (and convert an image) in a limited child process: the Document, at ``path`` with a
    ``.pdf`` suffix. ``path`` is consumed: a refusal (INVALID_ARGUMENT, field ``document``)
    removes it and anything made from it."""
    target = path.with_suffix(".pdf")
    try:
        with path.open("rb") as handle:
            kind = sniff(handle.read(1024))
        result = await _run_checker(path, target, kind, limits)
        if kind == PDF:
            path.replace(target)
        else:
            path.unlink()
    except BaseException:
        target.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
    return Document(target, target.stat().st_size, sha256, int(result["pages"]), kind,
                    bool(result.get("encrypted")))


async def _run_checker(path: Path, target: Path, kind: str, limits: PdfLimits) -> dict[str, Any]:
    """The warm checker child's verdict on ``path`` (refusals raised)."""
    # Imported here: this module is also the child's script, which needs none of the class.
    from hubd.classes.printer.pdf_checker import CHECKER, CheckerDied

    seconds = limits.checker_cpu_seconds * 2
    try:
        verdict = await CHECKER.check(limits, kind, path, target, seconds)
    except TimeoutError:
        raise _refused("PDF_TOO_COMPLEX", f"checking it took over {seconds} s") from None
    except CheckerDied as died:
        log.warning("document checker failed on %s: %s", path, died)
        if died.returncode in (-9, -24) or "MemoryError" in died.tail:  # SIGKILL/SIGXCPU: the limits
            raise _refused("PDF_TOO_COMPLEX", "reading it needs more memory or time than allowed") from None
        raise _refused("PDF_UNREADABLE", str(died)[:200]) from None
    if "pages" in verdict:
        return verdict
    raise _refused(verdict.get("reason", "PDF_UNREADABLE"), verdict.get("message", ""))


def _refused(reason: str, message: str) -> InvalidArgument:
    return InvalidArgument("document", message, reason=reason)
