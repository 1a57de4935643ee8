"""Benchmark: render + ESC/P-encode a ~30-line, half-Hindi receipt, against a full-page raster.

Run: ``.venv/bin/python -m tests.bench.bench_render [--runs 50] [--dpi 180x180x24] [--columns 80]``.

Prints (never asserts), each against a baseline measured in the same run:
- p50 time of ``render_receipt`` + ``encode_program`` over fresh receipts (new name, amount and
  transaction id every run, so only the constant labels come from the shape cache), against
  the same rows drawn by Pillow alone into one full-width page image, thresholded and encoded.
  Target at 180 dpi: <= 25 ms.
- ESC/P bytes of the hybrid program (native text, Devanagari/₹ bitmaps beside it) against a
  full-width raster of the whole receipt (the raster-mode rows stacked at the paper's width,
  sent as one image: every pass with ink carries the page's whole inked width), for the 9-pin
  and the 24-pin head. Target: <= 0.1x. Also where the hybrid bytes go (text, bitmaps beside
  text, bands, control), and the same page through ``encode_program``, which skips blank
  columns inside each pass (for comparison only: that is no longer a full-width raster).
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
import numpy.typing as npt
from PIL import Image, ImageDraw

from hubd.render.fonts import font_set, load_font
from hubd.render.layout import Qr, Row, layout_receipt, render_receipt
from hubd.render.model import Receipt
from hubd.render.program import Geometry, ImageBand, PrintProgram, TextLine
from hubd.render.sample import IST, sample_receipt
from hubd.render.shaping import pixel_size, split_runs
from kioskhub.drivers.escp.encode import encode_program
from kioskhub.drivers.escp.profiles import PrinterProfile, nine_pin, twenty_four_pin
from tests.bench.common import report

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
HEADS = {
    (p.hdpi, p.row_dpi, p.row_band): make
    for make in (nine_pin, twenty_four_pin)
    for p in [make("bench", 80)]
}
"""(hdpi, bitmap rows per inch, rows per band) of the 9- and 24-pin ESC/P profiles."""


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


def p50(fn: Callable[[int], object], runs: int) -> float:
    """Median wall time of fn(i) in milliseconds."""
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def profile_for(geometry: Geometry, columns: int) -> PrinterProfile | None:
    """The ESC/P profile of this head and width, or None for a head ESC/P does not have."""
    make = HEADS.get((geometry.hdpi, geometry.vdpi, geometry.band_dots))
    width: Literal[80, 136] = 136 if columns == 136 else 80
    return None if make is None else make("bench", width)


def pack(program: PrintProgram, geometry: Geometry, columns: int) -> bytes:
    """Printer bytes: ESC/P for a 9- or 24-pin head, else text and numpy-packed columns."""
    profile = profile_for(geometry, columns)
    if profile is not None:
        return encode_program(program, profile)
    out = bytearray()
    bands: list[npt.NDArray[np.bool_]] = []
    for op in program:
        if isinstance(op, TextLine):
            out += op.text.encode("ascii") + b"\r\n"
            bands += [placed.band.bitmap for placed in op.images]
        elif isinstance(op, ImageBand):
            bands.append(op.bitmap)
    for bitmap in bands:
        for start in range(0, bitmap.shape[0], geometry.band_dots):
            out += np.packbits(bitmap[start : start + geometry.band_dots].T, axis=1).tobytes()
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


def full_width_bytes(page: ImageBand, profile: PrinterProfile) -> int:
    """ESC/P bytes of ``page`` sent as a full-width raster (counted here, not by the encoder).

    The job header (``ESC @``, ``ESC t n``), ``ESC 3`` one pass and ``ESC 2``; per pass a feed
    (``CR LF``, or ``CR ESC J n`` between the passes of an interlaced head) and, if the pass has
    ink, spaces to the page's first inked column, blank columns for the rest of that offset and
    ``ESC * m nL nH`` with every column up to the page's last inked one. The yardstick stays put
    when the encoder learns to skip blank columns inside a pass.
    """
    band, k, per = profile.row_band, profile.interlace, profile.bytes_per_column
    feed = 2 if k == 1 else 4
    size = len(encode_program([], profile)) + 3 + 2
    inked = np.flatnonzero(page.bitmap.any(axis=0))
    if not inked.size:
        return size + feed * k * -(-page.bitmap.shape[0] // band)
    first, last = int(inked[0]), int(inked[-1])
    spaces, lead = divmod(page.left + first, profile.dots_per_column)
    for top in range(0, page.bitmap.shape[0], band):
        for residue in range(k):
            size += feed
            if page.bitmap[top + residue : top + band : k].any():
                size += spaces + 5 + (lead + last - first + 1) * per
    return size


def where_bytes_go(program: PrintProgram, profile: PrinterProfile) -> dict[str, int]:
    """ESC/P bytes of a program by kind of op (each op encoded alone, job header excluded)."""
    header = len(encode_program([], profile))
    kinds = {"native text lines": 0, "text + bitmaps lines": 0, "bands (QR, Hindi-only rows)": 0, "feeds": 0}
    for op in program:
        size = len(encode_program([op], profile)) - header
        if isinstance(op, TextLine):
            kinds["text + bitmaps lines" if op.images else "native text lines"] += size
        elif isinstance(op, ImageBand):
            kinds["bands (QR, Hindi-only rows)"] += size
        else:
            kinds["feeds"] += size
    return kinds


def byte_ratios(receipt: Receipt, columns: int) -> None:
    """ESC/P bytes of the hybrid program against a full-width raster, for each ESC/P head."""
    for (hdpi, rows, band), make in HEADS.items():
        width: Literal[80, 136] = 136 if columns == 136 else 80
        profile = make("bench", width)
        geometry = Geometry(hdpi, rows, band, columns=columns)
        hybrid = render_receipt(receipt, geometry)
        raster = render_receipt(receipt, geometry, mode="raster")
        page = full_width(raster, profile.width_dots)
        page_bytes = full_width_bytes(page, profile)
        head = f"{profile.pins}-pin {hdpi}x{rows}"
        runs: list[tuple[str, PrintProgram, str]] = [
            ("hybrid", hybrid, "   (target <= 0.1x)"),
            ("raster mode", raster, ""),
            ("page encoded", [page], "   (blanks inside passes skipped)"),
        ]
        for name, program, target in runs:
            size = len(encode_program(program, profile))
            print(
                f"ESC/P bytes {name:<11} {head:<15} {size:>8} B  full-width raster {page_bytes:>8} B  "
                f"ratio {size / page_bytes:.3f}x{target}",
                flush=True,
            )
        parts = ", ".join(f"{name} {size}" for name, size in where_bytes_go(hybrid, profile).items())
        print(f"    hybrid bytes by op, {head}: {parts}", flush=True)


def main(quick: bool = False, argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures (``quick``: a few runs, for the smoke test)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--columns", type=int, default=80, choices=[80, 136])
    parser.add_argument(
        "--dpi", default="180x180x24", help="HDPIxROWDPIxBAND, e.g. 120x216x24 (9-pin, 3 passes a band)"
    )
    args = parser.parse_args(argv if argv is not None else ([] if quick else None))
    if quick:
        args.runs = 3
    hdpi, vdpi, band = (int(v) for v in args.dpi.split("x"))
    columns, runs = args.columns, args.runs
    geometry = Geometry(hdpi, vdpi, band, columns=columns)
    packer = "ESC/P encode_program" if profile_for(geometry, columns) else "numpy column packing"

    start = time.perf_counter()
    first = pack(render_receipt(bench_receipt(-1), geometry), geometry, columns)
    cold = (time.perf_counter() - start) * 1e3
    lines = layout_receipt(bench_receipt(0), columns)
    hindi = sum(1 for line in lines if isinstance(line, Row) and not line.is_ascii)
    print(f"receipt: {len(lines)} lines, {hindi} with Hindi; {columns} columns at {args.dpi}; {packer}")
    print(f"first render+encode (fonts loading, cold caches): {cold:.1f} ms, {len(first)} bytes")

    ours = p50(lambda i: pack(render_receipt(bench_receipt(i), geometry), geometry, columns), runs)
    render_only = p50(lambda i: render_receipt(bench_receipt(i + runs), geometry), runs)
    baseline = p50(
        lambda i: pack([pillow_page(bench_receipt(i), geometry, columns)], geometry, columns), runs
    )
    report(f"render+encode p50 over {runs} receipts", ours, baseline, "ms", "<= 25 ms at 180 dpi")
    report("render alone p50", render_only, baseline, "ms")
    byte_ratios(bench_receipt(0), columns)


if __name__ == "__main__":
    main()
