"""QR codes for receipts: the module matrix (numpy mask selection) and the printed band.

The ``qrcode`` library picks the version and encodes the codewords (modes, Reed-Solomon). The
data bits are then laid out with numpy in the module order of ISO/IEC 18004 section 7.7.3 (cached
per version), the function patterns (finders, timing, alignment, format and version
information) come from the library's own setup code for that version and mask, and the mask is
the one the library would choose (section 7.8.3: the lowest penalty of the eight), the penalty
rules N1..N4 evaluated for all eight masks at once exactly as ``qrcode.util.lost_point`` scores
them. The result equals ``qrcode``'s ``make()``, module for module, in a fraction of the time
(its mask search lays the data out nine times in pure Python).
"""

from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import qrcode
from numpy.lib.stride_tricks import sliding_window_view
from qrcode import util

from hubd.render.program import Geometry, ImageBand
from hubd.render.raster import Bitmap, pad_band

log = logging.getLogger(__name__)

QR_MIN_MODULE_IN = 0.5 / 25.4
"""Smallest QR module edge (0.5 mm): phone cameras read ribbon-printed codes at this size."""
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
_FINDER_LIKE = (0b10111010000, 0b00001011101)
"""N3: 1:1:3:1:1 dark:light:dark:light:dark with 4 light modules after or before it (11 bits)."""
_WINDOW_BITS = 1 << np.arange(10, -1, -1)


def qr_module_dots(hdpi: int, vdpi: int) -> tuple[int, int]:
    """(width, height) in dots of a QR module: square on paper, at least ``QR_MIN_MODULE_IN``."""
    best: tuple[float, int, int] | None = None
    for rows in range(1, 17):
        edge = rows / vdpi
        if edge < QR_MIN_MODULE_IN:
            continue
        cols = max(1, round(edge * hdpi))
        error = abs(cols / hdpi - edge) / edge
        if error <= 0.05:
            return cols, rows
        if best is None or error < best[0]:
            best = (error, cols, rows)
    assert best is not None  # rows=16 always clears the minimum for any sane vdpi
    return best[1], best[2]


class _Patterns(qrcode.QRCode):  # type: ignore[misc]  # qrcode ships no type hints
    """The library's function patterns of one version and mask, without any data."""

    def map_data(self, data: object, mask_pattern: int) -> None:
        """Leave the data modules unset (None)."""


@lru_cache(maxsize=64)
def _function_modules(version: int, mask: int, test: bool) -> tuple[Bitmap, Bitmap]:
    """(data region, function pattern values) of a version for one mask's format information.

    ``test``: format information blank, as the library scores masks.
    """
    code = _Patterns(version=version, error_correction=ERROR_CORRECTION, border=0)
    code.data_cache = b""  # makeImpl only lays data out when it has none cached
    code.makeImpl(test, mask)
    region = np.array([[m is None for m in row] for row in code.modules], dtype=bool)
    values = np.array([[bool(m) for m in row] for row in code.modules], dtype=bool)
    region.setflags(write=False)
    values.setflags(write=False)
    return region, values


@lru_cache(maxsize=64)
def _mask_patterns(size: int) -> Bitmap:
    """The eight mask patterns (True = invert) of a size x size code, i = row, j = column."""
    i, j = np.indices((size, size))
    patterns = np.stack(
        [
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            ((i * j) % 3 + (i + j) % 2) % 2 == 0,
        ]
    )
    patterns.setflags(write=False)
    return patterns


def penalties(codes: Bitmap) -> npt.NDArray[np.int64]:
    """Penalty of each (k, n, n) candidate, as ``qrcode.util.lost_point`` scores one."""
    k, n, _ = codes.shape
    lines = np.concatenate([codes, codes.transpose(0, 2, 1)], axis=1)  # rows then columns
    # N1: every run of 5 or more equal modules in a line costs its length - 2.
    flat = lines.reshape(-1, n)
    starts = np.ones(flat.shape, dtype=bool)
    starts[:, 1:] = flat[:, 1:] != flat[:, :-1]
    run_starts = np.flatnonzero(starts.ravel())
    lengths = np.diff(np.append(run_starts, flat.size))
    owner = run_starts // (2 * n * n)
    n1 = np.bincount(owner, weights=np.where(lengths >= 5, lengths - 2, 0), minlength=k)
    # N2: every 2x2 block of one colour costs 3.
    corner = codes[:, :-1, :-1]
    same = (corner == codes[:, 1:, :-1]) & (corner == codes[:, :-1, 1:]) & (corner == codes[:, 1:, 1:])
    n2 = 3 * same.sum(axis=(1, 2))
    # N3: every finder-like 11-module window in a line costs 40.
    n3 = np.zeros(k, dtype=np.int64)
    if n >= 11:
        windows = sliding_window_view(lines, 11, axis=2) @ _WINDOW_BITS  # each window as 11 bits
        n3 = 40 * ((windows == _FINDER_LIKE[0]) | (windows == _FINDER_LIKE[1])).sum(axis=(1, 2))
    # N4: 10 for every whole 5% the dark share is away from 50%.
    dark = codes.sum(axis=(1, 2))
    n4 = np.array([int(abs(float(d) / (n * n) * 100 - 50) / 5) * 10 for d in dark], dtype=np.int64)
    total: npt.NDArray[np.int64] = np.rint(n1).astype(np.int64) + n2 + n3 + n4
    return total


@lru_cache(maxsize=64)
def _placement(version: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Rows and columns of the data modules in the order the data bits fill them.

    Two-module columns from the right, up then down in turn, skipping the timing column
    (ISO/IEC 18004 section 7.7.3), as ``qrcode``'s ``map_data`` walks them.
    """
    region = _function_modules(version, 0, True)[0]
    size = region.shape[0]
    rows: list[int] = []
    cols: list[int] = []
    row, step = size - 1, -1
    for pair in range(size - 1, 0, -2):
        right = pair - 1 if pair <= 6 else pair  # the vertical timing pattern is column 6
        while 0 <= row < size:
            for col in (right, right - 1):
                if region[row, col]:
                    rows.append(row)
                    cols.append(col)
            row += step
        row, step = row - step, -step
    return np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)


@lru_cache(maxsize=64)
def qr_matrix(data: str) -> Bitmap:
    """The QR code modules of ``data`` (True = dark), error correction M, no quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0, box_size=1)
    code.add_data(data)
    version = code.best_fit()
    codewords = util.create_data(version, ERROR_CORRECTION, code.data_list)
    rows, cols = _placement(version)
    bits = np.unpackbits(np.array(codewords, dtype=np.uint8))[: rows.size]
    region, blank = _function_modules(version, 0, True)
    unmasked = np.zeros(region.shape, dtype=bool)
    unmasked[rows[: bits.size], cols[: bits.size]] = bits  # modules past the data stay light
    patterns = _mask_patterns(region.shape[0])
    scored = np.where(region, unmasked ^ patterns, blank)  # every mask, format info blank
    mask = int(np.argmin(penalties(scored)))  # the first of equal penalties, as the library
    values = _function_modules(version, mask, False)[1]
    matrix = np.where(region, unmasked ^ patterns[mask], values)
    matrix.setflags(write=False)
    return matrix


def qr_band(data: str, geometry: Geometry, *, center_dots: int) -> ImageBand:
    """A QR code band centred on ``center_dots``, with a 4-module quiet zone above and below."""
    mw, mh = qr_module_dots(geometry.hdpi, geometry.vdpi)
    modules = qr_matrix(data)
    bitmap = np.repeat(np.repeat(modules, mh, axis=0), mw, axis=1)
    band = pad_band(bitmap, 4 * mh, geometry.band_dots, below=4 * mh)
    left = max(4 * mw, center_dots - bitmap.shape[1] // 2)
    return ImageBand(band, left)
