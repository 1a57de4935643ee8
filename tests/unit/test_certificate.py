"""The demo's bilingual certificate and the DUPLICATE stamp, read back by tools that are not ours:
poppler renders the PDF, tesseract reads it (English exactly, Hindi within a small error)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from hubd.classes.printer.demo_certificate import make_certificate
from hubd.classes.printer.stamp import stamp_duplicate
from tests.pdfs import page_text, pdf_images, pdf_pages, pdf_text, text_pdf
from tests.unit.test_receipt_goldens_ocr import best_edits, ocr, tool


def render(pdf: Path, dpi: int, tmp_path: Path) -> Image.Image:
    argv = [tool("pdftoppm"), "-r", str(dpi), "-gray", "-singlefile", str(pdf), str(tmp_path / "page")]
    subprocess.run(argv, check=True, capture_output=True, timeout=60)
    return Image.open(tmp_path / "page.pgm")


def test_the_certificate_is_one_a4_page_tesseract_reads_in_both_languages(tmp_path: Path) -> None:
    pdf = make_certificate(tmp_path / "certificate.pdf")
    assert pdf_pages(pdf) == 1
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    page = render(pdf, 150, tmp_path)
    english = " ".join(ocr(page, "eng", tmp_path).split())
    for words in ("Government of Rajasthan", "Certificate of Domicile", "RJ/JPR/2026/004217"):
        assert words in english, english
    hindi = " ".join(ocr(page, "hin", tmp_path).split())
    for words in ("राजस्थान सरकार", "मूल निवास प्रमाण पत्र"):
        assert best_edits(words, hindi) <= len(words) // 5, (words, hindi)


def test_the_duplicate_stamp_is_on_every_page_and_leaves_the_text(tmp_path: Path) -> None:
    source = text_pdf(tmp_path / "three.pdf", 3)
    stamped = stamp_duplicate(source, tmp_path / "stamped.pdf")
    assert pdf_text(stamped) == [page_text(n, 3) for n in range(1, 4)]
    assert [page for page, _, _ in pdf_images(stamped)] == [1, 2, 3]
    top = render(stamped, 200, tmp_path).crop((800, 0, 1654, 200))
    assert "DUPLICATE COPY" in ocr(top, "eng", tmp_path)


def test_the_duplicate_stamp_is_upright_at_the_top_right_of_a_turned_page(tmp_path: Path) -> None:
    """Pages turned by /Rotate (a landscape form scanned sideways) show the stamp where and how the
    reader sees the page: poppler renders each page turned, tesseract reads the top right corner."""
    import pikepdf

    source = text_pdf(tmp_path / "four.pdf", 4)
    with pikepdf.open(source, allow_overwriting_input=True) as pdf:
        for page, rotation in zip(pdf.pages, (0, 90, 180, 270), strict=True):
            page.rotate(rotation, relative=False)
        pdf.save(source)
    stamped = stamp_duplicate(source, tmp_path / "stamped.pdf")
    assert pdf_text(stamped) == [page_text(n, 4) for n in range(1, 5)]
    for number in range(1, 5):
        argv = [tool("pdftoppm"), "-r", "150", "-gray", "-f", str(number), "-l", str(number), "-singlefile",
                str(stamped), str(tmp_path / f"p{number}")]
        subprocess.run(argv, check=True, capture_output=True, timeout=60)
        page = Image.open(tmp_path / f"p{number}.pgm")
        width, height = page.size
        corner = page.crop((width - 520, 0, width, 120))  # 75 x 10 mm at 6 mm from the edges, at 150 dpi
        assert "DUPLICATE COPY" in ocr(corner, "eng", tmp_path), number
        assert "DUPLICATE" not in ocr(page.crop((0, height - 200, width, height)), "eng", tmp_path), number
