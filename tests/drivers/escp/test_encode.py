"""encode_program: expected bytes written by hand from protocols.md §1.1/§1.2, then a cross-check
against the ESC/P simulator (which is written separately from the reference)."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.escp.encode import encode_program
from drivers.escp.profiles import PROFILES
from hubd.errors import InvalidArgument
from hubd.render.program import Cut, Feed, ImageBand, TextLine
from simulators.escp_printer import EscpInterpreter

NINE = PROFILES["tvs-msp250"]
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
    assert out == (
        START
        + b"\x1b\x33\x18"
        + b"  \x1b\x2a\x01\x03\x00\x80\x00\x00\r\n"
        + b"\r\n"
        + b"  \x1b\x2a\x01\x03\x00\x00\x00\x80\r\n"
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
    bitmap = np.zeros((8, 1), dtype=bool)
    bitmap[[3, 4, 6, 7], 0] = True  # 0001 1011 = 0x1B
    out = encode_program([ImageBand(bitmap)], NINE)
    assert out == START + b"\x1b\x33\x18\x1b\x2a\x01\x01\x00\x1b\r\n\x1b\x32"


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


# The band's inked part starts 35 dots in: 2 spaces + 11 blank columns at 120 dpi (9-pin),
# 1 space + 17 blank columns at 180 dpi (24-pin); 35 inked columns follow.
@pytest.mark.parametrize(("name", "columns_sent"), [("tvs-msp250", 46), ("tvs-msp455", 52)])
def test_band_renders_where_expected_in_the_simulator(name: str, columns_sent: int) -> None:
    prof = PROFILES[name]
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
    assert job.lines == ["Header", f"[graphics {columns_sent}x{rows}]", "kioskhub-job: t1"]
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
