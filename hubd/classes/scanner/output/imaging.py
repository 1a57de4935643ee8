"""Page pixels: decode a scanned page, straighten it, crop it to the page, change its colour,
resample it. Pure functions on Pillow images (numpy for the measurements).

Deskew measures the angle by the classic projection profile: dark pixels of the page's inside
are summed per row for trial rotations; text lines and ruled boxes give the sharpest profile
when level. Autocrop finds what differs from the background seen at the image's border (a dark
lid or table, or blank paper) and keeps that box plus a small margin.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

from hubd.classes.scanner.output.spec import Fit
from hubd.classes.scanner.values import ColorMode, PageFormat, ScannedPage
from hubd.errors import InvalidArgument

WHITE: dict[str, int | tuple[int, int, int]] = {"L": 255, "RGB": (255, 255, 255)}
MAX_SKEW = 6.0
"""Degrees: a page more crooked than this is left alone (it was meant to be, or it is no page)."""
MIN_SKEW = 0.15
"""Degrees: less than this is not worth resampling for."""


def decode(page: ScannedPage) -> Image.Image:
    """The page as an ``L`` or ``RGB`` image (a page whose bytes do not decode is INVALID_ARGUMENT)."""
    if page.format is PageFormat.RAW:
        mode = "RGB" if page.color_mode.channels == 3 else "L"
        return Image.frombytes(mode, (page.width_px, page.height_px), page.data)
    try:
        image = Image.open(io.BytesIO(page.data))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        raise InvalidArgument("pages", f"page {page.number} does not decode: {err}") from err
    if image.mode in ("L", "RGB"):
        return image
    return image.convert("L" if image.mode in ("1", "LA", "I;16") else "RGB")


def page_of(image: object, dpi: int, *, bgr: bool = False) -> ScannedPage:
    """A picture from elsewhere (a Pillow image, or a numpy array: H x W gray, H x W x 3 colour,
    ``bgr`` for OpenCV's channel order) as a RAW scanned page at ``dpi``."""
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
            got = f"{image.dtype} {image.shape}"
            raise InvalidArgument("image", f"must be uint8 H x W or H x W x 3, got {got}")
        image = Image.fromarray(np.ascontiguousarray(image[..., ::-1] if bgr and image.ndim == 3 else image))
    if not isinstance(image, Image.Image):
        raise InvalidArgument("image", f"must be a Pillow image or a numpy array, got {type(image).__name__}")
    if image.mode not in ("L", "RGB"):
        image = image.convert("L" if image.mode in ("1", "LA", "I;16", "I", "F") else "RGB")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= 2400:
        raise InvalidArgument("dpi", f"must be 10..2400, got {dpi!r:.20}")
    mode = ColorMode.COLOR if image.mode == "RGB" else ColorMode.GRAY
    return ScannedPage(1, image.tobytes(), PageFormat.RAW, image.width, image.height, dpi, mode)


def to_mode(image: Image.Image, mode: ColorMode) -> Image.Image:
    """Colour for COLOR, luminance for GRAY and BLACK_WHITE (thresholded at encoding time)."""
    want = "RGB" if mode is ColorMode.COLOR else "L"
    return image if image.mode == want else image.convert(want)


def otsu(gray: Image.Image) -> int:
    """Otsu's threshold of a gray image (the level that best splits ink from paper)."""
    hist = np.asarray(gray.histogram()[:256], dtype=np.float64)
    total = hist.sum() or 1.0
    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(hist) / total
    mean = np.cumsum(hist * levels) / total
    between = (mean[-1] * weight - mean) ** 2 / np.maximum(weight * (1 - weight), 1e-12)
    return int(np.argmax(between))


def binarize(gray: Image.Image, threshold: int) -> Image.Image:
    """Black and white (mode ``1``) at ``threshold``."""
    return gray.point(lambda v: 255 if v > threshold else 0, mode="1")


def _small(image: Image.Image, longest: int) -> tuple[Image.Image, float]:
    """A gray thumbnail with its longest side about ``longest`` px, and its scale factor."""
    scale = min(1.0, longest / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.convert("L").resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0), scale


def skew_angle(image: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that levels the page's lines; 0 if unclear."""
    small, _ = _small(image, 900)
    w, h = small.size
    inner = small.crop((w // 6, h // 6, w - w // 6, h - h // 6))
    if min(inner.size) < 40:
        return 0.0
    ink = inner.point(lambda v: 255 if v < otsu(inner) else 0)

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.BILINEAR), dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    fine = max(np.arange(coarse - 0.5, coarse + 0.51, 0.1), key=sharpness)
    base = sharpness(0.0)
    return float(fine) if sharpness(float(fine)) > base * 1.02 and abs(fine) <= MAX_SKEW else 0.0


def background(image: Image.Image) -> int | tuple[int, ...]:
    """The colour around the page: the median of the image's outermost pixels."""
    arr = np.asarray(image.resize((64, 64), Image.Resampling.BILINEAR))
    frame = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    med = np.median(frame, axis=0)
    return int(med) if image.mode == "L" else tuple(int(v) for v in med)


def deskew(image: Image.Image) -> Image.Image:
    """The page rotated level (unchanged when it already is, or the angle is unclear)."""
    angle = skew_angle(image)
    if abs(angle) < MIN_SKEW:
        return image
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=background(image))


def _span(profile: np.ndarray, threshold: float, gap: int) -> tuple[int, int] | None:
    """The longest run of ``profile > threshold`` (runs closer than ``gap`` joined)."""
    idx = np.nonzero(profile > threshold)[0]
    if idx.size == 0:
        return None
    breaks = np.nonzero(np.diff(idx) > gap)[0]
    starts = np.concatenate([idx[:1], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], idx[-1:]]) + 1
    k = int(np.argmax(ends - starts))
    return int(starts[k]), int(ends[k])


def crop_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box of the page, with a 1 % margin; None when that is (nearly) the whole image.

    On a dark background (lid, table) the page is the widest stretch of rows and columns that
    are mostly brighter than it; on light paper it is the stretch holding what differs from the
    paper (the content).
    """
    small, scale = _small(image, 800)
    arr = np.asarray(small, dtype=np.int16)
    bg = int(background(small))  # type: ignore[arg-type]
    dark = bg < 128
    mask = (arr - bg > 40) if dark else (np.abs(arr - bg) > 40)
    threshold, gap = (0.5, 2) if dark else (0.01, max(2, max(arr.shape) // 30))
    rows, cols = _span(mask.mean(axis=1), threshold, gap), _span(mask.mean(axis=0), threshold, gap)
    if rows is None or cols is None:
        return None
    margin = round(0.01 * max(arr.shape))
    top, bottom = max(0, rows[0] - margin), min(arr.shape[0], rows[1] + margin)
    left, right = max(0, cols[0] - margin), min(arr.shape[1], cols[1] + margin)
    if (bottom - top) * (right - left) > 0.97 * arr.size:
        return None
    return (math.floor(left / scale), math.floor(top / scale),
            min(image.width, math.ceil(right / scale)), min(image.height, math.ceil(bottom / scale)))


def autocrop(image: Image.Image) -> Image.Image:
    """The image cut to the page (or to the content on blank paper)."""
    box = crop_box(image)
    return image if box is None else image.crop(box)


def fit_pixels(image: Image.Image, width: int, height: int, fit: Fit) -> Image.Image:
    """Exactly ``width`` x ``height``: cut to the aspect ratio (CROP) or pad with white (PAD)."""
    if fit is Fit.CROP:
        aspect = width / height
        if image.width / image.height > aspect:
            new_w = round(image.height * aspect)
            box = ((image.width - new_w) // 2, 0, (image.width - new_w) // 2 + new_w, image.height)
        else:
            new_h = round(image.width / aspect)
            box = (0, (image.height - new_h) // 2, image.width, (image.height - new_h) // 2 + new_h)
        return image.resize((width, height), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    scale = min(width / image.width, height / image.height)
    inner = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                         Image.Resampling.LANCZOS, reducing_gap=3.0)
    canvas = Image.new(image.mode, (width, height), WHITE[image.mode])
    canvas.paste(inner, ((width - inner.width) // 2, (height - inner.height) // 2))
    return canvas


def scaled_size(size: tuple[int, int], factor: float) -> tuple[int, int]:
    """Pixel dimensions after resampling by ``factor``."""
    return max(1, round(size[0] * factor)), max(1, round(size[1] * factor))


def scaled(image: Image.Image, factor: float) -> Image.Image:
    """The image resampled by ``factor`` (1.0: itself)."""
    if abs(factor - 1.0) < 1e-6:
        return image
    return image.resize(scaled_size(image.size, factor), Image.Resampling.LANCZOS, reducing_gap=3.0)
