"""Passport-proportion crops and the portals' named upload presets (pixel size and a KB window).

Portals take an applicant photo, a signature or a thumb impression only at a given pixel size and
within a file-size window (e.g. 200×230 px, 20–50 KB). ``PRESETS`` is that table, as data; the
scanner's portal-ready output uses the same names. ``fit_preset`` scales and crops an image to a
preset and encodes it as JPEG at the best quality that fits under the maximum; when even the best
quality stays under the minimum (a small, plain signature) the JPEG is padded with a comment
segment (ITU T.81 B.2.4.5, ignored by every decoder), as portals check only the file size.
KB here is 1024 bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from hubd.classes.camera.contract import Box, Pixels
from hubd.errors import InvalidArgument, ResourceExhausted

PASSPORT_ASPECT = 45 / 35
"""Height / width of a 35 × 45 mm passport photo."""
FACE_SHARE = 0.42
"""The face box's share of the crop's height in a passport crop (head and shoulders)."""
FACE_LEVEL = 0.5
"""Where the face box's centre sits, as a fraction of the crop's height from the top."""
KB = 1024


@dataclass(frozen=True)
class PortalPreset:
    """A portal's upload format: exact pixel size, a file-size window in KB, optional dpi."""

    name: str
    width: int
    height: int
    min_kb: float
    max_kb: float
    dpi: int | None = None
    face: bool = True
    """Cropped around the applicant's face (photos) or from the middle (signature, thumb)."""
    description: str = ""


PRESETS: dict[str, PortalPreset] = {
    p.name: p
    for p in (
        PortalPreset("passport_photo", 200, 230, 20, 50, description="applicant photo, 200×230 px, 20–50 KB"),
        PortalPreset("signature", 140, 60, 10, 20, face=False, description="signature, 140×60 px, 10–20 KB"),
        PortalPreset("thumb", 240, 240, 20, 50, dpi=200, face=False,
                     description="thumb impression, 240×240 px at 200 dpi, 20–50 KB"),
        PortalPreset("photo_213", 213, 213, 0, 30, description="square photo, 213×213 px, under 30 KB"),
    )
}


def preset(name: str, field: str = "preset") -> PortalPreset:
    """The preset called ``name``; INVALID_ARGUMENT naming ``field`` and the known names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise InvalidArgument(field, f"unknown preset {name[:40]!r} (known: {known})") from None


def crop_box(width: int, height: int, aspect: float, face: Box | None) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the largest useful crop of ``aspect`` (height/width) in a width×height
    image: around ``face`` (its box ``FACE_SHARE`` of the crop high, centred, at ``FACE_LEVEL``),
    or in the middle; shifted, then shrunk, to stay inside the image."""
    if face is None:
        w = min(width, height / aspect)
        h = w * aspect
        return round((width - w) / 2), round((height - h) / 2), round(w), round(h)
    h = min(face.height / FACE_SHARE, height, width * aspect)
    w = h / aspect
    cx, cy = face.centre
    x = min(max(0.0, cx - w / 2), width - w)
    y = min(max(0.0, cy - FACE_LEVEL * h), height - h)
    return round(x), round(y), round(w), round(h)


def passport_crop(image: Pixels, face: Box | None) -> Pixels:
    """The image cropped to 35:45 passport proportions around ``face`` (or the middle)."""
    x, y, w, h = crop_box(image.shape[1], image.shape[0], PASSPORT_ASPECT, face)
    out: Pixels = image[y : y + h, x : x + w]
    return out


def _jpeg(rgb: object, quality: int, subsampling: int, dpi: int | None) -> bytes:
    from PIL import Image

    assert isinstance(rgb, Image.Image)
    buf = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    rgb.save(buf, "JPEG", quality=quality, subsampling=subsampling, optimize=True, **extra)
    return buf.getvalue()


def pad_jpeg(data: bytes, size: int) -> bytes:
    """``data`` grown to ``size`` bytes with COM (0xFFFE) segments right after SOI."""
    missing = size - len(data)
    segments = bytearray()
    while missing > 0:
        body = min(65533, max(missing - 4, 0))
        segments += b"\xff\xfe" + (body + 2).to_bytes(2, "big") + b"\x00" * body
        missing -= body + 4
    return data[:2] + bytes(segments) + data[2:]


def fit_preset(image: Pixels, p: PortalPreset, face: Box | None = None) -> bytes:
    """A JPEG of ``image`` for preset ``p``: cropped (around ``face`` for photo presets), scaled to
    the exact size, the best quality within ``p.max_kb``, padded up to ``p.min_kb``."""
    import cv2
    from PIL import Image

    x, y, w, h = crop_box(image.shape[1], image.shape[0], p.height / p.width, face if p.face else None)
    crop = cv2.resize(image[y : y + h, x : x + w], (p.width, p.height), interpolation=cv2.INTER_AREA)
    rgb = Image.fromarray(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
    limit = int(p.max_kb * KB)
    best: bytes | None = None
    for subsampling, qualities in ((2, range(95, 4, -5)), (0, range(100, 95, -1))):
        for quality in qualities:  # from the best down: the first that fits is the one
            data = _jpeg(rgb, quality, subsampling, p.dpi)
            if len(data) <= limit:
                if best is None or len(data) > len(best):
                    best = data
                break
    if best is None:
        raise ResourceExhausted(f"{p.name}: the picture does not fit in {p.max_kb:g} KB even at the lowest "
                                "quality", reason="SIZE_CAP_EXCEEDED")
    floor = int(p.min_kb * KB)
    return pad_jpeg(best, floor) if len(best) < floor else best
