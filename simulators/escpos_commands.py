"""ESC/POS command framing and the real-time status request, for the ESC/POS printer simulator.

Written from the ESC/POS reference (protocols.md §2, §2.1, and Epson's ESC/POS command list),
never from our driver. ``command_length`` tells how many bytes make up the command at a position
of the receive buffer (fixed-length commands from the tables, variable-length ones from their
headers), or None until all of it arrived; ``Realtime`` finds ``DLE EOT n`` status requests in
received bytes as they arrive, before and regardless of printing; ``process_id_response`` is what
``GS ( H`` <Function 48> makes the printer send once everything before it is printed (Epson
ESC/POS reference, GS ( H fn 48: ``1D 28 48 06 00 30 30 d1 d2 d3 d4``, answered with the
"header to NUL" block ``37 22 d1 d2 d3 d4 00``).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# Parameter bytes after ESC c / GS c / FS c for fixed-length commands (Epson ESC/POS command list).
ESC_FIXED = {0x0C: 0, 0x20: 1, 0x21: 1, 0x24: 2, 0x25: 1, 0x2D: 1, 0x32: 0, 0x33: 1, 0x3C: 0,
             0x3D: 1, 0x3F: 1, 0x40: 0, 0x45: 1, 0x47: 1, 0x4A: 1, 0x4B: 1, 0x4C: 0, 0x4D: 1,
             0x52: 1, 0x53: 0, 0x54: 1, 0x55: 1, 0x56: 1, 0x57: 8, 0x5C: 2, 0x61: 1, 0x63: 2,
             0x64: 1, 0x65: 1, 0x69: 0, 0x6D: 0, 0x70: 3, 0x72: 1, 0x74: 1, 0x75: 1, 0x76: 0,
             0x7B: 1}
GS_FIXED = {0x21: 1, 0x23: 1, 0x24: 2, 0x2F: 1, 0x3A: 0, 0x42: 1, 0x45: 1, 0x48: 1, 0x49: 1,
            0x4C: 2, 0x50: 2, 0x54: 1, 0x57: 2, 0x5C: 2, 0x5E: 3, 0x61: 1, 0x62: 1, 0x63: 0,
            0x66: 1, 0x68: 1, 0x6A: 1, 0x72: 1, 0x77: 1}
FS_FIXED = {0x21: 1, 0x26: 0, 0x2D: 1, 0x2E: 0, 0x3F: 1, 0x43: 1, 0x53: 2, 0x57: 1, 0x70: 2}
DLE_SIZES = {0x04: 3, 0x05: 3}
DC4_SIZES = {1: 5, 2: 5, 7: 4, 8: 10}


def _nul_end(buf: bytearray, start: int, limit: int) -> int | None:
    """Length up to and including a NUL found within ``limit`` bytes (or the limit itself)."""
    end = buf.find(0, start, start + limit)
    if end >= 0:
        return end + 1
    return start + limit if len(buf) >= start + limit else None


def _need(buf: bytearray, pos: int, header: int) -> bytes | None:
    """The first ``header`` bytes of the command at ``pos``, or None until they arrived."""
    return bytes(buf[pos : pos + header]) if len(buf) >= pos + header else None


def _variable(buf: bytearray, pos: int, lead: int, c: int) -> int | None:
    """Total length of a variable-length command (or None until its header arrived)."""
    n = len(buf) - pos
    if lead == 0x1B and c == 0x2A:  # ESC * m nL nH d: 1 or 3 bytes per column
        h = _need(buf, pos, 5)
        return None if h is None else 5 + (h[3] | h[4] << 8) * (3 if h[2] in (32, 33) else 1)
    if lead == 0x1B and c == 0x44:  # ESC D n1..nk NUL
        end = _nul_end(buf, pos + 2, 33)
        return None if end is None else end - pos
    if lead == 0x1D and c == 0x76 or lead == 0x1D and c == 0x51:  # GS v 0 / GS Q 0 m xL xH yL yH
        h = _need(buf, pos, 8)
        return None if h is None else 8 + (h[4] | h[5] << 8) * (h[6] | h[7] << 8)
    if c == 0x28 and lead in (0x1B, 0x1D, 0x1C):  # ESC/GS/FS ( fn pL pH p-bytes
        h = _need(buf, pos, 5)
        return None if h is None else 5 + (h[3] | h[4] << 8)
    if lead == 0x1D and c == 0x38:  # GS 8 L p1 p2 p3 p4
        h = _need(buf, pos, 7)
        return None if h is None else 7 + int.from_bytes(h[3:7], "little")
    if lead == 0x1D and c == 0x56:  # GS V m [n]
        h = _need(buf, pos, 3)
        return None if h is None else 4 if h[2] in (65, 66, 97, 98, 103, 104) else 3
    if lead == 0x1D and c == 0x6B:  # GS k m: NUL-terminated (m <= 6) or GS k m n d1..dn
        h = _need(buf, pos, 4)
        if h is None:
            return None
        if h[2] <= 6:
            end = _nul_end(buf, pos + 3, 256)
            return None if end is None else end - pos
        return 4 + h[3]
    if lead == 0x1D and c == 0x2A:  # GS * x y d: x * y * 8 bytes
        h = _need(buf, pos, 4)
        return None if h is None else 4 + h[2] * h[3] * 8
    if lead == 0x1C and c == 0x32:  # FS 2 c1 c2 d1..d72
        return 76 if n >= 76 else None
    return 2  # unknown: skip ESC/GS/FS and the command byte


def command_length(buf: bytearray, pos: int) -> int | None:
    """Bytes of the command starting at ``buf[pos]``, or None until all of it arrived."""
    lead = buf[pos]
    if lead not in (0x1B, 0x1D, 0x1C, 0x10):
        return 1
    if len(buf) - pos < 2:
        return None
    c = buf[pos + 1]
    if lead == 0x10:
        if c == 0x14:
            size = DC4_SIZES.get(buf[pos + 2], 3) if len(buf) - pos > 2 else None
        else:
            size = DLE_SIZES.get(c, 1)
    else:
        fixed = {0x1B: ESC_FIXED, 0x1D: GS_FIXED, 0x1C: FS_FIXED}[lead].get(c)
        size = 2 + fixed if fixed is not None else _variable(buf, pos, lead, c)
    return None if size is None or len(buf) - pos < size else size


def known(cmd: bytes) -> bool:
    """False for ESC/GS/FS commands this printer does not know (skipped as two bytes)."""
    if len(cmd) != 2 or cmd[0] not in (0x1B, 0x1D, 0x1C):
        return True
    table = {0x1B: ESC_FIXED, 0x1D: GS_FIXED, 0x1C: FS_FIXED}[cmd[0]]
    return cmd[1] in table


def asks_back(cmd: bytes) -> bool:
    """True for a request for an answer (``DLE EOT n``, ``GS ( H``): not part of a receipt's data."""
    return cmd[:2] == b"\x10\x04" or cmd[:3] == b"\x1d(H"


def process_id_response(cmd: bytes) -> bytes | None:
    """The response a processed ``GS ( H`` <Function 48> command sends, or None for any other."""
    if len(cmd) == 11 and cmd[:7] == b"\x1d(H\x06\x00\x30\x30" and all(0x20 <= b <= 0x7E for b in cmd[7:]):
        return b"\x37\x22" + cmd[7:] + b"\x00"
    return None


class Realtime:
    """Finds ``DLE EOT n`` (10 04 n, n = 1..4) in received bytes, also across reads."""

    def __init__(self) -> None:
        self.tail = b""

    def scan(self, data: bytes) -> list[int]:
        """The n of every DLE EOT n completed by ``data``, in order."""
        buf = self.tail + data
        found: list[int] = []
        i = buf.find(b"\x10\x04")
        while 0 <= i < len(buf) - 2:
            if 1 <= buf[i + 2] <= 4 and i + 2 >= len(self.tail):
                found.append(buf[i + 2])
            i = buf.find(b"\x10\x04", i + 1)
        self.tail = buf[-2:]
        return found
