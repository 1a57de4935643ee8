"""Portal-ready files from scanned pages: PDF (PDF/A), JPEG, PNG within a size window.

Pure functions, bytes in and bytes out::

    from hubd.classes.scanner.output import OutputSpec, OutputFormat, render, resolve
    result = render(pages, resolve("passport_photo"))          # a named preset
    result = render(pages, OutputSpec(OutputFormat.PDF, max_kb=200, dpi=300))
    result.data, result.dpi, result.quality, result.attempts

Specs and presets import light; Pillow, numpy, img2pdf and pikepdf load on the first ``render``
(the daemon's idle footprint stays small).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hubd.classes.scanner.output.presets import PRESETS, resolve
from hubd.classes.scanner.output.spec import DEFAULT_MIN_DPI, Fit, OutputFile, OutputFormat, OutputSpec
from hubd.classes.scanner.values import ScannedPage

__all__ = [
    "DEFAULT_MIN_DPI", "PRESETS", "Fit", "OutputFile", "OutputFormat", "OutputSpec", "render", "resolve",
]


def render(pages: Sequence[ScannedPage], spec: OutputSpec, *, title: str = "",
           created: datetime | None = None) -> OutputFile:
    """The file ``spec`` asks for, from scanned ``pages`` (see ``fit.render``)."""
    from hubd.classes.scanner.output import fit  # noqa: PLC0415 - Pillow and numpy on first use

    return fit.render(pages, spec, title=title, created=created)
