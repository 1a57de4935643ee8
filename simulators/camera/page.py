"""The printed page of the simulated camera's document scene: an A4 application form, Hindi and English.

Drawn with Pillow (HarfBuzz shaping through raqm, so Devanagari conjuncts come out right) in
Debian's Noto Sans Devanagari and DejaVu Sans; ``PAGE_WORDS`` are words OCR must find on it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

PAGE_SIZE = (827, 1169)
"""A4 at 100 dpi (width, height)."""
FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu",
             "/usr/share/fonts/truetype/lohit-devanagari")
DEVANAGARI = ("NotoSansDevanagari-Bold.ttf", "NotoSansDevanagari-Regular.ttf", "Lohit-Devanagari.ttf")
LATIN = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")
# (text, size in px, Devanagari?)
LINES = (
    ("राजस्थान सरकार", 58, True),
    ("GOVERNMENT OF RAJASTHAN", 40, False),
    ("आवेदन पत्र", 58, True),
    ("APPLICATION FORM", 44, False),
    ("नाम", 40, True),
    ("NAME", 34, False),
    ("पता", 40, True),
    ("ADDRESS", 34, False),
)
PAGE_WORDS = ("राजस्थान", "आवेदन", "RAJASTHAN", "APPLICATION")


def _font(names: tuple[str, ...], size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in names:
        for directory in FONT_DIRS:
            path = Path(directory) / name
            if path.is_file():
                return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
    return ImageFont.load_default(size)


@functools.cache
def render_page() -> npt.NDArray[np.uint8]:
    """The page as BGR pixels: a ruled border, a title block and form lines."""
    page = Image.new("RGB", PAGE_SIZE, (250, 250, 246))
    draw = ImageDraw.Draw(page)
    w, h = PAGE_SIZE
    draw.rectangle((40, 40, w - 40, h - 40), outline=(40, 40, 40), width=3)
    y = 90
    for text, size, deva in LINES:
        font = _font(DEVANAGARI if deva else LATIN, size)
        draw.text((w / 2, y), text, font=font, fill=(15, 15, 15), anchor="mt")
        y += int(size * 1.6)
        if text in ("APPLICATION FORM",):
            draw.line((90, y, w - 90, y), fill=(40, 40, 40), width=2)
            y += 40
    for row in range(4):
        ly = y + 40 + row * 60
        draw.line((90, ly, w - 90, ly), fill=(120, 120, 120), width=1)
    rgb = np.asarray(page, np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])
