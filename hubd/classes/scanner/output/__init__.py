"""Portal-ready files from scanned pages: PDF (PDF/A), JPEG, PNG within a size window.

Pure functions, bytes in and bytes out::

    from hubd.classes.scanner.output import OutputSpec, OutputFormat, render, resolve
    result = render(pages, resolve("passport_photo"))          # a named preset
    result = render(pages, OutputSpec(OutputFormat.PDF, max_kb=200, dpi=300))
    result.data, result.dpi, result.quality, result.attempts

    # a picture from elsewhere (a camera's flattened page): numpy (H x W [x 3]) or Pillow
    result = render_image(page_pixels, "proof_pdf", dpi=200, bgr=True)

Specs and presets import light; Pillow, numpy, img2pdf and pikepdf load on the first ``render``
(the daemon's idle footprint stays small).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from hubd.classes.scanner.output.presets import PRESETS, resolve, with_overrides
from hubd.classes.scanner.output.spec import DEFAULT_MIN_DPI, Fit, OutputFile, OutputFormat, OutputSpec
from hubd.classes.scanner.values import ScannedPage

__all__ = [
    "DEFAULT_MIN_DPI", "PRESETS", "Fit", "OutputFile", "OutputFormat", "OutputSpec", "render", "render_image",
    "resolve", "with_overrides",
]


def render(pages: Sequence[ScannedPage], spec: OutputSpec, *, title: str = "",
           created: datetime | None = None) -> OutputFile:
    """The file ``spec`` asks for, from scanned ``pages`` (see ``fit.render``)."""
    from hubd.classes.scanner.output import fit  # noqa: PLC0415 - Pillow and numpy on first use

    return fit.render(pages, spec, title=title, created=created)


def render_image(image: Any, spec: OutputSpec | str, *, dpi: int, bgr: bool = False,
                 presets: Mapping[str, OutputSpec] = PRESETS, title: str = "") -> OutputFile:
    """One picture (a Pillow image, or a numpy array H x W gray or H x W x 3) as the file ``spec``
    asks for (an ``OutputSpec``, or a preset's name), within its size window: the same search,
    crop, deskew and encoders as a scan. ``dpi`` is what the picture's pixels cover (a page
    flattened to 2480 px across an A4 width is 300 dpi); ``bgr`` says a numpy array's channels
    are in OpenCV's order. INVALID_ARGUMENT for a bad picture or spec; FAILED_PRECONDITION
    SIZE_LIMIT_UNREACHABLE when even the lowest resolution and quality allowed is too big."""
    from hubd.classes.scanner.output import imaging  # noqa: PLC0415 - Pillow and numpy on first use

    chosen = resolve(spec, presets=presets) if isinstance(spec, str) else spec
    return render([imaging.page_of(image, dpi, bgr=bgr)], chosen, title=title)
