"""Portal-ready files from scanned pages: PDF (PDF/A), JPEG, PNG within a size window.

Pure functions, bytes in and bytes out::

    from hubd.classes.scanner.output import OutputSpec, OutputFormat, render, resolve
    result = render(pages, resolve("passport_photo"))          # a named preset
    result = render(pages, OutputSpec(OutputFormat.PDF, max_kb=200, dpi=300))
    result.data, result.dpi, result.quality, result.attempts
"""

from hubd.classes.scanner.output.fit import render
from hubd.classes.scanner.output.presets import PRESETS, resolve
from hubd.classes.scanner.output.spec import DEFAULT_MIN_DPI, Fit, OutputFile, OutputFormat, OutputSpec

__all__ = [
    "DEFAULT_MIN_DPI", "PRESETS", "Fit", "OutputFile", "OutputFormat", "OutputSpec", "render", "resolve",
]
