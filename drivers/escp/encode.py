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
- ``Feed``: ``CR LF`` per line. ``Cut``: feed to the tear-off bar with ``CR LF`` times the
  profile's ``tear_off_lines``, or ``FF`` (next top of form) when ``cut="form_feed"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from hubd.errors import InvalidArgument
from hubd.render.program import Cut, Feed, ImageBand, PrintProgram, TextLine

from . import protocol as p
from .profiles import PrinterProfile

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

CutStyle = Literal["lines", "form_feed"]


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
        if isinstance(op, TextLine):
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
    return bytes(on) + p.sanitize_text(line.text, profile.encoding) + bytes(off) + p.NEWLINE


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
