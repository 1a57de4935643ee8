"""Encode a device-independent ``PrintProgram`` into one ESC/P job for a printer profile.

Layout of a job (protocols.md §1.1, §1.2):

- ``ESC @`` (reset: 10 cpi, 1/6" spacing), ``ESC t n`` (the profile's character table) and
  optionally ``ESC C NUL n`` (page length in inches).
- ``TextLine``: attributes on (``ESC E``, ``SI``, ``ESC W 1``), sanitized text, attributes off,
  then ``CR LF``.
- ``ImageBand``: ``ESC 3 n`` with n = one pass exactly (9-pin: 24/216" = 8/72", the pin pitch;
  24-pin: 24/180" = 24 dots at 180 dpi), then per pass ``spaces + ESC * m nL nH data + CR LF``
  and ``ESC 2`` after the band. Blank columns before the band's first inked column are not
  sent: the head is moved there with spaces (each 1/10" after ``ESC @``, as pitch is reset to
  10 cpi and attributes are switched off after every text line), and the part of the offset
  smaller than one character is sent as blank columns. Spaces work on every ESC/P printer and in
  the IBM emulation some kiosk printers may be set to (§1.4), where ``ESC $`` would not; blank
  columns after the last inked column are not sent either.
- ``TextLine`` with ``images`` (a bilingual line: native ASCII text, Devanagari/₹ bitmaps in
  the blanks): see ``encode_mixed_line``. The bitmaps' rows go out in passes planned around
  the Devanagari headline (``ESC 3 n`` = one pass between them, ``ESC J`` for the sparse rows
  above it), the text at the dot row where its baseline meets the bitmaps' baseline row;
  ``ESC 2`` after the line.
- ``Feed``: ``CR LF`` per line. ``Cut``: feed to the tear-off bar with ``CR LF`` times the
  profile's ``tear_off_lines``, or ``FF`` (next top of form) when ``cut="form_feed"``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from hubd.errors import InvalidArgument
from hubd.render.program import Cut, Feed, ImageBand, PrintProgram, TextLine

from . import protocol as p
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
ESC_STAR_HEADER = 5
"""Bytes of ``ESC * m nL nH`` before a pass's data."""


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
    text = line.text
    # Printable ASCII is what sanitize_text keeps unchanged: skip its per-character work.
    data = text.encode("ascii") if text.isascii() and text.isprintable() else None
    if data is None:
        data = p.sanitize_text(text, profile.encoding)
    return bytes(on) + data + bytes(off)


def encode_band(band: ImageBand, profile: PrinterProfile, field: str = "band") -> bytes:
    """An image band: one pass per line at exactly one pass of line spacing, then ``ESC 2``."""
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
    inked = np.flatnonzero(bitmap.any(axis=0))
    if inked.size == 0:
        first, last = 0, -1
    else:
        first, last = int(inked[0]), int(inked[-1])
    offset = band.left + first
    spaces, lead = divmod(offset, profile.dots_per_column)
    per = profile.bytes_per_column
    pass_units = profile.band_dots * profile.spacing_unit // profile.vdpi
    out = bytearray(p.line_spacing(profile, pass_units))
    for column_bytes in p.pack_columns(bitmap[:, first : last + 1], profile.band_dots):
        if column_bytes.strip(b"\x00"):
            data = bytes(lead * per) + column_bytes
            out += b" " * spaces + p.bit_image(profile.graphics_mode, data)
        out += p.NEWLINE
    out += p.line_spacing_default()
    return bytes(out)


def text_baseline_dots(profile: PrinterProfile) -> int:
    """Dot rows (at the graphics ``vdpi``) from the top of a print line to the text baseline."""
    return round(TEXT_BASELINE_IN[profile.pins] * profile.vdpi)


def encode_mixed_line(
    line: TextLine, profile: PrinterProfile, field: str = "line", *, text_baseline: int | None = None
) -> bytes:
    """A text line with bitmaps on it: the text, and graphics passes planned around it.

    Rows of the bitmaps go out in passes of ``band_dots`` rows (``_plan``): one pass from the
    Devanagari headline down (the dense part of every letter, sent once), its neighbours one
    pass apart at ``ESC 3 n`` = one pass, as for a band; the sparse matras above the headline
    in a pass of their own that ends where the headline pass starts. Every dot row is sent by
    exactly one pass, so nothing is cut or struck twice. The text prints ``baseline -
    text_baseline`` rows below the bitmaps' top so its baseline meets theirs: below the Hindi
    baseline the Devanagari needs more rows (ु) than the native font's descent, so the text
    seldom prints on a pass's row.

    Protocols.md §1.1: ``CR`` returns to the left margin and, on a printer not set to auto-LF
    (which the encoder's ``CR LF`` line ends assume too), does not feed; ``LF`` feeds the
    current line spacing; ``ESC J n`` feeds n/216" (9-pin) or n/180" (24-pin) at once without
    a carriage return. So each pass and the text end in ``CR``; the paper moves one pass with
    ``LF`` and any other number of rows with ``ESC J``; text and a pass on the same row share
    it (text, ``CR``, graphics overprinting that line in the text's blanks). Finally the paper
    moves to below the bitmaps and one text line (1/6") below the text top; ``ESC 2``.
    """
    if line.condensed or line.double_width:
        raise InvalidArgument(f"{field}.images", "bitmaps need 10 cpi text: not condensed or double width")
    page = _line_bitmap(line, profile, field)
    band = profile.band_dots
    if not 0 <= line.baseline <= page.shape[0]:
        raise InvalidArgument(f"{field}.baseline", f"{line.baseline} is outside 0..{page.shape[0]}")
    units = profile.spacing_unit // profile.vdpi  # ESC 3 / ESC J units per dot row: 3 or 1
    text_top = line.baseline - (text_baseline_dots(profile) if text_baseline is None else text_baseline)
    events = [(text_top, text_with_attributes(line, profile))]  # first: text before a pass on its row
    events += [(top, _graphics(page[top:stop], profile)) for top, stop in _plan(page, band)]
    events.sort(key=lambda event: event[0])  # stable
    end = max(page.shape[0], text_top + profile.vdpi // 6)
    out = bytearray(p.line_spacing(profile, band * units))
    y = min(0, text_top)
    for row, data in events:
        out += _feed(row - y, band, units) + data + p.CR
        y = row
    out += _feed(end - y, band, units) + p.line_spacing_default()
    return bytes(out)


def _plan(page: npt.NDArray[np.bool_], band: int) -> list[tuple[int, int]]:
    """Passes as (top row, row after the last it prints) covering every inked row once.

    The headline pass starts at the first of the densest rows (the Devanagari headline: every
    letter inks it); passes follow it one pass apart while ink remains. The rows above it go in
    passes from the first inked row, each ending where the next begins.
    """
    import numpy as np

    counts = page.sum(axis=1)
    inked = np.flatnonzero(counts)
    if not inked.size:
        return []
    first, last = int(inked[0]), int(inked[-1]) + 1
    head = int(np.flatnonzero(counts * 2 >= counts.max())[0])
    plan = [(top, min(top + band, head)) for top in range(first, head, band)]
    below = [(top, min(top + band, last)) for top in range(head, last, band)]
    return plan + [(top, stop) for top, stop in below if counts[top:stop].any()]


def _feed(rows: int, band: int, units: int) -> bytes:
    """Paper feed by ``rows`` dot rows: ``LF`` for one pass (``ESC 3`` is a pass), else ``ESC J``."""
    if rows == band:
        return p.LF
    out = bytearray()
    n = rows * units
    while n > 0:
        out += p.ESC + b"J" + bytes([min(n, 255)])
        n -= 255
    return bytes(out)


def _line_bitmap(line: TextLine, profile: PrinterProfile, field: str) -> npt.NDArray[np.bool_]:
    """The line's images drawn into one full-width bitmap, each at column x dots_per_column + left."""
    import numpy as np

    rows = -1
    page = np.zeros((0, profile.width_dots), dtype=bool)
    for i, placed in enumerate(line.images):
        where = f"{field}.images[{i}]"
        bitmap = np.asarray(placed.band.bitmap, dtype=bool)
        if bitmap.ndim != 2:
            raise InvalidArgument(f"{where}.band.bitmap", f"needs 2 dimensions, got {bitmap.ndim}")
        if rows < 0:
            rows = bitmap.shape[0]
            page = np.zeros((rows, profile.width_dots), dtype=bool)
        elif bitmap.shape[0] != rows:
            raise InvalidArgument(f"{where}.band.bitmap", f"{bitmap.shape[0]} rows, the first image {rows}")
        if placed.column < 0 or placed.band.left < 0:
            raise InvalidArgument(f"{where}.column", "column and left must not be negative")
        x = placed.column * profile.dots_per_column + placed.band.left
        if x + bitmap.shape[1] > profile.width_dots:
            raise InvalidArgument(
                f"{where}.band.bitmap", f"{x} + {bitmap.shape[1]} dots is wider than {profile.width_dots}"
            )
        page[:, x : x + bitmap.shape[1]] |= bitmap
    return page


def _segments(inked: npt.NDArray[np.intp], per: int, dots_per_column: int) -> list[tuple[int, int]]:
    """Inked column ranges of one pass; a gap is skipped (spaces + a new ``ESC *``) when cheaper."""
    import numpy as np

    if not inked.size:
        return []
    breaks = np.flatnonzero(np.diff(inked) > 1)
    starts = [int(inked[0]), *(int(v) for v in inked[breaks + 1])]
    ends = [*(int(v) + 1 for v in inked[breaks]), int(inked[-1]) + 1]
    segments = [(starts[0], ends[0])]
    for start, end in zip(starts[1:], ends[1:], strict=True):
        gap = start - segments[-1][1]
        skip = ESC_STAR_HEADER + gap // dots_per_column + gap % dots_per_column * per
        if gap * per <= skip:
            segments[-1] = (segments[-1][0], end)
        else:
            segments.append((start, end))
    return segments


def _graphics(rows: npt.NDArray[np.bool_], profile: PrinterProfile) -> bytes:
    """One pass (``band_dots`` rows at most): the head moved by spaces and blank columns, ink only."""
    import numpy as np

    band, per, dpc = profile.band_dots, profile.bytes_per_column, profile.dots_per_column
    data = bytearray()
    x = 0
    for start, end in _segments(np.flatnonzero(rows.any(axis=0)), per, dpc):
        spaces, lead = divmod(start - x, dpc)
        columns = p.pack_columns(rows[:, start:end], band)[0]
        data += b" " * spaces + p.bit_image(profile.graphics_mode, bytes(lead * per) + columns)
        x = end
    return bytes(data)
