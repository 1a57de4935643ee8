"""Portal-ready output: presets within their windows, the size search, refusals, deskew/autocrop.

Input pages are what the eSCL simulator sends for its documents (``model.encode``), so what the
tests check comes from the simulator. PDF and image readers that are not ours (Pillow's
decoders, poppler's pdfinfo/pdfimages, pikepdf) read the results.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from hubd.classes.scanner.contract import ColorMode, PageFormat, ScannedPage
from hubd.classes.scanner.output import (
    PRESETS,
    Fit,
    OutputFormat,
    OutputSpec,
    imaging,
    render,
    render_image,
    resolve,
    with_overrides,
)
from hubd.errors import FailedPrecondition, InvalidArgument
from kioskhub.simulators.escl_scanner import model
from kioskhub.simulators.escl_scanner import pages as sim_pages
from kioskhub.simulators.escl_scanner.documents import Settings
from tests.stacks.base import find_binary, skip_or_fail

MODES = {ColorMode.COLOR: "RGB24", ColorMode.GRAY: "Grayscale8"}


def scanned(kind: str, dpi: int = 300, mode: ColorMode = ColorMode.GRAY,
            area_mm: tuple[float, float, float, float] = (0, 0, 210, 297), number: int = 1) -> ScannedPage:
    """The page the simulator's scanner sends for ``kind`` (JPEG, as over eSCL)."""
    units = [round(v * 300 / 25.4) for v in area_mm]
    settings = Settings("Platen", False, MODES[mode], "image/jpeg", dpi, dpi, *units)
    data = model.encode(kind, settings, 85)
    width, height = Image.open(io.BytesIO(data)).size
    return ScannedPage(number, data, PageFormat.JPEG, width, height, dpi, mode)


def around(box: tuple[float, float, float, float], margin: float = 8) -> tuple[float, float, float, float]:
    """A scan area a little larger than ``box`` (what an operator's preview selection gives)."""
    x, y, w, h = box
    return (x - margin, y - margin, w + 2 * margin, h + 2 * margin)


PRESET_INPUTS = {
    "passport_photo": lambda: [scanned("photo", 300, ColorMode.COLOR, around(sim_pages.PHOTO_MM))],
    "pan_photo": lambda: [scanned("photo", 300, ColorMode.COLOR, around(sim_pages.PHOTO_MM))],
    "signature": lambda: [scanned("signature", 300, ColorMode.GRAY, around(sim_pages.SIGNATURE_MM))],
    "pan_signature": lambda: [scanned("signature", 600, ColorMode.GRAY, around(sim_pages.SIGNATURE_MM))],
    "thumb_impression": lambda: [scanned("thumb", 300, ColorMode.GRAY, around(sim_pages.THUMB_MM))],
    "pan_application": lambda: [scanned("form", 200, ColorMode.COLOR),
                                scanned("id_card", 200, ColorMode.COLOR, number=2)],
    "proof_pdf": lambda: [scanned("form", 200), scanned("id_card", 200, number=2)],
}


def test_every_preset_has_an_input() -> None:
    assert set(PRESET_INPUTS) == set(PRESETS)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_is_within_its_window(name: str) -> None:
    spec = resolve(name)
    result = render(PRESET_INPUTS[name](), spec)
    assert spec.min_bytes <= len(result.data) <= (spec.max_bytes or len(result.data)), result
    assert result.format is spec.format
    if spec.format is OutputFormat.JPEG:
        image = Image.open(io.BytesIO(result.data))
        image.load()  # decodes despite any padding
        assert image.format == "JPEG"
        if spec.width_px:
            assert image.size == (spec.width_px, spec.height_px)
        if spec.dpi:
            assert image.info["dpi"] == (spec.dpi, spec.dpi)
        assert image.mode == ("RGB" if spec.color_mode is ColorMode.COLOR else "L")
    else:
        with pikepdf.open(io.BytesIO(result.data)) as pdf:
            assert len(pdf.pages) == 2
            width_pt = float(pdf.pages[0].MediaBox[2])
        assert width_pt == pytest.approx(210 * 72 / 25.4, rel=0.01)  # the scanned A4 width, at its dpi


def test_presets_are_data_and_overridable() -> None:
    assert resolve("passport_photo", {"max_kb": 40}).max_kb == 40
    assert PRESETS["passport_photo"].max_kb == 50  # the table itself is unchanged
    changed = with_overrides({"passport_photo": {"max_kb": 45, "color_mode": "gray"},
                              "ration_card": {"format": "jpeg", "max_kb": 100, "fit": "pad"}})
    gray = replace(PRESETS["passport_photo"], max_kb=45, color_mode=ColorMode.GRAY)
    assert changed["passport_photo"] == gray
    assert changed["ration_card"] == OutputSpec(OutputFormat.JPEG, max_kb=100, fit=Fit.PAD)
    assert PRESETS["passport_photo"].max_kb == 50 and "ration_card" not in PRESETS
    for tables, field in (({"signature": {"format": "tiff"}}, "presets.signature.format"),
                          ({"signature": {"colour": "red"}}, "presets.signature.colour"),
                          ({"signature": {"max_kb": 5}}, "presets.signature.min_kb"),
                          ({"signature": 5}, "presets.signature"),
                          ({"bad name": {}}, "presets")):
        with pytest.raises(InvalidArgument) as err:
            with_overrides(tables)
        assert err.value.field == field
    with pytest.raises(InvalidArgument) as err:
        resolve("passport_photo", {"colour": "red"})
    assert err.value.field == "presets.passport_photo.colour"
    with pytest.raises(InvalidArgument) as err:
        resolve("aadhaar_selfie")
    assert err.value.field == "preset"
    with pytest.raises(InvalidArgument) as err:
        resolve("signature", {"min_kb": 30})
    assert err.value.field == "min_kb"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (OutputSpec(max_kb=0), "max_kb"),
        (OutputSpec(max_kb=float("inf")), "max_kb"),
        (OutputSpec(max_kb=10, min_kb=10), "min_kb"),
        (OutputSpec(dpi=30), "dpi"),
        (OutputSpec(dpi=150, min_dpi=200), "min_dpi"),
        (OutputSpec(width_px=200), "height_px"),
        (OutputSpec(width_px=5, height_px=5), "width_px"),
        (OutputSpec(min_quality=90, max_quality=80), "min_quality"),
        (OutputSpec(max_quality=101), "max_quality"),
        (OutputSpec(OutputFormat.JPEG, pdfa=True), "pdfa"),
    ],
)
def test_inconsistent_specs_name_the_field(spec: OutputSpec, field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        render([scanned("form", 75)], spec)
    assert err.value.field == field


def test_one_page_formats_refuse_many_pages() -> None:
    with pytest.raises(InvalidArgument) as err:
        render([scanned("form", 75), scanned("form", 75, number=2)], OutputSpec(OutputFormat.JPEG))
    assert err.value.field == "format"
    assert OutputFormat.from_filename("scan.JPEG") is OutputFormat.JPEG
    with pytest.raises(InvalidArgument):
        OutputFormat.from_filename("scan.tiff")


def test_the_search_trades_resolution_for_size_and_refuses_the_impossible() -> None:
    page = scanned("form", 300)
    results = [render([page], OutputSpec(OutputFormat.PDF, max_kb=kb)) for kb in (400, 200, 100, 50)]
    for kb, result in zip((400, 200, 100, 50), results, strict=True):
        assert len(result.data) <= kb * 1000
        assert len(result.data) > kb * 1000 * 0.6  # it used the room it had
        assert result.attempts <= 14  # a search, not every setting
    dpis = [r.dpi for r in results]
    assert dpis == sorted(dpis, reverse=True) and dpis[0] > dpis[-1] >= 100
    with pytest.raises(FailedPrecondition) as err:
        render([page], OutputSpec(OutputFormat.PDF, max_kb=5))
    assert err.value.reason == "SIZE_LIMIT_UNREACHABLE" and err.value.metadata["maxKb"] == "5"
    assert "5 KB" in err.value.message and "100 dpi" in err.value.message


def test_pinned_resolution_only_lowers_quality() -> None:
    result = render([scanned("form", 300)], OutputSpec(OutputFormat.JPEG, max_kb=150, dpi=200, min_dpi=200))
    image = Image.open(io.BytesIO(result.data))
    assert result.dpi == 200 and abs(image.width - 1654) <= 1 and abs(image.height - 2339) <= 1
    assert len(result.data) <= 150_000


def test_minimum_size_is_met_by_padding_that_decoders_skip() -> None:
    page = scanned("signature", 300, area_mm=around(sim_pages.SIGNATURE_MM))
    spec = OutputSpec(OutputFormat.JPEG, width_px=140, height_px=60, min_kb=15, max_kb=20, fit=Fit.PAD)
    result = render([page], spec)
    assert result.padded_bytes > 0 and 15 * 1024 <= len(result.data) <= 20_000
    assert result.data[:2] == b"\xff\xd8" and result.data[2:4] == b"\xff\xfe"  # a COM segment
    Image.open(io.BytesIO(result.data)).load()
    png = render([page], OutputSpec(OutputFormat.PNG, width_px=140, height_px=60, min_kb=30, fit=Fit.PAD))
    assert len(png.data) >= 30 * 1024 and b"kpAd" in png.data
    Image.open(io.BytesIO(png.data)).load()


def _images(page: pikepdf.Page) -> list[pikepdf.Stream]:
    """The image XObjects a page draws."""
    return [x for x in page.Resources.XObject.values() if x.Subtype == pikepdf.Name.Image]


def test_jpeg_pages_go_into_the_pdf_unchanged() -> None:
    pages = [scanned("form", 100), scanned("rotated", 100, number=2)]
    result = render(pages, OutputSpec(OutputFormat.PDF, max_kb=2000))
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        streams = [_images(p)[0].read_raw_bytes() for p in pdf.pages]  # still DCT-coded
    assert streams == [p.data for p in pages] and result.quality is None


def test_deskew_and_autocrop_find_the_photographed_page() -> None:
    image = imaging.decode(scanned("rotated", 150))
    assert imaging.skew_angle(image) == pytest.approx(-sim_pages.ROTATION_DEGREES, abs=0.25)
    page = imaging.autocrop(imaging.deskew(image))
    expected = (210 * sim_pages.PHOTO_SCALE * 150 / 25.4, 297 * sim_pages.PHOTO_SCALE * 150 / 25.4)
    assert page.width == pytest.approx(expected[0], rel=0.05)
    assert page.height == pytest.approx(expected[1], rel=0.05)
    assert imaging.skew_angle(imaging.decode(scanned("form", 150))) == 0.0  # a straight page stays


def test_autocrop_finds_the_card_on_the_glass() -> None:
    box = imaging.crop_box(imaging.decode(scanned("id_card", 150, ColorMode.COLOR, (0, 0, 150, 120))))
    assert box is not None
    x, y, w, h = sim_pages.CARD_MM
    mm = [v * 25.4 / 150 for v in box]
    assert mm[0] == pytest.approx(x, abs=3) and mm[1] == pytest.approx(y, abs=3)
    assert mm[2] == pytest.approx(x + w, abs=3) and mm[3] == pytest.approx(y + h, abs=3)


def _tool(name: str) -> None:
    if find_binary(name) is None:
        skip_or_fail(f"{name} not installed (packages poppler-utils, tesseract-ocr)")


def test_poppler_reads_the_pdfs_and_black_and_white_is_g4(tmp_path: Path) -> None:
    for tool in ("pdfinfo", "pdfimages", "pdftotext"):
        _tool(tool)
    gray = render([scanned("form", 150), scanned("id_card", 150, number=2)], OutputSpec(max_kb=300))
    bw = render([scanned("form", 150)], OutputSpec(color_mode=ColorMode.BLACK_WHITE, max_kb=100))
    (tmp_path / "gray.pdf").write_bytes(gray.data)
    (tmp_path / "bw.pdf").write_bytes(bw.data)
    info = subprocess.run(["pdfinfo", "gray.pdf"], cwd=tmp_path, capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M) and re.search(r"^Encrypted:\s+no$", info, re.M)
    listing = subprocess.run(["pdfimages", "-list", "gray.pdf"], cwd=tmp_path, capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert [row.split()[8] for row in listing] == ["jpeg", "jpeg"]
    assert [row.split()[5] for row in listing] == ["gray", "gray"]
    listing = subprocess.run(["pdfimages", "-list", "bw.pdf"], cwd=tmp_path, capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert [(row.split()[8], row.split()[7]) for row in listing] == [("ccitt", "1")]
    subprocess.run(["pdftotext", "bw.pdf", "-"], cwd=tmp_path, capture_output=True, check=True)


def test_pdfa_claims_hold(tmp_path: Path) -> None:
    _tool("pdfinfo")
    result = render(PRESET_INPUTS["pan_application"](), resolve("pan_application"))
    data = result.data
    assert data.startswith(b"%PDF-1.4") and b"/ObjStm" not in data and b"/XRef" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        [intent] = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        profile = intent.DestOutputProfile
        assert int(profile.N) == 3
        from PIL import ImageCms

        icc = ImageCms.ImageCmsProfile(io.BytesIO(profile.read_bytes()))
        assert "sRGB" in ImageCms.getProfileDescription(icc)
        assert "/Filter" not in pdf.Root.Metadata.stream_dict  # XMP left readable, as PDF/A-1 wants
        assert "/ID" in pdf.trailer and "/Encrypt" not in pdf.trailer
        for page in pdf.pages:
            for image in _images(page):
                assert image.Filter in (pikepdf.Name.DCTDecode, pikepdf.Name.CCITTFaxDecode)
                assert "/SMask" not in image
        with pdf.open_metadata() as meta:
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("1", "B")
            assert meta.get("pdf:Producer") == str(pdf.docinfo.Producer)
    (tmp_path / "pan.pdf").write_bytes(data)
    xmp = subprocess.run(["pdfinfo", "-meta", "pan.pdf"], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout
    assert "pdfaid:part" in xmp and "pdfaid:conformance" in xmp


@pytest.mark.timeout(120)
def test_text_stays_legible_at_100_kb(tmp_path: Path) -> None:
    for tool in ("pdftoppm", "tesseract"):
        _tool(tool)
    result = render([scanned("form", 300)], OutputSpec(OutputFormat.PDF, max_kb=100))
    assert len(result.data) <= 100_000
    (tmp_path / "form.pdf").write_bytes(result.data)
    subprocess.run(["pdftoppm", "-r", str(result.dpi), "-gray", "-singlefile", "form.pdf", "page"],
                   cwd=tmp_path, check=True, timeout=60)
    page = Image.open(tmp_path / "page.pgm")
    words = {}
    for lang, share in (("eng", 0.75), ("hin", 0.75)):
        page.crop((0, 0, page.width, round(page.height * share))).save(tmp_path / f"{lang}.png")
        out = subprocess.run(["tesseract", f"{lang}.png", "-", "-l", lang], cwd=tmp_path, capture_output=True,
                             text=True, timeout=90)
        words[lang] = out.stdout
    keywords = sim_pages.KEYWORDS["form"]
    latin = [k for k in keywords if k.isascii()]
    hindi = [k for k in keywords if not k.isascii()]
    assert all(k in words["eng"] for k in latin), words["eng"]
    assert all(k in words["hin"] for k in hindi), words["hin"]


def test_a_picture_from_elsewhere_goes_through_the_same_path() -> None:
    """render_image: what a camera's flattened page uses (numpy BGR or Pillow, preset or spec)."""
    page = scanned("form", 150, ColorMode.COLOR)
    rgb = np.asarray(Image.open(io.BytesIO(page.data)).convert("RGB"))
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    result = render_image(bgr, "proof_pdf", dpi=150, bgr=True)
    assert len(result.data) <= 200_000 and result.data.startswith(b"%PDF") and result.pages == 1
    spec = OutputSpec(OutputFormat.JPEG, max_kb=60, color_mode=ColorMode.COLOR)
    photo = render_image(Image.fromarray(rgb), spec, dpi=150)
    shown = Image.open(io.BytesIO(photo.data))
    assert len(photo.data) <= 60_000 and shown.mode == "RGB"
    middle = np.asarray(shown.resize((40, 56)), np.int16)
    assert np.abs(middle - np.asarray(Image.fromarray(rgb).resize((40, 56)), np.int16)).mean() < 10  # not BGR
    for bad, field in ((np.zeros((10, 10, 4), np.uint8), "image"), ("a picture", "image")):
        with pytest.raises(InvalidArgument) as err:
            render_image(bad, "proof_pdf", dpi=150)
        assert err.value.field == field
    with pytest.raises(InvalidArgument) as err:
        render_image(rgb, "proof_pdf", dpi=0)
    assert err.value.field == "dpi"
