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
