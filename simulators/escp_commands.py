"""ESC/P command framing and bit-image formats, for the ESC/P printer simulator.

Written from the ESC/P reference (protocols.md §1.1 command table and 86Box parameter counts,
§1.2 bit-image densities), never from our driver. Pure functions: how many bytes make up an
``ESC`` command, how many data bytes follow a bit-image command, and the dots those bytes carry
(the top dot is the most significant bit; 24-dot modes, 24-pin only, take 3 bytes per column).
"""

from __future__ import annotations

import logging

import numpy as np

from kioskhub.simulators.escp_render import Y_UNITS
from kioskhub.simulators.printer_common import Bits

log = logging.getLogger(__name__)

# Parameter counts after ESC <cmd> (86Box process_char, protocols.md §1.1).
ZERO = frozenset(b"\x0e\x0f#012456789<=>@EFGHMOPTg")
ONE = frozenset(b"\x19 !+-/3ACIJNQRSUWafhijklprstwx~")
TWO = frozenset(b"$?KLYZ\\ce")
KNOWN = ZERO | ONE | TWO | frozenset(b"*XB^D[(")
# m -> (dots per column, horizontal dpi, adjacent dots allowed, 9-pin only)  (§1.2)
MODES: dict[int, tuple[int, int, bool, bool]] = {
    0: (8, 60, True, False), 1: (8, 120, True, False), 2: (8, 120, False, False),
    3: (8, 240, False, False), 4: (8, 80, True, False), 5: (8, 72, True, True),
    6: (8, 90, True, False), 7: (8, 144, True, True), 32: (24, 60, True, False),
    33: (24, 120, True, False), 38: (24, 90, True, False), 39: (24, 180, True, False),
    40: (24, 360, False, False),
}
DEFAULT_KLYZ = {0x4B: 0, 0x4C: 1, 0x59: 2, 0x5A: 3}
"""Power-on densities of ``ESC K``, ``ESC L``, ``ESC Y``, ``ESC Z`` (``ESC ?`` reassigns them)."""
PITCH = {10: 72, 12: 60, 15: 48}
"""1/720" per character at 10, 12 and 15 cpi."""
CONDENSED = {10: 42, 12: 36, 15: 48}
"""Condensed: 17.14 cpi, 20 cpi; 15 cpi has no condensed form."""
CP437 = bytes(range(256)).decode("cp437")


def page_length(units: int) -> int:
    """Clamp a page length to 1/6" .. 22" (the ESC C NUL n maximum)."""
    return min(max(units, Y_UNITS // 6), 22 * Y_UNITS)


def command_complete(h: bytearray, pins: int) -> bool:
    """True once ``h`` (ESC and what followed it) holds the whole command header."""
    if len(h) < 2:
        return False
    c = h[1]
    if c in (0x42, 0x44):  # ESC B / ESC D: NUL-terminated (or a lower value ends it)
        vals = h[2:]
        if not vals:
            return False
        ended = vals[-1] == 0 or (len(vals) > 1 and vals[-1] < vals[-2])
        return ended or len(vals) >= (32 if c == 0x44 else 16)
    if c in ZERO or (c == 0x5E and pins == 24):
        need = 2
    elif c == 0x43:
        need = 4 if len(h) > 2 and h[2] == 0 else 3
    elif c in ONE:
        need = 3
    elif c in TWO:
        need = 4
    elif c in (0x2A, 0x58, 0x5E, 0x28):
        need = 5
    elif c == 0x5B:
        need = 9
    else:
        need = 2
    return len(h) >= need


def graphics_header(h: bytes, remap: dict[int, int]) -> tuple[int, int]:
    """(mode, data bytes that follow) of ``ESC *``, ``ESC K/L/Y/Z`` (densities from ``remap``)
    or the 9-pin ``ESC ^`` (mode -1 or -2: 60 or 120 dpi, 2 bytes per column)."""
    c, p = h[1], h[2:]
    if c == 0x2A:
        mode, k = p[0], p[1] | p[2] << 8
    elif c == 0x5E:  # ESC ^ m nL nH: 9-pin graphics, 2 bytes per column (m: 60/120 dpi)
        mode, k = -1 - (p[0] & 1), p[1] | p[2] << 8
    else:
        mode, k = remap[c], p[0] | p[1] << 8
    spec = MODES.get(mode)
    per = 2 if mode < 0 else spec[0] // 8 if spec else 1 if mode < 32 else 3 if mode < 64 else 6
    return mode, k * per


def graphics_format(mode: int, pins: int) -> tuple[int, int, int, bool, bool]:
    """(bytes per column, dots per column, horizontal dpi, adjacent dots allowed, printable on
    a ``pins``-pin printer) of a bit-image mode."""
    per, dots, hdpi, adjacent, ok = 1, 8, 60, True, False
    if mode < 0:
        per, dots, hdpi, ok = 2, 9, (60 if mode == -1 else 120), pins == 9
    elif mode in MODES:
        dots, hdpi, adjacent, nine_only = MODES[mode]
        per = dots // 8
        ok = (pins == 9) if nine_only else (dots == 8 or pins == 24)
    return per, dots, hdpi, adjacent, ok


def unpack_columns(data: bytes, per: int, dots: int) -> Bits:
    """Columns x dots (top dot first) from ``per`` bytes per column."""
    raw = np.frombuffer(data, dtype=np.uint8).reshape(len(data) // per, per)
    bits: Bits = np.unpackbits(raw, axis=1)[:, :dots].astype(bool)
    return bits


def drop_adjacent(bits: Bits) -> tuple[Bits, int]:
    """A pin cannot fire in two consecutive columns: (every second such dot dropped, how many
    adjacent dots there were)."""
    adjacent = int((bits[1:] & bits[:-1]).sum())
    idx = np.arange(bits.shape[0])[:, None]
    last_blank = np.maximum.accumulate(np.where(bits, -1, idx), axis=0)
    keep: Bits = bits & ((idx - last_blank - 1) % 2 == 0)
    return keep, adjacent
