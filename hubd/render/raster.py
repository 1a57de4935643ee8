"""Shaped ink -> printer bitmaps: anisotropic scaling, threshold, trim, band padding.

Text is rasterized isotropically at ``max(hdpi, vdpi)`` and the other axis is then *reduced*
with a box filter before thresholding (a 9-pin head at 120 x 72 dpi: render at 120 dpi, squeeze
rows by 0.6). Downsampling antialiased coverage keeps glyph proportions and thin strokes better
than stretching a coarse 72 dpi rendering by 1.67. All pixel work is numpy, never a per-pixel
Python loop.

Every band is trimmed to its inked columns (``ImageBand.left`` says where it starts), keeps at
least ``MARGIN`` blank rows above and below the ink, and is padded to a multiple of the head's
pass height (``band_dots``), so a matra above or a halant below is never cut at a pass boundary.
A line whose Devanagari words print as separate bitmaps beside native text is framed once
(``frame``) and cut (``cut_frame``), so its bitmaps share one height and one baseline row.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from hubd.render.ink import Ink, compose
from hubd.render.program import Geometry, ImageBand

log = logging.getLogger(__name__)

THRESHOLD = 128
"""Coverage (0..255) at or above which a dot is inked."""
MARGIN = 1
"""Blank rows kept above and below the ink of every band."""

Bitmap = npt.NDArray[np.bool_]


def _to_printer(canvas: npt.NDArray[np.uint8], geometry: Geometry) -> Bitmap:
    """Reduce the finer axis to the printer's pitch and threshold to ink.

    The canvas is whole steps of the dot grid (``_grid_step``) each way, so the box filter maps
    every step of pixels onto the same whole number of dots.
    """
    r = geometry.render_dpi
    if geometry.hdpi != geometry.vdpi:
        h, w = canvas.shape
        size = (w * geometry.hdpi // r, h * geometry.vdpi // r)
        reduced = Image.fromarray(canvas).resize(size, Image.Resampling.BOX)
        canvas = np.asarray(reduced, dtype=np.uint8)
    return canvas >= THRESHOLD


def pad_band(ink: Bitmap, above: int, band_dots: int, below: int = MARGIN) -> Bitmap:
    """Pad ``ink`` (already cropped to inked rows) into a band of whole passes.

    ``above``/``below`` are the blank rows wanted before and after the ink (at least ``MARGIN``);
    the remainder of the last pass goes below.
    """
    top = max(MARGIN, above)
    height = math.ceil((top + ink.shape[0] + max(MARGIN, below)) / band_dots) * band_dots
    band = np.zeros((height, ink.shape[1]), dtype=np.bool_)
    band[top : top + ink.shape[0]] = ink
    return band


@dataclass(frozen=True)
class Frame:
    """A line's ink at the printer's pitch, padded to whole passes, columns from dot ``left``.

    ``baseline`` is the number of rows above the text baseline (the top edge of that row).
    """

    bitmap: Bitmap
    left: int
    baseline: int


def _grid_step(render_dpi: int, dpi: int) -> int:
    """Render pixels per whole number of printer dots (5 pixels at 120 dpi are 3 dots at 72)."""
    return render_dpi // math.gcd(render_dpi, dpi)


def frame(pieces: Sequence[tuple[Ink, int]], geometry: Geometry, *, ascent_px: int) -> Frame | None:
    """Turn inks placed at render-resolution pen positions into one framed line (None if blank).

    The canvas is first padded so the baseline and the left edge fall on exact printer dots
    and it is whole steps of the dot grid (a 9-pin head reduces every 5 rows at 120 dpi to 3 at
    72): each dot then covers the same pixels wherever the ink's edges are. Rows are aligned so
    the baseline sits ``ascent_px`` (scaled) below the top margin unless the text reaches
    higher, which keeps the baselines of consecutive lines evenly spaced.
    """
    canvas, x0, y0 = compose([(ink, x + ink.x) for ink, x in pieces])
    if not canvas.size:
        return None
    r = geometry.render_dpi
    row_step, col_step = _grid_step(r, geometry.vdpi), _grid_step(r, geometry.hdpi)
    top_pad, left_pad = y0 % row_step, x0 % col_step
    height, width = canvas.shape[0] + top_pad, canvas.shape[1] + left_pad
    height, width = height + -height % row_step, width + -width % col_step
    if (height, width) != canvas.shape:
        padded = np.zeros((height, width), dtype=np.uint8)
        padded[top_pad : top_pad + canvas.shape[0], left_pad : left_pad + canvas.shape[1]] = canvas
        canvas, y0, x0 = padded, y0 - top_pad, x0 - left_pad
    bitmap = _to_printer(canvas, geometry)
    rows = np.flatnonzero(bitmap.any(axis=1))
    if not rows.size:
        return None
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    baseline = -y0 * geometry.vdpi // r  # exact: y0 is on the dot grid
    nominal = math.ceil(ascent_px * geometry.vdpi / r)
    above = MARGIN + max(0, nominal - (baseline - r0))
    band = pad_band(bitmap[r0:r1], above, geometry.band_dots)
    return Frame(band, x0 * geometry.hdpi // r, max(MARGIN, above) + baseline - r0)


def _trimmed(bitmap: Bitmap, left: int) -> ImageBand | None:
    """``bitmap`` cut to its inked columns (None if it has none), ``left`` still its dot 0."""
    cols = np.flatnonzero(bitmap.any(axis=0))
    if not cols.size:
        return None
    c0, c1 = int(cols[0]), int(cols[-1]) + 1
    return ImageBand(bitmap[:, c0:c1], left + c0)


def rasterize(pieces: Sequence[tuple[Ink, int]], geometry: Geometry, *, ascent_px: int) -> ImageBand | None:
    """Turn inks placed at render-resolution pen positions into one trimmed band (None if blank)."""
    framed = frame(pieces, geometry, ascent_px=ascent_px)
    band = None if framed is None else _trimmed(framed.bitmap, framed.left)
    return None if band is None else ImageBand(band.bitmap, max(0, band.left))


def cut_frame(framed: Frame, cuts: Sequence[int]) -> list[ImageBand | None]:
    """Cut a frame at the printer dots ``cuts`` (ascending) into trimmed, equally tall bands.

    Returns ``len(cuts) + 1`` bands, ``None`` for a part without ink; ``left`` is absolute.
    """
    edges = [framed.left, *cuts, framed.left + framed.bitmap.shape[1]]
    out: list[ImageBand | None] = []
    for start, end in zip(edges, edges[1:], strict=False):
        a = min(max(start - framed.left, 0), framed.bitmap.shape[1])
        b = min(max(end - framed.left, a), framed.bitmap.shape[1])
        out.append(_trimmed(framed.bitmap[:, a:b], framed.left + a))
    return out
