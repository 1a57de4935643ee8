"""Printer state and print modes of the ESC/P printer simulator.

``EscpState`` holds the fault switches and power-on settings (settable over the control socket).
``EscpModes`` holds what ESC commands set - pitch and style, line spacing, page length, margins,
tab stops, character table, bit-image densities - with the power-on values ``ESC @`` restores.
Units: x in 1/720", y in 1/1080" (see ``escp_render``); line spacing ``ESC 3 n`` is n/216" on
9 pins and n/180" on 24 pins; ``ESC A n`` n/72" vs n/60"; ``ESC +`` n/360" (protocols.md §1.1).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kioskhub.simulators.escp_commands import CONDENSED, DEFAULT_KLYZ, PITCH, page_length
from kioskhub.simulators.escp_render import Y_UNITS

log = logging.getLogger(__name__)


@dataclass
class EscpState:
    """Fault switches and power-on settings (settable over the control socket)."""

    paper_empty: bool = False
    online: bool = True
    paper_out_after_lines: int | None = None
    slow_bps: int | None = None
    disconnect_after_bytes: int | None = None
    silent: bool = False
    """The print server's SNMP agent answers nothing (a status channel that is down)."""
    snmp_community: str = "public"
    page_length_in: float = 11.0
    autofeed: bool = False
    out_dir: str | None = None


class EscpModes:
    """The print modes of an ESC/P printer and the commands that only set them."""

    pins: int
    columns: int
    state: EscpState
    x: int

    def reset(self) -> None:
        """``ESC @``: power-on modes (10 cpi, 1/6", tabs every 8, table 1, default page)."""
        self.cpi = 10
        self.condensed = self.double = self.double_line = False
        self.bold = self.strike = self.underline = False
        self.spacing = Y_UNITS // 6
        self.page_len = page_length(int(self.state.page_length_in * Y_UNITS))
        self.left, self.right = 0, self.columns * PITCH[10]
        self.tabs = [8 * PITCH[10] * i for i in range(1, 33)]
        self.char_table = 1
        self.upper_printable = True
        self.remap = dict(DEFAULT_KLYZ)
        self.x = self.left

    @property
    def unit(self) -> int:
        """``ESC 3`` / ``ESC J`` unit in 1/1080": 1/216" (9 pins) or 1/180" (24 pins)."""
        return 5 if self.pins == 9 else 6

    @property
    def pitch(self) -> int:
        """Current character advance in 1/720"."""
        base = CONDENSED[self.cpi] if self.condensed else PITCH[self.cpi]
        return base * (2 if self.double or self.double_line else 1)

    def set_mode(self, c: int, p: bytes) -> bool:
        """Apply ``ESC c p`` if it is a command that only sets a mode; False for any other."""
        if c in (0x30, 0x31, 0x32):  # 0 1 2: 1/8", 7/72", 1/6"
            self.spacing = {0x30: 135, 0x31: 105, 0x32: 180}[c]
        elif c == 0x33:  # 3 n: n/216" or n/180"
            self.spacing = p[0] * self.unit
        elif c == 0x41:  # A n: n/72" or n/60"
            self.spacing = p[0] * (15 if self.pins == 9 else 18)
        elif c == 0x2B:  # + n: n/360"
            self.spacing = p[0] * 3
        elif c == 0x43:  # C n (lines) / C NUL n (inches)
            if p[0]:
                self.page_len = page_length(p[0] * self.spacing)
            elif p[1]:
                self.page_len = page_length(p[1] * Y_UNITS)
        elif c in (0x45, 0x46):
            self.bold = c == 0x45
        elif c in (0x47, 0x48):
            self.strike = c == 0x47
        elif c == 0x2D:
            self.underline = p[0] in (1, 0x31)
        elif c == 0x57:
            self.double = p[0] in (1, 0x31)
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
            self.left = min(p[0] * PITCH[self.cpi], self.right - PITCH[self.cpi])
        elif c == 0x51 and p[0]:
            self.right = min(p[0] * PITCH[self.cpi], self.columns * PITCH[10])
        elif c == 0x44:
            self.tabs = [v * self.pitch for v in p if v]
        elif c == 0x3F:  # ? c m: reassign K/L/Y/Z to density m
            if p[0] in self.remap:
                self.remap[p[0]] = p[1]
        else:
            return False
        return True
