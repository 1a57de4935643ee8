"""Documents for the document printer: received in chunks, checked, images made PDF.

``accept(chunks, directory)`` streams a document into a temporary file in ``directory`` (the
state dir) with a size cap and a SHA-256, then checks it: a PDF is taken as it is, a JPEG or PNG
is placed on an A4 page by img2pdf (lossless: JPEG data copied, PNG pixels kept; shrunk to fit
the page, never enlarged). A document that is not a PDF (bad header, no xref trailer,
truncated, damaged), needs a password or forbids printing, or is a bomb (too many or too large
pages, a stream that decompresses past a limit) is refused with INVALID_ARGUMENT naming
``document`` and nothing is kept. The result is a ``Document``: its file, size, hash and page
count.

The checks run pikepdf (qpdf, fuzzed upstream) in a child process under memory and CPU limits,
kept warm between documents (``pdf_checker``): a hostile file can neither exhaust the daemon's
memory nor crash it, and the daemon never holds the document in memory (only the chunk in hand).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import json
import logging
import os
import sys
import tempfile
import zlib
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubd.errors import HubError, InvalidArgument, StorageFull

log = logging.getLogger(__name__)

MB = 1024 * 1024
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}


@dataclass(frozen=True)
class PdfLimits:
    """What a document may be; every limit is refused with a message naming it."""

    max_bytes: int = 50 * MB
    max_pages: int = 1000
    max_page_side_pt: float = 14400.0
    """200 inches, the PDF 1.7 implementation limit for a page side (ISO 32000-1 Annex C)."""
    max_stream_bytes: int = 256 * MB
    """Decoded size of one stream (a 600 dpi A4 RGB page image is ~105 MB)."""
    max_decoded_bytes: int = 1024 * MB
    """Decoded size of all streams together."""
    max_image_pixels: int = 200_000_000
    checker_memory_bytes: int = 1024 * MB
    """Address space of the checker process (it needs ~50 MB to start)."""
    checker_cpu_seconds: int = 60


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


async def accept(chunks: AsyncIterable[bytes], directory: Path, limits: PdfLimits = PdfLimits()) -> Document:
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


async def check(path: Path, limits: PdfLimits = PdfLimits(), *, sha256: str = "") -> Document:
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


# ------------------------------------------------------------- the checker (child process)


class _Refusal(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _child(kind: str, source: Path, target: Path, limits: PdfLimits) -> dict[str, Any]:
    """Convert an image to ``target``, then check the PDF; the verdict."""
    if kind != PDF:
        _image_to_pdf(source, target, limits)
        source = target
    return _check_pdf(source, limits)


def _image_to_pdf(source: Path, target: Path, limits: PdfLimits) -> None:
    import img2pdf
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    a4 = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))
    border = (img2pdf.mm_to_pt(5), img2pdf.mm_to_pt(5))
    layout = img2pdf.get_layout_fun(pagesize=a4, border=border, fit=img2pdf.FitMode.shrink, auto_orient=True)
    try:
        with target.open("wb") as out:
            img2pdf.convert(str(source), layout_fun=layout, outputstream=out)
    except Image.DecompressionBombError as err:
        raise _Refusal("IMAGE_TOO_LARGE", f"the image is over {limits.max_image_pixels} pixels") from err
    except MemoryError:
        raise
    except Exception as err:  # img2pdf and Pillow raise many kinds for a bad image
        raise _Refusal("IMAGE_UNREADABLE", f"the image cannot be read: {err}"[:200]) from err


def _check_pdf(path: Path, limits: PdfLimits) -> dict[str, Any]:
    import pikepdf

    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - 2048))
        tail = handle.read()
    if b"startxref" not in tail or b"%%EOF" not in tail:
        raise _Refusal("PDF_TRUNCATED", "the PDF has no xref trailer at its end (cut short?)")
    try:
        pdf = pikepdf.open(path, attempt_recovery=False)
    except pikepdf.PasswordError as err:
        raise _Refusal("PDF_ENCRYPTED", "the PDF needs a password to open") from err
    except pikepdf.PdfError as err:
        raise _Refusal("PDF_DAMAGED", f"the PDF is damaged: {_qpdf_words(err)}") from err
    with pdf:
        try:
            return _check_open_pdf(pdf, limits)
        except pikepdf.PdfError as err:  # a stream that will not decode; bad_alloc at the memory limit
            if "bad_alloc" in str(err):
                raise _Refusal("PDF_TOO_COMPLEX", "reading it needs more memory than allowed") from err
            raise _Refusal("PDF_DAMAGED", f"the PDF is damaged: {_qpdf_words(err)}") from err


def _qpdf_words(err: Exception) -> str:
    """qpdf's message without the file path it starts with."""
    return str(err).split(": ", 1)[-1][:160]


def _check_open_pdf(pdf: Any, limits: PdfLimits) -> dict[str, Any]:
    """Permissions, page count and sizes, streams."""
    if pdf.is_encrypted and not (pdf.allow.print_lowres or pdf.allow.print_highres):
        raise _Refusal("PDF_ENCRYPTED", "the PDF is encrypted and does not allow printing")
    pages = len(pdf.pages)
    if pages == 0 or pages > limits.max_pages:
        raise _Refusal("PDF_TOO_MANY_PAGES" if pages else "PDF_EMPTY",
                       f"the PDF has {pages} pages (1..{limits.max_pages} allowed)")
    for number, page in enumerate(pdf.pages, 1):
        box = [float(v) for v in page.mediabox]
        unit = float(page.obj.get("/UserUnit", 1))
        sides = (abs(box[2] - box[0]) * unit, abs(box[3] - box[1]) * unit)
        if not all(0 < side <= limits.max_page_side_pt for side in sides):
            raise _Refusal("PDF_PAGE_TOO_LARGE", f"page {number} is {sides[0]:.0f} x {sides[1]:.0f} pt "
                           f"(each side up to {limits.max_page_side_pt:.0f} pt)")
    _check_streams(pdf, limits)
    return {"pages": pages, "encrypted": pdf.is_encrypted}


def _check_streams(pdf: Any, limits: PdfLimits) -> None:
    """Every stream's decoded size within the limits, images within the pixel limit."""
    import pikepdf

    total = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        width, height = obj.get("/Width", 0), obj.get("/Height", 0)
        if isinstance(width, int) and isinstance(height, int) and width * height > limits.max_image_pixels:
            raise _Refusal("PDF_TOO_COMPLEX", f"an image of {width} x {height} pixels is over the limit")
        raw_filter = obj.get("/Filter")
        filters = [str(f) for f in (raw_filter if isinstance(raw_filter, pikepdf.Array) else [raw_filter])
                   if f is not None]
        if not filters or _IMAGE_FILTERS.intersection(filters):
            size = len(obj.read_raw_bytes())  # a codec's pixels are bounded by the pixel check
        elif all(f in ("/FlateDecode", "/Fl") for f in filters):
            size = _inflated_size(obj.read_raw_bytes(), len(filters), limits.max_stream_bytes)
        else:
            size = len(obj.read_bytes())  # LZW, RunLength, ASCII filters: bounded by the memory limit
        total += size
        if size > limits.max_stream_bytes or total > limits.max_decoded_bytes:
            limit = limits.max_stream_bytes if size > limits.max_stream_bytes else limits.max_decoded_bytes
            raise _Refusal("PDF_TOO_COMPLEX", f"streams decompress to over {limit // MB} MB (a PDF bomb?)")


def _inflated_size(data: bytes, rounds: int, cap: int) -> int:
    """Size of ``data`` after ``rounds`` (≥ 1) of zlib inflation, stopping just past ``cap``."""
    for round_ in range(rounds):
        inflater, out, size, chunk = zlib.decompressobj(), bytearray(), 0, data
        while chunk and size <= cap:
            piece = inflater.decompress(chunk, MB)
            size += len(piece)
            if round_ < rounds - 1:
                out += piece
            chunk = inflater.unconsumed_tail
        if size > cap or round_ == rounds - 1:
            return size
        data = bytes(out)
    return len(data)


def _serve(raw_limits: str) -> int:  # pragma: no cover - exercised through check()
    """The checker child: one JSON request line in, one JSON verdict line out, until EOF."""
    import resource

    limits = PdfLimits(**json.loads(raw_limits))
    resource.setrlimit(resource.RLIMIT_AS, (limits.checker_memory_bytes,) * 2)
    for line in sys.stdin:
        kind, source, target = json.loads(line)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        # CPU time is counted for the process's life: each document gets its own allowance.
        soft = int(usage.ru_utime + usage.ru_stime) + limits.checker_cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
        try:
            verdict = _child(kind, Path(source), Path(target), limits)
        except _Refusal as refusal:
            verdict = {"reason": refusal.reason, "message": str(refusal)}
        except MemoryError:
            verdict = {"reason": "PDF_TOO_COMPLEX", "message": "reading it needs more memory than allowed",
                       "restart": True}
        sys.stdout.write(json.dumps(verdict) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    with contextlib.suppress(BrokenPipeError):
        sys.exit(_serve(sys.argv[2]))
