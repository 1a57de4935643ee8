"""One pass of ESC/P bit-image graphics: only the inked columns, the head moved cheaply between them.

Wire facts (protocols.md §1.1, §1.2): after ``CR`` the head is at the left margin; ``ESC @``
leaves 10 cpi and a horizontal tab stop every 8 characters, so ``HT`` (09) moves the head to
the next multiple of 8 columns (0.8") and a space moves it one column (1/10"); ``ESC * m nL nH``
prints ``nL + 256 nH`` columns of ``m``'s density from the head position and leaves the head
after them. Columns are one byte (8-dot modes) or three (24-dot modes), MSB = top dot.

``ESC $ nL nH`` (1B 24) moves the head to (nL + 256 nH)/60" from the left margin: Epson's ESC/P
reference ("Set absolute horizontal print position": 1/60" on every ESC/P printer, the default
unit on ESC/P2 ones, ``ESC @`` resets it; ignored past the right margin); protocols.md §1.1
lists its two parameters (86Box).

A pass is cut into segments of inked columns; a blank gap inside a pass is skipped (tabs,
spaces or ``ESC $``, then a new ``ESC *``) when that is shorter than sending its blank
columns. The part of an offset finer than the move goes as blank columns. A segment whose
columns repeat in groups that a coarser density of the same pins prints exactly, every dot on
a dot of the fine density (a QR code's 4-dot modules at 180 dpi are 2 dots at 90 dpi), is sent
at that density: the same dots on paper in fewer bytes. Only densities that may fire a pin in
adjacent columns are used, and 9-pin-only densities (5, 7) only on a 9-pin head.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

from . import protocol as p
from .profiles import PrinterProfile

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

HT = b"\t"
TAB_COLUMNS = 8
"""Characters between the tab stops ``ESC @`` sets (§1.1: power-on, every 8 characters)."""
NINE_PIN_ONLY = frozenset({5, 7})
"""Densities only a 9-pin head has (§1.2: the 72 and 144 dpi plotter modes)."""
HEADER = 5
"""Bytes of ``ESC * m nL nH`` before a segment's columns."""
ABSOLUTE_UNIT = 60
"""``ESC $ nL nH`` moves the head to (nL + 256 nH)/60" from the left margin."""
ESC_DOLLAR = 4
"""Bytes of ``ESC $ nL nH``."""
MIN_COARSE = 8
"""Narrowest segment worth checking for a coarser density (a header costs 5 bytes)."""


def pack_passes(
    page: npt.NDArray[np.bool_], spans: Sequence[tuple[int, int]], band_dots: int
) -> npt.NDArray[np.uint8]:
    """Rows ``top:stop`` of ``page`` per span (at most ``band_dots``) as (passes, columns, bytes).

    Each column's dots are packed top first, the top dot the MSB of the first byte; rows
    below a span's ``stop`` are blank.
    """
    import numpy as np

    width = page.shape[1]
    bits = np.zeros((len(spans), band_dots, width), dtype=np.uint8)
    rows = page.view(np.uint8)
    for i, (top, stop) in enumerate(spans):
        bits[i, : stop - top] = rows[top:stop]
    bits <<= (7 - np.arange(band_dots, dtype=np.uint8) % 8)[:, None]  # pin i -> bit 7 - i % 8
    packed = np.bitwise_or.reduce(bits.reshape(len(spans), band_dots // 8, 8, width), axis=2)
    return np.ascontiguousarray(packed.transpose(0, 2, 1))


def _per_pass(marks: npt.NDArray[np.bool_]) -> list[list[int]]:
    """The True columns of each row of a (passes, columns) array, as ascending lists."""
    import numpy as np

    found: list[list[int]] = [[] for _ in range(marks.shape[0])]
    width = marks.shape[1]
    for flat in np.flatnonzero(marks).tolist():
        found[flat // width].append(flat % width)
    return found


@lru_cache(maxsize=16)
def coarse_modes(profile: PrinterProfile) -> tuple[tuple[int, int, int], ...]:
    """(m, p, q) of the densities a segment may drop to: q columns of the profile's mode are p of m.

    Fewest bytes first. Only modes of the profile's dots per column whose pins may fire in
    adjacent columns, and whose every dot lands on a dot of the profile's density (p = 1).
    """
    found: list[tuple[Fraction, int]] = []
    for mode in p.BIT_IMAGE_MODES.values():
        if mode.dots != profile.band_dots or not mode.adjacent or mode.hdpi >= profile.hdpi:
            continue
        if mode.m in NINE_PIN_ONLY and profile.pins != 9:
            continue
        ratio = Fraction(mode.hdpi, profile.hdpi)
        if ratio.numerator == 1:
            found.append((ratio, mode.m))
    return tuple((m, r.numerator, r.denominator) for r, m in sorted(found))


@dataclass(frozen=True)
class Head:
    """A profile's numbers for moving the head and sending columns, looked up once per job."""

    dpc: int
    """Dots per text column (1/10")."""
    tab: int
    """Dots between tab stops."""
    per: int
    """Bytes per column."""
    step: int
    """Dots per ``ESC $`` unit (1/60"); 0 if the density is no multiple of 60 dpi."""
    mode: int
    band: int
    coarse: tuple[tuple[int, int, int], ...]


@lru_cache(maxsize=16)
def head_of(profile: PrinterProfile) -> Head:
    """The ``Head`` numbers of ``profile``."""
    dpc = profile.dots_per_column
    step = profile.hdpi // ABSOLUTE_UNIT if profile.hdpi % ABSOLUTE_UNIT == 0 else 0
    return Head(
        dpc, TAB_COLUMNS * dpc, profile.bytes_per_column, step, profile.graphics_mode,
        profile.band_dots, coarse_modes(profile),
    )


def move(x: int, target: int, profile: PrinterProfile) -> tuple[bytes, int]:
    """Head moves from dot ``x`` toward ``target`` (no further), and the dots still to go.

    The dots still to go are sent as blank columns. The shortest of: spaces; tabs then
    spaces; ``ESC $`` to the last 1/60" at or before ``target``.
    """
    return _move(x, target, head_of(profile))


def _move(x: int, target: int, h: Head) -> tuple[bytes, int]:
    """``move`` with the profile's numbers at hand."""
    dpc, per = h.dpc, h.per
    spaces, lead = divmod(target - x, dpc)
    cost, how = spaces + lead * per, 0
    stop = target - target % h.tab
    if stop > x:
        tab_spaces_, tab_lead = divmod(target - stop, dpc)
        tab_cost = target // h.tab - x // h.tab + tab_spaces_ + tab_lead * per
        if tab_cost < cost:
            cost, how = tab_cost, 1
    if h.step and cost > ESC_DOLLAR + per * (h.step - 1):
        units, abs_lead = divmod(target, h.step)
        if ESC_DOLLAR + abs_lead * per < cost and units * h.step >= x:
            return b"\x1b$" + bytes((units & 0xFF, units >> 8)), abs_lead
    if how:
        tab_spaces_, lead = divmod(target - stop, dpc)
        return HT * (target // h.tab - x // h.tab) + b" " * tab_spaces_, lead
    return b" " * spaces, lead


def _move_cost(x: int, target: int, h: Head) -> int:
    """Bytes of ``_move`` and of its blank columns."""
    prefix, lead = _move(x, target, h)
    return len(prefix) + lead * h.per


def _segments(edges: list[int], chunks: Sequence[tuple[int, int]], h: Head) -> list[tuple[int, int, int]]:
    """Runs of inked columns (``edges``: start, end, start, end...) as (start, end, dot) to send.

    ``chunks``: (first page column, its dot) of each stretch of the page that lies on the paper
    as it is, ascending; a run never spans two. A gap inside a stretch is sent as blank columns
    when that costs less than moving the head over it.
    """
    if not edges:
        return []
    starts = [column for column, _ in chunks]
    segments: list[tuple[int, int, int]] = []
    chunk = -1
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        same = chunk >= 0 and (chunk + 1 == len(starts) or start < starts[chunk + 1])
        if not same:
            chunk = bisect_right(starts, start) - 1
        dot = chunks[chunk][1] + start - chunks[chunk][0]
        if same:
            first, last_end, first_dot = segments[-1]
            gap = start - last_end
            if gap * h.per <= HEADER + _move_cost(dot - gap, dot, h):
                segments[-1] = (first, end, first_dot)
                continue
        segments.append((start, end, dot))
    return segments


def _coarse(width: int, changes: list[int], start: int, h: Head) -> tuple[int, int, int] | None:
    """The coarsest density printing ``width`` columns from ``start`` exactly, or None.

    ``changes``: every c where column c + 1 differs from column c, ascending. Groups of q
    columns from ``start`` must be constant, so every change inside must end a group.
    """
    lo, hi = bisect_left(changes, start), bisect_left(changes, start + width - 1)
    for m, num, den in h.coarse:
        if width % den == 0 and all((c + 1 - start) % den == 0 for c in changes[lo:hi]):
            return m, num, den
    return None


def encode_passes(
    page: npt.NDArray[np.bool_],
    spans: Sequence[tuple[int, int]],
    left: int | Sequence[tuple[int, int]],
    profile: PrinterProfile,
    *,
    coarse: bool = False,
) -> list[bytes]:
    """Each span of rows as one pass (bytes; empty if blank), the head starting at the margin.

    ``left``: the dot of the page's column 0, or (first page column, its dot) of each stretch
    of the page (a line's images, their blank gaps left out); a pass leaves the head right of
    its last inked column. ``coarse``: send exactly repeating columns at a coarser density.
    """
    import numpy as np

    if not spans:
        return []
    chunks = [(0, left)] if isinstance(left, int) else list(left)
    h = head_of(profile)
    packed = pack_passes(page, spans, h.band)
    inked = packed[:, :, 0] != 0
    for byte in range(1, h.per):
        inked |= packed[:, :, byte] != 0
    edges = np.zeros((len(spans), page.shape[1] + 1), dtype=bool)  # where ink starts or stops
    edges[:, :-1] = inked
    edges[:, 1:] ^= inked
    changes: list[list[int]] | None = None  # per pass: c where column c + 1 differs from c
    if coarse and h.coarse:
        changes = _per_pass((packed[:, 1:] != packed[:, :-1]).any(axis=2))
    out: list[bytes] = []
    for i, pass_edges in enumerate(_per_pass(edges)):
        segments = _segments(pass_edges, chunks, h)
        out.append(_send(packed[i], segments, h, None if changes is None else changes[i]))
    return out


def _bit_image(mode: int, data: bytes, per: int) -> bytes:
    """``ESC * m nL nH`` and ``data`` (whole columns of ``per`` bytes, fewer than 65536)."""
    k = len(data) // per
    return b"\x1b*" + bytes((mode, k & 0xFF, k >> 8)) + data


def _send(
    packed: npt.NDArray[np.uint8],
    segments: list[tuple[int, int, int]],
    h: Head,
    changes: list[int] | None,
) -> bytes:
    """The bytes of one pass's segments (page columns start:end at a dot): moves and ``ESC *``."""
    import numpy as np

    per = h.per
    out = bytearray()
    x = 0
    for start, end, dot in segments:
        prefix, lead = _move(x, dot, h)
        columns = packed[start:end]
        data = _bit_image(h.mode, bytes(lead * per) + columns.tobytes(), per)
        found = None
        if changes is not None and end - start >= MIN_COARSE:
            found = _coarse(end - start, changes, start, h)
        if found is not None:
            m, num, den = found
            repeated = np.repeat(columns[::den], num, axis=0).tobytes()
            if lead % den == 0:
                alt = _bit_image(m, bytes(lead // den * num * per) + repeated, per)
            else:
                alt = _bit_image(h.mode, bytes(lead * per), per) + _bit_image(m, repeated, per)
            data = alt if len(alt) < len(data) else data
        out += prefix + data
        x = dot + end - start
    return bytes(out)
