"""What the camera hands to a portal: applicant photos cut around the face, and flattened pages,
made into upload files by the scanner class's portal-ready output (``hubd.classes.scanner.output``).

There is one table of portal presets (pixel size, KB window, dpi, format) for the whole hub: the
scanner's. This module only decides where to cut and what a camera picture's resolution is: a
photo preset (fixed pixels, JPEG, cut to fill) is cut around the applicant's face at the preset's
aspect, and the crop goes through the scanner's search for the best quality within the KB window
(padding up to the minimum); a flattened page goes through it as a page scanned at the page's
resolution. Sizes follow the scanner's reading of a portal's KB: at most ``max_kb`` x 1000 bytes
and at least ``min_kb`` x 1024 bytes (whichever way the portal counts, the file fits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hubd.classes.camera.captures import Box
from hubd.classes.camera.contract import Pixels
from hubd.classes.scanner.contract import ColorMode, PageFormat, ScannedPage
from hubd.classes.scanner.output import PRESETS, Fit, OutputFile, OutputFormat, OutputSpec, render, resolve
from hubd.errors import InvalidArgument

PASSPORT_ASPECT = 45 / 35
"""Height / width of a 35 × 45 mm passport photo."""
PASSPORT_HEIGHT_MM = 45.0
FACE_SHARE = 0.42
"""The face box's share of the crop's height in a photo crop (head and shoulders)."""
FACE_LEVEL = 0.5
"""Where the face box's centre sits, as a fraction of the crop's height from the top."""
DEFAULT_PHOTO_PRESET = "passport_photo"
A4_WIDTH_MM = 210.0
MM_PER_INCH = 25.4
__all__ = ["OutputFile", "OutputFormat", "OutputSpec", "document_spec", "fit_page", "fit_photo",
           "passport_crop", "photo_preset", "photo_presets"]
"""The scanner's output types the camera class uses come from here: this module is its one door
into the scanner class (``hubd.classes.scanner.output``)."""
_PICTURE_ONLY = {"autocrop": False, "deskew": False}
"""A camera's crop or flattened page is already the picture: no scanner-glass cropping or deskew."""


def is_photo_preset(spec: OutputSpec) -> bool:
    """True for a preset of a person's photo: exact pixels, colour JPEG, cut to fill (not padded)."""
    return (spec.format is OutputFormat.JPEG and spec.fixed_pixels and spec.fit is Fit.CROP
            and spec.color_mode is ColorMode.COLOR)


def photo_presets() -> list[str]:
    """Names of the portal presets an applicant photo can be cut to."""
    return sorted(name for name, spec in PRESETS.items() if is_photo_preset(spec))


def photo_preset(name: str, field: str = "preset") -> OutputSpec:
    """The photo preset ``name`` (``DEFAULT_PHOTO_PRESET`` when empty), ready for a camera crop;
    INVALID_ARGUMENT naming ``field`` when it is unknown or not a photo preset."""
    name = name or DEFAULT_PHOTO_PRESET
    if name not in PRESETS or not is_photo_preset(PRESETS[name]):
        raise InvalidArgument(field, f"{name[:40]!r} is not a photo preset (photo presets: "
                              f"{', '.join(photo_presets())})")
    return resolve(name, _PICTURE_ONLY)


def document_spec(preset: str, overrides: Mapping[str, Any]) -> OutputSpec:
    """The output for a flattened page: the named preset (or a colour PDF with no cap) with
    ``overrides`` (OutputSpec fields) applied and checked; INVALID_ARGUMENT names the field."""
    if preset:
        return resolve(preset, {**_PICTURE_ONLY, **overrides})
    return OutputSpec(**{"color_mode": ColorMode.COLOR, **overrides}).check()


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


def scanned_page(pixels: Pixels, dpi: int) -> ScannedPage:
    """BGR pixels as the scanner's output takes a page: raw RGB samples at ``dpi``."""
    import numpy as np

    rgb = np.ascontiguousarray(pixels[:, :, ::-1])
    height, width = rgb.shape[:2]
    return ScannedPage(1, rgb.tobytes(), PageFormat.RAW, width, height, max(1, dpi), ColorMode.COLOR)


def fit_photo(image: Pixels, spec: OutputSpec, face: Box | None) -> OutputFile:
    """The upload file of photo preset ``spec`` (``photo_preset``): ``image`` cut around ``face``
    at the preset's aspect, taken as a 45 mm high photo for its resolution, then sized and
    encoded by the scanner's output within the KB window."""
    assert spec.width_px is not None and spec.height_px is not None
    x, y, w, h = crop_box(image.shape[1], image.shape[0], spec.height_px / spec.width_px, face)
    dpi = round(h * MM_PER_INCH / PASSPORT_HEIGHT_MM)
    return render([scanned_page(image[y : y + h, x : x + w], dpi)], spec)


def page_width_px(dpi: int) -> int:
    """Width in pixels of an A4 page (210 mm) at ``dpi``."""
    return round(A4_WIDTH_MM / MM_PER_INCH * dpi)


def fit_page(pixels: Pixels, dpi: int, spec: OutputSpec, title: str = "") -> OutputFile:
    """A flattened page (BGR, taken as ``dpi``) as the file ``spec`` asks for."""
    return render([scanned_page(pixels, dpi)], spec, title=title)
