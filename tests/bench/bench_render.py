"""Benchmark: render + pack a ~30-line, half-Hindi receipt at 180 dpi, against Pillow alone.

Run: ``.venv/bin/python -m tests.bench.bench_render [--runs 50] [--dpi 180x180x24]``.

Prints (never asserts):
- p50 time of ``render_receipt`` + packing (ESC/P ``encode_program`` when the escp driver is
  present, else column packing with numpy) over fresh receipts (new name, amount and
  transaction id every run, so only the constant labels come from the shape cache), and its
  ratio to a baseline measured in the same run: the same rows drawn with Pillow alone into
  one full-width page image, thresholded and packed. Target: render+pack <= 25 ms p50.
- bitmap bytes (dots / 8) of the hybrid program against a full-width raster of the whole
  receipt, and, with the encoder, real ESC/P bytes of both. Target: hybrid <= 0.1x.
- what an op putting bitmaps and native text on the same line would send (projection: only
  the Devanagari/₹ runs as bitmaps, everything ASCII as text).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from hubd.render.fonts import font_set, load_font
from hubd.render.layout import Cell, Qr, Row, layout_receipt, render_receipt, render_row
from hubd.render.model import Receipt
from hubd.render.program import ImageBand, PrintProgram, TextLine
from hubd.render.raster import Geometry
from hubd.render.sample import IST, sample_receipt
from hubd.render.shaping import pixel_size, split_runs

try:  # the ESC/P encoder is another package; use it when it is there
    from drivers.escp.encode import encode_program
    from drivers.escp.profiles import nine_pin, twenty_four_pin
except ImportError:  # pragma: no cover - depends on what is installed
    encode_program = None  # type: ignore[assignment]

FIRST = ["रामेश्वर", "सुनीता", "मोहनलाल", "कृष्णा", "प्रियंका", "भंवरलाल", "गीता", "श्यामसुंदर"]
LAST = ["शर्मा", "मीणा", "गुर्जर", "जाट", "सैनी", "अग्रवाल", "राठौड़", "कुमावत"]
ASCII_NOTES = (
    "Bill period: 01-10-2026 to 31-10-2026",
    "Units consumed: 214 (Domestic, single phase)",
    "Previous reading: 10452   Current reading: 10666",
    "Due date: 05-12-2026",
    "Payment is credited to the department within 2 working days.",
    "Keep this receipt until the next bill shows the payment.",
    "Helpdesk: ask the kiosk operator for a duplicate copy.",
)


def bench_receipt(i: int) -> Receipt:
    """The i-th receipt: fresh values, constant labels (~30 lines, about half of them Hindi)."""
    base = sample_receipt(datetime(2026, 11, 25, 9, 0, tzinfo=IST) + timedelta(seconds=i))
    name = f"{FIRST[i % 8]} {FIRST[(i // 8) % 8]} {LAST[(i // 64 + i) % 8]}"
    return dataclasses.replace(
        base,
        consumer_name=name,
        amount_paise=1_00_000 + 137 * i,
        transaction_id=f"2026112509{i:08d}",
        extra_lines=("बिल माह / Bill Month: 10-2026", *ASCII_NOTES),
    )


ESCP_HEADS = ((120, 72, 8), (180, 180, 24))
"""(hdpi, vdpi, band_dots) of the 9- and 24-pin ESC/P profiles."""


def p50(fn: Callable[[int], object], runs: int) -> float:
    """Median wall time of fn(i) in milliseconds."""
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def pack(program: PrintProgram, geometry: Geometry, columns: int) -> bytes:
    """Printer bytes: the ESC/P encoder if present (9- or 24-pin), else columns packed by numpy."""
    head = (geometry.hdpi, geometry.vdpi, geometry.band_dots)
    if encode_program is not None and head in ESCP_HEADS:
        width: Literal[80, 136] = 136 if columns == 136 else 80
        make = nine_pin if head == (120, 72, 8) else twenty_four_pin
        return encode_program(program, make("bench", width))
    out = bytearray()
    for op in program:
        if isinstance(op, TextLine):
            out += op.text.encode("ascii") + b"\r\n"
        elif isinstance(op, ImageBand):
            for start in range(0, op.bitmap.shape[0], geometry.band_dots):
                out += np.packbits(op.bitmap[start : start + geometry.band_dots].T, axis=1).tobytes()
    return bytes(out)


def pillow_page(receipt: Receipt, geometry: Geometry, columns: int) -> ImageBand:
    """Baseline: every row drawn by Pillow into one full-width page, thresholded."""
    size = pixel_size(geometry.render_dpi)
    fonts = font_set()
    lines = layout_receipt(receipt, columns)
    row_h = 2 * geometry.band_dots if geometry.band_dots >= 24 else 3 * geometry.band_dots
    pitch = geometry.hdpi / geometry.cpi
    page = Image.new("L", (geometry.column_dots(columns), row_h * len(lines)))
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        if isinstance(line, Qr):
            continue
        for cell in line.cells:
            x = cell.column * pitch
            for run, deva in split_runs(cell.text):
                font = load_font(fonts.path(devanagari=deva, bold=line.bold), size)
                draw.text((x, n * row_h + row_h * 0.7), run, font=font, fill=255, anchor="ls")
                x += font.getlength(run)
    return ImageBand(np.asarray(page) >= 128)


def full_width(program: PrintProgram, width: int) -> ImageBand:
    """The bands of a raster-mode program stacked into one full-width page image."""
    bands = []
    for op in program:
        if isinstance(op, ImageBand):
            page = np.zeros((op.bitmap.shape[0], width), dtype=bool)
            page[:, op.left : op.left + op.bitmap.shape[1]] = op.bitmap
            bands.append(page)
    return ImageBand(np.vstack(bands))


def devanagari_only_dots(receipt: Receipt, geometry: Geometry, columns: int) -> int:
    """Dots if only the non-ASCII runs of a line were bitmaps, beside native text on that line."""
    dots = 0
    for line in layout_receipt(receipt, columns):
        if isinstance(line, Qr) or line.is_ascii:
            continue
        for cell in line.cells:
            for run, _ in split_runs(cell.text):
                if not run.isascii():
                    band = render_row(Row((Cell(run.strip(), 0, columns),), line.bold), geometry)
                    dots += band.bitmap.size if band is not None else 0
    return dots


def main(quick: bool = False, argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures (``quick``: a few runs, for the smoke test)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--columns", type=int, default=80, choices=[80, 136])
    parser.add_argument("--dpi", default="180x180x24", help="HDPIxVDPIxBAND, e.g. 120x72x8")
    args = parser.parse_args(argv if argv is not None else ([] if quick else None))
    if quick:
        args.runs = 3
    hdpi, vdpi, band = (int(v) for v in args.dpi.split("x"))
    geometry = Geometry(hdpi, vdpi, band)
    columns, runs = args.columns, args.runs
    kw = {"columns": columns, "hdpi": hdpi, "vdpi": vdpi, "band_dots": band}

    start = time.perf_counter()
    first = render_receipt(bench_receipt(-1), **kw)
    cold = (time.perf_counter() - start) * 1e3
    lines = layout_receipt(bench_receipt(0), columns)
    hindi = sum(1 for line in lines if isinstance(line, Row) and not line.is_ascii)

    ours = p50(lambda i: pack(render_receipt(bench_receipt(i), **kw), geometry, columns), runs)
    render_only = p50(lambda i: render_receipt(bench_receipt(i + runs), **kw), runs)
    baseline = p50(
        lambda i: pack([pillow_page(bench_receipt(i), geometry, columns)], geometry, columns), runs
    )

    receipt = bench_receipt(0)
    hybrid = render_receipt(receipt, **kw)
    raster = render_receipt(receipt, mode="raster", **kw)
    page = full_width(raster, geometry.column_dots(columns))
    hybrid_dots = sum(op.bitmap.size for op in hybrid if isinstance(op, ImageBand))
    page_dots = page.bitmap.size
    projected = devanagari_only_dots(receipt, geometry, columns)
    escp = encode_program is not None and (hdpi, vdpi, band) in ESCP_HEADS
    packer = "ESC/P encode_program" if escp else "numpy column packing"
    print(f"receipt: {len(lines)} lines, {hindi} with Hindi; {columns} columns at {args.dpi}")
    print(f"first render (fonts loading, cold caches): {cold:.1f} ms ({len(first)} ops)")
    print(f"render p50 over {runs} fresh receipts:        {render_only:.2f} ms")
    print(f"render+pack p50 ({packer}): {ours:.2f} ms  (target <= 25 ms)")
    print(f"baseline Pillow full-page image+pack p50:   {baseline:.2f} ms")
    print(f"ratio render+pack / baseline:               {ours / baseline:.2f}x")
    print(f"bitmap bytes hybrid:        {hybrid_dots // 8:>8}")
    print(f"bitmap bytes full raster:   {page_dots // 8:>8}  (full width x whole receipt)")
    print(f"ratio hybrid / full raster: {hybrid_dots / page_dots:.3f}x  (target <= 0.1x)")
    print(
        f"projection, Hindi-only bitmaps + native text on one line: {projected // 8} bytes, "
        f"{projected / page_dots:.3f}x"
    )
    if escp:
        real = {
            "hybrid": len(pack(hybrid, geometry, columns)),
            "raster mode (trimmed bands)": len(pack(raster, geometry, columns)),
            "full-width page": len(pack([page], geometry, columns)),
        }
        for name, size in real.items():
            print(f"ESC/P bytes {name + ':':<29}{size:>8}")
        print(f"ESC/P ratio hybrid / full-width page: {real['hybrid'] / real['full-width page']:.3f}x")


if __name__ == "__main__":
    main()
