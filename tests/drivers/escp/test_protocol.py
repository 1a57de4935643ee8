"""ESC/P codec: exact bytes written by hand from protocols.md §1.1-§1.3."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.errors import InvalidArgument, ProtocolError
from kioskhub.drivers.escp import protocol as p
from kioskhub.drivers.escp.profiles import PROFILES, get_profile

NINE = PROFILES["tvs-msp250"]
TWENTY_FOUR = PROFILES["epson-lq310"]


def test_simple_builders() -> None:
    assert p.init() == b"\x1b\x40"
    assert p.line_spacing_default() == b"\x1b\x32"
    assert p.form_feed() == b"\x0c"
    assert p.bold(True) == b"\x1b\x45"
    assert p.bold(False) == b"\x1b\x46"
    assert p.condensed(True) == b"\x0f"
    assert p.condensed(False) == b"\x12"
    assert p.double_width(True) == b"\x1b\x57\x01"
    assert p.double_width(False) == b"\x1b\x57\x00"
    assert p.select_char_table(1) == b"\x1b\x74\x01"
    assert p.select_char_table(0) == b"\x1b\x74\x00"
    assert p.page_length_lines(66) == b"\x1b\x43\x42"
    assert p.page_length_inches(11) == b"\x1b\x43\x00\x0b"
    assert p.page_length_inches(12) == b"\x1b\x43\x00\x0c"
    assert p.feed_dots(NINE, 24) == b"\x1b\x4a\x18"
    assert p.NEWLINE == b"\x0d\x0a"


def test_line_spacing_units_per_head() -> None:
    # ESC 3 24: 24/216" on 9 pins, 24/180" on 24 pins -- same bytes, different distance.
    assert p.line_spacing(NINE, 24) == b"\x1b\x33\x18"
    assert p.line_spacing(TWENTY_FOUR, 24) == b"\x1b\x33\x18"
    # 1/9" = 24/216"; 1/6" = 36/216" = 30/180".
    assert p.line_spacing(NINE, inches=Fraction(1, 9)) == b"\x1b\x33\x18"
    assert p.line_spacing(NINE, inches=Fraction(1, 6)) == b"\x1b\x33\x24"
    assert p.line_spacing(TWENTY_FOUR, inches=Fraction(1, 6)) == b"\x1b\x33\x1e"
    assert p.line_spacing(TWENTY_FOUR, inches=Fraction(24, 180)) == b"\x1b\x33\x18"


@pytest.mark.parametrize(
    "call",
    [
        lambda: p.line_spacing(TWENTY_FOUR, inches=Fraction(1, 216)),  # not n/180"
        lambda: p.line_spacing(NINE, 256),
        lambda: p.line_spacing(NINE, -1),
        lambda: p.line_spacing(NINE),
        lambda: p.line_spacing(NINE, 3, inches=Fraction(1, 72)),
        lambda: p.page_length_lines(0),
        lambda: p.page_length_lines(128),
        lambda: p.page_length_inches(0),
        lambda: p.page_length_inches(23),
        lambda: p.select_char_table(4),
        lambda: p.feed_dots(NINE, 256),
        lambda: p.bit_image(8, b""),  # no such density
        lambda: p.bit_image(39, b"\x00\x00\x00\x00"),  # 24-dot: 3 bytes per column
        lambda: p.bit_image(1, bytes(0x10000)),  # more than 65535 columns
    ],
)
def test_out_of_range_is_invalid_argument(call: object) -> None:
    with pytest.raises(InvalidArgument):
        call()  # type: ignore[operator]


def test_bit_image_headers() -> None:
    # ESC * m nL nH, k = nL + 256 nH columns.
    assert p.bit_image(1, b"\x80\x01") == b"\x1b\x2a\x01\x02\x00\x80\x01"
    assert p.bit_image(0, b"") == b"\x1b\x2a\x00\x00\x00"
    data = bytes([0x1B, 0x40, 0x0A, 0x0D, 0xFF, 0x00])  # data bytes go out raw, ESC included
    assert p.bit_image(39, data) == b"\x1b\x2a\x27\x02\x00" + data
    big = bytes(300)
    assert p.bit_image(0, big) == b"\x1b\x2a\x00\x2c\x01" + big
    assert p.bit_image(40, bytes(3 * 257))[:5] == b"\x1b\x2a\x28\x01\x01"


def test_bit_image_mode_table() -> None:
    assert p.BIT_IMAGE_MODES[1].hdpi == 120 and p.BIT_IMAGE_MODES[1].bytes_per_column == 1
    assert p.BIT_IMAGE_MODES[39].hdpi == 180 and p.BIT_IMAGE_MODES[39].bytes_per_column == 3
    assert [m for m, spec in p.BIT_IMAGE_MODES.items() if not spec.adjacent] == [2, 3, 40]


def test_pack_columns_8_dots() -> None:
    bitmap = np.zeros((3, 2), dtype=bool)
    bitmap[0, 0] = True  # top dot of column 0 -> 0x80
    bitmap[2, 1] = True  # third dot of column 1 -> 0x20
    assert p.pack_columns(bitmap, 8) == [b"\x80\x20"]


def test_pack_columns_splits_passes() -> None:
    bitmap = np.zeros((10, 2), dtype=bool)
    bitmap[7, 0] = True  # last dot of pass 1 -> 0x01
    bitmap[8, 0] = True  # first dot of pass 2 -> 0x80
    bitmap[9, 1] = True  # second dot of pass 2 -> 0x40
    assert p.pack_columns(bitmap, 8) == [b"\x01\x00", b"\x80\x40"]


def test_pack_columns_24_dots_three_bytes_per_column() -> None:
    bitmap = np.zeros((24, 2), dtype=bool)
    bitmap[0, 0] = bitmap[8, 0] = bitmap[23, 0] = True  # col 0: 80 80 01
    bitmap[[1, 2, 3, 4], 1] = True  # col 1: 0111 1000 = 78 00 00
    bitmap[16:24, 1] = True  # ... and FF in the third byte
    assert p.pack_columns(bitmap, 24) == [b"\x80\x80\x01\x78\x00\xff"]


def test_pack_columns_edges() -> None:
    assert p.pack_columns(np.zeros((8, 0), dtype=bool), 8) == [b""]
    assert p.pack_columns(np.zeros((0, 4), dtype=bool), 24) == []
    with pytest.raises(InvalidArgument):
        p.pack_columns(np.zeros((8, 8), dtype=bool), 9)
    with pytest.raises(InvalidArgument):
        p.pack_columns(np.zeros((8, 8, 1), dtype=bool), 8)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 60),
    st.integers(0, 20),
    st.sampled_from([8, 24]),
    st.integers(0, 2**32),
)
def test_pack_columns_every_dot_lands_in_its_bit(rows: int, cols: int, pins: int, seed: int) -> None:
    bitmap = np.random.default_rng(seed).random((rows, cols)) < 0.5
    passes = p.pack_columns(bitmap, pins)
    per = pins // 8
    assert len(passes) == -(-rows // pins)
    for r in range(len(passes) * pins):
        for c in range(cols):
            pin = r % pins
            byte = passes[r // pins][c * per + pin // 8]
            bit = bool(byte & (0x80 >> (pin % 8)))
            assert bit == (r < rows and bool(bitmap[r, c]))


def test_sanitize_text_strips_controls() -> None:
    assert p.sanitize_text("Ram\x1b@ Kumar") == b"Ram@ Kumar"
    assert p.sanitize_text("a\r\nb\x00c\x0cd\x7fe\x9bf\x0fg\x0eh") == b"abcdefgh"
    assert p.sanitize_text("\x1b*\x01\x02\x00") == b"*"
    assert p.sanitize_text("zero\u200dwidth\u202e") == b"zerowidth"


def test_sanitize_text_encodes_pc437() -> None:
    assert p.sanitize_text("\u20b9 100") == b"? 100"  # rupee sign is not in PC437
    assert p.sanitize_text("\u0928\u092e") == b"??"  # Devanagari
    assert p.sanitize_text("\u00e1\u00b0") == b"\xa0\xf8"  # PC437 0xA0, 0xF8
    # PC437 0x80-0x9F (e acute 0x82, pound 0x9C) are control codes on the italic table.
    assert p.sanitize_text("\u00e9\u00a3") == b"??"


@given(st.text(max_size=200))
def test_sanitize_text_never_emits_a_control_byte(text: str) -> None:
    out = p.sanitize_text(text)
    assert all(0x20 <= b < 0x7F or b >= 0xA0 for b in out)


@pytest.mark.parametrize(
    ("byte", "paper_empty", "selected", "error_free", "condition"),
    [
        (0x18, False, True, True, "ok"),
        (0x30, True, True, False, "paper_out"),
        (0x08, False, False, True, "offline"),
        (0x20, True, False, False, "offline"),
        (0x10, False, True, False, "error"),
        (0xDF, False, True, True, "ok"),  # busy/ack bits are not ours to judge
    ],
)
def test_decode_port_status(
    byte: int, paper_empty: bool, selected: bool, error_free: bool, condition: str
) -> None:
    status = p.decode_port_status(byte)
    assert (status.paper_empty, status.selected, status.error_free) == (
        paper_empty,
        selected,
        error_free,
    )
    assert status.condition == condition
    assert p.decode_port_status(bytes([byte])) == status


def test_port_status_request_constants() -> None:
    assert (p.GET_PORT_STATUS_REQUEST_TYPE, p.GET_PORT_STATUS_REQUEST) == (0xA1, 0x01)
    assert p.LPGETSTATUS == 0x060B


@given(st.one_of(st.binary(max_size=4), st.integers(-1000, 1000)))
def test_decode_port_status_fuzz(raw: bytes | int) -> None:
    try:
        status = p.decode_port_status(raw)
    except ProtocolError:
        return
    assert 0 <= status.raw <= 0xFF


def test_profiles() -> None:
    msp250 = get_profile("tvs-msp250")
    assert (msp250.pins, msp250.columns, msp250.spacing_unit, msp250.esc_a_unit) == (9, 80, 216, 72)
    assert (msp250.graphics_mode, msp250.hdpi, msp250.vdpi, msp250.band_dots) == (1, 120, 72, 8)
    assert msp250.width_dots == 960  # 80 columns x 12 dots at 120 dpi / 10 cpi
    lq = get_profile("epson-lq2190")
    assert (lq.pins, lq.columns, lq.spacing_unit, lq.esc_a_unit) == (24, 136, 180, 60)
    assert (lq.graphics_mode, lq.hdpi, lq.vdpi, lq.band_dots) == (39, 180, 180, 24)
    assert lq.width_dots == 136 * 18
    assert get_profile("epson-fx2190").columns == 136
    assert {p.name for p in PROFILES.values() if p.pins == 24} == {
        "tvs-msp455", "epson-lq310", "epson-lq2190"
    }
    with pytest.raises(InvalidArgument):
        get_profile("hp-laserjet")


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_matches_mode_table(name: str) -> None:
    prof = PROFILES[name]
    mode = p.BIT_IMAGE_MODES[prof.graphics_mode]
    assert (mode.hdpi, mode.dots) == (prof.hdpi, prof.band_dots)
    assert prof.vdpi == (72 if prof.pins == 9 else 180)
