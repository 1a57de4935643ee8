"""Bilingual receipt layout on the printer's column grid, and rendering to a PrintProgram.

A receipt is a list of ``Row``s of ``Cell``s placed on the native font's grid (10 cpi: 80 or 136
columns); every label is Hindi and English ("राशि / Amount"), followed by ":" and the value in a
value column. Hindi text is measured in columns by shaping it (``columns_needed``), so a Hindi
label and an ASCII value share one grid and values line up down the receipt.

HYBRID mode (default) decides per physical line: a row that is pure printable ASCII becomes a
``TextLine`` (the printer's own font: fast, a few bytes). A bilingual row ("राशि / Amount :
₹1,847.50") becomes a ``TextLine`` of its ASCII pieces with blanks where the rest goes, plus
one small bitmap (``Placed``) per run of other pieces - the Devanagari words and ₹ only - all
framed together so they share one height and one baseline, which the text's baseline meets. A
row with no ASCII to print (a Hindi-only footer) becomes one ``ImageBand`` trimmed to its ink.
RASTER mode draws every row as a band (for printers whose native text cannot be trusted).
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from hubd.errors import InvalidArgument
from hubd.render import labels
from hubd.render.fonts import FontSet, font_set, load_font
from hubd.render.model import ZWJ, ZWNJ, Receipt, format_rupees, format_when, is_printable_ascii
from hubd.render.program import Cut, Feed, ImageBand, Placed, PrintProgram, TextLine
from hubd.render.raster import Geometry, cut_frame, frame, qr_band, rasterize
from hubd.render.shaping import Ink, columns_needed, pieces, pixel_size, shape

log = logging.getLogger(__name__)

Align = Literal["left", "right", "center"]
Mode = Literal["hybrid", "raster"]
MIN_COLUMNS, MAX_COLUMNS = 40, 136
MIN_VALUE_COLUMNS = 16
MONEY_COLUMNS = 16
VIRAMA = "\u094d"
_render_lock = threading.Lock()  # Pillow font objects and the shape caches are shared


@dataclass(frozen=True)
class Cell:
    """Text placed in ``width`` columns starting at ``column``."""

    text: str
    column: int
    width: int
    align: Align = "left"

    def start(self, used: int) -> int:
        """First column of the text when it takes ``used`` columns."""
        slack = max(0, self.width - used)
        return self.column + {"left": 0, "right": slack, "center": slack // 2}[self.align]


@dataclass(frozen=True)
class Row:
    """One printed line."""

    cells: tuple[Cell, ...] = ()
    bold: bool = False

    @property
    def is_ascii(self) -> bool:
        """True when the printer's native font can print the whole row."""
        return all(is_printable_ascii(cell.text) for cell in self.cells)

    def text(self, columns: int) -> str:
        """The row as native text (ASCII rows only), trailing blanks stripped."""
        chars = [" "] * columns
        for cell in self.cells:
            start = cell.start(len(cell.text))
            chars[start : start + len(cell.text)] = list(cell.text)
        return "".join(chars).rstrip()


@dataclass(frozen=True)
class Qr:
    """A QR code of ``data``, centred."""

    data: str


Line = Row | Qr


def _breakable(text: str, i: int) -> bool:
    """True if a line may break before ``text[i]`` without splitting a Devanagari cluster."""
    if unicodedata.category(text[i]).startswith("M") or text[i] in (ZWJ, ZWNJ):
        return False
    return text[i - 1] not in (VIRAMA, ZWJ, ZWNJ)


def _split_word(word: str, width: int, bold: bool) -> tuple[str, str]:
    """Cut the longest head of ``word`` fitting ``width`` columns at a cluster boundary."""
    cuts = [i for i in range(1, len(word)) if _breakable(word, i)]
    if not cuts:
        return word, ""
    lo, hi = 0, len(cuts) - 1
    while lo < hi:  # the largest cut whose head fits (the first cut if none does)
        mid = (lo + hi + 1) // 2
        if columns_needed(word[: cuts[mid]], bold=bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return word[: cuts[lo]], word[cuts[lo] :]


def wrap(text: str, width: int, *, bold: bool = False) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns (at spaces, else between clusters)."""
    text = " ".join(text.split())
    if columns_needed(text, bold=bold) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if columns_needed(candidate, bold=bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while word and columns_needed(word, bold=bold) > width:
            head, word = _split_word(word, width, bold)
            lines.append(head)
        current = word
    if current:
        lines.append(current)
    return lines


def label_columns() -> int:
    """Width of the label column: the widest bilingual label, bold included."""
    return _label_columns(font_set())


@lru_cache(maxsize=4)
def _label_columns(fonts: FontSet) -> int:
    """``label_columns`` for one font set (cached)."""
    return max(columns_needed(label, bold=bold) for label in labels.ALL for bold in (False, True))


class _Builder:
    """Accumulates the rows of one receipt at one width."""

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.label_w = label_columns()
        self.value_col = self.label_w + 3
        self.stacked = columns - self.value_col < MIN_VALUE_COLUMNS
        self.lines: list[Line] = []

    def centered(self, text: str, *, bold: bool = False) -> None:
        """Centre ``text`` (wrapped if needed)."""
        for piece in wrap(text, self.columns, bold=bold):
            self.lines.append(Row((Cell(piece, 0, self.columns, "center"),), bold))

    def left(self, text: str) -> None:
        """A free-text line from column 0 (wrapped)."""
        for piece in wrap(text, self.columns):
            self.lines.append(Row((Cell(piece, 0, self.columns),)))

    def rule(self, char: str) -> None:
        """A full-width rule."""
        self.lines.append(Row((Cell(char * self.columns, 0, self.columns),)))

    def field(self, label: str, value: str, *, money: bool = False, bold: bool = False) -> None:
        """A label, ":" and a value (wrapped in the value column; right-aligned for money)."""
        if self.stacked:
            self.lines.append(Row((Cell(f"{label} :", 0, self.columns),), bold))
            col, width = 2, self.columns - 2
            first: tuple[Cell, ...] = ()
        else:
            col, width = self.value_col, self.columns - self.value_col
            first = (Cell(label, 0, self.label_w), Cell(":", self.label_w + 1, 1))
        align: Align = "right" if money else "left"
        if money:
            width = min(width, MONEY_COLUMNS)
        for i, piece in enumerate(wrap(value, width, bold=bold)):
            cells = (first if i == 0 else ()) + (Cell(piece, col, width, align),)
            self.lines.append(Row(cells, bold))


def layout_receipt(receipt: Receipt, columns: int) -> list[Line]:
    """Lay out ``receipt`` for a printer ``columns`` wide (80 or 136; 40..136 accepted)."""
    if not isinstance(columns, int) or not MIN_COLUMNS <= columns <= MAX_COLUMNS:
        raise InvalidArgument("columns", f"must be within {MIN_COLUMNS}..{MAX_COLUMNS}")
    b = _Builder(columns)
    b.centered(labels.TITLE, bold=True)
    b.centered(labels.GOVERNMENT)
    b.rule("=")
    b.field(labels.KIOSK_ID, receipt.kiosk_id)
    b.field(labels.KIOSK_NAME, receipt.kiosk_name)
    b.field(labels.RECEIPT_NO, receipt.receipt_no)
    b.field(labels.TRANSACTION_ID, receipt.transaction_id)
    b.field(labels.DATE, format_when(receipt.issued_at))
    b.rule("-")
    b.field(labels.DEPARTMENT, receipt.department)
    b.field(labels.SERVICE, receipt.service)
    b.field(labels.CONSUMER_NO, receipt.consumer_no)
    b.field(labels.CONSUMER_NAME, receipt.consumer_name)
    b.field(labels.PAYMENT_MODE, receipt.payment_mode)
    b.field(labels.OPERATOR, receipt.operator)
    b.rule("-")
    b.field(labels.AMOUNT, format_rupees(receipt.amount_paise), money=True)
    b.field(labels.KIOSK_FEE, format_rupees(receipt.kiosk_fee_paise), money=True)
    b.field(labels.TOTAL, format_rupees(receipt.total_paise), money=True, bold=True)
    b.rule("=")
    for extra in receipt.extra_lines:
        if extra.strip():
            b.left(extra)
    b.lines.append(Qr(receipt.transaction_id))
    for footer in labels.FOOTER:
        b.centered(footer)
    return b.lines


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
    size = pixel_size(geometry.render_dpi)
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


def _check_printer(hdpi: object, vdpi: object, band_dots: object, mode: object, cpi: object) -> None:
    """Raise InvalidArgument for printer parameters no receipt printer has."""
    for name, value, low, high in (("hdpi", hdpi, 60, 600), ("vdpi", vdpi, 60, 600)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidArgument(name, f"must be an integer within {low}..{high}")
    if isinstance(band_dots, bool) or not isinstance(band_dots, int) or not 1 <= band_dots <= 64:
        raise InvalidArgument("band_dots", "must be an integer within 1..64")
    if mode not in ("hybrid", "raster"):
        raise InvalidArgument("mode", 'must be "hybrid" or "raster"')
    if isinstance(cpi, bool) or not isinstance(cpi, int | float) or not 5 <= cpi <= 20:
        raise InvalidArgument("cpi", "must be a number within 5..20")


def render_receipt(
    receipt: Receipt,
    *,
    columns: int,
    hdpi: int,
    vdpi: int,
    band_dots: int,
    mode: Mode = "hybrid",
    cpi: float = 10.0,
) -> PrintProgram:
    """Validate, lay out and render ``receipt`` into ops for a printer of the given geometry.

    CPU-bound (milliseconds): call it from a worker thread, not the event loop. Thread-safe.
    """
    _check_printer(hdpi, vdpi, band_dots, mode, cpi)
    receipt.validate()
    with _render_lock:
        return _render(receipt, columns, Geometry(hdpi, vdpi, band_dots, cpi), mode)


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
    program += [Feed(2), Cut()]
    return program
