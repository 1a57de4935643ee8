"""The document checker's side: what runs in the child process (``pdf_checker`` keeps it warm).

Run as a script with ``--serve LIMITS_JSON``: one JSON request line ``[kind, source, target]`` in,
one JSON verdict line out (``{"pages": N, "encrypted": bool}`` or ``{"reason": R, "message": M}``),
until its input ends. An image (JPEG, PNG) is first placed on an A4 page by img2pdf; the PDF is
then opened by pikepdf (qpdf, fuzzed upstream) and its pages, images and streams are held to the
``PdfLimits``. It imports nothing of the hub: a hostile file meets only this module and qpdf,
under the memory and CPU limits the child sets itself.
"""

from __future__ import annotations

import contextlib
import json
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MB = 1024 * 1024
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
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
