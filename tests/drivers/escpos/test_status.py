"""ESC/POS real-time status: DLE EOT replies decoded bit by bit (protocols.md §2.1), a fuzzed
parser, and the replies combined into a printer status."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.classes.printer.contract import Paper
from hubd.device import DeviceState, StatusSource
from hubd.errors import ProtocolError
from kioskhub.drivers.escpos import status as s


@pytest.mark.parametrize(
    ("n", "byte", "expected"),
    [
        (1, 0x12, s.PrinterState(0x12, False, False, False, False)),
        (1, 0x1A, s.PrinterState(0x1A, False, True, False, False)),  # b3: off line
        (1, 0x16, s.PrinterState(0x16, True, False, False, False)),  # b2: drawer pin 3 high
        (1, 0x72, s.PrinterState(0x72, False, False, True, True)),
        (2, 0x12, s.OfflineCause(0x12, False, False, False, False)),
        (2, 0x16, s.OfflineCause(0x16, True, False, False, False)),  # cover open
        (2, 0x32, s.OfflineCause(0x32, False, False, True, False)),  # stopped by paper end
        (2, 0x52, s.OfflineCause(0x52, False, False, False, True)),  # error
        (3, 0x1A, s.ErrorCause(0x1A, False, True, False, False)),  # autocutter
        (3, 0x32, s.ErrorCause(0x32, False, False, True, False)),  # unrecoverable
        (4, 0x12, s.PaperSensor(0x12, near_end=False, out=False)),
        (4, 0x1E, s.PaperSensor(0x1E, near_end=True, out=False)),
        (4, 0x72, s.PaperSensor(0x72, near_end=False, out=True)),
        (4, 0x7E, s.PaperSensor(0x7E, near_end=True, out=True)),
    ],
)
def test_parse_status(n: int, byte: int, expected: s.Status) -> None:
    assert s.parse_status(n, bytes([byte])) == expected
    assert s.parse_status(n, byte) == expected


def test_paper_levels() -> None:
    assert s.parse_status(4, b"\x12").level is s.PaperLevel.OK  # type: ignore[union-attr]
    assert s.parse_status(4, b"\x1e").level is s.PaperLevel.NEAR_END  # type: ignore[union-attr]
    assert s.parse_status(4, b"\x72").level is s.PaperLevel.OUT  # type: ignore[union-attr]
    # One bit of a pair is taken as the worse reading, never as OK.
    assert s.parse_status(4, b"\x32").level is s.PaperLevel.OUT  # type: ignore[union-attr]
    assert s.parse_status(4, b"\x16").level is s.PaperLevel.NEAR_END  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "reply",
    [b"", b"\x12\x12", b"\x00", b"\x13", b"\x10", b"\x02", b"\x92", b"\xff", b"\x16\x04"],
)
def test_parse_status_rejects_bytes_off_the_fixed_pattern(reply: bytes) -> None:
    # 0x00: bits 1 and 4 clear; 0x13: bit 0 set; 0x10: bit 1 clear; 0x02: bit 4 clear; 0x92: bit 7 set.
    with pytest.raises(ProtocolError):
        s.parse_status(4, reply)


def test_parse_status_rejects_unknown_n() -> None:
    for n in (0, 5):
        with pytest.raises(ProtocolError):
            s.parse_status(n, b"\x12")
    with pytest.raises(ProtocolError):
        s.parse_status(1, 300)


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=-3, max_value=8), st.binary(max_size=4) | st.integers(-5, 300))
def test_fuzz_parse_status_value_or_protocol_error(n: int, reply: bytes | int) -> None:
    try:
        status = s.parse_status(n, reply)
    except ProtocolError:
        return
    raw = reply[0] if isinstance(reply, bytes) else reply
    assert raw & 0x93 == 0x12 and n in (1, 2, 3, 4) and status.raw == raw


def test_printer_status_ok_near_end_out_offline() -> None:
    ok = s.printer_status({1: s.parse_status(1, 0x12), 4: s.parse_status(4, 0x12)})
    assert (ok.state, ok.paper, ok.online, ok.error, ok.source) == (
        DeviceState.AVAILABLE, Paper.OK, True, False, StatusSource.DEVICE
    )
    low = s.printer_status({1: s.parse_status(1, 0x12), 4: s.parse_status(4, 0x1E)})
    assert (low.state, low.paper, low.blocks_printing) == (DeviceState.AVAILABLE, Paper.LOW, False)
    out = s.printer_status(
        {1: s.parse_status(1, 0x1A), 2: s.parse_status(2, 0x32), 4: s.parse_status(4, 0x72)}
    )
    assert (out.state, out.reason, out.paper, out.online) == (
        DeviceState.UNAVAILABLE, "PAPER_OUT", Paper.OUT, False
    )
    off = s.printer_status(
        {1: s.parse_status(1, 0x1A), 2: s.parse_status(2, 0x12), 4: s.parse_status(4, 0x12)}
    )
    assert (off.reason, off.why_blocked, off.paper) == ("PRINTER_OFFLINE", "PRINTER_OFFLINE", Paper.OK)
    cover = s.printer_status(
        {1: s.parse_status(1, 0x1A), 2: s.parse_status(2, 0x16), 4: s.parse_status(4, 0x12)}
    )
    assert cover.reason == "COVER_OPEN" and "cover open" in cover.detail
    error = s.printer_status(
        {1: s.parse_status(1, 0x1A), 2: s.parse_status(2, 0x52), 3: s.parse_status(3, 0x1A),
         4: s.parse_status(4, 0x12)}
    )
    assert (error.reason, error.error) == ("PRINTER_ERROR", True)
    assert "autocutter error" in error.detail
    with pytest.raises(ProtocolError):
        s.printer_status({1: s.parse_status(1, 0x12)})
