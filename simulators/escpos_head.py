"""The print head of the ESC/POS printer simulator: complete commands -> dots on the receipt.

Standard mode with one line buffer, as an Epson TM-T88 class printer (protocols.md §2): text in
fonts A and B with emphasis, underline, double and larger sizes, alignment, left margin, line
spacing and code pages; ``ESC *`` column images into the line; ``GS v 0`` raster images on their
own lines; ``GS V`` cuts (ending the receipt). Fonts and paper: ``escpos_render``.
"""

from __future__ import annotations

import logging

import numpy as np

from kioskhub.simulators.escpos_render import FONTS, Glyphs, Paper, Receipt
from kioskhub.simulators.printer_common import Bits

log = logging.getLogger(__name__)

CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252",
              17: "cp866", 18: "cp852", 19: "cp858"}
"""``ESC t n`` tables the simulator knows (others print as PC437)."""
DEFAULT_SPACING = 34
"""``ESC 2``: 1/6" at 203 dpi."""


def _scale(bits: Bits, w: int, h: int) -> Bits:
    """Each dot ``w`` dots wide and ``h`` dots tall."""
    out: Bits = np.repeat(np.repeat(bits, h, axis=0), w, axis=1) if (w, h) != (1, 1) else bits
    return out


class Printhead:
    """Executes complete commands on the current receipt (standard mode, one line buffer)."""

    def __init__(self, width: int, font_path: str | None, stats: dict[str, int]) -> None:
        self.width, self.stats = width, stats
        self.glyphs = Glyphs(font_path)
        self._number = 1
        self.receipt = Receipt(self._number, Paper(width))
        self._content = False
        self.reset()

    def reset(self) -> None:
        """``ESC @``: modes to power-on values; the line buffer is cleared."""
        self.font, self.bold, self.underline, self.w, self.h = 0, False, 0, 1, 1
        self.align, self.left, self.gap = 0, 0, 0
        self.spacing, self.encoding = DEFAULT_SPACING, "cp437"
        self.line: list[tuple[Bits, int, str]] = []
        self.line_w = 0

    def finish(self) -> Receipt | None:
        """End the receipt (printing a waiting line); None if nothing was printed on it."""
        if self.line:
            self.print_line()
        receipt = self.receipt
        if not self._content:
            receipt.raw.clear()
            return None
        self._number += 1
        self.receipt, self._content = Receipt(self._number, Paper(self.width)), False
        return receipt

    def _offset(self, w: int) -> int:
        room = max(0, self.width - self.left - w)
        return self.left + (0, room // 2, room)[self.align]

    def print_line(self, feed: int | None = None) -> None:
        """Print the line buffer and feed ``feed`` dots (default: the line's height or spacing)."""
        paper = self.receipt.paper
        height = max((m.shape[0] for m, _, _ in self.line), default=FONTS[self.font][1] * self.h)
        x = self._offset(self.line_w)
        for mask, advance, _ in self.line:
            paper.blit(mask, x, paper.y + height - mask.shape[0])
            x += advance
        if self.line:
            self._content = True
        if self.line or feed is None:
            self.receipt.add_line("".join(t for _, _, t in self.line).rstrip())
            self.stats["lines"] += 1
        paper.feed(max(self.spacing, height) if feed is None else feed)
        self.line, self.line_w = [], 0

    def _append(self, mask: Bits, advance: int, text: str) -> None:
        if self.line and self.line_w + mask.shape[1] > self.width - self.left:
            self.print_line()  # the line is full: the printer wraps
        self.line.append((mask, advance, text))
        self.line_w += advance

    def _pad_to(self, x: int) -> None:
        if x > self.line_w:
            self._append(np.zeros((1, x - self.line_w), dtype=bool), x - self.line_w, " ")

    def char(self, b: int) -> None:
        """A printable byte in the current code page, font and size."""
        ch = bytes([b]).decode(self.encoding, "replace")
        mask = _scale(self.glyphs.cell(ch, self.font, self.bold), self.w, self.h)
        if self.underline:
            mask = mask.copy()
            mask[-self.underline * self.h :] = True
        self._append(mask, mask.shape[1] + self.gap * self.w, ch)

    def column_image(self, m: int, data: bytes) -> None:
        """``ESC * m``: 8-dot (m 0, 1) or 24-dot (m 32, 33) columns into the line; MSB = top."""
        per = 3 if m in (32, 33) else 1
        cols = np.frombuffer(data, dtype=np.uint8).reshape(-1, per)
        bits = np.unpackbits(cols, axis=1).T.astype(bool)
        bits = _scale(bits, 2 if m in (0, 32) else 1, 3 if per == 1 else 1)
        self.stats["images"] += 1
        self._append(bits, bits.shape[1], f"[image {bits.shape[1]}x{bits.shape[0]}]")

    def raster(self, m: int, width_bytes: int, rows: int, data: bytes) -> None:
        """``GS v 0``: rows of dots, MSB = leftmost; only with an empty line buffer (Epson)."""
        if self.line:
            self.stats["ignored_images"] += 1
            return
        dots = np.unpackbits(np.frombuffer(data, dtype=np.uint8)).reshape(rows, width_bytes * 8)
        bits = _scale(dots.astype(bool), 2 if m & 1 else 1, 2 if m & 2 else 1)
        paper = self.receipt.paper
        paper.blit(bits, self._offset(bits.shape[1]), paper.y)
        paper.feed(bits.shape[0])
        self.receipt.add_line(f"[raster {bits.shape[1]}x{bits.shape[0]}]")
        self._content = True
        self.stats["images"] += 1

    def execute(self, cmd: bytes) -> bool:
        """Run one complete command; True when it cut the paper (the receipt ends)."""
        b = cmd[0]
        if b >= 0x20:
            self.char(b)
        elif b == 0x0A:
            self.print_line()
        elif b == 0x09:
            tab = FONTS[self.font][0] * self.w * 8
            self._pad_to((self.line_w // tab + 1) * tab)
        elif b == 0x1B:
            self._esc(cmd[1], cmd[2:])
        elif b == 0x1D:
            return self._gs(cmd[1], cmd[2:])
        return False

    def _esc(self, c: int, p: bytes) -> None:
        if c == 0x40:
            self.reset()
        elif c == 0x21:
            n = p[0]
            self.font, self.bold, self.underline = n & 1, bool(n & 8), 1 if n & 0x80 else 0
            self.h, self.w = (2 if n & 0x10 else 1), (2 if n & 0x20 else 1)
        elif c in (0x45, 0x47):
            self.bold = bool(p[0] & 1)
        elif c == 0x2D:
            self.underline = p[0] % 48 if p[0] % 48 <= 2 else 0
        elif c == 0x4D:
            self.font = p[0] & 1
        elif c == 0x61:
            self.align = p[0] % 48 if p[0] % 48 <= 2 else 0
        elif c == 0x32:
            self.spacing = DEFAULT_SPACING
        elif c == 0x33:
            self.spacing = p[0]
        elif c == 0x20:
            self.gap = p[0]
        elif c == 0x4A:
            self.print_line(feed=p[0])
        elif c == 0x64:
            if self.line:
                self.print_line()
            for _ in range(p[0]):
                self.print_line()
        elif c == 0x74:
            self.encoding = CODE_PAGES.get(p[0], "cp437")
        elif c == 0x24:
            self._pad_to(p[0] | p[1] << 8)
        elif c == 0x2A:
            self.column_image(p[0], p[3:])

    def _gs(self, c: int, p: bytes) -> bool:
        if c == 0x21:
            self.w, self.h = (p[0] >> 4 & 7) + 1, (p[0] & 7) + 1
        elif c == 0x4C and not self.line:
            self.left = min(p[0] | p[1] << 8, self.width - 1)
        elif c == 0x76:
            self.raster(p[1] & 3, p[2] | p[3] << 8, p[4] | p[5] << 8, p[6:])
        elif c == 0x56:
            if self.line:
                self.print_line()
            if len(p) > 1:  # GS V 65/66/97/98/103/104 n: feed n dots, then cut
                self.receipt.paper.feed(p[1])
            self.stats["cuts"] += 1
            self._content = True
            return True
        return False
