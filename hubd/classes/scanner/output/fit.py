"""Make a portal-ready file within a size window: a search over resolution and JPEG quality.

The search prefers resolution over quality for text: it looks for the highest resolution at
which a moderate quality (``PREFERRED_QUALITY``) fits, jumping down by the measured ratio
(file size goes roughly with pixel count), then raises the quality as far as the cap allows by
bisection. Only at the lowest resolution allowed does it go below the preferred quality, down
to the spec's ``min_quality``; if even that is too big the request is refused naming the limit.
A file still under ``min_kb`` at the best quality allowed is padded (a JPEG comment, a PNG
private chunk: decoders skip both).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from hubd.classes.scanner.output import encode, imaging
from hubd.classes.scanner.output.spec import Fit, OutputFile, OutputFormat, OutputSpec
from hubd.classes.scanner.values import ColorMode, PageFormat, ScannedPage
from hubd.errors import FailedPrecondition, InvalidArgument

log = logging.getLogger(__name__)

PREFERRED_QUALITY = 55
LEVEL_STEP = 0.85
"""Each resolution level is 85 % of the previous one (about 72 % of the pixels)."""
MAX_PAGES = 200


@dataclass(frozen=True)
class Prepared:
    """Pages after straightening, cropping and colour, at the spec's starting resolution."""

    images: list[Image.Image]
    dpi: int
    color_mode: ColorMode
    threshold: int


@dataclass
class Trial:
    """One encoding tried by the search."""

    scale: float
    quality: int
    data: bytes


def render(pages: Sequence[ScannedPage], spec: OutputSpec, *, title: str = "",
           created: datetime | None = None) -> OutputFile:
    """The file ``spec`` asks for, from scanned ``pages`` (bytes in, bytes out; no I/O).

    INVALID_ARGUMENT for an inconsistent spec or page set; FAILED_PRECONDITION
    (reason SIZE_LIMIT_UNREACHABLE / SIZE_MINIMUM_UNREACHABLE) when the window cannot be met.
    """
    spec.check()
    if not pages:
        raise InvalidArgument("pages", "no pages to make a file of")
    if len(pages) > MAX_PAGES:
        raise InvalidArgument("pages", f"at most {MAX_PAGES} pages per file")
    if spec.format is not OutputFormat.PDF and len(pages) > 1:
        raise InvalidArgument("format", f"a {spec.format.name} file holds one page; ask for PDF")
    passed = _passthrough(pages, spec, title, created)
    if passed is not None:
        return passed
    prep = prepare(pages, spec)
    build = _builder(prep, spec, title, created)
    trial, attempts = search(build, spec, prep)
    return _finish(trial, attempts, prep, spec)


def prepare(pages: Sequence[ScannedPage], spec: OutputSpec) -> Prepared:
    """Decode, deskew, autocrop, convert colour and bring to the starting resolution."""
    mode = spec.color_mode or pages[0].color_mode
    dpi = spec.dpi or min(p.dpi for p in pages)
    images: list[Image.Image] = []
    for page in pages:
        image = imaging.to_mode(imaging.decode(page), mode)
        if spec.deskew:
            image = imaging.deskew(image)
        if spec.autocrop:
            image = imaging.autocrop(image)
        if spec.width_px is not None and spec.height_px is not None:
            ratios = (spec.width_px / image.width, spec.height_px / image.height)
            scale = max(ratios) if spec.fit is Fit.CROP else min(ratios)
            dpi = spec.dpi or max(1, round(page.dpi * scale))  # what the pixels cover, if not given
            image = imaging.fit_pixels(image, spec.width_px, spec.height_px, spec.fit)
        else:
            image = imaging.scaled(image, dpi / page.dpi)
        images.append(image)
    threshold = imaging.otsu(images[0]) if mode is ColorMode.BLACK_WHITE else 128
    return Prepared(images, dpi, mode, threshold)


def _builder(prep: Prepared, spec: OutputSpec, title: str,
             created: datetime | None) -> Callable[[float, int], bytes]:
    """``build(scale, quality)`` → the whole file at that resolution factor and JPEG quality."""
    cache: dict[float, list[Image.Image]] = {}

    def images_at(scale: float) -> list[Image.Image]:
        if scale not in cache:
            cache.clear()  # one level at a time keeps memory to two copies of the pages
            cache[scale] = [imaging.scaled(img, scale) for img in prep.images]
        return cache[scale]

    def build(scale: float, quality: int) -> bytes:
        dpi = max(1, round(prep.dpi * scale))
        parts: list[bytes] = []
        for img in images_at(scale):
            if prep.color_mode is ColorMode.BLACK_WHITE:
                img = imaging.binarize(img, prep.threshold)
            if spec.format is OutputFormat.PNG:
                parts.append(encode.png(img, dpi))
            elif spec.format is OutputFormat.PDF and prep.color_mode is ColorMode.BLACK_WHITE:
                parts.append(encode.g4_tiff(img, dpi))
            else:
                parts.append(encode.jpeg(img, quality, dpi))
        if spec.format is OutputFormat.PDF:
            return encode.pdf(parts, pdfa=spec.pdfa, title=title, created=created)
        return parts[0]

    return build


def lossy(spec: OutputSpec, mode: ColorMode) -> bool:
    """True when JPEG quality is a knob (JPEG files, and PDFs of gray or colour pages)."""
    if spec.format is OutputFormat.PNG:
        return False
    return not (spec.format is OutputFormat.PDF and mode is ColorMode.BLACK_WHITE)


def levels(spec: OutputSpec, dpi: int) -> list[float]:
    """Resolution factors to try, from 1.0 down to the spec's floor."""
    if spec.fixed_pixels:
        return [1.0]
    floor = spec.floor_dpi(dpi) / dpi
    out = [1.0]
    while out[-1] * LEVEL_STEP > floor + 1e-9:
        out.append(out[-1] * LEVEL_STEP)
    if out[-1] > floor + 1e-9:
        out.append(floor)
    return out


def search(build: Callable[[float, int], bytes], spec: OutputSpec, prep: Prepared) -> tuple[Trial, int]:
    """The best trial within ``spec.max_bytes`` (highest resolution, then highest quality)."""
    limit = spec.max_bytes
    q_hi = spec.max_quality
    attempts = 0

    def trial(scale: float, quality: int) -> Trial:
        nonlocal attempts
        attempts += 1
        return Trial(scale, quality, build(scale, quality))

    if limit is None:
        return trial(1.0, q_hi), attempts
    knob = lossy(spec, prep.color_mode)
    q_pref = min(q_hi, max(spec.min_quality, PREFERRED_QUALITY)) if knob else q_hi
    steps = levels(spec, prep.dpi)
    i = 0
    while True:
        t = trial(steps[i], q_pref)
        if len(t.data) <= limit:
            return (_raise_quality(trial, t, q_hi, limit) if knob else t), attempts
        if i == len(steps) - 1:
            break
        wanted = steps[i] * math.sqrt(limit / len(t.data)) * 0.98  # size goes with pixel count
        i = max(i + 1, next((k for k, s in enumerate(steps) if s <= wanted), len(steps) - 1))
    lowest = trial(steps[-1], spec.min_quality) if knob else None
    if lowest is not None and len(lowest.data) <= limit:
        return _bisect(trial, lowest, spec.min_quality + 1, q_pref - 1, limit), attempts
    smallest = len((lowest or t).data)
    floor_dpi = round(prep.dpi * steps[-1])
    raise FailedPrecondition(
        f"cannot fit {spec.format.name} under {spec.max_kb:g} KB: the smallest acceptable version "
        f"({floor_dpi} dpi" + (f", JPEG quality {spec.min_quality}" if knob else "")
        + f") is {smallest / 1000:.0f} KB; raise the cap, or let the preset go lower (min_dpi, min_quality)",
        reason="SIZE_LIMIT_UNREACHABLE",
        metadata={"maxKb": f"{spec.max_kb:g}", "smallestKb": f"{smallest / 1000:.1f}",
                  "minDpi": str(floor_dpi), **({"minQuality": str(spec.min_quality)} if knob else {})},
    )


def _raise_quality(trial: Callable[[float, int], Trial], fits: Trial, q_hi: int, limit: int) -> Trial:
    """From a fitting trial, the highest quality (up to ``q_hi``) still within ``limit``."""
    top = trial(fits.scale, q_hi) if q_hi > fits.quality else fits
    if len(top.data) <= limit:
        return top
    return _bisect(trial, fits, fits.quality + 1, q_hi - 1, limit)


def _bisect(trial: Callable[[float, int], Trial], best: Trial, low: int, high: int, limit: int) -> Trial:
    """Bisection on quality in [low, high] above the fitting ``best``."""
    while low <= high:
        mid = (low + high) // 2
        t = trial(best.scale, mid)
        if len(t.data) <= limit:
            best, low = t, mid + 1
        else:
            high = mid - 1
    return best


def _finish(chosen: Trial, attempts: int, prep: Prepared, spec: OutputSpec) -> OutputFile:
    """Meet ``min_kb`` by padding (the search already took the best quality the cap allows),
    and describe the result."""
    data, padded = chosen.data, 0
    if len(data) < spec.min_bytes:
        if spec.format is OutputFormat.PDF:
            raise FailedPrecondition(
                f"the PDF is {len(data) / 1000:.0f} KB, under the {spec.min_kb:g} KB minimum",
                reason="SIZE_MINIMUM_UNREACHABLE", metadata={"minKb": f"{spec.min_kb:g}"},
            )
        pad = encode.pad_jpeg if spec.format is OutputFormat.JPEG else encode.pad_png
        data = pad(data, spec.min_bytes - len(data))
        padded = len(data) - len(chosen.data)
    width, height = imaging.scaled_size(prep.images[0].size, chosen.scale)
    return OutputFile(
        data=data, format=spec.format, pages=len(prep.images), width_px=width, height_px=height,
        dpi=max(1, round(prep.dpi * chosen.scale)), color_mode=prep.color_mode,
        quality=chosen.quality if lossy(spec, prep.color_mode) else None, attempts=attempts,
        padded_bytes=padded,
    )


def _passthrough(pages: Sequence[ScannedPage], spec: OutputSpec, title: str,
                 created: datetime | None) -> OutputFile | None:
    """JPEG pages that already suit the spec go into the PDF as they are (no re-encoding)."""
    if (spec.format is not OutputFormat.PDF or spec.deskew or spec.autocrop or spec.fixed_pixels
            or any(p.format is not PageFormat.JPEG for p in pages)
            or any(spec.color_mode not in (None, p.color_mode) for p in pages)
            or any(spec.dpi not in (None, p.dpi) for p in pages)
            or pages[0].color_mode is ColorMode.BLACK_WHITE):
        return None
    data = encode.pdf([p.data for p in pages], pdfa=spec.pdfa, title=title, created=created)
    if not spec.min_bytes <= len(data) <= (spec.max_bytes or len(data)):
        return None
    first = pages[0]
    return OutputFile(data, spec.format, len(pages), first.width_px, first.height_px, first.dpi,
                      first.color_mode, None, 1)
