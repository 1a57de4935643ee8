"""Rendering a laid-out bilingual receipt (``hubd.render.grid``) into a PrintProgram.

HYBRID mode (default) decides per physical line: a row that is pure printable ASCII becomes a
``TextLine`` (the printer's own font: fast, a few bytes). A bilingual row ("राशि / Amount :
₹1,847.50") becomes a ``TextLine`` of its ASCII pieces with blanks where the rest goes, plus
one small bitmap (``Placed``) per run of other pieces - the Devanagari words and ₹ only - all
framed together so they share one height and one baseline, which the text's baseline meets. A
row with no ASCII to print (a Hindi-only footer) becomes one ``ImageBand`` trimmed to its ink.
RASTER mode draws every row as a band (for printers whose native text cannot be trusted).

The grid layout's names (``Cell``, ``Row``, ``Qr``, ``wrap``, ``layout_receipt``...) are
re-exported here, where callers have always found them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Literal

from hubd.errors import InvalidArgument
from hubd.render.fonts import font_set, load_font, pinned_fonts
from hubd.render.grid import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    Align,
    Cell,
    Line,
    Qr,
    Row,
    label_columns,
    layout_receipt,
    wrap,
)
from hubd.render.ink import Ink
from hubd.render.model import Receipt
from hubd.render.program import Feed, Geometry, ImageBand, Placed, PrintProgram, TextLine
from hubd.render.qr import qr_band
from hubd.render.raster import cut_frame, frame, rasterize
from hubd.render.shaping import pieces, shape

__all__ = [
    "MAX_COLUMNS",
    "MIN_COLUMNS",
    "Align",
    "Cell",
    "Line",
    "Mode",
    "Qr",
    "Row",
    "label_columns",
    "layout_receipt",
    "render_mixed",
    "render_receipt",
    "render_row",
    "wrap",
]

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "raster"]
_render_lock = threading.Lock()  # Pillow font objects and the shape caches are shared


def _place(row: Row, geometry: Geometry, size: int) -> list[tuple[Ink, int]]:
    """Shape a row's cells and put each at its grid position (never overlapping the previous)."""
    pieces: list[tuple[Ink, int]] = []
    prev_end = float("-inf")
    for cell in row.cells:
        if not cell.text.strip():
            continue
        ink = shape(cell.text, size, bold=row.bold, pitch=geometry.column_px(1))
        start, span = geometry.column_px(cell.column), geometry.column_px(cell.width)
        slack = span - ink.advance
        x = start + {"left": 0.0, "right": slack, "center": slack / 2}[cell.align]
        x = max(x, prev_end + geometry.column_px(0.5))
        pieces.append((ink, round(x)))
        prev_end = x + ink.advance
    return pieces


def _ascent(geometry: Geometry) -> tuple[int, int]:
    """(pixels per em, Devanagari ascent in pixels) at the render resolution."""
    size = geometry.pixel_size
    return size, load_font(font_set().devanagari, size).getmetrics()[0]


def render_row(row: Row, geometry: Geometry) -> ImageBand | None:
    """Rasterize one row as a trimmed band for ``geometry`` (None if it has no ink)."""
    size, ascent = _ascent(geometry)
    return rasterize(_place(row, geometry, size), geometry, ascent_px=ascent)


@dataclass
class _Split:
    """A row on the grid: native text, and the runs of other pieces with their column spans."""

    chars: list[str]
    runs: list[tuple[str, int, int]]  # (text, first column, column after)


def _split(row: Row, columns: int) -> _Split:
    """Lay a row's pieces on the grid: ASCII pieces into ``chars``, the rest into ``runs``."""
    chars = [" "] * columns
    runs: list[tuple[str, int, int]] = []
    for cell in row.cells:
        parts = pieces(cell.text, bold=row.bold)
        col = cell.start(sum(part.columns for part in parts))
        for part in parts:
            if part.native:
                chars[col : col + len(part.text)] = list(part.text)
            elif runs and runs[-1][2] == col:  # adjacent non-native pieces: one bitmap
                text, first, _ = runs[-1]
                runs[-1] = (text + part.text, first, col + part.columns)
            else:
                runs.append((part.text, col, col + part.columns))
            col += part.columns
    return _Split(chars[:columns], runs)


def render_mixed(row: Row, geometry: Geometry, columns: int) -> TextLine | ImageBand | None:
    """A bilingual row: native text plus bitmaps of its non-ASCII runs on the same line.

    A row without ASCII to print is one trimmed band (as ``render_row``); None if it is blank.
    """
    split = _split(row, columns)
    text = "".join(split.chars).rstrip()
    if not text.strip() or not split.runs:
        return render_row(row, geometry)
    size, ascent = _ascent(geometry)
    pitch = geometry.column_px(1)
    placed = [
        (shape(run, size, bold=row.bold, pitch=pitch), round(geometry.column_px(first)))
        for run, first, _ in split.runs
    ]
    framed = frame(placed, geometry, ascent_px=ascent)
    if framed is None:
        return TextLine(text, bold=row.bold)
    spans = [(geometry.column_dots(first), geometry.column_dots(end)) for _, first, end in split.runs]
    cuts = [(end + start) // 2 for (_, end), (start, _) in zip(spans, spans[1:], strict=False)]
    width = geometry.column_dots(columns)
    images: list[Placed] = []
    for (_, first, _), band in zip(split.runs, cut_frame(framed, cuts), strict=True):
        if band is None:
            continue
        # Overhanging ink never leaves the paper: shifted in rather than clipped.
        x = min(max(0, band.left), width - band.bitmap.shape[1])
        column = first
        while column > 0 and geometry.column_dots(column) > x:  # ink reaching left of its column
            column -= 1
        images.append(Placed(column, ImageBand(band.bitmap, x - geometry.column_dots(column))))
    return TextLine(text, bold=row.bold, images=tuple(images), baseline=framed.baseline)


def render_receipt(receipt: Receipt, geometry: Geometry, *, mode: Mode = "hybrid") -> PrintProgram:
    """Validate, lay out and render ``receipt`` into ops for a printer of ``geometry`` (the body:
    the caller ends the job, with its footer and a ``Cut``).

    CPU-bound (milliseconds): call it from a worker thread, not the event loop. Thread-safe.
    """
    geometry.check()
    if mode not in ("hybrid", "raster"):
        raise InvalidArgument("mode", 'must be "hybrid" or "raster"')
    receipt.validate()
    with _render_lock, pinned_fonts():
        return _render(receipt, geometry.columns, geometry, mode)


def _render(receipt: Receipt, columns: int, geometry: Geometry, mode: Mode) -> PrintProgram:
    """``render_receipt`` after validation, under the lock."""
    lines = layout_receipt(receipt, columns)
    width_dots = geometry.column_dots(columns)
    program: PrintProgram = []
    for line in lines:
        if isinstance(line, Qr):
            program.append(qr_band(line.data, geometry, center_dots=width_dots // 2))
        elif mode == "hybrid" and line.is_ascii:
            text = line.text(columns)
            program.append(TextLine(text, bold=line.bold) if text else Feed(1))
        else:
            op = render_mixed(line, geometry, columns) if mode == "hybrid" else render_row(line, geometry)
            program.append(op if op is not None else Feed(1))
            if isinstance(op, ImageBand) and op.left + op.bitmap.shape[1] > width_dots:
                log.warning("a receipt line is %d dots wider than the paper", op.bitmap.shape[1])
    program.append(Feed(2))
    return program
