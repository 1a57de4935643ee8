"""What a portal wants: ``OutputSpec`` (format, size window, resolution, pixels, colour) and what
was made: ``OutputFile``.

Sizes are kilobytes as portals state them. A portal's check may count 1000 or 1024 bytes to the
KB, so the hub takes the stricter reading of each bound: at most ``max_kb * 1000`` bytes and at
least ``min_kb * 1024`` bytes.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from hubd.classes.scanner.values import ColorMode
from hubd.errors import InvalidArgument


class OutputFormat(enum.Enum):
    """The file a portal takes."""

    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"

    @property
    def extension(self) -> str:
        """The usual file name extension."""
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[self.value]

    @classmethod
    def from_filename(cls, name: str) -> OutputFormat:
        """The format a file name's extension names (.pdf, .jpg/.jpeg, .png)."""
        ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
        found = {"pdf": cls.PDF, "jpg": cls.JPEG, "jpeg": cls.JPEG, "png": cls.PNG}.get(ext)
        if found is None:
            raise InvalidArgument("output", f"no format known for {name[-40:]!r} (use .pdf, .jpg, .png)")
        return found


class Fit(enum.Enum):
    """How a page reaches exact pixel dimensions: cut to the aspect ratio, or pad with white."""

    CROP = "crop"
    PAD = "pad"


DEFAULT_MIN_DPI = 100
"""How low the size search may take the resolution unless the spec says (text stays readable)."""


@dataclass(frozen=True)
class OutputSpec:
    """A portal's requirements for one upload (a preset, or options from the operator)."""

    format: OutputFormat = OutputFormat.PDF
    max_kb: float | None = None
    min_kb: float | None = None
    dpi: int | None = None
    """Resolution of the output (pages are resampled); None keeps the scan's."""
    min_dpi: int | None = None
    """The lowest resolution the size search may use; None: ``DEFAULT_MIN_DPI`` (or ``dpi`` if lower)."""
    width_px: int | None = None
    height_px: int | None = None
    fit: Fit = Fit.CROP
    color_mode: ColorMode | None = None
    """None keeps the scan's colour."""
    pdfa: bool = False
    autocrop: bool = False
    deskew: bool = False
    min_quality: int = 20
    """The lowest JPEG quality acceptable; below it the hub refuses rather than send mush."""
    max_quality: int = 92
    description: str = field(default="", compare=False)

    @property
    def max_bytes(self) -> int | None:
        """The upper bound in bytes (1000 bytes to the KB: the stricter reading)."""
        return None if self.max_kb is None else math.floor(self.max_kb * 1000)

    @property
    def min_bytes(self) -> int:
        """The lower bound in bytes (1024 bytes to the KB: the stricter reading)."""
        return 0 if self.min_kb is None else math.ceil(self.min_kb * 1024)

    @property
    def fixed_pixels(self) -> bool:
        """True when the output has exact pixel dimensions."""
        return self.width_px is not None

    def floor_dpi(self, start_dpi: int) -> int:
        """The lowest resolution the search may reach from ``start_dpi``."""
        floor = self.min_dpi if self.min_dpi is not None else DEFAULT_MIN_DPI
        return min(floor, start_dpi)

    def check(self) -> OutputSpec:
        """Self, or INVALID_ARGUMENT naming the first inconsistent field."""
        for name in ("max_kb", "min_kb"):
            value = getattr(self, name)
            if value is not None and (not _number(value) or not 0 < value <= 100_000):
                raise InvalidArgument(name, f"must be a number of KB in (0, 100000], got {value!r:.20}")
        if self.min_kb is not None and self.max_kb is not None and self.min_bytes >= (self.max_bytes or 0):
            raise InvalidArgument("min_kb", f"must be below max_kb ({self.max_kb:g})")
        for name in ("dpi", "min_dpi"):
            value = getattr(self, name)
            if value is not None and (not _integer(value) or not 50 <= value <= 1200):
                raise InvalidArgument(name, f"must be 50..1200 dpi, got {value!r:.20}")
        if self.dpi is not None and self.min_dpi is not None and self.min_dpi > self.dpi:
            raise InvalidArgument("min_dpi", f"must not exceed dpi ({self.dpi})")
        if (self.width_px is None) != (self.height_px is None):
            raise InvalidArgument("width_px" if self.width_px is None else "height_px",
                                  "give both width_px and height_px, or neither")
        for name in ("width_px", "height_px"):
            value = getattr(self, name)
            if value is not None and (not _integer(value) or not 16 <= value <= 10_000):
                raise InvalidArgument(name, f"must be 16..10000 pixels, got {value!r:.20}")
        for name in ("min_quality", "max_quality"):
            value = getattr(self, name)
            if not _integer(value) or not 5 <= value <= 100:
                raise InvalidArgument(name, f"must be 5..100, got {value!r:.20}")
        if self.min_quality > self.max_quality:
            raise InvalidArgument("min_quality", f"must not exceed max_quality ({self.max_quality})")
        if self.pdfa and self.format is not OutputFormat.PDF:
            raise InvalidArgument("pdfa", "PDF/A applies to PDF output only")
        return self


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class OutputFile:
    """A finished upload: its bytes and how they were made (for the operator and for logs)."""

    data: bytes = field(repr=False)
    format: OutputFormat
    pages: int
    width_px: int
    height_px: int
    dpi: int
    color_mode: ColorMode
    quality: int | None
    """The JPEG quality used (None: lossless or passed through)."""
    attempts: int
    """Encodings the size search tried."""
    padded_bytes: int = 0
    """Bytes of padding added to reach ``min_kb`` (a JPEG comment / PNG private chunk)."""

    @property
    def size_kb(self) -> float:
        """Size in KB of 1000 bytes."""
        return len(self.data) / 1000
