"""Paper, glyphs and receipt files of the ESC/POS thermal printer simulator (print head: ``escpos_head``).

The paper is a bool array one dot per pixel (203 dpi, 576 dots across for 80 mm paper) that
grows downward as the printer feeds. Glyphs are drawn from a monospaced TrueType face into
font A (12 x 24 dots) and font B (9 x 17 dots) cells. A finished receipt is written as
``job-NNNN.png`` (ink black on white), ``job-NNNN.txt`` (one transcript line per printed line,
``[raster WxH]`` / ``[image WxH]`` for graphics) and ``job-NNNN.bin`` (the raw bytes), and
``index.json`` maps each ``kioskhub-job: <id>`` line to the files of its receipt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kioskhub.simulators.printer_common import JOB_ID, Bits, JobIndex, job_stem

log = logging.getLogger(__name__)

FONTS = {0: (12, 24), 1: (9, 17)}
"""Font number -> (cell width, cell height) in dots: A 12 x 24, B 9 x 17."""


class Glyphs:
    """Character cells as bool arrays, cached per (char, font, bold)."""

    def __init__(self, font_path: str | None) -> None:
        self.font_path = font_path
        self._faces: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
        self._cache: dict[tuple[str, int, bool], Bits] = {}

    def _face(self, font: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if font not in self._faces:
            size = round(FONTS[font][1] * 0.8)
            self._faces[font] = (ImageFont.truetype(self.font_path, size) if self.font_path
                                 else ImageFont.load_default(size))
        return self._faces[font]

    def cell(self, ch: str, font: int, bold: bool) -> Bits:
        """The glyph of ``ch`` filling one cell of ``font`` (emphasized: doubled one dot right)."""
        key = (ch, font, bold)
        glyph = self._cache.get(key)
        if glyph is None:
            w, h = FONTS[font]
            img = Image.new("L", (w, h), 0)
            if not ch.isspace():
                ImageDraw.Draw(img).text((0, h // 12), ch, fill=255, font=self._face(font))
            glyph = np.asarray(img) >= 110
            if bold:
                glyph = glyph | np.pad(glyph, ((0, 0), (1, 0)))[:, :w]
            self._cache[key] = glyph
        return glyph


class Paper:
    """The printed roll of one receipt: dots (True = ink) and the print position ``y``."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.bits: Bits = np.zeros((256, width), dtype=bool)
        self.y = 0

    def _grow(self, rows: int) -> None:
        if rows > self.bits.shape[0]:
            grown = np.zeros((max(rows, 2 * self.bits.shape[0]), self.width), dtype=bool)
            grown[: self.bits.shape[0]] = self.bits
            self.bits = grown

    def blit(self, mask: Bits, x: int, y: int) -> None:
        """OR ``mask`` in with its top-left at (x, y); what falls off the paper's edge is lost."""
        x0 = max(0, x)
        w = min(mask.shape[1] - (x0 - x), self.width - x0)
        if w <= 0 or mask.shape[0] == 0:
            return
        self._grow(y + mask.shape[0])
        self.bits[y : y + mask.shape[0], x0 : x0 + w] |= mask[:, x0 - x : x0 - x + w]

    def feed(self, dots: int) -> None:
        """Advance the paper."""
        self.y += max(0, dots)
        self._grow(self.y)

    def image(self) -> Image.Image:
        """The receipt down to the print position, ink black on white."""
        return Image.fromarray(~self.bits[: max(1, self.y)])


@dataclass
class Receipt:
    """One receipt: transcript lines, the raw bytes, the paper, the job ids it carries."""

    number: int
    paper: Paper
    lines: list[str] = field(default_factory=list)
    raw: bytearray = field(default_factory=bytearray)
    ids: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    cut: bool = False

    @property
    def bits(self) -> Bits:
        """The printed dots down to the print position."""
        return self.paper.bits[: self.paper.y]

    def add_line(self, text: str) -> None:
        """Record a printed line (and any kioskhub job id on it)."""
        self.lines.append(text)
        self.ids += JOB_ID.findall(text)


class ReceiptStore:
    """Writes each receipt's PNG, transcript and raw bytes, and ``index.json``."""

    def __init__(self, out_dir: str | Path) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.index = JobIndex(self.dir)

    def save(self, receipt: Receipt) -> None:
        """Write the receipt's files and update the index atomically."""
        stem = job_stem(receipt.number)
        receipt.paper.image().save(self.dir / f"{stem}.png", compress_level=1)
        (self.dir / f"{stem}.txt").write_text("".join(f"{t}\n" for t in receipt.lines), "utf-8")
        (self.dir / f"{stem}.bin").write_bytes(bytes(receipt.raw))
        receipt.files = [f"{stem}.png", f"{stem}.txt", f"{stem}.bin"]
        entry = {"job": receipt.number, "files": receipt.files, "cut": receipt.cut}
        self.index.record(receipt.number, entry, receipt.ids)
        log.info("receipt %d written to %s", receipt.number, self.dir)
