"""Documents in: streamed into the state dir under a cap, checked in a limited child, images made
PDF without re-encoding. Refusals name ``document`` with a reason and leave no file behind.
Results are read back with poppler (pdfinfo, pdfimages), not with our own code."""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import subprocess
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pikepdf
import psutil
import pytest
from PIL import Image

from hubd.classes.printer import pdf
from hubd.classes.printer.pdf_checker import CHECKER
from hubd.errors import InvalidArgument
from tests.pdfs import encrypted_pdf, flate_bomb, pdf_pages, text_pdf

pytestmark = pytest.mark.timeout(60)


async def chunks_of(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at:at + size]


async def refused(data: bytes, store: Path, limits: pdf.PdfLimits | None = None) -> InvalidArgument:
    """accept() must refuse ``data``, naming the document, and keep no file."""
    with pytest.raises(InvalidArgument) as err:
        await pdf.accept(chunks_of(data), store, limits or pdf.PdfLimits())
    assert err.value.field == "document"
    assert list(store.iterdir()) == []
    return err.value


def children() -> list[int]:
    """Pids of this process's live children."""
    return [c.pid for c in psutil.Process().children() if c.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "documents"


async def test_a_pdf_is_kept_as_it_is(tmp_path: Path, store: Path) -> None:
    source = text_pdf(tmp_path / "three.pdf", 3)
    doc = await pdf.accept(chunks_of(source.read_bytes()), store)
    assert doc.path.parent == store and doc.path.suffix == ".pdf"
    assert doc.path.read_bytes() == source.read_bytes()
    assert (doc.pages, doc.size, doc.source_format) == (3, source.stat().st_size, pdf.PDF)
    assert not doc.encrypted
    assert doc.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert list(store.iterdir()) == [doc.path]


async def test_one_warm_checker_serves_document_after_document(tmp_path: Path, store: Path) -> None:
    """Python and pikepdf start once, not per document; a child killed by a limit is replaced."""
    CHECKER.stop()
    source = text_pdf(tmp_path / "one.pdf", 1).read_bytes()
    await pdf.accept(chunks_of(source), tmp_path / "kept")
    child = CHECKER.pid
    assert child is not None and child in children()
    await pdf.accept(chunks_of(source), tmp_path / "kept")
    assert CHECKER.pid == child
    bomb = flate_bomb(tmp_path / "bomb.pdf", 300)
    await refused(bomb.read_bytes(), store, pdf.PdfLimits(checker_memory_bytes=200 * pdf.MB))
    await pdf.accept(chunks_of(source), tmp_path / "kept")
    assert CHECKER.pid not in (None, child) and child not in children()  # other limits: a new child
    CHECKER.stop()
    assert CHECKER.pid is None


async def test_size_cap_applies_while_streaming(tmp_path: Path, store: Path) -> None:
    source = text_pdf(tmp_path / "three.pdf", 3).read_bytes()
    err = await refused(source, store, pdf.PdfLimits(max_bytes=len(source) - 1))
    assert err.reason == "DOCUMENT_TOO_LARGE"
    sent: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        while True:  # the cap stops it: the caller learns at once, nothing is stored
            sent.append(1)
            yield b"\0" * 65536

    with pytest.raises(InvalidArgument) as cap:
        await pdf.receive(endless(), store, 1024 * 1024)
    assert cap.value.reason == "DOCUMENT_TOO_LARGE" and len(sent) == 17 and list(store.iterdir()) == []


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda good: b"", "DOCUMENT_EMPTY"),
        (lambda good: b"GIF89a" + bytes(200), "NOT_A_PDF"),
        (lambda good: b"<html>%PDF" + b" " * 2000 + good, "NOT_A_PDF"),  # header past the first KB
        (lambda good: good[: len(good) // 2], "PDF_TRUNCATED"),  # cut short: no xref trailer
        (lambda good: good.replace(b"startxref", b"startxreg"), "PDF_TRUNCATED"),
        (lambda good: good.replace(b"xref\n0 ", b"xref\n9 "), "PDF_DAMAGED"),  # a broken xref table
        (lambda good: b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "IMAGE_UNREADABLE"),
    ],
)
async def test_not_a_pdf_is_refused_with_the_reason(tmp_path: Path, store: Path, make: object,
                                                     reason: str) -> None:
    good = text_pdf(tmp_path / "good.pdf", 2)
    plain = tmp_path / "plain.pdf"
    with pikepdf.open(good) as doc:  # a classic xref table (no object streams) to break by hand
        doc.save(plain, object_stream_mode=pikepdf.ObjectStreamMode.disable, fix_metadata_version=False)
    assert callable(make)
    assert (await refused(make(plain.read_bytes()), store)).reason == reason


async def test_encryption(tmp_path: Path, store: Path) -> None:
    source = text_pdf(tmp_path / "cert.pdf", 1)
    locked = encrypted_pdf(tmp_path / "locked.pdf", source, user="1234")
    assert (await refused(locked.read_bytes(), store)).reason == "PDF_ENCRYPTED"
    no_print = encrypted_pdf(tmp_path / "noprint.pdf", source, user="", printable=False)
    err = await refused(no_print.read_bytes(), store)
    assert err.reason == "PDF_ENCRYPTED" and "printing" in err.description
    owner_only = encrypted_pdf(tmp_path / "owner.pdf", source, user="")  # common for issued certificates
    doc = await pdf.accept(chunks_of(owner_only.read_bytes()), store)
    assert (doc.pages, doc.encrypted) == (1, True)


async def test_bombs_are_refused_with_the_limit(tmp_path: Path, store: Path) -> None:
    bomb = flate_bomb(tmp_path / "bomb.pdf", 300)  # 300 MB of zeros in ~300 KB
    err = await refused(bomb.read_bytes(), store)
    assert err.reason == "PDF_TOO_COMPLEX" and "256 MB" in err.description
    many = text_pdf(tmp_path / "many.pdf", 12)
    err = await refused(many.read_bytes(), store, pdf.PdfLimits(max_pages=10))
    assert err.reason == "PDF_TOO_MANY_PAGES" and "12 pages" in err.description
    huge = text_pdf(tmp_path / "huge.pdf", 1, size=(20000, 842))
    assert (await refused(huge.read_bytes(), store)).reason == "PDF_PAGE_TOO_LARGE"
    small = flate_bomb(tmp_path / "small.pdf", 20)
    err = await refused(small.read_bytes(), store, pdf.PdfLimits(max_decoded_bytes=10 * pdf.MB))
    assert err.reason == "PDF_TOO_COMPLEX" and "10 MB" in err.description


async def test_the_checker_runs_under_a_memory_limit(tmp_path: Path, store: Path) -> None:
    # Hex then Flate is not inflated step by step: qpdf decodes it whole, and meets the limit.
    bomb = flate_bomb(tmp_path / "hexbomb.pdf", 400, hex_wrapped=True)
    err = await refused(bomb.read_bytes(), store, pdf.PdfLimits(checker_memory_bytes=200 * pdf.MB))
    assert err.reason == "PDF_TOO_COMPLEX" and "memory" in err.description


async def test_jpeg_goes_in_unchanged(tmp_path: Path, store: Path) -> None:
    photo = io.BytesIO()
    Image.effect_noise((1200, 800), 40).convert("RGB").save(photo, "JPEG", quality=85)
    doc = await pdf.accept(chunks_of(photo.getvalue()), store)
    assert (doc.source_format, doc.pages, pdf_pages(doc.path)) == (pdf.JPEG, 1, 1)
    subprocess.run(["pdfimages", "-j", str(doc.path), str(tmp_path / "img")], check=True)
    assert (tmp_path / "img-000.jpg").read_bytes() == photo.getvalue()  # not re-encoded
    info = subprocess.run(["pdfinfo", str(doc.path)], capture_output=True, text=True, check=True).stdout
    assert "842 x 595" in info or "841.89 x 595.276" in info  # an A4 page, turned for a wide photo


async def test_png_pixels_are_kept(tmp_path: Path, store: Path) -> None:
    picture = Image.linear_gradient("L").resize((300, 200)).convert("RGB")
    raw = io.BytesIO()
    picture.save(raw, "PNG")
    doc = await pdf.accept(chunks_of(raw.getvalue()), store)
    assert doc.source_format == pdf.PNG and list(store.iterdir()) == [doc.path]
    subprocess.run(["pdfimages", "-png", str(doc.path), str(tmp_path / "img")], check=True)
    with Image.open(tmp_path / "img-000.png") as back:
        assert back.convert("RGB").tobytes() == picture.tobytes()


async def test_an_image_bomb_is_refused(store: Path) -> None:
    header = b"\x89PNG\r\n\x1a\n"
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    err = await refused(header + chunk + b"\0\0\0\0IEND\xaeB`\x82", store)
    assert err.reason == "IMAGE_TOO_LARGE"


async def test_a_caller_giving_up_leaves_no_checker_and_no_file(tmp_path: Path, store: Path) -> None:
    bomb = flate_bomb(tmp_path / "slow.pdf", 200, hex_wrapped=True).read_bytes()  # decoded whole: slow
    CHECKER.stop()  # no warm checker from an earlier test: the one that starts is this document's
    task = asyncio.create_task(pdf.accept(chunks_of(bomb), store))
    deadline = time.monotonic() + 10
    while CHECKER.pid is None and time.monotonic() < deadline:  # the checker has started
        await asyncio.sleep(0.01)
    child = CHECKER.pid
    assert child is not None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert CHECKER.pid is None and child not in children() and list(store.iterdir()) == []
