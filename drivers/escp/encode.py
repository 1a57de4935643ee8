"""Encode a device-independent ``PrintProgram`` into one ESC/P job for a printer profile.

Layout of a job (protocols.md §1.1, §1.2):

- ``ESC @`` (reset: 10 cpi, 1/6" spacing, a tab stop every 8 characters), ``ESC t n`` (the
  profile's character table) and optionally ``ESC C NUL n`` (page length in inches).
- ``TextLine``: attributes on (``ESC E``, ``SI``, ``ESC W 1``), sanitized text, attributes off,
  then ``CR LF``. At 10 cpi a run of blanks that passes a tab stop goes as ``HT`` where that
  is shorter (``graphics.tab_spaces``).
- ``ImageBand``: its rows as graphics passes and paper feeds (``passes.print_rows``): only the
  inked columns of each pass, the head moved over blanks with ``HT``, spaces or ``ESC $``
  (``graphics``), blank passes fed over; columns that repeat exactly are sent at a coarser
  density (a QR code's modules on a 24-pin head: 90 dpi instead of 180).
- ``TextLine`` with ``images`` (a bilingual line: native ASCII text, Devanagari/₹ bitmaps in
  the blanks): see ``encode_mixed_line``.
- ``Feed``: ``CR LF`` per line. ``Cut``: feed to the tear-off bar with ``CR LF`` times the
  profile's ``tear_off_lines``, or ``FF`` (next top of form) when ``cut="form_feed"``.

Every op starts and ends with the head at the left margin, the line spacing 1/6" and the
attributes off.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Literal

from hubd.classes.printer.contract import Cut, Feed, ImageBand, PrintProgram, TextLine
from hubd.driver_api import InvalidArgument

from . import protocol as p
from .graphics import HT, TAB_COLUMNS
from .passes import print_rows
from .profiles import PrinterProfile

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

CutStyle = Literal["lines", "form_feed"]
TEXT_BASELINE_IN: dict[int, Fraction] = {9: Fraction(7, 72), 24: Fraction(20, 180)}
"""How far the native font's baseline is below the top of its print line, per head (9 or 24
pins). UNVERIFIED on hardware: an FX-class 9-pin font puts capitals on the top 7 of its 9 pins
(descenders below), an LQ-class 24-pin font about 20 of its 24 dots above the baseline; both
match the ESC/P simulator's glyphs to half a dot."""
STRETCH_GAP = 32
"""Dots between a line's images beyond which the blank between is left out of its bitmap (a
gap is sent as blank columns only when narrower than about 10 dots)."""


def encode_program(
    program: PrintProgram,
    profile: PrinterProfile,
    *,
    cut: CutStyle = "lines",
    page_length_inches: int | None = None,
) -> bytes:
    """The ESC/P bytes that print ``program`` on a printer described by ``profile``."""
    if cut not in ("lines", "form_feed"):
        raise InvalidArgument("cut", f"{cut!r} is not 'lines' or 'form_feed'")
    out = bytearray(p.init())
    out += p.select_char_table(profile.char_table)
    if page_length_inches is not None:
        out += p.page_length_inches(page_length_inches)
    for index, op in enumerate(program):
        if isinstance(op, TextLine) and op.images:
            out += encode_mixed_line(op, profile, field=f"program[{index}]")
        elif isinstance(op, TextLine):
            out += encode_text_line(op, profile)
        elif isinstance(op, ImageBand):
            out += encode_band(op, profile, field=f"program[{index}]")
        elif isinstance(op, Feed):
            if op.lines < 0:
                raise InvalidArgument(f"program[{index}].lines", f"{op.lines} is negative")
            out += p.NEWLINE * op.lines
        elif isinstance(op, Cut):
            out += p.form_feed() if cut == "form_feed" else p.NEWLINE * profile.tear_off_lines
        else:
            raise InvalidArgument(f"program[{index}]", f"unknown op {type(op).__name__}")
    return bytes(out)


def encode_text_line(line: TextLine, profile: PrinterProfile) -> bytes:
    """One text line with its attributes switched on before and off after, then CR LF."""
    return text_with_attributes(line, profile) + p.NEWLINE


def text_with_attributes(line: TextLine, profile: PrinterProfile) -> bytes:
    """A line's sanitized text between its attributes on and off (no line end)."""
    on = bytearray()
    off = bytearray()
    if line.bold:
        on += p.bold(True)
        off += p.bold(False)
    if line.condensed:
        on += p.condensed(True)
        off += p.condensed(False)
    if line.double_width:
        on += p.double_width(True)
        off += p.double_width(False)
    data = p.sanitize_text(line.text, profile.encoding)
    if not (line.condensed or line.double_width):  # 10 cpi: tab stops every 8 characters
        data = tab_spaces(data)
    return bytes(on) + data + bytes(off)


_SPACES = re.compile(rb"  +")


def tab_spaces(text: bytes) -> bytes:
    """A 10 cpi line printed from the left margin, its runs of spaces as ``HT`` where shorter.

    Every byte of sanitized text is one column, so a run of blanks from column a to b (the next
    character) is ``b // 8 - a // 8`` tabs then ``b % 8`` spaces when it passes a tab stop.
    """

    def shorter(run: re.Match[bytes]) -> bytes:
        a, b = run.span()
        tabs = b // TAB_COLUMNS - a // TAB_COLUMNS
        if tabs and tabs + b % TAB_COLUMNS < b - a:
            return HT * tabs + b" " * (b % TAB_COLUMNS)
        return run[0]

    return _SPACES.sub(shorter, text) if b"  " in text else text


def encode_band(band: ImageBand, profile: PrinterProfile, field: str = "band") -> bytes:
    """An image band: its rows as passes and feeds; the paper moves by the band's height."""
    import numpy as np

    bitmap: npt.NDArray[np.bool_] = np.asarray(band.bitmap, dtype=bool)
    if bitmap.ndim != 2:
        raise InvalidArgument(f"{field}.bitmap", f"needs 2 dimensions, got {bitmap.ndim}")
    if band.left < 0:
        raise InvalidArgument(f"{field}.left", f"{band.left} is negative")
    if band.left + bitmap.shape[1] > profile.width_dots:
        raise InvalidArgument(
            f"{field}.bitmap",
            f"{band.left} + {bitmap.shape[1]} dots is wider than {profile.width_dots}",
        )
    return print_rows(bitmap, band.left, profile, end=bitmap.shape[0], coarse=True)


@cache
def text_baseline_dots(profile: PrinterProfile) -> int:
    """Dot rows (at the graphics ``vdpi``) from the top of a print line to the text baseline."""
    return round(TEXT_BASELINE_IN[profile.pins] * profile.row_dpi)


def encode_mixed_line(
    line: TextLine, profile: PrinterProfile, field: str = "line", *, text_baseline: int | None = None
) -> bytes:
    """A text line with bitmaps on it: the text, and graphics passes around it.

    The images are drawn into one bitmap whose rows go out in passes (``passes.print_rows``:
    every inked row by exactly one pass, so nothing is cut or struck twice). The text prints
    ``baseline - text_baseline`` rows below the bitmaps' top so its baseline meets theirs,
    before a pass on the same row (which then prints in the text's blanks); below the Hindi
    baseline the Devanagari needs more rows (ु) than the native font's descent, so the text
    seldom prints on a pass's row. The paper then moves to below the bitmaps and at least one
    text line (1/6") below the text top.
    """
    if line.condensed or line.double_width:
        raise InvalidArgument(f"{field}.images", "bitmaps need 10 cpi text: not condensed or double width")
    page, chunks = _line_bitmap(line, profile, field)
    if not 0 <= line.baseline <= page.shape[0]:
        raise InvalidArgument(f"{field}.baseline", f"{line.baseline} is outside 0..{page.shape[0]}")
    text_top = line.baseline - (text_baseline_dots(profile) if text_baseline is None else text_baseline)
    end = max(page.shape[0], text_top + profile.row_dpi // 6)
    return print_rows(page, chunks, profile, end=end, text=(text_top, text_with_attributes(line, profile)))


def _line_bitmap(
    line: TextLine, profile: PrinterProfile, field: str
) -> tuple[npt.NDArray[np.bool_], list[tuple[int, int]]]:
    """The line's images drawn into one bitmap, each at dot column x dots_per_column + left.

    Images close together share a stretch of the bitmap as they lie on the paper; stretches
    further apart than ``STRETCH_GAP`` dots follow each other with one blank column between
    (the head moves over the rest). Returns the bitmap and (first column, its dot) of each
    stretch.
    """
    import numpy as np

    rows = -1
    placed_at: list[tuple[int, npt.NDArray[np.bool_]]] = []
    for i, placed in enumerate(line.images):
        where = f"{field}.images[{i}]"
        bitmap = np.asarray(placed.band.bitmap, dtype=bool)
        if bitmap.ndim != 2:
            raise InvalidArgument(f"{where}.band.bitmap", f"needs 2 dimensions, got {bitmap.ndim}")
        if rows < 0:
            rows = bitmap.shape[0]
        elif bitmap.shape[0] != rows:
            raise InvalidArgument(f"{where}.band.bitmap", f"{bitmap.shape[0]} rows, the first image {rows}")
        if placed.column < 0 or placed.band.left < 0:
            raise InvalidArgument(f"{where}.column", "column and left must not be negative")
        x = placed.column * profile.dots_per_column + placed.band.left
        if x + bitmap.shape[1] > profile.width_dots:
            raise InvalidArgument(
                f"{where}.band.bitmap", f"{x} + {bitmap.shape[1]} dots is wider than {profile.width_dots}"
            )
        placed_at.append((x, bitmap))
    if not placed_at:
        return np.zeros((0, 0), dtype=bool), [(0, 0)]
    placed_at.sort(key=lambda item: item[0])
    stretches: list[list[int]] = []  # [first dot, dot after the last] of images close together
    for x, bitmap in placed_at:
        if stretches and x - stretches[-1][1] < STRETCH_GAP:
            stretches[-1][1] = max(stretches[-1][1], x + bitmap.shape[1])
        else:
            stretches.append([x, x + bitmap.shape[1]])
    chunks: list[tuple[int, int]] = []  # (first page column, its dot), a blank column between
    column = 0
    for first, after in stretches:
        chunks.append((column, first))
        column += after - first + 1
    page = np.zeros((rows, column - 1), dtype=bool)
    for x, bitmap in placed_at:
        k = bisect_right([dot for _, dot in chunks], x) - 1
        at = chunks[k][0] + x - chunks[k][1]
        page[:, at : at + bitmap.shape[1]] |= bitmap
    return page, chunks
