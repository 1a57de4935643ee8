"""A device-independent print program: what the renderer produces and printer drivers encode.

A receipt becomes a list of ops. ``TextLine`` holds printable ASCII only (the printer's own font
prints it), optionally with small bitmaps ``Placed`` on the same printed line (the Devanagari
words and ₹ of a bilingual line, whose ASCII parts stay native text); ``ImageBand`` holds a
bitmap (True = ink) already at the target printer's dot pitch; ``Feed`` advances paper; ``Cut``
ends a receipt (tear-off / cutter).

A ``TextLine`` with ``images`` means, for every encoder:

- every image bitmap has the same number of rows (a whole number of the printer's passes) and
  all their top rows are on one dot row of the paper;
- ``Placed.column`` is a text column at the printer's native pitch (``cpi`` of the render
  geometry: 10 on ESC/P) and the bitmap's left edge is ``band.left`` (>= 0) dots right of that
  column's left edge, dot ``round(column * hdpi / cpi)``; the text has blanks (spaces) in the
  columns the images cover, so images and text never print over each other;
- the native text's baseline lies on the top edge of bitmap row ``baseline``: rows
  ``0 .. baseline-1`` are above it (matras, ₹), rows from ``baseline`` on below it (ु, halant);
- the line takes at least the images' height of paper, and at least one text line (1/6")
  below the top of its text: the next op starts below both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class ImageBand:
    """A bitmap (rows x columns, True = ink) at the printer's dpi, placed ``left`` dots in."""

    bitmap: npt.NDArray[np.bool_]
    left: int = 0


@dataclass(frozen=True)
class Geometry:
    """A printer as the renderer and encoders see it: dot pitch each way, dots per head pass,
    and its native font (text columns, their pitch ``cpi``, and the type size ``points`` that
    font's cell corresponds to, so rasterized text lines up with it).

    Drivers build it (``PrinterDevice.geometry()``); the renderer and ``build_program`` take it
    as it is. A 24-pin head at 180 dpi prints 10 cpi text of 12 pt; an 80 mm thermal head at
    203 dpi prints font A, 12 dots wide (203/12 cpi), which 12 pt text at 10 cpi would be at
    120 dpi: ``points`` = 12 x 120/203, so a column is 12 dots and Hindi sits beside font A.
    No numpy here: the daemon imports this at start.
    """

    hdpi: int
    vdpi: int
    band_dots: int
    columns: int = 80
    cpi: float = 10.0
    points: float = 12.0

    @property
    def render_dpi(self) -> int:
        """The isotropic resolution text is drawn at before one axis is reduced."""
        return max(self.hdpi, self.vdpi)

    @property
    def pixel_size(self) -> int:
        """Pixels per em of rasterized text at the render resolution."""
        return max(4, round(self.points * self.render_dpi / 72))

    @property
    def width_dots(self) -> int:
        """Printable width in dots (``columns`` of the native font)."""
        return self.column_dots(self.columns)

    def column_px(self, column: float) -> float:
        """X of a text column at the render resolution."""
        return column * self.render_dpi / self.cpi

    def column_dots(self, column: float) -> int:
        """X of a text column in printer dots."""
        return round(column * self.hdpi / self.cpi)

    def check(self) -> None:
        """Raise InvalidArgument (field named) for numbers no receipt printer has."""
        from hubd.errors import InvalidArgument

        for name, value, low, high in (
            ("hdpi", self.hdpi, 60, 600),
            ("vdpi", self.vdpi, 60, 600),
            ("band_dots", self.band_dots, 1, 64),
            ("columns", self.columns, 1, 512),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidArgument(name, f"must be an integer within {low}..{high}")
        for name, number, low, high in (("cpi", self.cpi, 5, 20), ("points", self.points, 4, 24)):
            if isinstance(number, bool) or not isinstance(number, int | float) or not low <= number <= high:
                raise InvalidArgument(name, f"must be a number within {low}..{high}")


@dataclass(frozen=True)
class Placed:
    """A bitmap on a ``TextLine``: its left edge ``band.left`` dots right of text ``column``."""

    column: int
    band: ImageBand


@dataclass(frozen=True)
class TextLine:
    """One line of printable ASCII in the printer's native font, with bitmaps beside the text.

    ``images`` are equally tall bitmaps at text columns (blanks in ``text`` there); the text's
    baseline is on the top edge of their row ``baseline`` (see the module docstring).
    """

    text: str
    bold: bool = False
    double_width: bool = False
    condensed: bool = False
    images: tuple[Placed, ...] = ()
    baseline: int = 0


@dataclass(frozen=True)
class Feed:
    """Advance the paper by ``lines`` text lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """End of a receipt: feed to the tear-off bar or cut."""


Op = TextLine | ImageBand | Feed | Cut
PrintProgram = list[Op]
