"""An Epson ESC/P dot-matrix printer (9-pin FX/LX class or 24-pin LQ class) as a simulator.

Written from the ESC/P reference (protocols.md §1.1 command table and 86Box parameter counts,
§1.2 bit-image densities, §1.3 port status), never from our driver. ``EscpInterpreter`` is the
pure, synchronous core: ``feed(data)`` consumes bytes (fewer than given while the printer is out
of paper or off line: a real printer stops reading) and renders pages (PNG) and a text
transcript per job (and keeps each job's exact bytes: ``job-NNNN.bin``, listed under ``raw`` in
index.json). ``EscpPrinterSim`` serves it on TCP, a pty or a FIFO standing in for /dev/usb/lp0,
and models paper-out, off line, a slow link and a cable pulled mid-job. On TCP it is a print
server: AppSocket for the data and an SNMP agent (UDP, RFC 1157 / RFC 3416 BER) answering the
HOST-RESOURCES-MIB printer objects (RFC 2790) from the port status byte, so paper-out is visible
out of band as on a real network print server.

Units: line spacing ``ESC 3 n`` is n/216" on 9 pins and n/180" on 24 pins; ``ESC A n`` n/72" vs
n/60"; ``ESC J n`` like ``ESC 3``; 8-dot graphics are 72 dpi tall on 9 pins, 60 dpi on 24 pins;
24-dot modes (24-pin only) take 3 bytes per column; the top dot is the most significant bit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import urlsplit

import numpy as np

from simulators.base import Port, PtyPort, Simulator, SimulatorError
from simulators.control import CommandError
from simulators.escp_render import X_UNITS, Y_UNITS, Bits, Graphic, Job, Printout, find_mono_font

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
_DEFAULT_KLYZ = {0x4B: 0, 0x4C: 1, 0x59: 2, 0x5A: 3}
_PITCH = {10: 72, 12: 60, 15: 48}  # 1/720" per character
_CONDENSED = {10: 42, 12: 36, 15: 48}  # 17.14 cpi, 20 cpi; 15 cpi has no condensed form
CP437 = bytes(range(256)).decode("cp437")


def _page_length(units: int) -> int:
    """Clamp a page length to 1/6" .. 22" (the ESC C NUL n maximum)."""
    return min(max(units, Y_UNITS // 6), 22 * Y_UNITS)


@dataclass
class EscpState:
    """Fault switches and power-on settings (settable over the control socket)."""

    paper_empty: bool = False
    online: bool = True
    paper_out_after_lines: int | None = None
    slow_bps: int | None = None
    disconnect_after_bytes: int | None = None
    snmp_community: str = "public"
    page_length_in: float = 11.0
    autofeed: bool = False
    out_dir: str | None = None


class EscpInterpreter:
    """ESC/P byte stream -> pages and transcript lines, one ``Job`` at a time."""

    def __init__(
        self, pins: int = 9, columns: int = 80, *, state: EscpState | None = None,
        out_dir: str | Path | None = None, font_path: str | None = None, keep_jobs: int = 16,
    ) -> None:
        if pins not in (9, 24) or columns not in (80, 136):
            raise ValueError(f"pins must be 9 or 24 and columns 80 or 136, got {pins}/{columns}")
        self.pins, self.columns = pins, columns
        self.state = state or EscpState()
        if out_dir is not None:
            self.state.out_dir = str(out_dir)
        self.stats = dict.fromkeys(
            ("bytes", "commands", "unknown_commands", "lines", "pages", "jobs",
             "graphics_columns", "adjacent_dots", "unsupported_graphics"), 0)
        font = font_path if font_path is not None else find_mono_font()
        self.out = Printout(pins, columns, font, self.stats, lambda: self.state.out_dir, keep_jobs)
        self._esc: bytearray | None = None
        self._data_need = 0
        self._data = bytearray()
        self._data_cmd = False
        self._data_mode = 0
        self._lines_since_load = 0
        self._raw = bytearray()  # bytes taken since the current job began (job-NNNN.bin)
        self.x = self.y = 0
        self.reset()

    # -- state ----------------------------------------------------------------------------------

    def reset(self) -> None:
        """``ESC @``: power-on modes (10 cpi, 1/6", tabs every 8, table 1, default page)."""
        self.cpi = 10
        self.condensed = self.double = self.double_line = False
        self.bold = self.strike = self.underline = False
        self.spacing = Y_UNITS // 6
        self.page_len = _page_length(int(self.state.page_length_in * Y_UNITS))
        self.left, self.right = 0, self.columns * _PITCH[10]
        self.tabs = [8 * _PITCH[10] * i for i in range(1, 33)]
        self.char_table = 1
        self.upper_printable = True
        self.remap = dict(_DEFAULT_KLYZ)
        self.x = self.left

    @property
    def unit(self) -> int:
        """``ESC 3`` / ``ESC J`` unit in 1/1080": 1/216" (9 pins) or 1/180" (24 pins)."""
        return 5 if self.pins == 9 else 6

    @property
    def pitch(self) -> int:
        """Current character advance in 1/720"."""
        base = _CONDENSED[self.cpi] if self.condensed else _PITCH[self.cpi]
        return base * (2 if self.double or self.double_line else 1)

    @property
    def blocked(self) -> bool:
        """True while the printer does not read (out of paper or off line)."""
        return self.state.paper_empty or not self.state.online

    @property
    def port_status(self) -> int:
        """The port status byte (§1.3): bit5 PaperEmpty, bit4 Select, bit3 NotError."""
        s = self.state
        return (0x20 if s.paper_empty else 0x08) | (0x10 if s.online else 0)

    @property
    def job(self) -> Job | None:
        """The job being printed, if any."""
        return self.out.job

    @property
    def jobs(self) -> list[Job]:
        """The last finished jobs, oldest first."""
        return self.out.jobs

    def load_paper(self) -> None:
        """Paper loaded: printing resumes."""
        self.state.paper_empty = False
        self._lines_since_load = 0

    # -- input ----------------------------------------------------------------------------------

    def feed(self, data: bytes) -> int:
        """Consume bytes until done or blocked; return how many were consumed."""
        i, n = 0, len(data)
        mark = 0  # data[:mark] is already in self._raw
        while i < n and not self.blocked:
            if self._data_need:
                take = min(self._data_need, n - i)
                if self._data_cmd:
                    self._data += data[i : i + take]
                i += take
                self._data_need -= take
                if not self._data_need:
                    self._finish_data()
                continue
            b = data[i]
            i += 1
            if self._esc is not None:
                self._esc.append(b)
                if self._complete(self._esc):
                    cmd, self._esc = bytes(self._esc), None
                    self.stats["commands"] += 1
                    self._raw += data[mark:i]  # ESC @ may end the job: its bytes are known here
                    mark = i
                    self._command(cmd)
            else:
                self._byte(b)
        self._raw += data[mark:i]
        self.stats["bytes"] += i
        return i

    def _complete(self, h: bytearray) -> bool:
        if len(h) < 2:
            return False
        c = h[1]
        if c in (0x42, 0x44):  # ESC B / ESC D: NUL-terminated (or a lower value ends it)
            vals = h[2:]
            if not vals:
                return False
            ended = vals[-1] == 0 or (len(vals) > 1 and vals[-1] < vals[-2])
            return ended or len(vals) >= (32 if c == 0x44 else 16)
        if c in ZERO or (c == 0x5E and self.pins == 24):
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

    def _byte(self, b: int) -> None:
        if 0x80 <= b <= 0x9F and self.char_table == 0 and not self.upper_printable:
            b &= 0x7F  # upper control codes act like C0
        if b == 0x1B:
            self._esc = bytearray(b"\x1b")
        elif b >= 0x20 and b != 0x7F:
            self._print(b)
        elif b == 0x0A:
            self._line_feed()
        elif b == 0x0D:
            self.x = self.left
            if self.state.autofeed:
                self._line_feed()
        elif b == 0x0C:
            self._form_feed()
        elif b == 0x0B:
            self._line_feed()
        elif b == 0x09:
            stop = next((t for t in self.tabs if t > self.x), None)
            if stop is not None and stop < self.right:
                self.out.transcript.parts += " " * max(1, (stop - self.x) // self.pitch)
                self.x = stop
        elif b == 0x08:
            self.x = max(self.left, self.x - self.pitch)
        elif b == 0x0F:
            self.condensed = True
        elif b == 0x12:
            self.condensed = False
        elif b == 0x0E:
            self.double_line = True
        elif b == 0x14:
            self.double_line = False

    def _command(self, h: bytes) -> None:
        c, p = h[1], h[2:]
        u = self.unit
        if c == 0x40:  # @
            if self.out.job is not None and self.out.job.has_content:
                carry = bytes(self._raw[-2:])  # this ESC @ starts the next job
                del self._raw[-2:]
                self.end_job()
                self._raw += carry
            self.reset()
        elif c in (0x30, 0x31, 0x32):  # 0 1 2: 1/8", 7/72", 1/6"
            self.spacing = {0x30: 135, 0x31: 105, 0x32: 180}[c]
        elif c == 0x33:  # 3 n: n/216" or n/180"
            self.spacing = p[0] * u
        elif c == 0x41:  # A n: n/72" or n/60"
            self.spacing = p[0] * (15 if self.pins == 9 else 18)
        elif c == 0x2B:  # + n: n/360"
            self.spacing = p[0] * 3
        elif c == 0x4A:  # J n: feed now, no carriage return
            self._advance(p[0] * u, blank_line=False)
        elif c == 0x43:  # C n (lines) / C NUL n (inches)
            if p[0]:
                self.page_len = _page_length(p[0] * self.spacing)
            elif p[1]:
                self.page_len = _page_length(p[1] * Y_UNITS)
        elif c in (0x45, 0x46):
            self.bold = c == 0x45
        elif c in (0x47, 0x48):
            self.strike = c == 0x47
        elif c == 0x2D:
            self.underline = p[0] in (1, 0x31)
        elif c == 0x57:
            self.double = p[0] in (1, 0x31)
        elif c in (0x0E, 0x0F):
            self._byte(c)
        elif c in (0x50, 0x4D, 0x67):  # P M g: 10, 12, 15 cpi
            self.cpi = {0x50: 10, 0x4D: 12, 0x67: 15}[c]
        elif c == 0x21:  # ! n: master select
            n = p[0]
            self.cpi = 12 if n & 1 else 10
            self.condensed, self.bold, self.strike = bool(n & 4), bool(n & 8), bool(n & 16)
            self.double, self.underline = bool(n & 32), bool(n & 128)
        elif c == 0x74:
            self.char_table = p[0] - 0x30 if 0x30 <= p[0] <= 0x33 else p[0] & 3
        elif c in (0x36, 0x37):
            self.upper_printable = c == 0x36
        elif c == 0x6C:
            self.left = min(p[0] * _PITCH[self.cpi], self.right - _PITCH[self.cpi])
        elif c == 0x51 and p[0]:
            self.right = min(p[0] * _PITCH[self.cpi], self.columns * _PITCH[10])
        elif c == 0x44:
            self.tabs = [v * self.pitch for v in p if v]
        elif c == 0x24:  # $ nL nH: absolute position, 1/60"
            x = self.left + (p[0] | p[1] << 8) * 12
            if x < self.right:
                self.x = x
        elif c == 0x5C:  # \ nL nH: relative position, 1/120" (9-pin) or 1/180" (24-pin)
            d = int.from_bytes(p[:2], "little", signed=True) * (6 if self.pins == 9 else 4)
            if self.left <= self.x + d < self.right:
                self.x += d
        elif c == 0x3F:  # ? c m: reassign K/L/Y/Z to density m
            if p[0] in self.remap:
                self.remap[p[0]] = p[1]
        elif c in (0x2A, 0x4B, 0x4C, 0x59, 0x5A) or (c == 0x5E and self.pins == 9):
            self._start_graphics(h)
        elif c == 0x28:  # ( c nL nH data: skipped by its length
            self._data_need, self._data_cmd = p[1] | p[2] << 8, False
        elif c not in KNOWN:
            self.stats["unknown_commands"] += 1

    # -- printing -------------------------------------------------------------------------------

    def _print(self, b: int) -> None:
        ch = chr(b & 0x7F) if self.char_table == 0 and b >= 0x80 else CP437[b]
        pitch = self.pitch
        if self.x + pitch > self.right and self.x > self.left:
            self._line_feed()
        self.out.raster(self.page_len).draw_char(
            ch, self.x, self.y, pitch, bold=self.bold, strike=self.strike,
            underline=self.underline,
        )
        self.out.transcript.add_text(ch)
        if not ch.isspace() or self.underline:
            self.out.current_job().has_content = True
        self.x += pitch

    def _start_graphics(self, h: bytes) -> None:
        c, p = h[1], h[2:]
        if c == 0x2A:
            mode, k = p[0], p[1] | p[2] << 8
        elif c == 0x5E:  # ESC ^ m nL nH: 9-pin graphics, 2 bytes per column (m: 60/120 dpi)
            mode, k = -1 - (p[0] & 1), p[1] | p[2] << 8
        else:
            mode, k = self.remap[c], p[0] | p[1] << 8
        spec = MODES.get(mode)
        per = 2 if mode < 0 else spec[0] // 8 if spec else 1 if mode < 32 else 3 if mode < 64 else 6
        self._data_need, self._data_cmd, self._data = k * per, True, bytearray()
        self._data_mode = mode
        if not self._data_need:
            self._finish_data()

    def _finish_data(self) -> None:
        if not self._data_cmd:
            return
        mode, data, self._data_cmd, self._data = self._data_mode, bytes(self._data), False, bytearray()
        per, dots, hdpi, adjacent, ok = 1, 8, 60, True, False
        if mode < 0:
            per, dots, hdpi, ok = 2, 9, (60 if mode == -1 else 120), self.pins == 9
        elif mode in MODES:
            dots, hdpi, adjacent, nine_only = MODES[mode]
            per = dots // 8
            ok = (self.pins == 9) if nine_only else (dots == 8 or self.pins == 24)
        cols = len(data) // per
        if not ok or not cols:
            self.stats["unsupported_graphics"] += int(not ok)
            return
        raw = np.frombuffer(data, dtype=np.uint8).reshape(cols, per)
        bits = np.unpackbits(raw, axis=1)[:, :dots].astype(bool)
        if not adjacent:
            bits = self._drop_adjacent(bits)
        x_step = X_UNITS // hdpi
        y_step = Y_UNITS // 180 if dots == 24 else Y_UNITS // (72 if self.pins == 9 else 60)
        self.out.raster(self.page_len).draw_columns(self.x, self.y, bits, x_step, y_step)
        self.out.transcript.add_graphic(Graphic(self.x, self.y, cols, dots, dots * y_step))
        job = self.out.current_job()
        job.has_content = job.has_content or bool(bits.any())
        self.stats["graphics_columns"] += cols
        self.x += cols * x_step

    def _drop_adjacent(self, bits: Bits) -> Bits:
        """A pin cannot fire in two consecutive columns: count and drop every second dot."""
        self.stats["adjacent_dots"] += int((bits[1:] & bits[:-1]).sum())
        idx = np.arange(bits.shape[0])[:, None]
        last_blank = np.maximum.accumulate(np.where(bits, -1, idx), axis=0)
        keep: Bits = bits & ((idx - last_blank - 1) % 2 == 0)
        return keep

    # -- paper movement and jobs ----------------------------------------------------------------

    def _advance(self, dy: int, blank_line: bool) -> None:
        self.out.end_line(blank_line)
        self.y += dy
        if self.y >= self.page_len:
            self.out.finish_page(None)
            self.y = 0

    def _line_feed(self) -> None:
        self.x = self.left
        self.double_line = False
        self._advance(self.spacing, blank_line=True)
        self.stats["lines"] += 1
        self._lines_since_load += 1
        limit = self.state.paper_out_after_lines
        if limit is not None and self._lines_since_load >= limit:
            log.info("paper out after %d lines", self._lines_since_load)
            self.state.paper_out_after_lines = None
            self.state.paper_empty = True

    def _form_feed(self) -> None:
        self.x = self.left
        self.double_line = False
        self.out.end_line(False)
        self.out.finish_page(None)
        self.y = 0

    def end_job(self) -> Job | None:
        """Finish the current job (its last page cropped to what was used); return it."""
        raw, self._raw = bytes(self._raw), bytearray()
        job = self.out.end_job(self.y, raw)
        self.y = 0
        return job


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class FifoPort(Port):
    """The read end of a FIFO standing in for /dev/usb/lp0; b"" when the writer closed it.

    At that end of a job the read end for the next writer is opened before this one closes
    (``next_fd``), so a writer never finds the FIFO without a reader (ENXIO).
    """

    def __init__(self, path: str, session: object, fd: int | None = None) -> None:
        super().__init__(session)
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK) if fd is None else fd
        self.next_fd = -1

    async def read(self) -> bytes:
        """Wait for bytes; b"" when the writer closed it.

        Readiness comes first: before any writer opened the FIFO, read() would return b"" at
        once, but poll() reports nothing until a writer wrote or came and went.
        """
        loop = asyncio.get_running_loop()
        while True:
            ready: asyncio.Future[None] = loop.create_future()
            loop.add_reader(self.fd, _wake, ready)
            try:
                await ready
            finally:
                loop.remove_reader(self.fd)
            try:
                data = os.read(self.fd, 4096)
            except BlockingIOError:
                continue
            if not data and self.next_fd < 0:
                self.next_fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            return data

    async def write(self, data: bytes) -> None:
        """A printer sends nothing back on the data channel."""

    async def close(self) -> None:
        """Close the read end (a writer then gets EPIPE)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


# -- SNMP agent of the print server (RFC 1157 / RFC 3416 BER; HOST-RESOURCES-MIB, RFC 2790) -------

HR_DEVICE_STATUS = (1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5, 1)
HR_PRINTER_STATUS = (1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 1, 1)
HR_PRINTER_ERROR_STATE = (1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 2, 1)
NO_PAPER, OFFLINE = 0x40, 0x02  # hrPrinterDetectedErrorState bits 1 and 6 (bit 0 = MSB)


def _ber_take(buf: bytes, pos: int) -> tuple[int, bytes, int]:
    """(tag, contents, position after) of the BER item at ``pos``; ValueError if cut short."""
    tag, size = buf[pos], buf[pos + 1]
    pos += 2
    if size & 0x80:
        count = size & 0x7F
        if not 1 <= count <= 4:
            raise ValueError("unsupported BER length form")
        size = int.from_bytes(buf[pos : pos + count], "big")
        pos += count
    if pos + size > len(buf):
        raise ValueError("BER item runs past the end")
    return tag, buf[pos : pos + size], pos + size


def _ber_items(body: bytes) -> list[tuple[int, bytes]]:
    """The items of a SEQUENCE's contents."""
    items, pos = [], 0
    while pos < len(body):
        tag, contents, pos = _ber_take(body, pos)
        items.append((tag, contents))
    return items


def _ber(tag: int, contents: bytes) -> bytes:
    n = len(contents)
    if n < 128:
        return bytes([tag, n]) + contents
    size = n.to_bytes(4, "big").lstrip(b"\x00")
    return bytes([tag, 0x80 + len(size)]) + size + contents


def _ber_int(n: int) -> bytes:
    body = n.to_bytes(8, "big", signed=True)
    while len(body) > 1 and ((body[0] == 0 and body[1] < 0x80) or (body[0] == 0xFF and body[1] >= 0x80)):
        body = body[1:]
    return _ber(0x02, body)


def _oid_arcs(body: bytes) -> tuple[int, ...]:
    arcs, acc = [], 0
    for b in body:
        acc = acc * 128 + (b & 0x7F)
        if b < 0x80:
            arcs.append(acc)
            acc = 0
    if not arcs or body[-1] >= 0x80:
        raise ValueError("bad OBJECT IDENTIFIER")
    x = min(arcs[0] // 40, 2)
    return (x, arcs[0] - 40 * x, *arcs[1:])


def _oid_bytes(arcs: tuple[int, ...]) -> bytes:
    out = bytearray()
    for arc in (40 * arcs[0] + arcs[1], *arcs[2:]):
        septets = [arc & 0x7F]
        while arc > 0x7F:
            arc //= 128
            septets.insert(0, 0x80 | (arc & 0x7F))
        out += bytes(septets)
    return _ber(0x06, bytes(out))


class PrinterSnmpAgent(asyncio.DatagramProtocol):
    """The print server's SNMP agent: GetRequest (v1/v2c) for the three printer objects,
    filled from the printer's port status byte as print servers do from the 1284 lines."""

    def __init__(self, sim: EscpPrinterSim) -> None:
        self.sim = sim
        self.transport: asyncio.DatagramTransport | None = None
        self.requests = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the socket to answer on."""
        self.transport = cast(asyncio.DatagramTransport, transport)

    def mib(self) -> dict[tuple[int, ...], bytes]:
        """The answerable objects as encoded values."""
        status = self.sim.port_status
        bits = (NO_PAPER if status & 0x20 else 0) | (0 if status & 0x10 else OFFLINE)
        down = bool(bits) or not status & 0x08
        printing = 4 if self.sim.interp.job is not None else 3
        return {
            HR_DEVICE_STATUS: _ber_int(5 if down else 2),  # down(5) / running(2)
            HR_PRINTER_STATUS: _ber_int(1 if down else printing),  # other(1) / printing / idle
            HR_PRINTER_ERROR_STATE: _ber(0x04, bytes([bits, 0])),
        }

    def answer(self, data: bytes) -> bytes | None:
        """The GetResponse to a request, or None to stay silent (not a Get, wrong community)."""
        tag, body, end = _ber_take(data, 0)
        if tag != 0x30 or end != len(data):
            raise ValueError("not one SEQUENCE")
        (t_ver, ver), (t_com, community), (t_pdu, pdu) = _ber_items(body)
        version = int.from_bytes(ver, "big", signed=True)
        if (t_ver, t_com, t_pdu) != (0x02, 0x04, 0xA0) or version not in (0, 1):
            return None
        if community != self.sim.state.snmp_community.encode():
            log.info("snmp: wrong community %r ignored", community)
            return None
        (t_id, request_id), _, _, (t_list, varbinds) = _ber_items(pdu)
        if t_id != 0x02 or t_list != 0x30:
            raise ValueError("bad PDU")
        names = [_oid_arcs(_ber_items(vb)[0][1]) for _, vb in _ber_items(varbinds)]
        mib = self.mib()
        missing = [i for i, name in enumerate(names) if name not in mib]
        error, index = (2, missing[0] + 1) if version == 0 and missing else (0, 0)  # noSuchName
        out = b""
        for name in names:
            value = b"\x05\x00" if error else mib.get(name, b"\x80\x00")  # v2c: noSuchObject
            out += _ber(0x30, _oid_bytes(name) + value)
        response = _ber(0x02, request_id) + _ber_int(error) + _ber_int(index) + _ber(0x30, out)
        return _ber(0x30, _ber_int(version) + _ber(0x04, community) + _ber(0xA2, response))

    def datagram_received(self, data: bytes, addr: Any) -> None:
        """Answer one request (honouring unplug, garbage and delay); drop what does not parse."""
        sim = self.sim
        if sim.unplugged or self.transport is None:
            return
        self.requests += 1
        try:
            reply = self.answer(data)
        except (ValueError, IndexError) as err:
            log.info("snmp: malformed request dropped: %s", err)
            return
        if reply is None:
            return
        if sim.garbage:
            reply = sim.junk(reply)
        if sim.delay > 0:
            asyncio.get_running_loop().call_later(sim.delay, self.transport.sendto, reply, addr)
        else:
            self.transport.sendto(reply, addr)


class EscpPrinterSim(Simulator):
    """A 9-pin, 80-column ESC/P printer on TCP (like port 9100), a pty or a FIFO (usblp)."""

    name: ClassVar[str] = "escp_printer"
    description: ClassVar[str] = "Epson ESC/P 9-pin 80-column dot-matrix printer (PNG + text)"
    pins: ClassVar[int] = 9
    columns: ClassVar[int] = 80
    job_idle_s: float = 2.0
    """On a pty or FIFO (no connection per job) a job also ends after this long without bytes."""

    def __init__(
        self, state: EscpState | None = None, *, seed: int | None = None,
        out_dir: str | Path | None = None, font_path: str | None = None,
    ) -> None:
        super().__init__(state, seed=seed)
        self.state: EscpState
        self.interp = EscpInterpreter(
            self.pins, self.columns, state=self.state, out_dir=out_dir, font_path=font_path
        )
        self.snmp: PrinterSnmpAgent | None = None
        self.snmp_port: int | None = None
        self._fifo_waiting: dict[str, asyncio.Future[int]] = {}

    @classmethod
    def default_state(cls) -> EscpState:
        """Paper loaded, on line, 11" pages."""
        return EscpState()

    @property
    def port_status(self) -> int:
        """The port status byte: 0x18 ok, 0x30 paper empty, 0x08 off line."""
        return self.interp.port_status

    def on_bytes(self, session: Any, data: bytes) -> list[bytes]:
        """Feed bytes (a printer never answers on the data channel)."""
        self.interp.feed(data)
        return []

    def snapshot(self) -> dict[str, Any]:
        """The state plus the port status byte, counters and the SNMP agent's port."""
        return {**super().snapshot(), "port_status": self.port_status, "stats": self.interp.stats,
                "snmp_port": self.snmp_port}

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """``paper out|in``, ``port_status``, ``end_job``, ``jobs``."""

        def paper(args: list[str]) -> str:
            if args == ["out"]:
                self.state.paper_empty = True
            elif args == ["in"]:
                self.interp.load_paper()
            else:
                raise CommandError("paper out|in")
            return f"paper {args[0]} port_status=0x{self.port_status:02x}"

        def jobs(args: list[str]) -> str:
            return json.dumps([{"job": j.number, "files": j.files, "ids": j.ids,
                                "lines": len(j.lines), "pages": len(j.pages),
                                "bytes": len(j.raw), "raw": j.raw_file}
                               for j in self.interp.jobs])

        def end_job(args: list[str]) -> str:
            job = self.interp.end_job()
            return f"job {job.number}" if job else "no job"

        return {
            "paper": ("paper out|in", paper),
            "port_status": ("port_status", lambda args: f"0x{self.port_status:02x}"),
            "end_job": ("end_job", end_job),
            "jobs": ("jobs", jobs),
        }

    async def _listen(self, listen: str) -> str:
        """Also ``fifo:///path`` (or ``file:///path``): a FIFO read like /dev/usb/lp0.

        On TCP (AppSocket, like a print server's port 9100) the print server's SNMP agent
        starts too, on UDP 127.0.0.1 at the same port number when free (else any free port),
        and the URL says where: ``tcp://127.0.0.1:P?status=snmp://127.0.0.1:S``.
        """
        parts = urlsplit(listen)
        if parts.scheme == "tcp":
            url = await super()._listen(listen)
            port = await self._start_snmp(int(url.rsplit(":", 1)[1]))
            return f"{url}?status=snmp://127.0.0.1:{port}"
        if parts.scheme not in ("fifo", "file"):
            return await super()._listen(listen)
        path = parts.path
        if parts.netloc or not path.startswith("/"):
            raise SimulatorError(f"{listen!r}: needs an absolute path, like fifo:///tmp/lp0")
        if not os.path.exists(path):
            os.mkfifo(path, 0o660)
            self._paths.append(path)
        elif not stat.S_ISFIFO(os.stat(path).st_mode):
            raise SimulatorError(f"{listen!r}: {path} exists and is not a FIFO")
        first = FifoPort(path, self.new_session())  # open before the URL is handed out
        task = asyncio.get_running_loop().create_task(self._serve_fifo(first))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return f"usblp://{path}"

    def replug(self) -> None:
        """Answer again; an unplugged FIFO gets its reader back at once."""
        super().replug()
        for path, waiter in list(self._fifo_waiting.items()):
            del self._fifo_waiting[path]
            if not waiter.done():
                waiter.set_result(os.open(path, os.O_RDONLY | os.O_NONBLOCK))

    async def _start_snmp(self, preferred: int) -> int:
        """Start the SNMP agent once; return its UDP port."""
        if self.snmp_port is not None:
            return self.snmp_port
        loop = asyncio.get_running_loop()
        for port in (preferred, 0):
            try:
                transport, agent = await loop.create_datagram_endpoint(
                    lambda: PrinterSnmpAgent(self), local_addr=("127.0.0.1", port)
                )
            except OSError as err:
                if port == 0:
                    raise SimulatorError(f"SNMP agent: {err.strerror or err}") from err
                continue
            self.snmp = agent
            self.snmp_port = int(transport.get_extra_info("sockname")[1])
            break
        assert self.snmp_port is not None
        return self.snmp_port

    async def stop(self) -> None:
        """Stop serving, the SNMP agent too."""
        if self.snmp is not None and self.snmp.transport is not None:
            self.snmp.transport.close()
        self.snmp, self.snmp_port = None, None
        await super().stop()

    async def _serve_fifo(self, port: FifoPort) -> None:
        try:
            while True:  # one job per writer: open, write, close
                await self._serve(port)
                fd, port.next_fd = port.next_fd, -1
                if self.unplugged:  # cable pulled: no reader (writes fail) until replug()
                    if fd >= 0:
                        os.close(fd)
                    waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
                    self._fifo_waiting[port.path] = waiter
                    fd = await waiter
                port = FifoPort(port.path, self.new_session(), fd if fd >= 0 else None)
        finally:
            await port.close()
            if port.next_fd >= 0:
                os.close(port.next_fd)

    async def _serve(self, port: Port) -> None:
        """Feed bytes as the printer accepts them: none while out of paper or off line."""
        per_job = not isinstance(port, PtyPort)
        if per_job:
            self.interp.end_job()
        self._ports.add(port)
        received = 0
        try:
            while data := await self._read(port, per_job):
                if self.unplugged:
                    continue
                while data:
                    limit = self.state.disconnect_after_bytes
                    bps = self.state.slow_bps
                    chunk = data[: max(1, bps // 10)] if bps else data
                    if limit is not None:
                        chunk = chunk[: max(0, limit - received)]
                    used = self.interp.feed(chunk)
                    received += used
                    data = data[used:]
                    if limit is not None and received >= limit:
                        log.info("cable pulled after %d bytes", received)
                        self.state.disconnect_after_bytes = None
                        if not per_job or isinstance(port, FifoPort):
                            self.unplug()  # until replug(): a FIFO gets no reader (EPIPE)
                        return
                    if bps and used:
                        await asyncio.sleep(used / bps)
                    while self.interp.blocked and not self.unplugged:
                        await asyncio.sleep(0.05)  # a stopped printer reads nothing
        except OSError as err:
            log.debug("connection ended: %s", err)
        finally:
            self._ports.discard(port)
            if per_job:
                self.interp.end_job()
            await port.close()

    async def _read(self, port: Port, per_job: bool) -> bytes:
        """The next bytes; on a pty a pause of ``job_idle_s`` ends the current job."""
        if per_job or self.interp.job is None:
            return await port.read()
        try:
            return await asyncio.wait_for(port.read(), self.job_idle_s)
        except TimeoutError:
            self.interp.end_job()
            return await port.read()


class Escp24PinSim(EscpPrinterSim):
    """A 24-pin, 80-column ESC/P printer (LQ class: ESC 3 n/180", ESC * 39)."""

    name: ClassVar[str] = "escp_printer_24"
    description: ClassVar[str] = "Epson ESC/P 24-pin 80-column dot-matrix printer (PNG + text)"
    pins: ClassVar[int] = 24
