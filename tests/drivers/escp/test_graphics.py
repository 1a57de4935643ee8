"""Head moves and densities of ESC/P graphics passes: expected bytes written by hand from
protocols.md §1.1 (HT 09 to the next tab stop, every 8 characters after ESC @; a space is one
1/10" column), Epson's ESC/P reference for ``ESC $ nL nH`` (1B 24: the head to (nL + 256 nH)/60"
from the left margin) and §1.2 (ESC * m nL nH, densities 0 = 60 dpi, 1 = 120 dpi, 39 = 180 dpi
24-dot, 38 = 90 dpi 24-dot, 32 = 60 dpi 24-dot; MSB = top dot), then cross-checked in the ESC/P
simulator."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hubd.render.program import ImageBand, Placed, TextLine
from kioskhub.drivers.escp.encode import encode_program, tab_spaces
from kioskhub.drivers.escp.graphics import coarse_modes, move
from kioskhub.drivers.escp.profiles import PROFILES
from kioskhub.simulators.escp_printer import EscpInterpreter

NINE = dataclasses.replace(PROFILES["tvs-msp250"], interlace=1)  # the single-pass wire bytes
NINE_NLQ = PROFILES["tvs-msp250"]  # 3 passes 1/216" apart (the default)
TWENTY_FOUR = PROFILES["tvs-msp455"]
START = b"\x1b\x40" + b"\x1b\x74\x01"  # ESC @, ESC t 1
BAND_9 = b"\x1b\x33\x18"  # ESC 3 24: 24/216" = one 8-dot pass
BAND_24 = b"\x1b\x33\x18"  # ESC 3 24: 24/180" = one 24-dot pass
END = b"\x1b\x32"  # ESC 2


# --- text: runs of blanks as HT ----------------------------------------------------------------


def test_blanks_across_tab_stops_become_tabs() -> None:
    # "ab" then blanks to column 16: HT from column 2 stops at 8, HT again at 16.
    assert encode_program([TextLine("ab" + " " * 14 + "c")], NINE) == START + b"ab\t\tc\r\n"
    # Blanks to column 19: two tabs to 16, then 3 spaces.
    assert encode_program([TextLine("x" + " " * 18 + "y")], NINE) == START + b"x\t\t   y\r\n"


def test_blanks_stay_spaces_when_no_shorter() -> None:
    assert tab_spaces(b"a  b") == b"a  b"  # no tab stop crossed
    assert tab_spaces(b"abcdefg h") == b"abcdefg h"  # one space to column 8: HT is no shorter
    assert tab_spaces(b"abcdef  g") == b"abcdef\tg"  # two spaces to column 8: one HT


def test_condensed_and_double_width_text_keeps_spaces() -> None:
    # Tab stops are 8 columns of 10 cpi; at another pitch the text's columns differ.
    text = "a" + " " * 20 + "b"
    assert encode_program([TextLine(text, condensed=True)], NINE) == (
        START + b"\x0f" + text.encode() + b"\x12\r\n"
    )
    assert encode_program([TextLine(text, double_width=True)], NINE) == (
        START + b"\x1b\x57\x01" + text.encode() + b"\x1b\x57\x00\r\n"
    )


# --- graphics: head moves ----------------------------------------------------------------------


def test_move_picks_the_shortest_head_move() -> None:
    # 9-pin: a column is 12 dots (1/10"), a tab stop every 96 dots, ESC $ in 1/60" = 2 dots.
    assert move(0, 12, NINE) == (b" ", 0)  # one space
    assert move(0, 26, NINE) == (b"  ", 2)  # 2 spaces + 2 blank columns (4 bytes; ESC $ is 4)
    assert move(0, 96, NINE) == (b"\t", 0)  # the first tab stop
    assert move(0, 98, NINE) == (b"\t", 2)  # a tab + 2 blank columns
    # Dot 250: spaces 20 + 10 columns, tabs 2 + 4 spaces + 10 columns, ESC $ 125 (4 bytes).
    assert move(0, 250, NINE) == (b"\x1b\x24\x7d\x00", 0)
    assert move(0, 11, NINE) == (b"\x1b\x24\x05\x00", 1)  # 10 dots, then 1 blank column
    assert move(100, 200, NINE) == (b"\x1b\x24\x64\x00", 0)  # absolute: 100/60" from the margin
    # 24-pin: a column is 18 dots, a stop every 144 dots, 1/60" = 3 dots, 3 bytes a column.
    assert move(0, 37, TWENTY_FOUR) == (b"  ", 1)
    assert move(0, 144, TWENTY_FOUR) == (b"\t", 0)
    assert move(0, 300, TWENTY_FOUR) == (b"\x1b\x24\x64\x00", 0)
    assert move(0, 301, TWENTY_FOUR) == (b"\x1b\x24\x64\x00", 1)


def test_band_gap_inside_a_pass_is_skipped() -> None:
    bitmap = np.zeros((8, 200), dtype=bool)
    bitmap[0, 0] = True
    bitmap[0, 199] = True  # 198 blank columns between: cheaper to move than to send
    out = encode_program([ImageBand(bitmap)], NINE)
    # After the first column, ESC $ 99 (dot 198) and one blank column before dot 199.
    assert out == (
        START
        + BAND_9
        + b"\x1b\x2a\x01\x01\x00\x80"
        + b"\x1b\x24\x63\x00"
        + b"\x1b\x2a\x01\x02\x00\x00\x80"
        + b"\r\n"
        + END
    )


def test_band_reaches_a_tab_stop_with_ht() -> None:
    bitmap = np.zeros((8, 97), dtype=bool)
    bitmap[0, 96] = True  # dot 96 = the first tab stop (column 8), top pin
    out = encode_program([ImageBand(bitmap)], NINE)
    assert out == START + BAND_9 + b"\t\x1b\x2a\x01\x01\x00\x80" + b"\r\n" + END


# --- graphics: a coarser density for repeated columns -------------------------------------------


def test_coarse_modes_per_head() -> None:
    # Only densities whose dots all fall on dots of the profile's: half, a third...
    assert coarse_modes(NINE) == ((0, 1, 2),)  # ESC * 1 at 120 dpi: ESC * 0 at 60 dpi
    assert coarse_modes(TWENTY_FOUR) == ((32, 1, 3), (38, 1, 2))  # 180 dpi: 60 and 90 dpi


def _modules(columns: list[int], width: int, rows: int) -> np.ndarray:
    """A band whose column groups of ``width`` dots carry the given byte (top 8 rows)."""
    bitmap = np.zeros((rows, len(columns) * width), dtype=bool)
    for i, byte in enumerate(columns):
        bits = [bool(byte >> (7 - r) & 1) for r in range(8)]
        bitmap[:8, i * width : (i + 1) * width] = np.array(bits)[:, None]
    return bitmap


def test_column_pairs_go_at_60_dpi_on_9_pins() -> None:
    bitmap = _modules([0xFF, 0x80, 0x3C, 0x81], 2, 8)  # 2/120" = 1/60": one ESC * 0 column each
    assert encode_program([ImageBand(bitmap)], NINE) == (
        START + BAND_9 + b"\x1b\x2a\x00\x04\x00\xff\x80\x3c\x81" + b"\r\n" + END
    )
    # 4 dots in: 4 blank dots are 2 blank columns at 60 dpi.
    assert encode_program([ImageBand(bitmap, left=4)], NINE) == (
        START + BAND_9 + b"\x1b\x2a\x00\x06\x00\x00\x00\xff\x80\x3c\x81" + b"\r\n" + END
    )
    # 3 dots in: no whole 60 dpi column; ESC * 1 with 3 blank columns then ESC * 0 would be
    # 8 + 9 bytes, ESC * 1 alone 5 + 11: the single 120 dpi image is sent.
    assert encode_program([ImageBand(bitmap, left=3)], NINE) == (
        START
        + BAND_9
        + b"\x1b\x2a\x01\x0b\x00\x00\x00\x00\xff\xff\x80\x80\x3c\x3c\x81\x81"
        + b"\r\n"
        + END
    )


def test_two_dot_groups_go_at_90_dpi_on_24_pins() -> None:
    bitmap = np.zeros((24, 8), dtype=bool)
    bitmap[0, 0:2] = True  # 80 00 00
    bitmap[23, 2:4] = True  # 00 00 01
    bitmap[:, 4:6] = True  # ff ff ff
    bitmap[0, 6:8] = True  # 80 00 00
    assert encode_program([ImageBand(bitmap)], TWENTY_FOUR) == (
        START
        + BAND_24
        + b"\x1b\x2a\x26\x04\x00"  # ESC * 38: 4 columns at 90 dpi = 8 at 180 dpi (not 60: 8/3)
        + b"\x80\x00\x00" + b"\x00\x00\x01" + b"\xff\xff\xff" + b"\x80\x00\x00"
        + b"\r\n"
        + END
    )


def test_text_like_columns_stay_at_full_density() -> None:
    bitmap = np.zeros((8, 10), dtype=bool)
    bitmap[0, [0, 2, 3, 5, 8, 9]] = True
    out = encode_program([ImageBand(bitmap)], NINE)
    assert out == START + BAND_9 + b"\x1b\x2a\x01\x0a\x00\x80\x00\x80\x80\x00\x80\x00\x00\x80\x80\r\n" + END


def _bits(page: object) -> np.ndarray:
    return np.asarray(page) == 0  # ink is black


@pytest.mark.parametrize(("name", "width"), [("tvs-msp250", 2), ("tvs-msp455", 4)])
def test_coarse_band_prints_the_same_dots_in_the_simulator(name: str, width: int) -> None:
    """A QR-like band (modules of ``width`` dots) sent at a coarser density covers exactly its dots."""
    prof = dataclasses.replace(PROFILES[name], interlace=1)  # this test's dot arithmetic is per pass
    rng = np.random.default_rng(7)
    modules = rng.random((2 * prof.band_dots // 2, 21)) < 0.5
    bitmap = np.repeat(np.repeat(modules, 2, axis=0), width, axis=1)
    left = 4 * prof.dots_per_column  # whole columns: no blank lead
    data = encode_program([ImageBand(bitmap, left=left)], prof)
    coarse = coarse_modes(prof)[-1][0]  # 60 dpi on 9 pins, 90 dpi on 24 pins
    assert b"\x1b\x2a" + bytes([coarse]) in data
    sim = EscpInterpreter(prof.pins, prof.columns)
    assert sim.feed(data) == len(data)
    job = sim.end_job()
    assert job is not None and sim.stats["unsupported_graphics"] == 0
    hdpi, vdpi = (240, 216) if prof.pins == 9 else (360, 360)
    dot_w, dot_h = hdpi // prof.hdpi, vdpi // prof.vdpi
    ink = _bits(job.pages[0])
    x0 = left * dot_w
    got = ink[: bitmap.shape[0] * dot_h, x0 : x0 + bitmap.shape[1] * dot_w]
    expected = np.repeat(np.repeat(bitmap, dot_h, axis=0), dot_w, axis=1)
    assert np.array_equal(got, expected)
    assert not ink[:, :x0].any() and not ink[:, x0 + bitmap.shape[1] * dot_w :].any()


def test_images_far_apart_on_one_line() -> None:
    """Two images 40 columns apart: one pass, the head moved between them with ESC $."""
    left_image = np.zeros((8, 2), dtype=bool)
    left_image[0, :] = True
    right_image = np.zeros((8, 1), dtype=bool)
    right_image[0, 0] = True
    line = TextLine(
        "  x",
        images=(Placed(0, ImageBand(left_image)), Placed(40, ImageBand(right_image, left=5))),
        baseline=7,  # the text's top is row 0 (baseline 7/72" below the top on 9 pins)
    )
    assert encode_program([line], NINE) == (
        START
        + b"  x\r"  # the text first, then the pass on its row
        + b"\x1b\x2a\x01\x02\x00\x80\x80"  # columns 0-1, top pin
        + b"\x1b\x24\xf2\x00"  # ESC $ 242: dot 484 ...
        + b"\x1b\x2a\x01\x02\x00\x00\x80"  # ... a blank column, then dot 485 = column 40 + 5
        + b"\r"
        + b"\x1b\x4a\x24"  # ESC J 36: 12 rows, a text line below the text's top
    )
