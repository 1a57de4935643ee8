"""encode_program: expected bytes written by hand from protocols.md §1.1/§1.2, then a cross-check
against the ESC/P simulator (which is written separately from the reference)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import numpy as np
import pytest

from hubd.errors import InvalidArgument
from hubd.render.layout import render_receipt
from hubd.render.program import Cut, Feed, Geometry, ImageBand, Placed, TextLine
from hubd.render.sample import IST, sample_receipt
from kioskhub.drivers.escp.encode import encode_program
from kioskhub.drivers.escp.profiles import PROFILES
from kioskhub.simulators.escp_interp import EscpInterpreter

NINE = dataclasses.replace(PROFILES["tvs-msp250"], interlace=1)  # the single-pass wire bytes
NINE_NLQ = PROFILES["tvs-msp250"]  # 3 passes 1/216" apart (the default)
TWENTY_FOUR = PROFILES["tvs-msp455"]
START = b"\x1b\x40" + b"\x1b\x74\x01"  # ESC @, ESC t 1 (PC437 graphics table)


def test_text_lines_feed_and_cut() -> None:
    program = [
        TextLine("Hi", bold=True),
        TextLine("small", condensed=True),
        TextLine("BIG", double_width=True),
        TextLine("all", bold=True, condensed=True, double_width=True),
        Feed(2),
        Cut(),
    ]
    assert encode_program(program, NINE) == (
        START
        + b"\x1b\x45Hi\x1b\x46\r\n"
        + b"\x0fsmall\x12\r\n"
        + b"\x1b\x57\x01BIG\x1b\x57\x00\r\n"
        + b"\x1b\x45\x0f\x1b\x57\x01all\x1b\x46\x12\x1b\x57\x00\r\n"
        + b"\r\n\r\n"
        + b"\r\n" * 6  # tear-off: 6 lines at 1/6"
    )


def test_form_feed_cut_and_page_length() -> None:
    out = encode_program([TextLine("x"), Cut()], NINE, cut="form_feed", page_length_inches=11)
    assert out == START + b"\x1b\x43\x00\x0b" + b"x\r\n" + b"\x0c"


def test_text_is_sanitized() -> None:
    out = encode_program([TextLine("Ram\x1b@\r\nKumar \u20b95")], NINE)
    assert out == START + b"Ram@Kumar ?5\r\n"


def test_band_9_pin_offset_by_spaces_and_blank_columns() -> None:
    bitmap = np.zeros((8, 16), dtype=bool)
    bitmap[:, 13] = True  # column 13: all 8 dots -> FF
    bitmap[0, 14] = True  # column 14: top dot -> 80
    out = encode_program([ImageBand(bitmap)], NINE)
    # 13 blank dots = 1 space (12 dots at 120 dpi, 10 cpi) + 1 blank column.
    assert out == (
        START
        + b"\x1b\x33\x18"  # ESC 3 24: 24/216" = 8/72", one 8-dot pass
        + b" "
        + b"\x1b\x2a\x01\x03\x00\x00\xff\x80"
        + b"\r\n"
        + b"\x1b\x32"
    )


def test_band_9_pin_two_passes_and_a_blank_one() -> None:
    bitmap = np.zeros((24, 3), dtype=bool)
    bitmap[0, 0] = True  # pass 1, column 0, top dot
    bitmap[16, 2] = True  # pass 3, column 2, top dot; pass 2 is blank
    out = encode_program([ImageBand(bitmap, left=24)], NINE)  # 24 dots = 2 spaces
    # Each pass is trimmed to its own ink: pass 1 sends column 0 only; pass 3 reaches column 2
    # (dot 26) with 2 spaces and 2 blank columns. The blank pass is fed over: two LFs of one
    # pass each, from row 0 to row 16; the last LF ends the band's 24 rows.
    assert out == (
        START
        + b"\x1b\x33\x18"
        + b"  \x1b\x2a\x01\x01\x00\x80\r"
        + b"\n\n"
        + b"  \x1b\x2a\x01\x03\x00\x00\x00\x80\r"
        + b"\n"
        + b"\x1b\x32"
    )


def test_band_24_pin_three_bytes_per_column() -> None:
    bitmap = np.zeros((24, 2), dtype=bool)
    bitmap[0, 0] = True  # 80 00 00
    bitmap[23, 1] = True  # 00 00 01
    out = encode_program([ImageBand(bitmap, left=20)], TWENTY_FOUR)
    # 20 dots at 180 dpi: 1 space (18 dots) + 2 blank columns of 3 bytes.
    assert out == (
        START
        + b"\x1b\x33\x18"  # ESC 3 24: 24/180", one 24-dot pass
        + b" \x1b\x2a\x27\x04\x00"
        + b"\x00\x00\x00" * 2
        + b"\x80\x00\x00\x00\x00\x01"
        + b"\r\n\x1b\x32"
    )


def test_band_contains_esc_bytes_raw() -> None:
    bitmap = np.zeros((8, 2), dtype=bool)
    bitmap[[3, 4, 6, 7], 0] = True  # 0001 1011 = 0x1B
    bitmap[0, 1] = True  # 0x80: the pass starts on row 0
    out = encode_program([ImageBand(bitmap)], NINE)
    assert out == START + b"\x1b\x33\x18\x1b\x2a\x01\x02\x00\x1b\x80\r\n\x1b\x32"


@pytest.mark.parametrize(
    ("op", "field"),
    [
        (ImageBand(np.ones((8, 961), dtype=bool)), "program[0].bitmap"),
        (ImageBand(np.ones((8, 10), dtype=bool), left=951), "program[0].bitmap"),
        (ImageBand(np.ones((8, 10), dtype=bool), left=-1), "program[0].left"),
        (ImageBand(np.ones(8, dtype=bool)), "program[0].bitmap"),
        (Feed(-1), "program[0].lines"),
    ],
)
def test_bad_ops(op: object, field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        encode_program([op], NINE)  # type: ignore[list-item]
    assert err.value.field == field


def test_bad_cut_style() -> None:
    with pytest.raises(InvalidArgument):
        encode_program([], NINE, cut="guillotine")  # type: ignore[arg-type]


def _ink(image: object, x: int, y: int) -> bool:
    return image.getpixel((x, y)) == 0  # type: ignore[attr-defined]


# Each pass is trimmed to its own ink. The first pass's only dot is 35 dots in: ESC $ 17 (34
# dots at 120 dpi) + 1 blank column (9-pin), ESC $ 11 (33 dots at 180 dpi) + 2 blank columns
# (24-pin), then that column. The second pass's is 69 dots in: ESC $ 34 + 1 blank column
# (9-pin), ESC $ 23 (69 dots) (24-pin), then that column.
@pytest.mark.parametrize(("name", "columns_sent"), [("tvs-msp250", (2, 2)), ("tvs-msp455", (3, 1))])
def test_band_renders_where_expected_in_the_simulator(name: str, columns_sent: tuple[int, int]) -> None:
    prof = dataclasses.replace(PROFILES[name], interlace=1)  # this test's dot arithmetic is per pass
    rows = prof.band_dots * 2
    bitmap = np.zeros((rows, 40), dtype=bool)
    bitmap[0, 5] = True  # top-left dot of the image
    bitmap[rows - 1, 39] = True  # bottom-right dot
    program = [TextLine("Header"), ImageBand(bitmap, left=30), TextLine("kioskhub-job: t1")]
    sim = EscpInterpreter(prof.pins, prof.columns)
    data = encode_program(program, prof)
    assert sim.feed(data) == len(data)
    job = sim.end_job()
    assert job is not None
    band = prof.band_dots
    graphics = [f"[graphics {columns}x{band}]" for columns in columns_sent]
    assert job.lines == ["Header", *graphics, "kioskhub-job: t1"]
    page = job.pages[0]
    # Page raster: 9-pin 240x216 dpi, 24-pin 360x360 dpi. The band starts one line (1/6") down.
    hdpi, vdpi = (240, 216) if prof.pins == 9 else (360, 360)
    top = vdpi // 6
    dot_w, dot_h = hdpi // prof.hdpi, vdpi // prof.vdpi
    x0 = (30 + 5) * dot_w
    assert _ink(page, x0, top) and _ink(page, x0 + dot_w - 1, top + dot_h - 1)
    assert not _ink(page, x0 - 1, top) and not _ink(page, x0, top - 1)
    x1, y1 = (30 + 39) * dot_w, top + (rows - 1) * dot_h
    assert _ink(page, x1, y1) and _ink(page, x1 + dot_w - 1, y1 + dot_h - 1)
    assert not _ink(page, x1, y1 + dot_h)


# --- a text line with bitmaps on it (TextLine.images) -------------------------------------------
# Expected bytes by hand from protocols.md §1.1/§1.2: ESC 3 n (n/216" 9-pin, n/180" 24-pin), ESC J n
# (feed n units now, no CR), CR (left margin, no feed: auto-LF off), LF (one line at the current
# spacing), ESC * m nL nH + columns (MSB = top dot), ESC 2 (1/6"). Text baseline below the top of
# its print line: 7/72" on 9 pins, 20/180" on 24 pins.


def test_mixed_line_24_pin_text_then_one_pass_of_graphics() -> None:
    bitmap = np.zeros((48, 2), dtype=bool)
    bitmap[9, :] = True  # the headline: the densest row, where the one pass starts
    bitmap[30, 1] = True  # 21 rows below it: third byte (rows 16-23 of the pass), bit 5 -> 04
    line = TextLine("Hi", bold=True, images=(Placed(2, ImageBand(bitmap, left=3)),), baseline=28)
    assert encode_program([line], TWENTY_FOUR) == (
        START  # no LF of one pass, so no ESC 3 (nor ESC 2 after)
        + b"\x1b\x4a\x08"  # ESC J 8: the text's top is 28 - 20 = 8 rows below the bitmap's top
        + b"\x1b\x45Hi\x1b\x46\r"  # bold text, CR without feeding
        + b"\x1b\x4a\x01"  # ESC J 1: down to row 9, the pass
        + b"\x1b\x24\x0d\x00"  # ESC $ 13: 13/60" = dot 39 = column 2 (36 dots) + left 3
        + b"\x1b\x2a\x27\x02\x00"  # ESC * 39, 2 columns
        + b"\x80\x00\x00"
        + b"\x80\x00\x04"
        + b"\r"
        + b"\x1b\x4a\x27"  # ESC J 39: from row 9 to the line's end at row 48
    )


def test_mixed_line_9_pin_text_shares_the_headline_pass() -> None:
    bitmap = np.zeros((16, 3), dtype=bool)
    bitmap[2, 0] = True  # above the headline (a matra): a pass of its own, rows 2-3
    bitmap[4, :] = True  # the headline: a pass from row 4 to row 11
    bitmap[13, 2] = True  # below that pass (a ु): the next pass, rows 12-13, second pin
    line = TextLine(" AB", images=(Placed(0, ImageBand(bitmap, left=1)),), baseline=11)
    assert encode_program([line], NINE) == (
        START
        + b"\x1b\x33\x18"  # ESC 3 24: 24/216" = one 8-dot pass
        + b"\x1b\x4a\x06"  # ESC J 6: down 2 rows of 3/216"
        + b"\x1b\x2a\x01\x02\x00"
        + b"\x00\x80"
        + b"\r"  # dot 1 = one blank column, top pin
        + b"\x1b\x4a\x06"  # 2 rows down: row 4, where the text's top is too (11 - 7)
        + b" AB\r"  # the text, CR without feeding...
        + b"\x1b\x2a\x01\x04\x00"
        + b"\x00\x80\x80\x80"
        + b"\r"  # ...the headline on that line
        + b"\x0a"  # LF: row 4 -> 12 is one pass at ESC 3 24
        + b"\x1b\x2a\x01\x04\x00"
        + b"\x00\x00\x00\x40"
        + b"\r"  # dot 3, second pin
        + b"\x1b\x4a\x0c"  # ESC J 12: 4 rows, to the end of the 16-row line
        + b"\x1b\x32"
    )


def test_mixed_line_text_above_the_bitmaps_and_a_long_feed() -> None:
    bitmap = np.zeros((8, 1), dtype=bool)
    bitmap[7, 0] = True
    # baseline 3: the text's top is 4 rows above the bitmap's; the line ends a text line (12
    # rows) below the text top. Blank passes are not sent.
    line = TextLine("x", images=(Placed(79, ImageBand(bitmap, left=11)),), baseline=3)
    assert encode_program([line], NINE) == (
        START  # ESC J feeds only: no ESC 3 / ESC 2
        + b"x\r"
        + b"\x1b\x4a\x21"  # ESC J 33: 11 rows of 3/216", from the text (row -4) to row 7, the
        # only inked row, where the pass starts
        + b"\x1b\x24\xdf\x01"  # ESC $ 479: 479/60" = dot 958 (not 9 HT + 7 spaces + 11 columns)
        + b"\x1b\x2a\x01\x02\x00"
        + b"\x00\x80"
        + b"\r"  # dot 959
        + b"\x1b\x4a\x03"  # to row 8 = text top + 12
    )


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (TextLine("x", condensed=True, images=(Placed(0, ImageBand(np.ones((8, 1), bool))),)), "images"),
        (
            TextLine(
                "x",
                images=(
                    Placed(0, ImageBand(np.ones((8, 1), bool))),
                    Placed(5, ImageBand(np.ones((16, 1), bool))),
                ),
            ),
            "images[1].band.bitmap",
        ),
        (TextLine("x", images=(Placed(-1, ImageBand(np.ones((8, 1), bool))),)), "images[0].column"),
        (TextLine("x", images=(Placed(79, ImageBand(np.ones((8, 13), bool))),)), "images[0].band.bitmap"),
        (TextLine("x", images=(Placed(0, ImageBand(np.ones(8, bool))),)), "images[0].band.bitmap"),
        (TextLine("x", images=(Placed(0, ImageBand(np.ones((8, 1), bool))),), baseline=9), "baseline"),
    ],
)
def test_bad_mixed_lines(line: TextLine, field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        encode_program([line], NINE)
    assert err.value.field == f"program[0].{field}"


def _bits(page: object) -> np.ndarray:
    return np.asarray(page) == 0  # ink is black


# A hand-drawn "Devanagari word" (a bar = the headline, a stem down to the baseline, a hook above
# and a tail below it) on the same line as native text: in the simulator (written separately from
# the reference), every dot lands where it should, and the bottom of "H" sits on the baseline.
@pytest.mark.parametrize("name", ["tvs-msp250", "tvs-msp455"])
def test_mixed_line_in_the_simulator(name: str) -> None:
    prof = dataclasses.replace(PROFILES[name], interlace=1)  # this test's dot arithmetic is per pass
    band = prof.band_dots
    rows = 3 * band
    base = 2 * band  # baseline row of the bitmap
    bitmap = np.zeros((rows, 30), dtype=bool)
    bitmap[base - band, :] = True  # headline
    bitmap[base - band : base, 10] = True  # stem down to the baseline
    bitmap[1 : base - band, 20] = True  # hook above the headline
    bitmap[base : rows - 1, 25] = True  # tail below the baseline
    line = TextLine("    HHHH", images=(Placed(1, ImageBand(bitmap, left=2)),), baseline=base)
    sim = EscpInterpreter(prof.pins, prof.columns)
    data = encode_program([TextLine("top"), line, TextLine("kioskhub-job: t2")], prof)
    assert sim.feed(data) == len(data)
    job = sim.end_job()
    assert job is not None and job.lines[-1] == "kioskhub-job: t2"
    ink = _bits(job.pages[0])
    hdpi, vdpi = (240, 216) if prof.pins == 9 else (360, 360)
    dot_w, dot_h = hdpi // prof.hdpi, vdpi // prof.vdpi
    top = vdpi // 6  # the line starts one text line (1/6") down
    x0 = (prof.dots_per_column + 2) * dot_w
    graphics = ink[top : top + rows * dot_h, x0 : x0 + 30 * dot_w]
    expected = np.repeat(np.repeat(bitmap, dot_h, axis=0), dot_w, axis=1)
    assert np.array_equal(graphics, expected)  # every dot, once, nothing clipped or shifted
    # nothing else printed left of the text, i.e. no stray graphics
    assert not ink[top : top + rows * dot_h, :x0].any()
    # "HHHH" (columns 4-7): its last inked raster row is the bitmap's last row above the
    # baseline, to within the simulator's half-dot glyph rounding.
    cell = ink[:, 4 * prof.dots_per_column * dot_w : 8 * prof.dots_per_column * dot_w]
    text_rows = np.flatnonzero(cell[top : top + rows * dot_h].any(axis=1))
    baseline_px = base * dot_h
    assert abs(int(text_rows[-1]) + 1 - baseline_px) <= dot_h // 2 + 1
    # the next line starts below the bitmaps (the line is ``rows`` tall)
    after = np.flatnonzero(ink[top + rows * dot_h :].any(axis=1))
    assert after.size and after[0] > 0


def _graphics_only(program: list[object]) -> list[object]:
    """The program with every text blanked (the bitmaps, and every line's height, kept)."""
    return [dataclasses.replace(op, text="") if isinstance(op, TextLine) else op for op in program]


# The sample receipt, rendered for each head and width: with the text blanked, the simulator's
# page holds exactly the program's dots - as many, in the same columns - so no pass is lost,
# cut short or printed twice, and every line fits the paper.
@pytest.mark.parametrize("name", ["tvs-msp250", "tvs-msp455", "epson-fx2190", "epson-lq2190"])
def test_sample_receipt_prints_every_dot_once(name: str) -> None:
    prof = dataclasses.replace(PROFILES[name], interlace=1)  # this test's dot arithmetic is per pass
    now = datetime(2026, 11, 25, 14, 32, 5, tzinfo=IST)
    program = render_receipt(
        sample_receipt(now), Geometry(prof.hdpi, prof.vdpi, prof.band_dots, columns=prof.columns)
    )
    assert any(isinstance(op, TextLine) and op.images for op in program)
    expected_cols = np.zeros(prof.width_dots, dtype=np.int64)
    for op in program:
        placed: list[tuple[int, np.ndarray]] = []
        if isinstance(op, ImageBand):
            placed.append((op.left, op.bitmap))
        elif isinstance(op, TextLine):
            placed += [(p.column * prof.dots_per_column + p.band.left, p.band.bitmap) for p in op.images]
        for x, bitmap in placed:
            expected_cols[x : x + bitmap.shape[1]] += bitmap.sum(axis=0)
    data = encode_program(_graphics_only(program), prof)  # type: ignore[arg-type]
    sim = EscpInterpreter(prof.pins, prof.columns)
    assert sim.feed(data) == len(data)
    job = sim.end_job()
    assert job is not None and len(job.pages) == 1
    assert sim.stats["unknown_commands"] == 0 and sim.stats["unsupported_graphics"] == 0
    hdpi, vdpi = (240, 216) if prof.pins == 9 else (360, 360)
    dot_w, dot_h = hdpi // prof.hdpi, vdpi // prof.vdpi
    ink = _bits(job.pages[0])
    assert ink.shape[1] == prof.width_dots * dot_w
    got_cols = ink.sum(axis=0).reshape(prof.width_dots, dot_w)[:, 0] // dot_h
    assert np.array_equal(got_cols, expected_cols)


# --- 9-pin near-letter-quality: 3 passes 1/216" apart per band -----------------------------------
# Expected bytes by hand (protocols.md §1.1/§1.2): the pins are 1/72" apart, so a bitmap at 216 rows
# per inch goes out as its rows 0, 3, 6... (pass 1), 1, 4, 7... (pass 2) and 2, 5, 8... (pass 3),
# each pass ``ESC * 1 nL nH`` + columns (MSB = top pin) and CR, the paper moved 1/216" between them
# with ``ESC J 1`` (n/216" on 9 pins) and to the band's end after the last.


def test_band_9_pin_interlaced_three_passes_one_216th_apart() -> None:
    bitmap = np.zeros((3, 1), dtype=bool)
    bitmap[:, 0] = True  # one dot in each of rows 0, 1 and 2: one per pass, on the top pin
    out = encode_program([ImageBand(bitmap)], NINE_NLQ)
    one_dot = b"\x1b\x2a\x01\x01\x00\x80"
    assert out == START + (one_dot + b"\r" + b"\x1bJ\x01") * 3


def test_band_9_pin_interlaced_prints_every_row_at_its_216th_in_the_simulator() -> None:
    """Every bitmap row lands 1/216" below the last (the simulator draws 216 rows per inch; a dot
    is 1/72" tall, so each row's dots cover it and the next two), nothing printed twice."""
    rng = np.random.default_rng(3)
    bitmap = rng.random((48, 60)) < 0.3
    data = encode_program([ImageBand(bitmap, left=24)], NINE_NLQ)
    sim = EscpInterpreter(9, 80)
    assert sim.feed(data) == len(data)
    job = sim.end_job()
    assert job is not None and sim.stats["unknown_commands"] == 0
    ink = _bits(job.pages[0])
    expected = np.zeros((bitmap.shape[0] + 2, bitmap.shape[1]), dtype=bool)
    for dy in range(3):  # a 72 dpi dot is three 216 dpi rows tall
        expected[dy : dy + bitmap.shape[0]] |= bitmap
    got = ink[: expected.shape[0], 48 : 48 + 2 * bitmap.shape[1] : 2]  # 2 px a 120 dpi column
    assert np.array_equal(got, expected)
