"""Epson ESC/POS for thermal receipt printers: command builders, raster packing, reply framing.

Wire reference: protocols.md §2 (python-escpos 3.1 command constants and profiles) and §2.1
(``DLE EOT n`` real-time status, from Epson's ESC/POS reference as cited by the Rust ``escpos``
crate). Commands used here, all in standard mode:

    ESC @            1B 40                 initialize (buffer cleared, modes reset)
    ESC t n          1B 74 n               select character code table (0 = PC437)
    ESC E n          1B 45 n               emphasized (bold) on (n = 1) / off (n = 0)
    ESC M n          1B 4D n               font A (12 x 24 dots) / font B (9 x 17 dots)
    GS ! n           1D 21 n               character size: bits 4-6 width - 1, bits 0-2 height - 1
    LF               0A                    print the line buffer and feed one line
    ESC d n          1B 64 n               print and feed n lines
    GS V 1           1D 56 01              partial cut
    GS v 0 m xL xH yL yH d1..dk            raster bit image: x = bytes per row, y = rows,
                     1D 76 30 ...          k = x * y; each byte is 8 dots, MSB = leftmost dot,
                                           rows top to bottom; m = 0 normal density
    DLE EOT n        10 04 n               real-time status, n = 1..4; the printer answers one byte
    GS ( H 06 00 30 30 d1 d2 d3 d4         process ID response (d = 20..7E): once the data before
                     1D 28 48 ...          it is printed, the printer sends 37 22 d1 d2 d3 d4 00

Framing: ESC/POS is a byte stream; printable bytes go to the line buffer, a command starts with
ESC, GS, FS or DLE and has a parameter count fixed by its command byte (GS v 0 is followed by
x * y data bytes; GS ( H by pL + 256 pH). Only a few commands make the printer send anything:
``DLE EOT`` one status byte per request, always matching the bit pattern ``0xx1xx10`` (bit 0 =
0, bit 1 = 1, bit 4 = 1, bit 7 = 0), answered as the request arrives (real time: it must not be
inserted inside another command's bytes); ``GS ( H`` <Function 48> a "header to NUL" block,
header 37h, identifier 22h, the 4-byte process ID, NUL, sent "when the printing is completed"
for print data before it (Epson ESC/POS reference, GS ( H <Function 48>,
https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/gs_lparen_ch_fn48.html; TM-T88IV
and later, TM-T20, TM-m30...; not on TM-T88III/TM-U220). 37h cannot be a status byte (bit 0
set), so ``ReplyReader`` tells the two apart in one stream. The status bytes are decoded, and
combined into a ``PrinterStatus``, by ``kioskhub.drivers.escpos.status``.

Sans-IO: bytes out, values in. No sockets, no asyncio, no logging.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubd.driver_api import InvalidArgument
from kioskhub.drivers.common import text as text_codec

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

ESC = b"\x1b"
GS = b"\x1d"
DLE = b"\x10"
LF = b"\n"
EOT = b"\x04"

MAX_RASTER_ROWS = 960
"""Rows per ``GS v 0`` command the encoder sends (python-escpos' ``fragment_height``)."""
PROCESS_ID_HEADER = 0x37
PROCESS_ID_IDENTIFIER = 0x22
MAX_BLOCK = 80
"""A "header to NUL" block longer than this is junk."""


def _byte(field: str, n: int, lo: int = 0, hi: int = 255) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not lo <= n <= hi:
        raise InvalidArgument(field, f"{n!r} is outside {lo}..{hi}")
    return n


def status_request(n: int) -> bytes:
    """``DLE EOT n`` (``10 04 n``): ask for real-time status n (1 printer .. 4 paper sensor)."""
    return DLE + EOT + bytes([_byte("n", n, 1, 4)])


def process_id_request(process_id: str) -> bytes:
    """``GS ( H`` <Function 48>: ask for ``37 22 d1 d2 d3 d4 00`` once the data before is printed."""
    raw = process_id.encode("ascii", "replace")
    if len(raw) != 4 or not process_id.isascii() or not all(0x20 <= b <= 0x7E for b in raw):
        raise InvalidArgument("process_id", f"{process_id!r} is not 4 printable ASCII characters")
    return GS + b"(H\x06\x00\x30\x30" + raw


@dataclass(frozen=True)
class ProcessIdResponse:
    """A process ID response: the data before its request has been printed."""

    process_id: str


class ReplyReader:
    """Splits what an ESC/POS printer sends into status bytes (``int``) and ``ProcessIdResponse``.

    A block starting with 37h runs to its NUL (a block that is not ``37 22 d1..d4 00`` is dropped;
    one longer than ``MAX_BLOCK`` is junk, and what follows is read afresh); any other byte is one
    status byte, checked by ``parse_status`` when it is used.
    """

    def __init__(self) -> None:
        self._block = bytearray()

    def feed(self, data: bytes) -> list[int | ProcessIdResponse]:
        """The replies completed by ``data``, in order."""
        out: list[int | ProcessIdResponse] = []
        for byte in data:
            if self._block:
                self._block.append(byte)
                if byte == 0:
                    block, self._block = bytes(self._block), bytearray()
                    if len(block) == 7 and block[1] == PROCESS_ID_IDENTIFIER:
                        out.append(ProcessIdResponse(block[2:6].decode("ascii", "replace")))
                elif len(self._block) > MAX_BLOCK:
                    self._block.clear()
            elif byte == PROCESS_ID_HEADER:
                self._block.append(byte)
            else:
                out.append(byte)
        return out


def init() -> bytes:
    """``ESC @``: clear the buffer and reset every mode."""
    return ESC + b"@"


def select_code_page(n: int) -> bytes:
    """``ESC t n``: character code table n (0 = PC437 on Epson and most clones)."""
    return ESC + b"t" + bytes([_byte("code_page", n)])


def bold(on: bool) -> bytes:
    """``ESC E n``: emphasized on (1) or off (0)."""
    return ESC + b"E" + (b"\x01" if on else b"\x00")


def font_b(on: bool) -> bytes:
    """``ESC M n``: font B (9 x 17, condensed) when on, else font A (12 x 24)."""
    return ESC + b"M" + (b"\x01" if on else b"\x00")


def char_size(width: int = 1, height: int = 1) -> bytes:
    """``GS ! n``: character width and height multipliers 1..8 (n = (w-1) << 4 | (h-1))."""
    w, h = _byte("width", width, 1, 8), _byte("height", height, 1, 8)
    return GS + b"!" + bytes([(w - 1) << 4 | (h - 1)])


def feed_lines(n: int) -> bytes:
    """``ESC d n``: print the buffer and feed n lines (0..255)."""
    return ESC + b"d" + bytes([_byte("lines", n)])


def partial_cut() -> bytes:
    """``GS V 1``: partial cut (one point left uncut) at the current position."""
    return GS + b"V\x01"


def pack_raster(bitmap: npt.NDArray[np.bool_], left: int = 0) -> tuple[int, bytes]:
    """Pack rows of dots (True = ink), shifted ``left`` dots right, into raster bytes.

    Returns (bytes per row, data): each row is padded with blank dots to a multiple of 8 and
    packed MSB first (bit 7 = leftmost dot), rows top to bottom, in one vectorized numpy call.
    """
    import numpy as np

    bits = np.asarray(bitmap, dtype=bool)
    if bits.ndim != 2:
        raise InvalidArgument("bitmap", f"needs 2 dimensions, got {bits.ndim}")
    if isinstance(left, bool) or not isinstance(left, int) or left < 0:
        raise InvalidArgument("left", f"{left!r} is negative or not an integer")
    rows, cols = bits.shape
    width_bytes = -(-(left + cols) // 8)
    padded = np.zeros((rows, width_bytes * 8), dtype=bool)
    padded[:, left : left + cols] = bits
    return width_bytes, np.packbits(padded, axis=1, bitorder="big").tobytes()


def raster_image(width_bytes: int, data: bytes, mode: int = 0) -> bytes:
    """``GS v 0 m xL xH yL yH d1..dk``: one raster image of ``len(data) // width_bytes`` rows."""
    _byte("mode", mode, 0, 3)
    x = _byte("width_bytes", width_bytes, 1, 0xFFFF)
    if not data or len(data) % x:
        raise InvalidArgument("data", f"{len(data)} bytes is not a whole number of {x}-byte rows")
    y = _byte("rows", len(data) // x, 1, 0xFFFF)
    return GS + b"v0" + bytes([mode, x & 0xFF, x >> 8, y & 0xFF, y >> 8]) + bytes(data)


def sanitize_text(text: str, encoding: str = "cp437") -> bytes:
    """Printable bytes only: control characters dropped, unencodable characters (₹, Hindi) as ``?``.

    ``kioskhub.drivers.common.text.sanitize_text`` with ``high_controls=False``: C0 (ESC, GS, FS, DLE,
    LF...), DEL, C1 and format characters are removed so a consumer's name cannot inject commands
    (a ``DLE EOT`` in a name would even make the printer answer); encoded bytes below 0x20 or
    equal to 0x7F become ``?``; 0x80-0xFF are glyphs in every ESC/POS code page and are kept.
    """
    return text_codec.sanitize_text(text, encoding, high_controls=False)
