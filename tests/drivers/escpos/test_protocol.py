"""ESC/POS codec: exact bytes written by hand from protocols.md §2 and §2.1, and a fuzzed reply reader."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.errors import InvalidArgument
from kioskhub.drivers.escpos import protocol as p


def test_command_builders() -> None:
    assert p.init() == b"\x1b\x40"
    assert p.select_code_page(0) == b"\x1b\x74\x00"
    assert p.select_code_page(16) == b"\x1b\x74\x10"
    assert p.bold(True) == b"\x1b\x45\x01"
    assert p.bold(False) == b"\x1b\x45\x00"
    assert p.font_b(True) == b"\x1b\x4d\x01"
    assert p.font_b(False) == b"\x1b\x4d\x00"
    assert p.char_size(2, 1) == b"\x1d\x21\x10"  # double width: bits 4-6 = 1
    assert p.char_size(1, 2) == b"\x1d\x21\x01"  # double height: bits 0-2 = 1
    assert p.char_size(1, 1) == b"\x1d\x21\x00"
    assert p.char_size(8, 8) == b"\x1d\x21\x77"
    assert p.feed_lines(4) == b"\x1b\x64\x04"
    assert p.partial_cut() == b"\x1d\x56\x01"
    assert p.LF == b"\x0a"


def test_status_requests_are_dle_eot_n() -> None:
    assert [p.status_request(n) for n in (1, 2, 3, 4)] == [
        b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x03", b"\x10\x04\x04"
    ]
    for bad in (0, 5, -1, True):
        with pytest.raises(InvalidArgument):
            p.status_request(bad)


@pytest.mark.parametrize("bad", [(0, 1), (9, 1), (1, 0), (1, 9)])
def test_char_size_range(bad: tuple[int, int]) -> None:
    with pytest.raises(InvalidArgument):
        p.char_size(*bad)


def test_raster_image_header_and_data() -> None:
    # GS v 0 m xL xH yL yH: 2 bytes per row, 3 rows.
    data = b"\x80\x01\xff\x00\x00\x01"
    assert p.raster_image(2, data) == b"\x1d\x76\x30\x00\x02\x00\x03\x00" + data
    wide = bytes(300 * 2)  # 300 bytes per row = 2400 dots: xL 0x2c, xH 0x01
    assert p.raster_image(300, wide)[:8] == b"\x1d\x76\x30\x00\x2c\x01\x02\x00"
    with pytest.raises(InvalidArgument):
        p.raster_image(2, b"\x00\x00\x00")  # not whole rows
    with pytest.raises(InvalidArgument):
        p.raster_image(2, b"")
    with pytest.raises(InvalidArgument):
        p.raster_image(0, b"\x00")


def test_pack_raster_msb_is_leftmost_rows_top_to_bottom() -> None:
    bitmap = np.zeros((2, 10), dtype=bool)
    bitmap[0, 0] = True  # row 0: leftmost dot -> 0x80 in the first byte
    bitmap[0, 9] = True  # row 0: dot 9 -> second byte, bit 6 -> 0x40
    bitmap[1, 7] = True  # row 1: dot 7 -> first byte, bit 0 -> 0x01
    assert p.pack_raster(bitmap) == (2, b"\x80\x40\x01\x00")


def test_pack_raster_left_offset_shifts_dots_right() -> None:
    bitmap = np.ones((1, 3), dtype=bool)
    # 5 blank dots then 3 inked: 00000111 ; 6 blank then 3: 00000011 10000000
    assert p.pack_raster(bitmap, left=5) == (1, b"\x07")
    assert p.pack_raster(bitmap, left=6) == (2, b"\x03\x80")
    assert p.pack_raster(bitmap, left=16) == (3, b"\x00\x00\xe0")
    with pytest.raises(InvalidArgument):
        p.pack_raster(bitmap, left=-1)
    with pytest.raises(InvalidArgument):
        p.pack_raster(np.zeros(4, dtype=bool))


def test_sanitize_text_drops_control_bytes() -> None:
    assert p.sanitize_text("Total\x1b@\x10\x04\x01 Rs 10\n") == b"Total@ Rs 10"
    assert p.sanitize_text("a\x7fb\x85c\u200bd") == b"abcd"  # DEL, C1, zero-width space
    assert p.sanitize_text("₹ राम") == b"? ???"  # not in PC437: '?' (send Hindi as images)
    assert p.sanitize_text("café ü") == b"caf\x82 \x81"  # PC437 glyphs 0x80-0xFF are kept
    assert p.sanitize_text("é", "ascii") == b"?"


def test_process_id_request_bytes() -> None:
    # GS ( H pL pH fn m d1..d4: 1D 28 48, pL = 6, pH = 0, fn = 30h, m = 30h (Epson GS ( H <Function 48>)
    assert p.process_id_request("AB12") == b"\x1d\x28\x48\x06\x00\x30\x30\x41\x42\x31\x32"
    for bad in ("ABC", "ABCDE", "AB\x1b2", "ABCé"):
        with pytest.raises(InvalidArgument):
            p.process_id_request(bad)


def test_replies_are_told_apart_in_one_stream() -> None:
    reader = p.ReplyReader()
    # a status byte, a process ID response (37 22 "AB12" 00) split over reads, another status byte
    assert reader.feed(b"\x12\x37\x22AB") == [0x12]
    assert reader.feed(b"12\x00\x1a") == [p.ProcessIdResponse("AB12"), 0x1A]
    # another "header to NUL" block (not 37 22 + 4 bytes) is dropped
    assert reader.feed(b"\x37\x20\x01\x00\x12") == [0x12]
    # a block with no NUL in sight is junk: the bytes after it are read afresh (bad status bytes)
    assert reader.feed(b"\x37" + b"\x22" * (p.MAX_BLOCK + 5)) == [0x22] * 5
    assert reader.feed(b"\x12") == [0x12]


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None)
def test_reply_reader_never_fails(data: bytes) -> None:
    """Any bytes: status candidates and well-formed process IDs only, however they are split."""
    whole = p.ReplyReader().feed(data)
    split = p.ReplyReader()
    parts = split.feed(data[: len(data) // 2]) + split.feed(data[len(data) // 2 :])
    assert whole == parts
    for reply in whole:
        assert isinstance(reply, int) and reply != p.PROCESS_ID_HEADER or (
            isinstance(reply, p.ProcessIdResponse) and len(reply.process_id) == 4)
