"""Page raster and text transcript of the ESC/P printer simulator (its jobs: ``escp_jobs``).

Positions are kept in exact units: x in 1/720", y in 1/1080" (every ESC/P step divides these:
1/216", 1/180", 1/72", 1/60", 1/360" vertically; 60..360 dpi and every pitch horizontally).
The raster is 240 x 216 dpi on a 9-pin printer (a 120 dpi dot is 2 px wide, a 72 dpi dot 3 px
tall) and 360 x 360 dpi on a 24-pin printer (a 180 dpi dot is 2 x 2 px).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kioskhub.simulators.printer_common import Bits

log = logging.getLogger(__name__)

X_UNITS = 720
Y_UNITS = 1080


class PageRaster:
    """One page as a bool array (True = ink) with glyph and bit-image drawing."""

    def __init__(self, pins: int, width_in: float, length_units: int, font_path: str | None):
        self.hdpi, self.vdpi = (240, 216) if pins == 9 else (360, 360)
        self.glyph_h = self.py(9 * 15 if pins == 9 else 24 * 6)  # 9/72" or 24/180" tall
        self.dot_px = self.px(X_UNITS // (120 if pins == 9 else 180))  # one dot for bold
        self.width = int(width_in * self.hdpi)
        self.height = self.py(length_units)
        self.bits: Bits = np.zeros((self.height, self.width), dtype=bool)
        self.used_rows = 0
        self._font_path = font_path
        self._font: ImageFont.FreeTypeFont | ImageFont.ImageFont | None = None
        self._glyphs: dict[tuple[str, int, bool, bool], Bits] = {}

    def px(self, x_units: int) -> int:
        """Raster column of an x position in 1/720"."""
        return x_units * self.hdpi // X_UNITS

    def py(self, y_units: int) -> int:
        """Raster row of a y position in 1/1080"."""
        return y_units * self.vdpi // Y_UNITS

    def _glyph(self, ch: str, cell_w: int, bold: bool, strike: bool) -> Bits:
        key = (ch, cell_w, bold, strike)
        glyph = self._glyphs.get(key)
        if glyph is None:
            if self._font is None:
                size = max(6, int(self.glyph_h / 1.17))
                self._font = (
                    ImageFont.truetype(self._font_path, size)
                    if self._font_path
                    else ImageFont.load_default(size)
                )
            base_w = max(1, int(self._font.getlength("M")))
            img = Image.new("L", (base_w, self.glyph_h), 0)
            ImageDraw.Draw(img).text((0, 0), ch, fill=255, font=self._font)
            img = img.resize((max(1, cell_w), self.glyph_h), Image.Resampling.BILINEAR)
            glyph = np.asarray(img) >= 100
            if bold:  # emphasized: the same dots again, one dot to the right
                shifted = np.zeros_like(glyph)
                shifted[:, self.dot_px :] = glyph[:, : -self.dot_px or None]
                glyph = glyph | shifted
            if strike:  # double-strike: again, one raster row lower
                glyph = glyph | np.vstack([glyph[:1] & False, glyph[:-1]])
            self._glyphs[key] = glyph
        return glyph

    def draw_char(
        self, ch: str, x: int, y: int, pitch: int, *, bold: bool, strike: bool, underline: bool
    ) -> None:
        """Draw ``ch`` with its cell's top-left at (x, y) units and width ``pitch`` units."""
        x0, y0, cell_w = self.px(x), self.py(y), self.px(x + pitch) - self.px(x)
        if not ch.isspace():
            self._blit(self._glyph(ch, cell_w, bold, strike), x0, y0)
        if underline:
            self._blit(np.ones((1, cell_w), dtype=bool), x0, y0 + self.glyph_h)

    def _blit(self, mask: Bits, x0: int, y0: int) -> None:
        h = min(mask.shape[0], self.height - y0)
        w = min(mask.shape[1], self.width - x0)
        if h <= 0 or w <= 0 or x0 < 0 or y0 < 0:
            return
        self.bits[y0 : y0 + h, x0 : x0 + w] |= mask[:h, :w]
        self.used_rows = max(self.used_rows, y0 + h)

    def draw_columns(
        self, x: int, y: int, columns: Bits, x_step: int, y_step: int
    ) -> None:
        """Draw bit-image columns (cols x dots, top dot first) from (x, y) in given unit steps."""
        cols, dots = columns.shape
        if cols == 0:
            return
        # A dot is as wide as its pitch (a pin's dot is round and at least that big): rounding a
        # 72 dpi step (3.33 px at 240 dpi) down would leave a white hairline every third dot.
        w = max(1, -(-self.hdpi * x_step // X_UNITS))
        h = max(1, -(-self.vdpi * y_step // Y_UNITS))
        xs = ((x + np.arange(cols) * x_step) * self.hdpi // X_UNITS)[:, None] + np.arange(w)
        ys = ((y + np.arange(dots) * y_step) * self.vdpi // Y_UNITS)[:, None] + np.arange(h)
        xs, ys = xs.ravel(), ys.ravel()
        mask = np.repeat(np.repeat(columns.T, h, axis=0), w, axis=1)
        keep_x, keep_y = xs < self.width, ys < self.height
        if not keep_x.any() or not keep_y.any():
            return
        rows = ys[keep_y]
        self.bits[np.ix_(rows, xs[keep_x])] |= mask[np.ix_(keep_y, keep_x)]
        if mask.any():
            self.used_rows = max(self.used_rows, int(rows.max()) + 1)

    def image(self, rows: int | None = None) -> Image.Image:
        """The page (or its first ``rows`` rows) as a 1-bit image, ink black on white."""
        return Image.fromarray(~self.bits[: self.height if rows is None else max(1, rows)])


@dataclass
class Graphic:
    """A bit image on one print line, for the transcript placeholder."""

    x: int
    y: int
    cols: int
    dots: int
    height: int

    def __str__(self) -> str:
        return f"[graphics {self.cols}x{self.dots}]"


class Transcript:
    """Builds text lines; consecutive graphics-only lines stacked exactly are merged into one."""

    def __init__(self) -> None:
        self.parts: list[str | Graphic] = []
        self._pending: Graphic | None = None

    def add_text(self, ch: str) -> None:
        """Append a printed character."""
        self.parts.append(ch)

    def add_graphic(self, graphic: Graphic) -> None:
        """Append a bit image."""
        self.parts.append(graphic)

    def end_line(self, blank_too: bool) -> list[str]:
        """Finish the current line; return the lines now complete (graphics may wait)."""
        parts, self.parts = self.parts, []
        graphics = [p for p in parts if isinstance(p, Graphic)]
        text = "".join(p for p in parts if isinstance(p, str))
        out: list[str] = []
        if len(graphics) == 1 and not text.strip():
            g = graphics[0]
            last = self._pending
            if last and (last.x, last.cols, last.y + last.height) == (g.x, g.cols, g.y):
                last.dots += g.dots
                last.height += g.height
                return out
            out += self.flush()
            self._pending = g
            return out
        out += self.flush()
        if parts or blank_too:
            out.append("".join(str(p) for p in parts).rstrip())
        return out

    def flush(self) -> list[str]:
        """Emit a waiting merged graphics line."""
        pending, self._pending = self._pending, None
        return [str(pending)] if pending else []
