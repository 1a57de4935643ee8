"""The DUPLICATE stamp on a document printed again after its printer lost it.

A receipt reprinted after an interruption carries a DUPLICATE / प्रतिलिपि banner; a document
that may already have printed gets the same words stamped in the top margin of every page, so a
second copy is never mistaken for a first. The stamp is drawn with the receipts' own fonts and
shaping (Pillow with raqm), placed on the page as a lossless image (img2pdf) and overlaid with
pikepdf; the original file is left as it is. CPU-bound: run it in a thread.
"""

from __future__ import annotations

import io
from pathlib import Path

STAMP_TEXT = (("DUPLICATE COPY / ", False), ("प्रतिलिपि", True))
DPI = 300
WIDTH_MM, HEIGHT_MM = 75.0, 10.0
MARGIN_MM = 6.0
PT_PER_MM = 72 / 25.4


def _stamp_png() -> bytes:
    """The stamp: black words in a black frame on white, at 300 dpi."""
    from PIL import Image, ImageDraw

    from hubd.render.fonts import font_set, load_font

    fonts = font_set()
    size = (round(WIDTH_MM / 25.4 * DPI), round(HEIGHT_MM / 25.4 * DPI))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] - 1, size[1] - 1), outline=0, width=4)
    px = round(size[1] * 0.55)
    for _ in range(2):  # the height's size, then shrunk to fit the width with a margin
        runs = [(text, load_font(fonts.path(devanagari=deva, bold=True), px)) for text, deva in STAMP_TEXT]
        width = sum(font.getlength(text) for text, font in runs)
        px = min(px, int(px * size[0] * 0.9 / width))
    x = (size[0] - width) / 2
    for text, font in runs:
        draw.text((x, size[1] * 0.68), text, font=font, fill=0, anchor="ls")
        x += font.getlength(text)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def stamp_duplicate(source: Path, target: Path) -> Path:
    """Write ``source`` with the DUPLICATE stamp at the top right of every page to ``target``."""
    import img2pdf
    import pikepdf

    stamp_pdf = img2pdf.convert(_stamp_png(), layout_fun=img2pdf.get_fixed_dpi_layout_fun((DPI, DPI)))
    w, h, margin = WIDTH_MM * PT_PER_MM, HEIGHT_MM * PT_PER_MM, MARGIN_MM * PT_PER_MM
    with pikepdf.open(source) as pdf, pikepdf.open(io.BytesIO(stamp_pdf)) as stamp:
        for page in pdf.pages:
            box = page.mediabox
            right, top = float(box[2]), float(box[3])
            rect = pikepdf.Rectangle(right - margin - w, top - margin - h, right - margin, top - margin)
            page.add_overlay(stamp.pages[0], rect)
        pdf.save(target)
    return target
