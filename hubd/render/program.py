"""A device-independent print program: what the renderer produces and printer drivers encode.

A receipt becomes a list of ops. ``TextLine`` holds printable ASCII only (the printer's own font
prints it); ``ImageBand`` holds a bitmap (True = ink) already at the target printer's dot pitch;
``Feed`` advances paper; ``Cut`` ends a receipt (tear-off / cutter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class TextLine:
    """One line of printable ASCII in the printer's native font."""

    text: str
    bold: bool = False
    double_width: bool = False
    condensed: bool = False


@dataclass(frozen=True)
class ImageBand:
    """A bitmap (rows x columns, True = ink) at the printer's dpi, placed ``left`` dots in."""

    bitmap: npt.NDArray[np.bool_]
    left: int = 0


@dataclass(frozen=True)
class Feed:
    """Advance the paper by ``lines`` text lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """End of a receipt: feed to the tear-off bar or cut."""


Op = TextLine | ImageBand | Feed | Cut
PrintProgram = list[Op]
