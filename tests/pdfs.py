"""Test documents made here (never read from our own output): text PDFs, broken ones, bombs, images."""

from __future__ import annotations

import subprocess
import zlib
from pathlib import Path

import pikepdf

A4_PT = (595, 842)


def page_text(number: int, pages: int) -> str:
    """The line printed on page ``number`` of a ``pages``-page test PDF."""
    return f"Kioskhub test page {number} of {pages}"


def text_pdf(path: Path, pages: int, size: tuple[int, int] = A4_PT) -> Path:
    """A PDF of ``pages`` pages, each with one line of Helvetica text (``page_text``)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding,
    ))
    for n in range(1, pages + 1):
        content = f"BT /F1 20 Tf 72 {size[1] - 100} Td ({page_text(n, pages)}) Tj ET".encode()
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, *size],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(content),
        )))
    pdf.save(path)
    return path


def heavy_pdf(path: Path, pages: int, kb_per_page: int = 100) -> Path:
    """``text_pdf`` pages, each also showing a noise image of ``kb_per_page`` KB (uncompressible):
    a document big enough that sending it takes many chunks."""
    import os

    text_pdf(path, pages)
    side = int((kb_per_page * 1024) ** 0.5)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            image = pikepdf.Stream(pdf, os.urandom(side * side))
            image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
            image.Width, image.Height, image.BitsPerComponent = side, side, 8
            image.ColorSpace = pikepdf.Name.DeviceGray
            page.Resources.XObject = pikepdf.Dictionary(Im1=image)
            page.contents_add(pdf.make_stream(b"q 100 0 0 100 72 500 cm /Im1 Do Q"))
        pdf.save(path)
    return path


def pdf_images(path: Path) -> list[tuple[int, int, int]]:
    """(page, width, height) of every image, by poppler's ``pdfimages -list`` (not ours)."""
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                         check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return [(int(r[0]), int(r[3]), int(r[4])) for r in rows]


def encrypted_pdf(path: Path, source: Path, *, user: str = "secret", printable: bool = True) -> Path:
    """``source`` encrypted (AES-256); ``user=""`` opens without a password."""
    with pikepdf.open(source) as pdf:
        allow = pikepdf.Permissions(print_lowres=printable, print_highres=printable)
        pdf.save(path, encryption=pikepdf.Encryption(user=user, owner="owner", allow=allow))
    return path


def flate_bomb(path: Path, decoded_mb: int, *, hex_wrapped: bool = False) -> Path:
    """A one-page PDF whose content stream inflates to ``decoded_mb`` MB of zeros (~1000:1);
    ``hex_wrapped`` adds an ASCIIHexDecode layer in front of the Flate data."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=A4_PT)
    deflater = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    raw = b"".join(deflater.compress(block) for _ in range(decoded_mb)) + deflater.flush()
    stream = pikepdf.Stream(pdf, raw.hex().encode() + b">" if hex_wrapped else raw)
    stream.Filter = (pikepdf.Array([pikepdf.Name.ASCIIHexDecode, pikepdf.Name.FlateDecode]) if hex_wrapped
                     else pikepdf.Name.FlateDecode)
    page.Contents = pdf.make_indirect(stream)
    pdf.save(path, compress_streams=False)
    return path


def pdf_pages(path: Path) -> int:
    """Page count by poppler's ``pdfinfo`` (not ours)."""
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_text(path: Path) -> list[str]:
    """Text lines of each page by poppler's ``pdftotext`` (not ours), blank lines dropped."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [" ".join(line.split()) for line in out.splitlines() if line.strip()]
