"""Encode a device-independent ``PrintProgram`` into one ESC/POS job for a thermal printer.

Layout of a job (protocols.md §2; command bytes in ``protocol``):

- ``ESC @`` then ``ESC t n`` (the profile's code page holding PC437).
- ``TextLine``: attributes on (``ESC E 1`` bold, ``ESC M 1`` font B for condensed, ``GS ! 0x10``
  double width), sanitized text (control bytes dropped; ₹ and Devanagari would print as ``?``,
  which is why the renderer sends such rows as images), attributes off, ``LF``.
- ``ImageBand``: ``GS v 0`` raster images, one bitmap dot per head dot, the band's ``left``
  offset sent as blank leading dots, blank columns after the last ink dropped, at most
  ``MAX_RASTER_ROWS`` rows per command. A raster image is printed as soon as it arrives and the
  paper advances by its height, so bands stack without gaps.
- ``TextLine`` with ``images`` (a bilingual line): the whole line becomes ONE raster image - the
  ASCII text drawn at the font A pitch (12 dots) with the render layer's monospaced face, its
  baseline on the images' ``baseline`` row, the images at ``column * 12 + left`` - then at
  least a text line (``LINE_DOTS``) of paper below the text's top. A raster head prints a
  line of graphics as fast as a line of text, and text and Hindi share one baseline exactly
  (mixing native text with ``ESC *`` columns would depend on each model's font metrics).
- ``Feed``: ``ESC d n``. ``Cut``: ``ESC d`` (head to cutter, ``cut_feed_lines``) then ``GS V 1``
  (partial cut), or only the feed when the model has no cutter.
"""

from __future__ import annotations

import importlib.resources
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubd.classes.printer.contract import Cut, Feed, ImageBand, PrintProgram, TextLine
from hubd.driver_api import InvalidArgument

from . import protocol as p

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

FONT_A_DOTS = 12
"""Font A is 12 x 24 dots on Epson-class 203 dpi and 180 dpi heads."""
GRID_DPI = FONT_A_DOTS * 10
"""Dots per inch of the layout's 10-cpi column grid when one grid column is one font A cell."""
LINE_DOTS = 34
"""Paper a native text line takes (ESC 2: 1/6" at 203 dpi)."""
TEXT_ASCENT = 20
"""Dots of a font A cell above its baseline (24-dot cell). UNVERIFIED: model-specific."""


@dataclass(frozen=True)
class EscposProfile:
    """The numbers the encoder needs for one printer model (python-escpos profile + paper)."""

    name: str = "default"
    width_dots: int = 576
    """Printable dots across (80 mm paper at 203 dpi: 72 mm = 576 dots)."""
    dpi: int = 203
    columns: int = 48
    """Font A characters per line (``width_dots // 12``)."""
    code_page: int = 0
    """``ESC t n`` table holding ``encoding`` (0 = PC437 on Epson and most clones)."""
    encoding: str = "cp437"
    cut_feed_lines: int = 4
    """Lines fed before cutting so the last line clears the cutter. UNVERIFIED: model-specific."""
    can_cut: bool = True


def _capabilities(name: str) -> dict[str, Any]:
    """Profile ``name`` from python-escpos' capability database (escpos-printer-db's
    ``capabilities.json``, or ``ESCPOS_CAPABILITIES_FILE`` as python-escpos reads it), read as
    JSON: importing ``escpos.capabilities`` instead would parse the whole file with PyYAML, keep
    every profile in memory (~6 MB of an idle hub) and leave a temporary directory per start."""
    custom = os.environ.get("ESCPOS_CAPABILITIES_FILE")
    source = Path(custom) if custom else importlib.resources.files("escpos") / "capabilities.json"
    try:
        with source.open("rb") as f:
            profiles = json.load(f)["profiles"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InvalidArgument("options.profile", f"python-escpos' capability database: {err}") from err
    data = profiles.get(name) if isinstance(profiles, dict) else None
    if not isinstance(data, dict):
        raise InvalidArgument("options.profile", f"unknown python-escpos profile {name!r}")
    return data


def load_profile(name: str = "default", **overrides: int | str | bool) -> EscposProfile:
    """Build a profile from python-escpos' capability database (unknown name: InvalidArgument).

    Media size comes from the database when it knows it (TM-T88V: 512 dots at 180 dpi), else
    80 mm paper at 203 dpi (576 dots, 48 columns) is assumed; ``overrides`` replace any field.
    """
    if not isinstance(name, str) or not name:
        raise InvalidArgument("options.profile", f"{name!r} is not a profile name")
    data = _capabilities(name)
    media = data.get("media", {})
    dpi, pixels = media.get("dpi"), media.get("width", {}).get("pixels")
    fields: dict[str, object] = {"name": name}
    if isinstance(dpi, int) and isinstance(pixels, int):
        fields.update(dpi=dpi, width_dots=pixels, columns=pixels // FONT_A_DOTS)
    pages = {str(v).upper(): int(k) for k, v in data.get("codePages", {}).items()}
    if "CP437" in pages:
        fields.update(code_page=pages["CP437"], encoding="cp437")
    else:  # ASCII prints the same in every table
        fields.update(code_page=0, encoding="ascii")
    features = data.get("features", {})
    fields["can_cut"] = bool(features.get("paperPartCut") or features.get("paperFullCut"))
    fields.update(overrides)
    try:
        return EscposProfile(**fields)  # type: ignore[arg-type]
    except TypeError as err:
        raise InvalidArgument("options", str(err)) from err


def encode_program(program: PrintProgram, profile: EscposProfile) -> bytes:
    """The ESC/POS bytes that print ``program`` on a printer described by ``profile``."""
    out = bytearray(p.init())
    out += p.select_code_page(profile.code_page)
    for index, op in enumerate(program):
        if isinstance(op, TextLine) and op.images:
            out += encode_mixed_line(op, profile, field=f"program[{index}]")
        elif isinstance(op, TextLine):
            out += encode_text_line(op, profile)
        elif isinstance(op, ImageBand):
            out += encode_band(op, profile, field=f"program[{index}]")
        elif isinstance(op, Feed):
            out += encode_feed(op.lines, field=f"program[{index}].lines")
        elif isinstance(op, Cut):
            out += p.feed_lines(profile.cut_feed_lines)
            if profile.can_cut:
                out += p.partial_cut()
        else:
            raise InvalidArgument(f"program[{index}]", f"unknown op {type(op).__name__}")
    return bytes(out)


def encode_feed(lines: int, field: str = "lines") -> bytes:
    """``ESC d n`` for any number of lines (split in steps of 255)."""
    if isinstance(lines, bool) or not isinstance(lines, int) or lines < 0:
        raise InvalidArgument(field, f"{lines!r} is not a non-negative integer")
    out = bytearray()
    while lines > 0:
        step = min(lines, 255)
        out += p.feed_lines(step)
        lines -= step
    return bytes(out)


def encode_text_line(line: TextLine, profile: EscposProfile) -> bytes:
    """One text line with its attributes switched on before and off after, then LF."""
    on = bytearray()
    off = bytearray()
    if line.bold:
        on += p.bold(True)
        off += p.bold(False)
    if line.condensed:
        on += p.font_b(True)
        off += p.font_b(False)
    if line.double_width:
        on += p.char_size(2, 1)
        off += p.char_size(1, 1)
    return bytes(on) + p.sanitize_text(line.text, profile.encoding) + bytes(off) + p.LF


def encode_band(band: ImageBand, profile: EscposProfile, field: str = "band") -> bytes:
    """An image band as ``GS v 0`` raster commands of at most ``MAX_RASTER_ROWS`` rows each."""
    import numpy as np

    bitmap: npt.NDArray[np.bool_] = np.asarray(band.bitmap, dtype=bool)
    if bitmap.ndim != 2:
        raise InvalidArgument(f"{field}.bitmap", f"needs 2 dimensions, got {bitmap.ndim}")
    if isinstance(band.left, bool) or not isinstance(band.left, int) or band.left < 0:
        raise InvalidArgument(f"{field}.left", f"{band.left!r} is negative or not an integer")
    rows, cols = bitmap.shape
    if band.left + cols > profile.width_dots:
        raise InvalidArgument(
            f"{field}.bitmap", f"{band.left} + {cols} dots is wider than {profile.width_dots}"
        )
    if rows == 0:
        return b""
    inked = np.flatnonzero(bitmap.any(axis=0))
    last = int(inked[-1]) + 1 if inked.size else 1  # keep one column: a blank band still feeds
    out = bytearray()
    for top in range(0, rows, p.MAX_RASTER_ROWS):
        width_bytes, data = p.pack_raster(bitmap[top : top + p.MAX_RASTER_ROWS, :last], band.left)
        out += p.raster_image(width_bytes, data)
    return bytes(out)


def _or_at(canvas: npt.NDArray[np.bool_], mask: npt.NDArray[np.bool_], top: int, left: int) -> None:
    """OR ``mask`` into ``canvas`` with its top-left at (top, left), clipped to the canvas."""
    h, w = canvas.shape
    r0, c0 = max(0, top), max(0, left)
    r1, c1 = min(h, top + mask.shape[0]), min(w, left + mask.shape[1])
    if r0 < r1 and c0 < c1:
        canvas[r0:r1, c0:c1] |= mask[r0 - top : r1 - top, c0 - left : c1 - left]


def encode_mixed_line(line: TextLine, profile: EscposProfile, field: str = "line") -> bytes:
    """A text line with bitmaps on it, drawn together into one raster image (see the module doc)."""
    import numpy as np

    from hubd.render.raster import THRESHOLD
    from hubd.render.shaping import pixel_size, shape

    if line.condensed or line.double_width:
        raise InvalidArgument(f"{field}.images", "bitmaps need font A text: not condensed or double width")
    bitmaps = [np.asarray(placed.band.bitmap, dtype=bool) for placed in line.images]
    for i, bitmap in enumerate(bitmaps):
        if bitmap.ndim != 2:
            raise InvalidArgument(f"{field}.images[{i}].bitmap", f"needs 2 dimensions, got {bitmap.ndim}")
    rows = max(bitmap.shape[0] for bitmap in bitmaps)
    if not 0 <= line.baseline <= rows:
        raise InvalidArgument(f"{field}.baseline", f"{line.baseline} is outside 0..{rows}")
    text = p.sanitize_text(line.text, "ascii").decode("ascii")
    ink = shape(text, pixel_size(GRID_DPI), bold=line.bold, pitch=FONT_A_DOTS) if text.strip() else None
    text_rows = (line.baseline + ink.y, line.baseline + ink.y + ink.pixels.shape[0]) if ink else (0, 0)
    top = min(0, text_rows[0])
    bottom = max(rows, text_rows[1], line.baseline - TEXT_ASCENT + LINE_DOTS)
    canvas = np.zeros((bottom - top, profile.width_dots), dtype=bool)
    if ink is not None:
        _or_at(canvas, ink.pixels >= THRESHOLD, text_rows[0] - top, ink.x)
    for i, (placed, bitmap) in enumerate(zip(line.images, bitmaps, strict=True)):
        x = placed.column * FONT_A_DOTS + placed.band.left
        end = x + bitmap.shape[1]
        if x < 0 or end > profile.width_dots:
            width = profile.width_dots
            raise InvalidArgument(f"{field}.images[{i}]", f"dots {x}..{end} are off the {width}-dot line")
        _or_at(canvas, bitmap, -top, x)
    return encode_band(ImageBand(canvas), profile, field=field)
