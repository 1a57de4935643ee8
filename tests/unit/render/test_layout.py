"""Receipt layout on the column grid and the hybrid text/bitmap program."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import datetime

import numpy as np
import pytest

from hubd.errors import InvalidArgument
from hubd.render import labels
from hubd.render.layout import (
    Cell,
    Line,
    Qr,
    Row,
    label_columns,
    layout_receipt,
    render_receipt,
    wrap,
)
from hubd.render.model import Receipt, is_printable_ascii
from hubd.render.program import Cut, Feed, Geometry, ImageBand, TextLine
from hubd.render.qr import qr_module_dots
from hubd.render.sample import IST, sample_receipt
from hubd.render.shaping import columns_needed

NOW = datetime(2026, 11, 25, 14, 32, 5, tzinfo=IST)
PROFILES = {"9-pin": (120, 72, 8), "24-pin": (180, 180, 24), "thermal": (203, 203, 24)}
LONG_NAME = "श्रीमती राजकुमारी देवी पत्नी स्वर्गीय श्री रामस्वरूप शर्मा निवासी ग्राम सांगानेर जयपुर"


def long_receipt() -> Receipt:
    return dataclasses.replace(
        sample_receipt(NOW),
        consumer_name=LONG_NAME[:80],
        service="बिजली बिल भुगतान / Electricity Bill Payment (Non-Domestic, Three Phase) " + "X" * 8,
        transaction_id="T" * 48,
        extra_lines=("Note: " + "lorem ipsum " * 7, "टिप्पणी: " + "भुगतान सफल " * 8),
    )


RECEIPTS = {"sample": lambda: sample_receipt(NOW), "long": long_receipt}


def rows(lines: list[Line]) -> list[Row]:
    return [line for line in lines if isinstance(line, Row)]


@pytest.mark.parametrize("name", sorted(RECEIPTS))
@pytest.mark.parametrize("columns", [80, 136])
@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("mode", ["hybrid", "raster"])
def test_every_line_fits_the_paper(name: str, columns: int, profile: str, mode: str) -> None:
    hdpi, vdpi, band = PROFILES[profile]
    program = render_receipt(RECEIPTS[name](), Geometry(hdpi, vdpi, band, columns=columns), mode=mode)  # type: ignore[arg-type]
    width_dots = columns * hdpi // 10
    for op in program:
        if isinstance(op, TextLine):
            assert len(op.text) <= columns and is_printable_ascii(op.text)
            check_placed(op, columns, hdpi, band)
        elif isinstance(op, ImageBand):
            assert op.bitmap.dtype == np.bool_
            assert op.bitmap.shape[0] % band == 0
            assert 0 <= op.left and op.left + op.bitmap.shape[1] <= width_dots
            assert op.bitmap[:, 0].any() and op.bitmap[:, -1].any()  # trimmed to the ink
    assert program[-1] == Feed(2)  # the body: the job adds its footer and the cut


def check_placed(line: TextLine, columns: int, hdpi: int, band: int) -> None:
    """The images of a text line: equal whole passes, trimmed, on the paper, over blank text."""
    heights = {placed.band.bitmap.shape[0] for placed in line.images}
    assert len(heights) <= 1
    for placed in line.images:
        bitmap = placed.band.bitmap
        assert bitmap.dtype == np.bool_ and bitmap.shape[0] % band == 0
        assert not bitmap[0].any() and not bitmap[-1].any()  # blank above and below: nothing cut
        assert bitmap[:, 0].any() and bitmap[:, -1].any()  # trimmed to the ink
        assert 0 < line.baseline < bitmap.shape[0]
        x = round(placed.column * hdpi / 10) + placed.band.left
        assert 0 <= placed.column < columns and placed.band.left >= 0
        assert x + bitmap.shape[1] <= columns * hdpi // 10
        first, last = x * 10 // hdpi, (x + bitmap.shape[1] - 1) * 10 // hdpi
        assert not line.text[first : last + 1].strip()  # the text is blank under the image


def non_ascii_runs(row: Row) -> int:
    """How many bitmaps a row needs: per cell, the stretches between ASCII letters that hold a
    character the printer's font cannot print (spaces, digits and punctuation between two
    Devanagari words stay in one bitmap; an English word ends it)."""
    return sum(
        any(not is_printable_ascii(ch) for ch in part)
        for cell in row.cells
        for part in re.split("[A-Za-z]+", cell.text)
    )


@pytest.mark.parametrize("columns", [80, 136])
def test_hybrid_prints_ascii_as_text_and_only_non_ascii_runs_as_bitmaps(columns: int) -> None:
    receipt = long_receipt()
    lines = layout_receipt(receipt, columns)
    program = render_receipt(receipt, Geometry(180, 180, 24, columns=columns))
    assert program[-1] == Feed(2) and not any(isinstance(op, Cut) for op in program)  # the job ends it
    assert len(program) == len(lines) + 1
    kinds = set()
    for line, op in zip(lines, program, strict=False):
        if isinstance(line, Qr):
            assert isinstance(op, ImageBand)
        elif line.is_ascii:
            assert op == TextLine(line.text(columns), bold=line.bold)
            kinds.add("text")
        elif any(any(c.isascii() and c.isalnum() for c in cell.text) for cell in line.cells):
            assert isinstance(op, TextLine) and op.images and op.bold == line.bold
            assert len(op.images) == non_ascii_runs(line)
            kinds.add("mixed")
        else:  # nothing the printer's font could print
            assert isinstance(op, ImageBand)
            kinds.add("image")
    assert kinds == {"text", "mixed", "image"}


def test_sample_rows_keep_ascii_native_and_draw_devanagari_and_rupee() -> None:
    program = render_receipt(sample_receipt(NOW), Geometry(180, 180, 24, columns=80))
    mixed = {op.text.split(":")[0].strip(): op for op in program if isinstance(op, TextLine) and op.images}
    value = label_columns() + 3
    amount = mixed["/ Amount"]
    # "राशि / Amount : ₹1,847.50": the label's Hindi word at column 0, ₹ in the column right
    # before the digits (money is right-aligned in 16 columns), everything else native text.
    assert [placed.column for placed in amount.images] == [0, value + 16 - len("1,847.50") - 1]
    assert amount.text.endswith(" 1,847.50") and amount.text.lstrip().startswith("/ Amount")
    rupee = amount.images[1].band.bitmap
    assert rupee.shape[1] <= 18  # one 1/10" column at 180 dpi
    name = mixed["/ Consumer Name"]  # the name is all Devanagari: one bitmap at the value column
    assert [placed.column for placed in name.images] == [0, value]
    assert name.text.rstrip().endswith(":")
    date = mixed["/ Date"]  # only the label's Hindi word is a bitmap; the date is text
    assert len(date.images) == 1 and date.text.endswith("25-11-2026 14:32:05 IST")
    department = mixed["/ Department"]  # "... निगम लि. (JVVNL)": the period stays with the word
    assert department.text.endswith(" (JVVNL)") and "." not in department.text
    total = mixed["/ Total"]
    assert total.bold and total.text.endswith(" 1,857.50")
    baselines = {op.baseline for op in mixed.values()}
    assert baselines <= {27, 28, 29, 30}


def test_raster_mode_has_no_native_text() -> None:
    program = render_receipt(sample_receipt(NOW), Geometry(180, 180, 24, columns=80), mode="raster")
    assert not any(isinstance(op, TextLine) for op in program)
    assert sum(isinstance(op, ImageBand) for op in program) > 20


def test_hybrid_sends_fewer_dots_than_raster() -> None:
    def dots(mode: str) -> int:
        program = render_receipt(sample_receipt(NOW), Geometry(180, 180, 24, columns=80), mode=mode)  # type: ignore[arg-type]
        bands = [op for op in program if isinstance(op, ImageBand)]
        bands += [placed.band for op in program if isinstance(op, TextLine) for placed in op.images]
        return sum(band.bitmap.size for band in bands)

    assert dots("hybrid") < dots("raster") / 4


def test_fields_are_bilingual_and_values_share_one_column() -> None:
    lines = rows(layout_receipt(sample_receipt(NOW), 80))
    field_rows = [row for row in lines if len(row.cells) == 3]
    assert [row.cells[0].text for row in field_rows] == list(labels.ALL)
    for row in field_rows:
        hindi, english = row.cells[0].text.split(" / ")
        assert any("\u0900" <= ch <= "\u097f" for ch in hindi) and is_printable_ascii(english)
        assert row.cells[1].text == ":" and row.cells[1].column == label_columns() + 1
        assert row.cells[2].column == label_columns() + 3
        assert columns_needed(row.cells[0].text, bold=row.bold) <= label_columns()
    money = [row.cells[2] for row in field_rows if row.cells[2].text.startswith("₹")]
    assert [cell.text for cell in money] == ["₹1,847.50", "₹10.00", "₹1,857.50"]
    assert {(cell.align, cell.column + cell.width) for cell in money} == {("right", label_columns() + 3 + 16)}
    total = field_rows[-1]
    assert total.bold and total.cells[0].text == labels.TOTAL


def test_title_footer_and_qr() -> None:
    receipt = sample_receipt(NOW)
    lines = layout_receipt(receipt, 80)
    first = lines[0]
    assert isinstance(first, Row) and first.bold and first.cells[0].text == labels.TITLE
    assert Qr(receipt.transaction_id) in lines
    texts = [row.cells[0].text for row in rows(lines) if row.cells]
    assert texts[-3:] == list(labels.FOOTER)


@pytest.mark.parametrize("columns", [39, 137, 80.0])
def test_bad_columns_are_invalid(columns: object) -> None:
    with pytest.raises(InvalidArgument) as info:
        layout_receipt(sample_receipt(NOW), columns)  # type: ignore[arg-type]
    assert info.value.field == "columns"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hdpi": 0}, "hdpi"),
        ({"vdpi": 10_000}, "vdpi"),
        ({"band_dots": 0}, "band_dots"),
        ({"mode": "pdf"}, "mode"),
        ({"cpi": 0}, "cpi"),
    ],
)
def test_bad_printer_parameters_are_invalid(changes: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"columns": 80, "hdpi": 180, "vdpi": 180, "band_dots": 24}
    mode = changes.pop("mode", "hybrid")
    with pytest.raises(InvalidArgument) as info:
        render_receipt(sample_receipt(NOW), Geometry(**{**args, **changes}), mode=mode)  # type: ignore[arg-type]
    assert info.value.field == field


def test_invalid_receipt_is_refused_before_rendering() -> None:
    bad = dataclasses.replace(sample_receipt(NOW), consumer_no="123\x1b@")
    with pytest.raises(InvalidArgument) as info:
        render_receipt(bad, Geometry(180, 180, 24, columns=80))
    assert info.value.field == "consumer_no"


def test_narrow_printer_stacks_label_over_value() -> None:
    lines = rows(layout_receipt(long_receipt(), 40))
    assert any(row.cells[0].text == f"{labels.AMOUNT} :" for row in lines)
    for row in lines:
        for cell in row.cells:
            assert cell.column + columns_needed(cell.text, bold=row.bold) <= 40


# --- wrapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [12, 20, 31, 49])
def test_wrap_keeps_every_piece_within_width_and_loses_nothing(width: int) -> None:
    pieces = wrap(LONG_NAME, width)
    assert len(pieces) > 1
    assert all(columns_needed(piece) <= width for piece in pieces)
    assert "".join(pieces).replace(" ", "") == LONG_NAME.replace(" ", "")


def test_wrap_breaks_long_words_between_clusters_only() -> None:
    word = "अन्तर्राष्ट्रीयकरणप्रक्रियाक्‍षेत्रीयविद्युत्वितरण"
    pieces = wrap(word, 8)
    assert "".join(pieces) == word and len(pieces) > 2
    for piece in pieces:
        assert columns_needed(piece) <= 8
        assert not unicodedata.category(piece[0]).startswith("M")
        assert piece[0] not in "\u200c\u200d" and piece[-1] not in "\u094d\u200c\u200d"


def test_wrap_cuts_long_ascii_tokens() -> None:
    assert wrap("T" * 48, 20) == ["T" * 20, "T" * 20, "T" * 8]
    assert wrap("  a   b  ", 20) == ["a b"]


def test_row_text_aligns_cells() -> None:
    row = Row((Cell("L", 0, 5), Cell("R", 6, 5, "right"), Cell("C", 12, 5, "center")))
    assert row.text(20) == "L" + " " * 9 + "R" + " " * 3 + "C"


# --- QR ---------------------------------------------------------------------------------------

FINDER = np.array(
    [
        [1, 1, 1, 1, 1, 1, 1],
        [1, 0, 0, 0, 0, 0, 1],
        [1, 0, 1, 1, 1, 0, 1],
        [1, 0, 1, 1, 1, 0, 1],
        [1, 0, 1, 1, 1, 0, 1],
        [1, 0, 0, 0, 0, 0, 1],
        [1, 1, 1, 1, 1, 1, 1],
    ],
    dtype=bool,
)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_qr_band_has_square_modules_finders_and_quiet_zone(profile: str) -> None:
    hdpi, vdpi, band = PROFILES[profile]
    receipt = sample_receipt(NOW)
    lines = layout_receipt(receipt, 80)
    program = render_receipt(receipt, Geometry(hdpi, vdpi, band, columns=80))
    qr = program[lines.index(Qr(receipt.transaction_id))]
    assert isinstance(qr, ImageBand) and qr.bitmap.shape[0] % band == 0
    mw, mh = qr_module_dots(hdpi, vdpi)
    assert mw / hdpi == pytest.approx(mh / vdpi, rel=0.05) and mh / vdpi >= 0.5 / 25.4
    rows_ = np.flatnonzero(qr.bitmap.any(axis=1))
    top, bottom = int(rows_[0]), int(rows_[-1]) + 1
    assert top >= 4 * mh and qr.bitmap.shape[0] - bottom >= 4 * mh and qr.left >= 4 * mw
    modules = qr.bitmap[top:bottom:mh, ::mw]
    size = modules.shape[0]
    assert modules.shape == (size, size) and (size - 17) % 4 == 0  # versions are 21, 25, 29...
    for corner in (modules[:7, :7], modules[:7, -7:], modules[-7:, :7]):
        assert np.array_equal(corner, FINDER)
    center = qr.left + qr.bitmap.shape[1] / 2
    assert center == pytest.approx(80 * hdpi / 10 / 2, abs=mw)


@pytest.mark.parametrize("columns", [40, 48])
def test_an_identifier_too_wide_for_the_value_column_goes_whole_under_its_label(columns: int) -> None:
    """A transaction id cut in two could be misread at the counter: it is never split."""
    receipt = sample_receipt(NOW)
    cells = [c.text for line in layout_receipt(receipt, columns) if isinstance(line, Row) for c in line.cells]
    assert receipt.transaction_id in cells
    assert not any(t != receipt.transaction_id and t in receipt.transaction_id for t in cells if len(t) > 3)
