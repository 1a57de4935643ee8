"""Rows of a bitmap (and a line of text) as ESC/P graphics passes and paper feeds.

Wire facts (protocols.md §1.1): ``CR`` returns the head to the left margin and, on a printer
not set to auto-LF (which the encoder's ``CR LF`` line ends assume too), does not feed; ``LF``
feeds the current line spacing, which ``ESC 3 n`` sets to n/216" (9-pin) or n/180" (24-pin)
and ``ESC 2`` back to 1/6"; ``ESC J n`` feeds n of those units at once without a carriage
return. One graphics pass prints ``band_dots`` dot rows (§1.2: 8 rows at 72 dpi on 9 pins,
24 at 180 dpi on 24 pins).

A pass may start on any dot row: the rows of a bitmap are covered by passes of at most one
pass of rows each, every inked row by exactly one pass (nothing cut or struck twice), blank
stretches skipped by feeding. Passes are planned from the Devanagari headline (the first of
the densest rows, which every letter inks, sent in one pass; the sparse matras above it in
passes of their own).
Each pass and the text end in ``CR``; the paper moves one pass with ``LF`` (after ``ESC 3`` =
one pass, and ``ESC 2`` at the end) and any other number of rows with ``ESC J``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import protocol as p
from .graphics import encode_passes
from .profiles import PrinterProfile

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Plan = list[tuple[int, int]]
"""Passes as (top row, row after the last row the pass prints)."""


def plan(page: npt.NDArray[np.bool_], band: int) -> Plan:
    """Passes covering every inked row of ``page`` once, planned around the headline.

    The headline pass starts at the first of the densest rows (the Devanagari headline: every
    letter inks it); passes follow it one pass apart while ink remains. The rows above it go in
    passes from the first inked row, each ending where the next begins. Blank passes are left
    out. For a band with no such headline (a QR code) this is passes from the first inked row.
    """
    import numpy as np

    counts: list[int] = np.add.reduce(page.view(np.uint8), axis=1, dtype=np.int32).tolist()
    inked = [row for row, count in enumerate(counts) if count]
    if not inked:
        return []
    first, last = inked[0], inked[-1] + 1
    densest = max(counts)
    head = next(row for row, count in enumerate(counts) if count * 2 >= densest)
    passes = [(top, min(top + band, head)) for top in range(first, head, band)]
    passes += [(top, min(top + band, last)) for top in range(head, last, band)]
    return [(top, stop) for top, stop in passes if any(counts[top:stop])]


def _interlaced(
    page: npt.NDArray[np.bool_],
    left: int | Sequence[tuple[int, int]],
    profile: PrinterProfile,
    coarse: bool,
) -> list[tuple[int, bytes]]:
    """(row, bytes) of the passes printing ``page`` (rows ``row_dpi`` apart) on a head whose
    pins are ``interlace`` rows apart: the rows of each residue are planned as a page of their
    own (one pass prints ``band_dots`` of them) and the passes of the three are interleaved."""
    k = profile.interlace
    events: list[tuple[int, bytes]] = []
    for residue in range(k):
        rows = page[residue::k]
        passes = plan(rows, profile.band_dots)
        sent = encode_passes(rows, passes, left, profile, coarse=coarse)
        events += [(residue + k * top, data) for (top, _), data in zip(passes, sent, strict=True)]
    return events


def feed(rows: int, band: int, units: int) -> bytes:
    """Paper feed by ``rows`` dot rows: ``LF`` per pass (``ESC 3`` is one pass), else ``ESC J``."""
    if band and rows in (band, 2 * band):
        return p.LF * (rows // band)
    out = bytearray()
    n = rows * units
    while n > 0:
        out += p.ESC + b"J" + bytes([min(n, 255)])
        n -= 255
    return bytes(out)


def print_rows(
    page: npt.NDArray[np.bool_],
    left: int | Sequence[tuple[int, int]],
    profile: PrinterProfile,
    *,
    end: int,
    text: tuple[int, bytes] | None = None,
    coarse: bool = False,
) -> bytes:
    """``page`` from the current line, the paper left ``end`` rows down.

    ``left``: the dot of the page's column 0, or its stretches (``graphics.encode_passes``).

    ``text``: (row, bytes) of a line of text printed with its top on that row (before a pass
    on the same row, which then prints in the text's blanks). The head is at the left margin
    before and after.
    """
    band, units = profile.band_dots, profile.spacing_unit // profile.row_dpi  # ESC J units per row
    events = [text] if text is not None else []
    if profile.interlace > 1:
        events += _interlaced(page, left, profile, coarse)
        band = 0  # passes are not one line apart: every feed is ESC J
    else:
        passes = plan(page, band)
        sent = encode_passes(page, passes, left, profile, coarse=coarse)
        events += zip((top for top, _ in passes), sent, strict=True)
    events.sort(key=lambda event: event[0])  # stable: the text before a pass on its row
    out = bytearray()
    y = min([0, *(row for row, _ in events)])
    whole_passes = False  # an LF feed: ESC 3 (one pass) first, ESC 2 after
    for row, data in [*events, (end, b"")]:
        whole_passes = whole_passes or (band > 0 and row - y in (band, 2 * band))
        out += feed(row - y, band, units) + data + (p.CR if data else b"")
        y = row
    if whole_passes:
        return p.line_spacing(profile, band * units) + bytes(out) + p.line_spacing_default()
    return bytes(out)
