"""Devanagari shaping and measuring: text -> runs by script -> shaped, antialiased ink.

HarfBuzz (through Pillow's libraqm layout) turns a Devanagari string into positioned glyphs:
conjuncts ("मित्र"), reordered vowel signs ("ि") and stacked marks. A line is cut into runs:
Devanagari runs (with ₹, and the spaces/punctuation between Devanagari words) use the Devanagari
face; everything else uses the monospaced Latin face, whose 0.6 em advance at ``POINTS`` is the
printer's 1/10" column. Each run is rasterized once and cached: receipt labels repeat on every
receipt, so only the variable values (a consumer's name) are shaped per print.

On the column grid a line is a row of ``Piece``s: printable-ASCII pieces take one column per
character (the printer's own font can print them), every other piece (a Devanagari run, ₹,
"é") takes the whole columns its shaped width needs, so the ASCII after it starts on a column,
where native text would print it.

Runs are rasterized into ``Ink`` (``hubd.render.ink``): 8-bit coverage placed relative to the
pen position on the baseline, with blank edges, so no part of a glyph (a matra above, a halant
or ु below) is ever cut.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hubd.render import ink
from hubd.render.fonts import FontSet, FreeTypeFont, Layout, font_set, load_font
from hubd.render.ink import Ink, Placeable, compose, run_advance, run_ink
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
_CLOSING = frozenset(".,;:!?)]}'\"")


def pixel_size(dpi: float) -> int:
    """Pixels per em of receipt text at ``dpi``."""
    return max(4, round(POINTS * dpi / 72))


def split_runs(text: str) -> list[tuple[str, bool]]:
    """Cut ``text`` into (run, is_devanagari) pieces for font selection.

    Spaces, digits and punctuation go with the script around them: between two Devanagari
    words with the Devanagari run; else Latin, except closing punctuation right after a
    Devanagari word ("लि.", "नाम:"), which ends that word.
    """
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
        after_deva = i > 0 and kinds[i - 1] is True
        if after_deva and j < n and kinds[j] is True:
            resolved.extend([True] * (j - i))
        else:  # closing punctuation stays with the word it ends ("लि."), the rest goes Latin
            k = i
            while after_deva and k < j and text[k] in _CLOSING:
                k += 1
            resolved.extend([True] * (k - i) + [False] * (j - k))
        i = j
    runs: list[tuple[str, bool]] = []
    start = 0
    for k in range(1, n + 1):
        if k == n or resolved[k] != resolved[start]:
            runs.append((text[start:k], resolved[start]))
            start = k
    return runs


@dataclass(frozen=True)
class Piece:
    """A run of one face on the column grid: ``native`` if the printer's own font prints it."""

    text: str
    devanagari: bool
    native: bool
    columns: int


def pieces(text: str, *, bold: bool = False) -> tuple[Piece, ...]:
    """Cut ``text`` into grid pieces: runs by script, Latin runs cut again at non-ASCII letters."""
    return _pieces(text, bold, font_set())


def _ascii_cuts(run: str) -> list[str]:
    """Split a Latin run into maximal printable-ASCII and non-ASCII parts."""
    parts: list[str] = []
    for ch in run:
        if parts and is_printable_ascii(parts[-1][-1]) == is_printable_ascii(ch):
            parts[-1] += ch
        else:
            parts.append(ch)
    return parts


@lru_cache(maxsize=4096)
def _pieces(text: str, bold: bool, fonts: FontSet) -> tuple[Piece, ...]:
    """``pieces`` for one font set (cached)."""
    mono = _monospaced(fonts.latin)
    size = pixel_size(REF_DPI)
    pitch = REF_DPI / CPI
    out: list[Piece] = []
    for run, deva in split_runs(text):
        for part in [run] if deva else _ascii_cuts(run):
            columns = 1 if deva else len(part)  # a monospaced Latin face: one column each
            if deva or not mono:
                # 1% for pixel-size rounding at the printer's dpi (34 px for 33.8 at 203 dpi)
                font = load_font(fonts.path(devanagari=deva, bold=bold), size)
                columns = max(columns, math.ceil(font.getlength(part) / pitch * 1.01 - 1e-6))
            native = not deva and is_printable_ascii(part)
            out.append(Piece(part, deva, native, columns))
    return tuple(out)


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
    """``columns_needed`` for one font set (cached): the columns of its pieces."""
    if is_printable_ascii(text) and _monospaced(fonts.latin):
        return len(text)
    return sum(piece.columns for piece in _pieces(text, bold, fonts))


def shape(
    text: str,
    size: int,
    *,
    bold: bool = False,
    layout: Layout = Layout.RAQM,
    pitch: float | None = None,
) -> Ink:
    """Shape and rasterize a line fragment: its runs side by side on one baseline.

    With ``pitch`` (pixels per column) and a monospaced Latin face, the pieces are laid on the
    column grid (``pieces``): Latin characters one per column, as the printer's own font would
    print them, and each Devanagari run from a column boundary.
    """
    return _shape(text, size, bold, layout, pitch, font_set())


@lru_cache(maxsize=1024)
def _shape(text: str, size: int, bold: bool, layout: Layout, pitch: float | None, fonts: FontSet) -> Ink:
    """``shape`` for one font set (cached)."""
    latin = fonts.path(devanagari=False, bold=bold)
    pen = 0.0
    placed: list[tuple[Placeable, int]] = []
    grid = pitch is not None and _monospaced(fonts.latin)
    runs = (
        [(p.text, p.devanagari, p.columns) for p in _pieces(text, bold, fonts)]
        if grid
        else [(run, deva, 0) for run, deva in split_runs(text)]
    )
    for run, deva, columns in runs:
        if grid and pitch is not None and not deva:
            for i, ch in enumerate(run):
                mask = run_ink(ch, latin, size, layout)
                if mask.pixels.size:
                    placed.append((mask, round(pen + i * pitch) + mask.x))
            pen += columns * pitch
            continue
        path = fonts.path(devanagari=deva, bold=bold)
        mask = run_ink(run, path, size, layout)
        if mask.pixels.size:
            placed.append((mask, round(pen) + mask.x))
        pen += columns * pitch if grid and pitch is not None else run_advance(run, path, size, layout)
    canvas, x0, y0 = compose(placed)
    canvas.setflags(write=False)
    return Ink(canvas, x0, y0, pen)


def clear_caches() -> None:
    """Drop cached shapes (tests that switch fonts)."""
    ink.clear_caches()
    _shape.cache_clear()
    _pieces.cache_clear()
    _columns_needed.cache_clear()
    _monospaced.cache_clear()
