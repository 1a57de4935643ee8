"""What lies on the scanner: realistic sheets drawn at the resolution asked for.

    form      an A4 e-Mitra application form, Hindi and English (Devanagari shaped with RAQM)
    id_card   an identity card with a photo, lying on the glass (white lid around it)
    rotated   the form photographed slightly rotated on a dark table, unevenly lit
    photo     a 35 x 45 mm passport photo print;  signature  a signed slip of paper;
    thumb     an inked thumb impression (each on the glass at the ``*_MM`` place)

Sheets are drawn at scan resolution (fonts scale with dpi), with paper tone and sensor noise, so
compression behaves as on real scans. ``KEYWORDS`` lists words each sheet carries, for tests
that check the words survive (OCR) — what they check comes from here.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, features

MM_PER_INCH = 25.4
SHEET_MM = (210.0, 297.0)
PAPER = (248, 247, 242)
LID = (236, 236, 232)
INK = (24, 24, 40)
FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/lohit-devanagari",
             "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/opentype/noto")
LATIN_FONTS = ("NotoSans-Regular.ttf", "DejaVuSans.ttf")
LATIN_BOLD = ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf")
DEVANAGARI_FONTS = ("NotoSansDevanagari-Regular.ttf", "Lohit-Devanagari.ttf")

KEYWORDS: dict[str, tuple[str, ...]] = {
    "form": ("RAJASTHAN", "APPLICATION", "Income", "Certificate", "Address", "Mobile",
             "आवेदन", "राजस्थान", "नाम"),
    "id_card": ("IDENTITY", "SUNITA", "DEVI", "पहचान"),
    "rotated": ("RAJASTHAN", "APPLICATION", "Income", "Certificate"),
    "photo": (),
    "signature": (),
    "thumb": (),
    "blank": (),
}
# Where things lie on the glass (x, y, width, height in mm), for scans of just that area.
PHOTO_MM = (20.0, 20.0, 35.0, 45.0)
SIGNATURE_MM = (20.0, 20.0, 80.0, 30.0)
THUMB_MM = (20.0, 20.0, 40.0, 40.0)
CARD_MM = (15.0, 15.0, 85.6, 54.0)
ROTATION_DEGREES = 2.5
"""How far the photographed page is turned (counter-clockwise); it is also scaled to 90 %."""
PHOTO_SCALE = 0.9
FORM_FIELDS = (
    ("नाम", "Name", "RAMESH KUMAR SHARMA"),
    ("पिता का नाम", "Father's Name", "MOHAN LAL SHARMA"),
    ("जन्म तिथि", "Date of Birth", "15-08-1985"),
    ("पता", "Address", "12 Gandhi Nagar, Jaipur 302015"),
    ("मोबाइल", "Mobile", "98290 12345"),
    ("सेवा", "Service", "Income Certificate"),
    ("वार्षिक आय", "Annual Income", "Rs 1,20,000"),
)


@functools.lru_cache(maxsize=32)
def font(kind: str, px: int) -> ImageFont.FreeTypeFont:
    """A TrueType face (``latin``, ``bold`` or ``deva``) at ``px`` pixels, shaped with RAQM."""
    names = {"latin": LATIN_FONTS, "bold": LATIN_BOLD, "deva": DEVANAGARI_FONTS}[kind]
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    for name in names:
        for directory in FONT_DIRS:
            path = os.path.join(directory, name)
            if os.path.exists(path):
                return ImageFont.truetype(path, max(6, px), layout_engine=engine)
    raise FileNotFoundError(f"no {kind} font installed (looked for {', '.join(names)}; fonts-noto-core)")


class Canvas:
    """An RGB image with drawing in millimetres and points at a given dpi."""

    def __init__(self, dpi: int, size_mm: tuple[float, float], fill: tuple[int, int, int]) -> None:
        self.dpi = dpi
        self.image = Image.new("RGB", (self.px(size_mm[0]), self.px(size_mm[1])), fill)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, mm: float) -> int:
        """Millimetres → pixels."""
        return round(mm * self.dpi / MM_PER_INCH)

    def text(self, x_mm: float, y_mm: float, words: str, pt: float, kind: str = "latin",
             fill: tuple[int, int, int] = INK) -> None:
        """Draw ``words`` with its top-left at (x, y) mm, ``pt`` points high."""
        size = round(pt * self.dpi / 72)
        self.draw.text((self.px(x_mm), self.px(y_mm)), words, font=font(kind, size), fill=fill)

    def pair(self, x_mm: float, y_mm: float, hindi: str, english: str, pt: float) -> None:
        """``hindi / english`` on one line, each script in its own face."""
        size = round(pt * self.dpi / 72)
        self.text(x_mm, y_mm, hindi, pt, "deva")
        width_mm = self.draw.textlength(hindi + " ", font=font("deva", size)) * MM_PER_INCH / self.dpi
        self.text(x_mm + width_mm, y_mm + pt * 0.06, "/ " + english, pt * 0.92)

    def box(self, x_mm: float, y_mm: float, w_mm: float, h_mm: float, width_mm: float = 0.3,
            fill: tuple[int, int, int] | None = None, outline: tuple[int, int, int] = INK) -> None:
        """A rectangle outline (and fill)."""
        self.draw.rectangle(
            (self.px(x_mm), self.px(y_mm), self.px(x_mm + w_mm), self.px(y_mm + h_mm)),
            fill=fill, outline=outline, width=max(1, self.px(width_mm)),
        )


def form_sheet(dpi: int) -> Image.Image:
    """The A4 application form, Hindi and English."""
    c = Canvas(dpi, SHEET_MM, PAPER)
    c.box(10, 10, 190, 277, 0.5)
    c.box(10, 10, 190, 24, 0.5, fill=(230, 236, 246))
    c.text(20, 13, "राजस्थान सरकार", 16, "deva")
    c.text(20, 23, "GOVERNMENT OF RAJASTHAN", 13, "bold")
    c.text(20, 40, "ई-मित्र आवेदन पत्र", 18, "deva")
    c.text(20, 52, "e-MITRA APPLICATION FORM", 16, "bold")
    c.box(160, 40, 35, 45, 0.3)
    c.text(166, 60, "PHOTO", 10)
    y = 92.0
    for hindi, english, value in FORM_FIELDS:
        c.text(20, y, hindi, 12, "deva")
        c.text(20, y + 7.5, english, 11)
        c.box(78, y + 1, 117, 12, 0.25)
        c.text(82, y + 3.5, value, 12)
        y += 19
    c.pair(20, y + 4, "घोषणा", "Declaration", 12)
    lines = ("I declare that the information given above is true to the best of my knowledge.",
             "मैं घोषणा करता हूँ कि ऊपर दी गई जानकारी मेरी जानकारी में सत्य है।")
    c.text(20, y + 13, lines[0], 10)
    c.text(20, y + 20, lines[1], 11, "deva")
    c.draw.line((c.px(130), c.px(y + 48), c.px(190), c.px(y + 48)), fill=INK, width=max(1, c.px(0.3)))
    c.pair(140, y + 50, "हस्ताक्षर", "Signature", 10)
    _signature(c, 135, y + 36)
    return c.image


def _signature(c: Canvas, x_mm: float, y_mm: float) -> None:
    """A handwritten-looking scribble in blue ink."""
    t = np.linspace(0, 1, 400)
    xs = x_mm + 45 * t
    ys = y_mm + 6 + 4 * np.sin(t * 19) * np.exp(-t) + 2 * np.sin(t * 53)
    points = [(c.px(float(a)), c.px(float(b))) for a, b in zip(xs, ys, strict=True)]
    c.draw.line(points, fill=(20, 40, 140), width=max(1, c.px(0.45)))


def portrait(w_px: int, h_px: int, seed: int = 5) -> Image.Image:
    """A synthetic passport-style photo: shaded face, hair, shoulders, soft noise."""
    yy, xx = np.mgrid[0:h_px, 0:w_px].astype(np.float32)
    u, v = xx / w_px - 0.5, yy / h_px
    img = np.empty((h_px, w_px, 3), np.float32)
    img[:] = np.array([205, 220, 235], np.float32) * (1.0 - 0.15 * v[..., None])
    shoulders = (v > 0.78) & (np.abs(u) < 0.48 - (v - 0.78))
    img[shoulders] = (40, 55, 95)
    face = (u / 0.24) ** 2 + ((v - 0.45) / 0.28) ** 2
    hair = ((u / 0.27) ** 2 + ((v - 0.36) / 0.27) ** 2 < 1) & (v < 0.42)
    img[hair] = (30, 24, 22)
    skin = face < 1
    shade = 1.0 - 0.25 * np.clip(face, 0, 1) - 0.12 * u
    img[skin] = np.array([214, 170, 140], np.float32) * shade[skin][:, None]
    for ex in (-0.09, 0.09):
        img[((u - ex) / 0.035) ** 2 + ((v - 0.43) / 0.018) ** 2 < 1] = (45, 30, 25)
    img[(np.abs(u) < 0.06) & (np.abs(v - 0.6) < 0.008)] = (150, 70, 70)
    rng = np.random.default_rng(seed)
    img += rng.normal(0, 5, img.shape).astype(np.float32)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    return out.filter(ImageFilter.GaussianBlur(max(0.6, w_px / 300)))


def id_card_sheet(dpi: int) -> Image.Image:
    """An 85.6 x 54 mm identity card lying at (15, 15) mm on the glass."""
    c = Canvas(dpi, SHEET_MM, LID)
    x, y = CARD_MM[:2]
    c.draw.rounded_rectangle((c.px(x), c.px(y), c.px(x + 85.6), c.px(y + 54)), radius=c.px(3),
                             fill=(250, 250, 245), outline=(150, 150, 150), width=max(1, c.px(0.2)))
    c.draw.rectangle((c.px(x), c.px(y + 3), c.px(x + 85.6), c.px(y + 11)), fill=(255, 153, 51))
    c.text(x + 4, y + 3.0, "राज्य पहचान पत्र", 8, "deva", fill=(255, 255, 255))
    c.text(x + 40, y + 4.4, "STATE IDENTITY CARD", 6.5, "bold", fill=(255, 255, 255))
    photo = portrait(c.px(22), c.px(28))
    c.image.paste(photo, (c.px(x + 4), c.px(y + 15)))
    for i, (label, value) in enumerate((("Name", "SUNITA DEVI"), ("DOB", "01-01-1990"),
                                        ("Gender", "FEMALE"), ("ID", "RJ-0042-7781"))):
        c.text(x + 30, y + 15 + i * 7, f"{label}: {value}", 7.5, "bold" if i == 0 else "latin")
    c.draw.rectangle((c.px(x), c.px(y + 47), c.px(x + 85.6), c.px(y + 51)), fill=(19, 136, 8))
    return c.image


def rotated_sheet(dpi: int, angle: float = ROTATION_DEGREES) -> Image.Image:
    """The form photographed on a dark table: scaled to 90 %, rotated, lit from one side."""
    page = form_sheet(dpi)
    size = (round(page.width * PHOTO_SCALE), round(page.height * PHOTO_SCALE))
    small = page.resize(size, Image.Resampling.BILINEAR)
    turned = small.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    mask = Image.new("L", small.size, 255).rotate(angle, expand=True)
    w, h = page.size
    grain = 70 + 20 * np.sin(np.arange(h, dtype=np.float32) / h * 40)  # wood grain, row by row
    rows = (grain[:, None] * np.array([1.0, 0.72, 0.5], np.float32)).astype(np.uint8)
    out = Image.fromarray(np.ascontiguousarray(np.broadcast_to(rows[:, None, :], (h, w, 3))))
    out.paste(turned, ((w - turned.width) // 2, (h - turned.height) // 2), mask)
    ramp = Image.linear_gradient("L").rotate(90).resize((w, h)).point(lambda v: 255 - round(v * 0.22))
    return ImageChops.multiply(out, Image.merge("RGB", (ramp, ramp, ramp)))


def photo_sheet(dpi: int) -> Image.Image:
    """A 35 x 45 mm passport photo print on the glass."""
    c = Canvas(dpi, SHEET_MM, LID)
    x, y, w, h = PHOTO_MM
    c.image.paste(portrait(c.px(w), c.px(h)), (c.px(x), c.px(y)))
    return c.image


def signature_sheet(dpi: int) -> Image.Image:
    """A slip of white paper with a signature in blue ink, on the glass."""
    c = Canvas(dpi, SHEET_MM, LID)
    x, y, w, h = SIGNATURE_MM
    c.box(x, y, w, h, 0.1, fill=(252, 252, 250), outline=(225, 225, 222))
    _signature(c, x + 15, y + 9)
    return c.image


def thumb_sheet(dpi: int) -> Image.Image:
    """An inked left-thumb impression on white paper: ridges in an oval, on the glass."""
    c = Canvas(dpi, SHEET_MM, LID)
    x, y, w, h = THUMB_MM
    c.box(x, y, w, h, 0.1, fill=(252, 252, 250), outline=(225, 225, 222))
    size = (c.px(18), c.px(24))
    yy, xx = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    u, v = (xx / size[0] - 0.5) * 2, (yy / size[1] - 0.55) * 2
    oval = u**2 + (v * 0.85) ** 2 < 1
    ridges = np.sin(np.sqrt(u**2 * 1.3 + (v + 0.3) ** 2) * 55 + 3 * u * v) > 0.1
    ink = np.where(oval & ridges, 40, 252).astype(np.uint8)
    c.image.paste(Image.fromarray(np.stack([ink, ink, ink + (252 - ink) // 3], axis=-1)),
                  (c.px(x + 11), c.px(y + 8)))
    return c.image


SHEETS: dict[str, Callable[[int], Image.Image]] = {
    "blank": lambda dpi: Canvas(dpi, SHEET_MM, PAPER).image,
    "form": form_sheet,
    "id_card": id_card_sheet,
    "rotated": rotated_sheet,
    "photo": photo_sheet,
    "signature": signature_sheet,
    "thumb": thumb_sheet,
}


def with_sensor_noise(image: Image.Image, seed: int) -> Image.Image:
    """Add a scanner's faint noise (a tiled pattern: cheap, and not perfectly flat paper)."""
    rng = np.random.default_rng(seed)
    tile = rng.normal(0, 2.2, (251, 257, 1)).round().astype(np.int16)
    arr = np.asarray(image, np.int16)
    reps = (-(-arr.shape[0] // 251), -(-arr.shape[1] // 257), 1)
    arr = arr + np.tile(tile, reps)[: arr.shape[0], : arr.shape[1]]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


@functools.lru_cache(maxsize=6)
def sheet(kind: str, dpi: int) -> Image.Image:
    """Sheet ``kind`` at ``dpi`` in colour, without noise (cached: drawn once per resolution)."""
    return SHEETS[kind](dpi)
