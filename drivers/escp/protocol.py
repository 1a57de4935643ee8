"""Epson ESC/P for 9-pin and 24-pin dot-matrix printers: command builders and port status.

Wire reference: protocols.md §1 -- the ESC/P command table (§1.1, from the lprng and HelpPC
Epson FX tables, the Epson ESC/P-83 table and 86Box ``prt_escp.c``), bit-image graphics (§1.2,
Epson 24-pin and FX-86e density tables) and the out-of-band port status (§1.3, USB printer class
GET_PORT_STATUS and Linux ``usblp``).

Framing: ESC/P is a one-way byte stream. Printable bytes print at the head position; control
bytes (LF 0A, CR 0D, FF 0C, SI 0F, DC2 12...) act at once; ``ESC`` (1B) starts a command whose
parameter count is fixed by the command byte. Bit images are ``ESC * m nL nH`` followed by
``(nL + 256*nH) * bytes_per_column`` raw data bytes (which may contain 1B). Columns are one byte
(8-dot modes) or three bytes (24-dot modes), most significant bit = top dot. The printer never
answers on the data channel: paper-out and off-line are read from the port status byte.

Text goes through ``sanitize_text`` (``kioskhub.drivers.common.text``, re-exported here) with its
default ``high_controls=True``: bytes 80-9F are the upper control codes on the italic table.

Sans-IO: bytes out, values in. No sockets, no asyncio, no logging.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from hubd.driver_api import InvalidArgument, ProtocolError
from kioskhub.drivers.common.text import sanitize_text as sanitize_text

from .profiles import PrinterProfile

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

ESC = b"\x1b"
CR = b"\r"
LF = b"\n"
FF = b"\x0c"
NEWLINE = CR + LF
"""CR then LF: back to the left margin, then one line at the current spacing."""

# USB printer class GET_PORT_STATUS control request and the Linux usblp ioctl (§1.3).
GET_PORT_STATUS_REQUEST_TYPE = 0xA1
GET_PORT_STATUS_REQUEST = 0x01
LPGETSTATUS = 0x060B
PORT_PAPER_EMPTY = 0x20
PORT_SELECT = 0x10
PORT_NOT_ERROR = 0x08


@dataclass(frozen=True)
class BitImageMode:
    """One ``ESC * m`` density (§1.2): dots per pass, dpi, and whether adjacent dots may fire."""

    m: int
    dots: int
    hdpi: int
    adjacent: bool

    @property
    def bytes_per_column(self) -> int:
        """Data bytes per column: dots / 8."""
        return self.dots // 8


BIT_IMAGE_MODES: dict[int, BitImageMode] = {
    mode.m: mode
    for mode in (
        BitImageMode(0, 8, 60, True),
        BitImageMode(1, 8, 120, True),
        BitImageMode(2, 8, 120, False),
        BitImageMode(3, 8, 240, False),
        BitImageMode(4, 8, 80, True),
        BitImageMode(5, 8, 72, True),
        BitImageMode(6, 8, 90, True),
        BitImageMode(7, 8, 144, True),
        BitImageMode(32, 24, 60, True),
        BitImageMode(33, 24, 120, True),
        BitImageMode(38, 24, 90, True),
        BitImageMode(39, 24, 180, True),
        BitImageMode(40, 24, 360, False),
    )
}


def _byte(field: str, n: int, lo: int = 0, hi: int = 255) -> int:
    if not lo <= n <= hi:
        raise InvalidArgument(field, f"{n} is outside {lo}..{hi}")
    return n


def init() -> bytes:
    """``ESC @``: reset modes, tabs, 1/6" spacing, 10 cpi."""
    return ESC + b"@"


def line_spacing(
    profile: PrinterProfile, n: int | None = None, *, inches: Fraction | None = None
) -> bytes:
    """``ESC 3 n``: spacing n/216" (9-pin) or n/180" (24-pin); or give ``inches`` exactly."""
    if (n is None) == (inches is None):
        raise InvalidArgument("line_spacing", "give exactly one of n or inches")
    if inches is not None:
        units = Fraction(inches) * profile.spacing_unit
        if units.denominator != 1:
            raise InvalidArgument(
                "inches", f"{inches}\" is not a whole number of 1/{profile.spacing_unit}\""
            )
        n = int(units)
    assert n is not None
    return ESC + b"3" + bytes([_byte("n", n)])


def line_spacing_default() -> bytes:
    """``ESC 2``: spacing 1/6" (power-on default)."""
    return ESC + b"2"


def page_length_lines(n: int) -> bytes:
    """``ESC C n``: page length in lines (1..127) at the current spacing."""
    return ESC + b"C" + bytes([_byte("lines", n, 1, 127)])


def page_length_inches(n: int) -> bytes:
    """``ESC C NUL n``: page length in inches (1..22)."""
    return ESC + b"C\x00" + bytes([_byte("inches", n, 1, 22)])


def form_feed() -> bytes:
    """``FF``: advance to the next top of form."""
    return FF


def bold(on: bool) -> bytes:
    """``ESC E`` (emphasized on) / ``ESC F`` (off)."""
    return ESC + (b"E" if on else b"F")


def condensed(on: bool) -> bytes:
    """``SI`` (condensed on: 10 cpi -> 17.14 cpi) / ``DC2`` (off)."""
    return b"\x0f" if on else b"\x12"


def double_width(on: bool) -> bytes:
    """``ESC W 1`` / ``ESC W 0``: persistent double width on/off."""
    return ESC + b"W" + (b"\x01" if on else b"\x00")


def select_char_table(table: int) -> bytes:
    """``ESC t n``: 0 italic, 1 graphics (PC437 on most), 2 user-defined, 3."""
    return ESC + b"t" + bytes([_byte("table", table, 0, 3)])


def feed_dots(profile: PrinterProfile, n: int) -> bytes:
    """``ESC J n``: feed n/216" (9-pin) or n/180" (24-pin) at once, no carriage return."""
    return ESC + b"J" + bytes([_byte("n", n)])


def bit_image(mode: int, columns_data: bytes) -> bytes:
    """``ESC * m nL nH data``: one pass of graphics; ``columns_data`` is whole columns."""
    spec = BIT_IMAGE_MODES.get(mode)
    if spec is None:
        raise InvalidArgument("mode", f"unknown bit-image density {mode}")
    per = spec.bytes_per_column
    if len(columns_data) % per:
        raise InvalidArgument(
            "columns_data", f"{len(columns_data)} bytes is not a multiple of {per} per column"
        )
    k = _byte("columns", len(columns_data) // per, 0, 0xFFFF)
    return ESC + b"*" + bytes([mode, k & 0xFF, k >> 8]) + bytes(columns_data)


def pack_columns(bitmap: npt.NDArray[np.bool_], pins_per_pass: int) -> list[bytes]:
    """Split a rows x cols bitmap into passes of 8 or 24 dots; column bytes MSB = top dot."""
    import numpy as np

    if pins_per_pass not in (8, 24):
        raise InvalidArgument("pins_per_pass", f"{pins_per_pass} is not 8 or 24")
    bits = np.asarray(bitmap, dtype=bool)
    if bits.ndim != 2:
        raise InvalidArgument("bitmap", f"needs 2 dimensions, got {bits.ndim}")
    rows, cols = bits.shape
    passes = -(-rows // pins_per_pass)
    padded = np.zeros((passes * pins_per_pass, cols), dtype=bool)
    padded[:rows] = bits
    # (passes, pins, cols) -> (passes, cols, pins): each column's pins packed top pin first.
    stacked = padded.reshape(passes, pins_per_pass, cols).transpose(0, 2, 1)
    packed = np.packbits(stacked, axis=2, bitorder="big")
    return [packed[i].tobytes() for i in range(passes)]


@dataclass(frozen=True)
class PortStatus:
    """The printer port status byte (§1.3): bit5 PaperEmpty, bit4 Select, bit3 NotError."""

    raw: int
    paper_empty: bool
    selected: bool
    error_free: bool

    @property
    def condition(self) -> str:
        """Linux usblp's verdict: ``ok``, ``error``, ``paper_out`` or ``offline``.

        usblp tests not-error, then paper-empty, then not-selected, later tests overriding
        earlier ones: 0x18 is ok, 0x30 paper_out, 0x08 offline.
        """
        verdict = "ok"
        if not self.error_free:
            verdict = "error"
        if self.paper_empty:
            verdict = "paper_out"
        if not self.selected:
            verdict = "offline"
        return verdict


def decode_port_status(status: int | bytes) -> PortStatus:
    """Decode a GET_PORT_STATUS / LPGETSTATUS byte; anything but one byte is a ProtocolError."""
    if isinstance(status, bytes | bytearray):
        if len(status) != 1:
            raise ProtocolError(f"port status must be 1 byte, got {len(status)}")
        status = status[0]
    if not 0 <= status <= 0xFF:
        raise ProtocolError(f"port status {status} is not a byte")
    return PortStatus(
        raw=status,
        paper_empty=bool(status & PORT_PAPER_EMPTY),
        selected=bool(status & PORT_SELECT),
        error_free=bool(status & PORT_NOT_ERROR),
    )
