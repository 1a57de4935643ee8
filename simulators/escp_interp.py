"""The ESC/P interpreter of the Epson ESC/P dot-matrix printer simulator (9-pin or 24-pin).

Written from the ESC/P reference (protocols.md §1.1-§1.3), never from our driver.
``EscpInterpreter`` is the pure, synchronous core: ``feed(data)`` consumes bytes (fewer than
given while the printer is out of paper or off line: a real printer stops reading) and renders
pages (PNG) and a text transcript per job (and keeps each job's exact bytes: ``job-NNNN.bin``,
listed under ``raw`` in index.json). Command framing and bit-image formats: ``escp_commands``;
print modes: ``escp_modes``; pages and job files: ``escp_render``, ``escp_jobs``.

Units: ``ESC J n`` feeds like ``ESC 3``; 8-dot graphics are 72 dpi tall on 9 pins, 60 dpi on
24 pins; 24-dot modes (24-pin only) take 3 bytes per column; the top dot is the most
significant bit.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kioskhub.simulators.escp_commands import (
    CP437,
    KNOWN,
    command_complete,
    drop_adjacent,
    graphics_format,
    graphics_header,
    unpack_columns,
)
from kioskhub.simulators.escp_jobs import Job, Printout
from kioskhub.simulators.escp_modes import EscpModes, EscpState
from kioskhub.simulators.escp_render import X_UNITS, Y_UNITS, Graphic
from kioskhub.simulators.printer_common import find_mono_font, paper_runs_out

log = logging.getLogger(__name__)


class EscpInterpreter(EscpModes):
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
                if command_complete(self._esc, self.pins):
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
        if self.set_mode(c, p):
            return
        if c == 0x40:  # @
            if self.out.job is not None and self.out.job.has_content:
                carry = bytes(self._raw[-2:])  # this ESC @ starts the next job
                del self._raw[-2:]
                self.end_job()
                self._raw += carry
            self.reset()
        elif c == 0x4A:  # J n: feed now, no carriage return
            self._advance(p[0] * self.unit, blank_line=False)
        elif c in (0x0E, 0x0F):
            self._byte(c)
        elif c == 0x24:  # $ nL nH: absolute position, 1/60"
            x = self.left + (p[0] | p[1] << 8) * 12
            if x < self.right:
                self.x = x
        elif c == 0x5C:  # \ nL nH: relative position, 1/120" (9-pin) or 1/180" (24-pin)
            d = int.from_bytes(p[:2], "little", signed=True) * (6 if self.pins == 9 else 4)
            if self.left <= self.x + d < self.right:
                self.x += d
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
        self._data_mode, self._data_need = graphics_header(h, self.remap)
        self._data_cmd, self._data = True, bytearray()
        if not self._data_need:
            self._finish_data()

    def _finish_data(self) -> None:
        if not self._data_cmd:
            return
        mode, data, self._data_cmd, self._data = self._data_mode, bytes(self._data), False, bytearray()
        per, dots, hdpi, adjacent, ok = graphics_format(mode, self.pins)
        cols = len(data) // per
        if not ok or not cols:
            self.stats["unsupported_graphics"] += int(not ok)
            return
        bits = unpack_columns(data, per, dots)
        if not adjacent:
            bits, dropped = drop_adjacent(bits)
            self.stats["adjacent_dots"] += dropped
        x_step = X_UNITS // hdpi
        y_step = Y_UNITS // 180 if dots == 24 else Y_UNITS // (72 if self.pins == 9 else 60)
        self.out.raster(self.page_len).draw_columns(self.x, self.y, bits, x_step, y_step)
        self.out.transcript.add_graphic(Graphic(self.x, self.y, cols, dots, dots * y_step))
        job = self.out.current_job()
        job.has_content = job.has_content or bool(bits.any())
        self.stats["graphics_columns"] += cols
        self.x += cols * x_step

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
        if paper_runs_out(self.state, self._lines_since_load):
            self.state.paper_empty = True

    def _form_feed(self) -> None:
        self.x = self.left
        self.double_line = False
        self.out.end_line(False)
        self.out.finish_page(None)
        self.y = 0

    def power_cycle(self) -> None:
        """Power lost and back: what was printed stays (the job ends there), a command cut short
        is forgotten, modes are back to power-on values."""
        self.end_job()
        self._esc, self._data_need, self._data = None, 0, bytearray()
        self.reset()

    def end_job(self) -> Job | None:
        """Finish the current job (its last page cropped to what was used); return it."""
        raw, self._raw = bytes(self._raw), bytearray()
        job = self.out.end_job(self.y, raw)
        self.y = 0
        return job
