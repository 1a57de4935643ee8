"""Devanagari shaping, fonts, and bands that never cut a glyph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from hubd.errors import DeviceUnavailable
from hubd.render import fonts, labels, shaping
from hubd.render.fonts import Layout, find_font, font_set, load_font
from hubd.render.layout import Cell, Row, render_mixed, render_receipt, render_row
from hubd.render.program import Geometry, ImageBand, TextLine
from hubd.render.sample import sample_receipt
from hubd.render.shaping import Piece, columns_needed, pieces, pixel_size, shape, split_runs, text_width

PROFILES = {
    "9-pin": Geometry(120, 72, 8),
    "24-pin": Geometry(180, 180, 24),
    "thermal": Geometry(203, 203, 24),
}
MATRAS = "कियोस्क प्रिंटर रसीद"
EXTREMES = "क्रूर हृदय र्द्धि ट्रॉली कृष्ण"  # reph + stacked vowel signs above, ु ृ below


@pytest.fixture
def fresh_fonts() -> Iterator[None]:
    fonts.clear_caches()
    shaping.clear_caches()
    yield
    fonts.clear_caches()
    shaping.clear_caches()


# --- shaping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["मित्र", "क्ष", "श्री", "प्रिंटर"])
def test_raqm_shapes_conjuncts_narrower_than_basic_and_than_the_parts(word: str) -> None:
    size = 30
    shaped = text_width(word, size, Layout.RAQM)
    basic = text_width(word, size, Layout.BASIC)
    parts = sum(text_width(ch, size, Layout.RAQM) for ch in word)
    assert shaped < basic
    assert shaped < 0.8 * parts


def test_raqm_and_basic_draw_different_glyphs_for_a_conjunct() -> None:
    raqm = shape("मित्र", 30, layout=Layout.RAQM).pixels >= 128
    basic = shape("मित्र", 30, layout=Layout.BASIC).pixels >= 128
    assert raqm.shape != basic.shape or not np.array_equal(raqm, basic)


def _offset_of_ka(layout: Layout) -> int | None:
    """Where the ink of "क" alone sits inside "कि" (x shift on the same baseline), or None."""
    ka, ki = shape("क", 30, layout=layout), shape("कि", 30, layout=layout)
    ka_ink, ki_ink = ka.pixels >= 128, ki.pixels >= 128
    top = ka.y - ki.y
    h, w = ka_ink.shape
    for dx in range(ki_ink.shape[1] - w + 1):
        window = ki_ink[top : top + h, dx : dx + w]
        if window.shape == ka_ink.shape and np.all(window[ka_ink]):
            return ki.x + dx - ka.x
    return None


def test_vowel_sign_i_is_drawn_before_its_consonant() -> None:
    # "कि" is stored क + ि but printed ि + क: shaped, क moves right to make room for the sign.
    assert (_offset_of_ka(Layout.RAQM) or 0) >= 5
    assert _offset_of_ka(Layout.BASIC) == 0


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("राशि / Amount", [("राशि", True), (" / Amount", False)]),
        ("ई-मित्र रसीद", [("ई-मित्र रसीद", True)]),
        ("₹1,234.50", [("₹", True), ("1,234.50", False)]),
        ("नकद / Cash", [("नकद", True), (" / Cash", False)]),
        ("EM/2026 रसीद", [("EM/2026 ", False), ("रसीद", True)]),
        ("निगम लि. (JVVNL)", [("निगम लि.", True), (" (JVVNL)", False)]),  # "." ends the word
        ("नाम: Ram", [("नाम:", True), (" Ram", False)]),
        ("₹5 ₹6", [("₹5 ₹", True), ("6", False)]),
        ("", []),
    ],
)
def test_split_runs_by_script(text: str, runs: list[tuple[str, bool]]) -> None:
    assert split_runs(text) == runs


def test_pieces_on_the_grid() -> None:
    word = columns_needed("₹5 रसीद")
    assert pieces("Café ₹5 रसीद") == (
        Piece("Caf", devanagari=False, native=True, columns=3),
        Piece("é", devanagari=False, native=False, columns=1),  # not ASCII: drawn, one column
        Piece(" ", devanagari=False, native=True, columns=1),
        Piece("₹5 रसीद", devanagari=True, native=False, columns=word),
    )
    # A Devanagari run takes whole columns, so the ASCII after it starts on one.
    assert columns_needed("रसीद रसीद") <= 2 * columns_needed("रसीद")


def test_columns_needed() -> None:
    assert columns_needed("Receipt No.") == len("Receipt No.")
    assert 0 < columns_needed("राशि") < len("राशि")
    assert columns_needed("राशि / Amount") == columns_needed("राशि") + len(" / Amount")


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("label", labels.ALL)
def test_measured_columns_hold_at_every_printer_resolution(profile: str, label: str) -> None:
    geometry = PROFILES[profile]
    for bold in (False, True):
        band = render_row(Row((Cell(label, 0, 40),), bold), geometry)
        assert band is not None
        width = band.left + band.bitmap.shape[1]
        assert width <= geometry.column_dots(columns_needed(label, bold=bold))


# --- no clipping ------------------------------------------------------------------------------


def _reference_ink(text: str, size: int) -> np.ndarray:
    """The same text drawn by Pillow alone on a roomy canvas, cropped to its ink."""
    font = ImageFont.truetype(str(font_set().devanagari), size, layout_engine=Layout.RAQM)
    image = Image.new("L", (size * len(text), size * 4))
    ImageDraw.Draw(image).text((size, size * 2), text, font=font, fill=255, anchor="ls")
    ink = np.asarray(image) >= 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _cropped(bitmap: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(bitmap.any(axis=1)), np.flatnonzero(bitmap.any(axis=0))
    return bitmap[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


@pytest.mark.parametrize("text", [MATRAS, EXTREMES])
def test_band_at_180_dpi_holds_every_dot_of_the_line(text: str) -> None:
    geometry = PROFILES["24-pin"]
    band = render_row(Row((Cell(text, 0, 80),)), geometry)
    assert band is not None
    bitmap = band.bitmap
    assert bitmap.shape[0] % 24 == 0
    assert not bitmap[0].any() and not bitmap[-1].any()  # blank above the matras, below the ु
    assert bitmap[:, 0].any() and bitmap[:, -1].any()  # trimmed to the ink, no blank columns
    # Every dot Pillow draws for the line on an unbounded canvas is in the band.
    assert np.array_equal(_cropped(bitmap), _reference_ink(text, pixel_size(180)))


@pytest.mark.parametrize("text", [MATRAS, EXTREMES])
def test_bitmap_beside_text_at_180_dpi_holds_every_dot_of_the_devanagari(text: str) -> None:
    op = render_mixed(Row((Cell(f"{text} / Printer receipt", 0, 80),)), PROFILES["24-pin"], 80)
    assert isinstance(op, TextLine) and len(op.images) == 1
    assert op.text.strip() == "/ Printer receipt"
    bitmap = op.images[0].band.bitmap
    assert bitmap.shape[0] == 48  # two 24-dot passes: one would cut the matras or the ु
    assert not bitmap[0].any() and not bitmap[-1].any()
    assert np.array_equal(_cropped(bitmap), _reference_ink(text, pixel_size(180)))


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("bold", [False, True])
def test_bitmaps_beside_text_share_the_devanagari_baseline(profile: str, bold: bool) -> None:
    op = render_mixed(Row((Cell("नमन / Amount : ₹5 (Cash) कुल", 0, 80),), bold), PROFILES[profile], 80)
    assert isinstance(op, TextLine) and op.text.strip() == "/ Amount :  5 (Cash)"  # ₹: a blank
    assert {placed.band.bitmap.shape[0] for placed in op.images} == {op.images[0].band.bitmap.shape[0]}
    # "नमन" and "₹" sit on the baseline and reach nothing below it: their ink ends on the row
    # above the top edge of row ``baseline``; "कुल" has its ु below the baseline.
    bottoms = [int(np.flatnonzero(placed.band.bitmap.any(axis=1))[-1]) for placed in op.images]
    assert bottoms[:2] == [op.baseline - 1] * 2
    assert bottoms[2] > op.baseline


def test_a_line_with_matras_takes_two_24_dot_passes_at_180_dpi() -> None:
    band = render_row(Row((Cell(MATRAS, 0, 80),)), PROFILES["24-pin"])
    assert band is not None and band.bitmap.shape[0] == 48
    font = load_font(font_set().devanagari, pixel_size(180))
    top, bottom = font.getbbox(MATRAS, anchor="ls")[1::2]
    assert bottom - top + 2 <= 48  # the glyph box plus a blank row each side fits


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("text", [MATRAS, EXTREMES, "राशि / Amount : ₹1,23,456.00", "Ag|_"])
def test_bands_are_whole_passes_with_blank_edges(profile: str, text: str) -> None:
    geometry = PROFILES[profile]
    band = render_row(Row((Cell(text, 0, 80),), True), geometry)
    assert band is not None
    assert band.bitmap.dtype == np.bool_
    assert band.bitmap.shape[0] % geometry.band_dots == 0
    assert not band.bitmap[0].any() and not band.bitmap[-1].any()


def test_anisotropic_9_pin_keeps_glyph_proportions() -> None:
    def aspect(geometry: Geometry) -> float:
        band = render_row(Row((Cell(MATRAS, 0, 80),)), geometry)
        assert band is not None
        ink = _cropped(band.bitmap)
        return float((ink.shape[1] / geometry.hdpi) / (ink.shape[0] / geometry.vdpi))

    assert aspect(PROFILES["9-pin"]) == pytest.approx(aspect(PROFILES["24-pin"]), rel=0.1)


# --- fonts ------------------------------------------------------------------------------------


def test_fonts_are_loaded_once() -> None:
    assert load_font(font_set().devanagari, 30) is load_font(font_set().devanagari, 30)


def test_rendering_again_loads_no_font(monkeypatch: pytest.MonkeyPatch) -> None:
    row = Row((Cell("उपभोक्ता का नाम / Consumer Name", 0, 80),))
    render_row(row, PROFILES["24-pin"])
    calls: list[object] = []
    real = ImageFont.truetype

    def counting(*args: Any, **kwargs: Any) -> ImageFont.FreeTypeFont:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ImageFont, "truetype", counting)
    render_row(Row((Cell("रामेश्वर प्रसाद शर्मा", 0, 80),)), PROFILES["24-pin"])
    assert calls == []


def test_devanagari_font_prefers_noto_then_lohit() -> None:
    path = font_set().devanagari
    assert path.name in fonts.DEVANAGARI_REGULAR
    assert find_font(("NoSuchFont.ttf",)) is None


def test_no_font_is_font_missing(fresh_fonts: None, tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable) as info:
        fonts._font_set((tmp_path,))
    assert info.value.reason == "FONT_MISSING"
    assert str(tmp_path) in info.value.metadata["searched"]


def test_font_dir_override_wins(fresh_fonts: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lohit = find_font(("Lohit-Devanagari.ttf",))
    if lohit is None:
        pytest.skip("fonts-lohit-deva is not installed")
    (tmp_path / "Lohit-Devanagari.ttf").symlink_to(lohit)
    monkeypatch.setenv(fonts.FONT_DIR_ENV, str(tmp_path))
    assert font_set().devanagari == tmp_path / "Lohit-Devanagari.ttf"
    assert font_set().latin.name in fonts.LATIN_REGULAR  # a monospaced face is still preferred
    band = render_row(Row((Cell(MATRAS, 0, 80),)), PROFILES["24-pin"])
    assert band is not None and not band.bitmap[0].any() and not band.bitmap[-1].any()
    program = render_receipt(sample_receipt(), Geometry(180, 180, 24, columns=80))
    for op in program:
        if isinstance(op, ImageBand):
            assert op.left + op.bitmap.shape[1] <= 1440 and op.bitmap.shape[0] % 24 == 0
