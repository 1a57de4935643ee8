"""Portal-ready files through ScannerService: every preset's file is within its window (read back
by Pillow and poppler), and a text page scanned to a PDF of at most 100 KB is still legible to
tesseract. The sheets and their words come from the eSCL simulator (``escl_scanner.pages``)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from hubd.classes.scanner.output import PRESETS, OutputFormat
from hubd.classes.scanner.scans import Scans
from hubd.classes.scanner.values import ColorMode
from kioskhub.simulators.escl_scanner import EsclScannerSim
from kioskhub.simulators.escl_scanner import pages as sim_pages
from kioskhub.v1 import scanner_pb2
from tests.rpc.conftest import Running
from tests.rpc.scanning import scan
from tests.stacks.base import find_binary, skip_or_fail

pytestmark = pytest.mark.timeout(120)


def around(box: tuple[float, float, float, float], margin: float = 8) -> dict[str, float]:
    """A scan area a little larger than ``box`` (what an operator's preview selection gives)."""
    x, y, w, h = box
    return {"x_mm": x - margin, "y_mm": y - margin, "width_mm": w + 2 * margin, "height_mm": h + 2 * margin}


# preset → (what lies on the glass, the request's other fields)
ON_THE_GLASS = {
    "passport_photo": ("photo", {"area": around(sim_pages.PHOTO_MM)}),
    "pan_photo": ("photo", {"area": around(sim_pages.PHOTO_MM)}),
    "signature": ("signature", {"area": around(sim_pages.SIGNATURE_MM)}),
    "pan_signature": ("signature", {"area": around(sim_pages.SIGNATURE_MM)}),
    "thumb_impression": ("thumb", {"area": around(sim_pages.THUMB_MM)}),
    "pan_application": ("form", {}),
    "proof_pdf": ("id_card", {}),
}


def tool(name: str) -> None:
    if find_binary(name) is None:
        skip_or_fail(f"{name} not installed (packages poppler-utils, tesseract-ocr)")


def test_every_preset_has_a_sheet() -> None:
    assert set(ON_THE_GLASS) == set(PRESETS)


@pytest.mark.parametrize("name", sorted(ON_THE_GLASS))
async def test_each_preset_makes_a_file_within_its_window(
    scanning: Running, escl: EsclScannerSim, scan_lease, name: str, tmp_path: Path
) -> None:
    tool("pdfinfo")
    spec = scanning.hub.runner("scanner", Scans).config.presets[name]  # as the hub's config has it
    escl.state.platen_document, fields = ON_THE_GLASS[name]
    got = await scan(scanning.channel, scan_lease, preset=name, **fields)
    assert got.error is None, got.error
    assert spec.min_bytes <= len(got.data) <= (spec.max_bytes or len(got.data))
    header = got.file
    assert header is not None and header.max_size_kb == (spec.max_kb or 0)
    assert header.min_size_kb == (spec.min_kb or 0) and got.jobs[0].preset == name
    if spec.format is OutputFormat.JPEG:
        image = Image.open(io.BytesIO(got.data))
        image.load()  # decodes, padding and all
        assert image.format == "JPEG" and image.mode == ("RGB" if spec.color_mode is ColorMode.COLOR else "L")
        if spec.width_px:
            assert image.size == (spec.width_px, spec.height_px)
        if spec.dpi:
            assert image.info["dpi"] == (spec.dpi, spec.dpi)
        return
    (tmp_path / "out.pdf").write_bytes(got.data)
    info, meta = (subprocess.run(["pdfinfo", *extra, "out.pdf"], cwd=tmp_path, capture_output=True,
                                 text=True, timeout=30, check=True).stdout for extra in ([], ["-meta"]))
    assert re.search(r"^Pages: +1$", info, re.M), info
    assert ("pdfaid:part" in meta) is spec.pdfa


async def test_a_text_page_stays_legible_at_100_kb(
    scanning: Running, escl: EsclScannerSim, scan_lease, tmp_path: Path
) -> None:
    for name in ("pdftoppm", "tesseract"):
        tool(name)
    escl.state.platen_document = "form"
    gray = scanner_pb2.SCAN_COLOR_MODE_GRAY
    got = await scan(scanning.channel, scan_lease, resolution_dpi=300, color_mode=gray, max_size_kb=100)
    assert got.error is None and got.file is not None and len(got.data) <= 100_000
    (tmp_path / "form.pdf").write_bytes(got.data)
    dpi = str(got.file.resolution_dpi)
    subprocess.run(["pdftoppm", "-r", dpi, "-gray", "-singlefile", "form.pdf", "page"], cwd=tmp_path,
                   check=True, timeout=60)
    page = Image.open(tmp_path / "page.pgm")
    words = {}
    for lang in ("eng", "hin"):
        page.crop((0, 0, page.width, round(page.height * 0.75))).save(tmp_path / f"{lang}.png")
        out = subprocess.run(["tesseract", f"{lang}.png", "-", "-l", lang], cwd=tmp_path, capture_output=True,
                             text=True, timeout=90)
        words[lang] = out.stdout
    keywords = sim_pages.KEYWORDS["form"]
    assert all(k in words["eng"] for k in keywords if k.isascii()), words["eng"]
    assert all(k in words["hin"] for k in keywords if not k.isascii()), words["hin"]
