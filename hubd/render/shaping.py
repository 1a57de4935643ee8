"""Devanagari shaping and measuring: text -> runs by script -> shaped, antialiased ink.

HarfBuzz (through Pillow's libraqm layout) turns a Devanagari string into positioned glyphs:
conjuncts ("मित्र"), reordered vowel signs ("ि") and stacked marks. A line is cut into runs:
Devanagari runs (with ₹, and the spaces/punctuation between Devanagari words) use the Devanagari
face; everything else uses the monospaced Latin face, whose 0.6 em advance at ``POINTS`` is the
printer's 1/10" column. Each run is rasterized once and cached: receipt labels repeat on every
receipt, so only the variable values (a consumer's name) are shaped per print.

Ink is an 8-bit coverage array placed relative to the pen position on the baseline, cropped by
Pillow's bounding box of the shaped glyphs plus a margin, and checked to have blank edges, so no
part of a glyph (a matra above, a halant or ु below) is ever cut.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from hubd.render.fonts import FontSet, FreeTypeFont, Layout, font_set, load_font
from hubd.render.model import RUPEE, ZWJ, ZWNJ, is_devanagari, is_printable_ascii

log = logging.getLogger(__name__)

POINTS = 12.0
"""Type size of rasterized text: Latin at 12 pt monospaced is exactly 10 cpi."""
CPI = 10.0
"""Columns per inch of the printer's native font, the grid rasterized text is laid on."""
REF_DPI = 360
"""Resolution at which layout measures text in columns (independent of the printer)."""

# Characters that belong to whichever script surrounds them (both faces have them).
_COMMON = frozenset(" !\"#%'()*+,-./0123456789:;<=>?[\\]^_{|}~\u00a0")
_PAD = 2

Coverage = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Ink:
    """Coverage pixels (0..255) whose top-left sits at (x, y) from the pen on the baseline."""

    pixels: Coverage
    x: int
    y: int
    advance: float


def pixel_size(dpi: float) -> int:
    """Pixels per em of receipt text at ``dpi``."""
    return max(4, round(POINTS * dpi / 72))


def split_runs(text: str) -> list[tuple[str, bool]]:
    """Cut ``text`` into (run, is_devanagari) pieces for font selection."""
    kinds: list[bool | None] = []
    for ch in text:
        if is_devanagari(ch) or ch in (ZWJ, ZWNJ, RUPEE):
            kinds.append(True)
        else:
            kinds.append(None if ch in _COMMON else False)
    resolved: list[bool] = []
    i, n = 0, len(text)
    while i < n:
        kind = kinds[i]
        if kind is not None:
            resolved.append(kind)
            i += 1
            continue
        j = i
        while j < n and kinds[j] is None:
            j += 1
        inside = i > 0 and kinds[i - 1] is True and j < n and kinds[j] is True
        resolved.extend([inside] * (j - i))
        i = j
    runs: list[tuple[str, bool]] = []
    start = 0
    for k in range(1, n + 1):
        if k == n or resolved[k] != resolved[start]:
            runs.append((text[start:k], resolved[start]))
            start = k
    return runs


def _font(devanagari: bool, bold: bool, size: int, layout: Layout) -> FreeTypeFont:
    """The cached face for one run."""
    return load_font(font_set().path(devanagari=devanagari, bold=bold), size, layout)


def text_width(text: str, size: int, layout: Layout = Layout.RAQM, *, bold: bool = False) -> float:
    """Advance width in pixels of ``text`` at ``size`` px/em, shaped with ``layout``."""
    return sum(_font(deva, bold, size, layout).getlength(run) for run, deva in split_runs(text))


@lru_cache(maxsize=8)
def _monospaced(path: Path) -> bool:
    """True when the face gives every ASCII character the same advance."""
    font = load_font(path, 60)
    return font.getlength("i") == font.getlength("M") == font.getlength(" ")


def columns_needed(text: str, *, bold: bool = False) -> int:
    """How many 1/10" columns ``text`` occupies when printed (ASCII: one per character)."""
    return _columns_needed(text, bold, font_set())


@lru_cache(maxsize=4096)
def _columns_needed(text: str, bold: bool, fonts: FontSet) -> int:
    """``columns_needed`` for one font set (cached)."""
    mono = _monospaced(fonts.latin)
    if mono and is_printable_ascii(text):
        return len(text)
    size = pixel_size(REF_DPI)
    pitch = REF_DPI / CPI
    total = 0.0
    for run, deva in split_runs(text):
        if not deva and mono:
            total += len(run)
        else:
            # 1% for pixel-size rounding at the printer's dpi (34 px for 33.8 at 203 dpi)
            font = load_font(fonts.path(devanagari=deva, bold=bold), size)
            total += font.getlength(run) / pitch * 1.01
    return math.ceil(total - 1e-6)


@lru_cache(maxsize=1024)
def _run_ink(run: str, path: Path, size: int, layout: Layout) -> Ink:
    """Rasterize one single-font run with a blank border all round."""
    font = load_font(path, size, layout)
    advance = font.getlength(run)
    empty = np.zeros((0, 0), dtype=np.uint8)
    if not run.strip():
        return Ink(empty, 0, 0, advance)
    left, top, right, bottom = (int(v) for v in font.getbbox(run, anchor="ls"))
    pad = _PAD
    while True:
        image = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad))
        ImageDraw.Draw(image).text((pad - left, pad - top), run, font=font, fill=255, anchor="ls")
        pixels = np.asarray(image, dtype=np.uint8)
        edges = pixels[0].any() or pixels[-1].any() or pixels[:, 0].any() or pixels[:, -1].any()
        if not edges or pad > 4 * size:
            break
        log.debug("ink of %r reached the edge with pad %d; widening", run, pad)
        pad *= 4
    pixels.setflags(write=False)
    return Ink(pixels, left - pad, top - pad, advance)


def compose(placed: Sequence[tuple[Ink, int]]) -> tuple[Coverage, int, int]:
    """Overlay inks whose pixels start at the given x into one array; return it and its origin."""
    placed = [(ink, x) for ink, x in placed if ink.pixels.size]
    if not placed:
        return np.zeros((0, 0), dtype=np.uint8), 0, 0
    x0 = min(x for _, x in placed)
    y0 = min(ink.y for ink, _ in placed)
    x1 = max(x + ink.pixels.shape[1] for ink, x in placed)
    y1 = max(ink.y + ink.pixels.shape[0] for ink, _ in placed)
    canvas = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    for ink, x in placed:
        h, w = ink.pixels.shape
        view = canvas[ink.y - y0 : ink.y - y0 + h, x - x0 : x - x0 + w]
        np.maximum(view, ink.pixels, out=view)
    return canvas, x0, y0


def shape(
    text: str,
    size: int,
    *,
    bold: bool = False,
    layout: Layout = Layout.RAQM,
    pitch: float | None = None,
) -> Ink:
    """Shape and rasterize a line fragment: its runs side by side on one baseline.

    With ``pitch`` (pixels per column) and a monospaced Latin face, Latin characters are put
    exactly on the column grid, as the printer's own font would print them.
    """
    return _shape(text, size, bold, layout, pitch, font_set())


@lru_cache(maxsize=1024)
def _shape(text: str, size: int, bold: bool, layout: Layout, pitch: float | None, fonts: FontSet) -> Ink:
    """``shape`` for one font set (cached)."""
    latin = fonts.path(devanagari=False, bold=bold)
    pen = 0.0
    placed: list[tuple[Ink, int]] = []
    for run, deva in split_runs(text):
        if pitch is not None and not deva and _monospaced(fonts.latin):
            for i, ch in enumerate(run):
                ink = _run_ink(ch, latin, size, layout)
                if ink.pixels.size:
                    placed.append((ink, round(pen + i * pitch) + ink.x))
            pen += len(run) * pitch
            continue
        ink = _run_ink(run, fonts.path(devanagari=deva, bold=bold), size, layout)
        if ink.pixels.size:
            placed.append((ink, round(pen) + ink.x))
        pen += ink.advance
    canvas, x0, y0 = compose(placed)
    canvas.setflags(write=False)
    return Ink(canvas, x0, y0, pen)


def clear_caches() -> None:
    """Drop cached shapes (tests that switch fonts)."""
    _run_ink.cache_clear()
    _shape.cache_clear()
    _columns_needed.cache_clear()
    _monospaced.cache_clear()
