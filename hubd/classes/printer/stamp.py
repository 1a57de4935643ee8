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


def stamp_box(box: tuple[float, float, float, float], rotation: int) -> tuple[float, float, float, float]:
    """Where the stamp goes in a page's own coordinates (``box``: its MediaBox x0, y0, x1, y1) so
    that it shows at the top right of the page as displayed, turned ``rotation`` (its /Rotate,
    clockwise) degrees."""
    x0, y0, x1, y1 = box
    turned = rotation in (90, 270)
    shown_w, shown_h = (y1 - y0, x1 - x0) if turned else (x1 - x0, y1 - y0)
    w, h, margin = WIDTH_MM * PT_PER_MM, HEIGHT_MM * PT_PER_MM, MARGIN_MM * PT_PER_MM
    u0, u1 = shown_w - margin - w, shown_w - margin  # the stamp as displayed: (u, v) from bottom left
    v0, v1 = shown_h - margin - h, shown_h - margin
    if rotation == 90:  # displayed (u, v) is page (x1 - v, y0 + u)
        return x1 - v1, y0 + u0, x1 - v0, y0 + u1
    if rotation == 180:  # (x1 - u, y1 - v)
        return x1 - u1, y1 - v1, x1 - u0, y1 - v0
    if rotation == 270:  # (x0 + v, y1 - u)
        return x0 + v0, y1 - u1, x0 + v1, y1 - u0
    return x0 + u0, y0 + v0, x0 + u1, y0 + v1


def stamp_duplicate(source: Path, target: Path) -> Path:
    """Write ``source`` with the DUPLICATE stamp at the top right of every page (as displayed,
    whatever its /Rotate: qpdf turns the placed stamp with the page, we choose the corner) to
    ``target``."""
    import img2pdf
    import pikepdf

    stamp_pdf = img2pdf.convert(_stamp_png(), layout_fun=img2pdf.get_fixed_dpi_layout_fun((DPI, DPI)))
    with pikepdf.open(source) as pdf, pikepdf.open(io.BytesIO(stamp_pdf)) as stamp:
        for page in pdf.pages:
            rotation = page.rotation % 360 if page.rotation % 90 == 0 else 0
            a, b, c, d = (float(v) for v in page.mediabox)  # any two opposite corners
            rect = pikepdf.Rectangle(*stamp_box((min(a, c), min(b, d), max(a, c), max(b, d)), rotation))
            page.add_overlay(stamp.pages[0], rect)
        pdf.save(target)
    return target
