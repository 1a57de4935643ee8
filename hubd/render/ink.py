"""Rasterized text: one font's run drawn to 8-bit coverage, and runs composed into one array.

A run is drawn once with Pillow (its raqm layout shapes it) on a canvas sized from the font's
ascent and descent, then cropped to its ink with a blank border of ``PAD`` pixels all round;
the coverage is placed relative to the pen position on the baseline, so no part of a glyph (a
matra above, a halant or ु below) is ever cut. Runs are cached: receipt labels repeat on every
receipt, so only the variable values (a consumer's name) are drawn per print.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from hubd.render.fonts import Layout, load_font

log = logging.getLogger(__name__)

PAD = 2
"""Blank pixels kept round a run's ink."""

Coverage = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Ink:
    """Coverage pixels (0..255) whose top-left sits at (x, y) from the pen on the baseline."""

    pixels: Coverage
    x: int
    y: int
    advance: float


class Mask(NamedTuple):
    """A run's coverage pixels whose top-left sits at (x, y) from the pen on the baseline."""

    pixels: Coverage
    x: int
    y: int


@lru_cache(maxsize=1024)
def run_ink(run: str, path: Path, size: int, layout: Layout) -> Mask:
    """Rasterize one single-font run, cropped to its ink with a blank border of ``PAD`` all round.

    The run is drawn once (one shaping) on a canvas sized from the font's ascent and descent
    and an em per character, the pen ``size`` pixels in; a canvas the ink reaches the edge of
    is too small, and the run is drawn again on a bigger one.
    """
    empty = np.zeros((0, 0), dtype=np.uint8)
    if not run.strip():
        return Mask(empty, 0, 0)
    font = load_font(path, size, layout)
    ascent, descent = font.getmetrics()
    margin = size
    while True:
        width, height = (len(run) + 2) * size + 2 * margin, ascent + descent + 2 * margin
        image = Image.new("L", (width, height))
        ImageDraw.Draw(image).text((margin, margin + ascent), run, font=font, fill=255, anchor="ls")
        pixels = np.asarray(image, dtype=np.uint8)
        edges = pixels[0].any() or pixels[-1].any() or pixels[:, 0].any() or pixels[:, -1].any()
        if not edges or margin > 16 * size:
            break
        log.debug("ink of %r reached the edge with margin %d; widening", run, margin)
        margin *= 4
    rows, cols = np.flatnonzero(pixels.any(axis=1)), np.flatnonzero(pixels.any(axis=0))
    if not rows.size:
        return Mask(empty, 0, 0)
    top, left = int(rows[0]) - PAD, int(cols[0]) - PAD
    bottom, right = int(rows[-1]) + 1 + PAD, int(cols[-1]) + 1 + PAD
    ink = np.zeros((bottom - top, right - left), dtype=np.uint8)  # blank where off the canvas
    inner = pixels[max(top, 0) : bottom, max(left, 0) : right]
    r0, c0 = max(top, 0) - top, max(left, 0) - left
    ink[r0 : r0 + inner.shape[0], c0 : c0 + inner.shape[1]] = inner
    ink.setflags(write=False)
    return Mask(ink, left - margin, top - margin - ascent)


@lru_cache(maxsize=1024)
def run_advance(run: str, path: Path, size: int, layout: Layout) -> float:
    """The advance width of one single-font run (only off the column grid: it shapes again)."""
    return load_font(path, size, layout).getlength(run)


class Placeable(Protocol):
    """Coverage placed relative to a pen position (an ``Ink`` or a run's mask)."""

    @property
    def pixels(self) -> Coverage:
        """8-bit coverage, rows x columns."""

    @property
    def y(self) -> int:
        """Row of the top of ``pixels`` relative to the baseline."""


def compose(placed: Sequence[tuple[Placeable, int]]) -> tuple[Coverage, int, int]:
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


def clear_caches() -> None:
    """Drop cached runs (tests that switch fonts)."""
    run_ink.cache_clear()
    run_advance.cache_clear()
