"""Typed values of the scanner class: capabilities, a scan request, scanned pages, a status reading.

Lengths are millimetres, resolutions dots per inch (the same in x and y). A driver converts from
its wire units (eSCL's 1/300 inch, SANE's mm or pixels) to these, so the layers above never see
a protocol's units.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from hubd.device import StatusSource
from hubd.errors import InvalidArgument

MM_PER_INCH = 25.4

# Reasons (UPPER_SNAKE) a scanner reports or a scan job ends with.
ADF_EMPTY = "ADF_EMPTY"
ADF_JAM = "ADF_JAM"
ADF_LOADED = "ADF_LOADED"
COVER_OPEN = "COVER_OPEN"
SCANNER_BUSY = "SCANNER_BUSY"
WARMING_UP = "WARMING_UP"
SCANNER_STOPPED = "SCANNER_STOPPED"


class ScanSource(enum.Enum):
    """Where the paper is: on the glass, or in the feeder (one side or both)."""

    FLATBED = "flatbed"
    ADF = "adf"
    ADF_DUPLEX = "adf_duplex"

    @property
    def is_feeder(self) -> bool:
        """True for the document feeder (simplex or duplex)."""
        return self is not ScanSource.FLATBED


class ColorMode(enum.Enum):
    """Colour of the scanned samples: 24-bit RGB, 8-bit gray, or black and white."""

    COLOR = "color"
    GRAY = "gray"
    BLACK_WHITE = "black_white"

    @property
    def channels(self) -> int:
        """Samples per pixel of a RAW page in this mode (black and white arrives as 0/255 bytes)."""
        return 3 if self is ColorMode.COLOR else 1


class PageFormat(enum.Enum):
    """How a scanned page's bytes are encoded (values are MIME types; RAW is bare samples)."""

    RAW = "application/x-raw-samples"
    """Row-major 8-bit samples, ``ColorMode.channels`` per pixel, no header."""
    JPEG = "image/jpeg"
    PNG = "image/png"


@dataclass(frozen=True)
class ResolutionRange:
    """A continuous range of resolutions (SANE ranges, eSCL ``ResolutionRange``)."""

    low: int
    high: int
    step: int = 1

    def __contains__(self, dpi: object) -> bool:
        if not isinstance(dpi, int):
            return False
        return self.low <= dpi <= self.high and (dpi - self.low) % max(1, self.step) == 0


@dataclass(frozen=True)
class ScanArea:
    """A rectangle on the glass or sheet, in millimetres from its top-left corner."""

    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float

    def __post_init__(self) -> None:
        values = (self.x_mm, self.y_mm, self.width_mm, self.height_mm)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise InvalidArgument("area", "must be finite numbers of millimetres")
        if self.x_mm < 0 or self.y_mm < 0 or self.width_mm <= 0 or self.height_mm <= 0:
            raise InvalidArgument("area", "offsets must be >= 0 and width/height > 0 (mm)")

    @property
    def right_mm(self) -> float:
        """x of the right edge."""
        return self.x_mm + self.width_mm

    @property
    def bottom_mm(self) -> float:
        """y of the bottom edge."""
        return self.y_mm + self.height_mm


A4 = ScanArea(0.0, 0.0, 210.0, 297.0)


@dataclass(frozen=True)
class SourceCapabilities:
    """What one source can do: resolutions, colour modes, formats and the largest area."""

    source: ScanSource
    resolutions: tuple[int, ...]
    """Discrete resolutions offered (sorted); may be empty when only ``resolution_range`` is."""
    color_modes: tuple[ColorMode, ...]
    max_width_mm: float
    max_height_mm: float
    min_width_mm: float = 0.0
    min_height_mm: float = 0.0
    resolution_range: ResolutionRange | None = None
    formats: tuple[PageFormat, ...] = ()

    def supports_dpi(self, dpi: int) -> bool:
        """True when ``dpi`` is one of the discrete values or inside the range."""
        return dpi in self.resolutions or (self.resolution_range is not None and dpi in self.resolution_range)

    def describe_dpis(self) -> str:
        """The resolutions for an error message."""
        parts = [str(d) for d in self.resolutions]
        if self.resolution_range is not None:
            r = self.resolution_range
            parts.append(f"{r.low}..{r.high}" + (f" step {r.step}" if r.step > 1 else ""))
        return ", ".join(parts) or "none"


@dataclass(frozen=True)
class ScannerCapabilities:
    """Make and model and the sources of a scanner (flatbed, feeder, duplex feeder)."""

    make_and_model: str
    sources: tuple[SourceCapabilities, ...]

    def source(self, source: ScanSource) -> SourceCapabilities | None:
        """The capabilities of ``source``, or None when the scanner has no such source."""
        return next((s for s in self.sources if s.source is source), None)


@dataclass(frozen=True)
class ScanRequest:
    """What to scan: source, resolution, colour, area (None: the whole glass/sheet) and, for the
    feeder, at most how many pages (None: until it runs empty). The flatbed gives one page."""

    source: ScanSource = ScanSource.FLATBED
    dpi: int = 300
    color_mode: ColorMode = ColorMode.GRAY
    area: ScanArea | None = None
    max_pages: int | None = None

    def check(self, caps: ScannerCapabilities) -> SourceCapabilities:
        """The source's capabilities; INVALID_ARGUMENT naming the first field it cannot do."""
        src = caps.source(self.source)
        if src is None:
            have = ", ".join(s.source.value for s in caps.sources) or "none"
            raise InvalidArgument("source", f"this scanner has no {self.source.value} (it has: {have})")
        if isinstance(self.dpi, bool) or not isinstance(self.dpi, int) or not src.supports_dpi(self.dpi):
            raise InvalidArgument("dpi", f"{self.dpi!r:.20} not offered (offered: {src.describe_dpis()})")
        if self.color_mode not in src.color_modes:
            have = ", ".join(m.value for m in src.color_modes)
            raise InvalidArgument("color_mode", f"{self.color_mode.value} not offered (offered: {have})")
        if self.area is not None:
            a = self.area
            if a.right_mm > src.max_width_mm + 0.5 or a.bottom_mm > src.max_height_mm + 0.5:
                raise InvalidArgument(
                    "area", f"exceeds the {src.max_width_mm:.0f} x {src.max_height_mm:.0f} mm maximum"
                )
        if self.max_pages is not None and not 1 <= self.max_pages <= 1000:
            raise InvalidArgument("max_pages", "must be 1..1000 (or unset: until the feeder is empty)")
        return src

    def area_or_full(self, src: SourceCapabilities) -> ScanArea:
        """The requested area, or the source's whole area."""
        return self.area or ScanArea(0.0, 0.0, src.max_width_mm, src.max_height_mm)


@dataclass(frozen=True)
class ScannedPage:
    """One scanned page: encoded bytes plus what they hold (1-based ``number`` within its job)."""

    number: int
    data: bytes = field(repr=False)
    format: PageFormat
    width_px: int
    height_px: int
    dpi: int
    color_mode: ColorMode

    def __post_init__(self) -> None:
        if self.width_px <= 0 or self.height_px <= 0 or self.dpi <= 0:
            raise ValueError("a page needs positive pixel dimensions and resolution")
        if self.format is PageFormat.RAW:
            expected = self.width_px * self.height_px * self.color_mode.channels
            if len(self.data) != expected:
                raise ValueError(f"RAW page holds {len(self.data)} bytes, expected {expected}")

    @property
    def width_mm(self) -> float:
        """Physical width."""
        return self.width_px * MM_PER_INCH / self.dpi

    @property
    def height_mm(self) -> float:
        """Physical height."""
        return self.height_px * MM_PER_INCH / self.dpi


class ScannerState(enum.Enum):
    """The scanner engine's state (eSCL ``pwg:State``; SANE reports none between scans)."""

    IDLE = "idle"
    BUSY = "busy"
    WARMING_UP = "warming_up"
    STOPPED = "stopped"


class AdfState(enum.Enum):
    """The feeder's state as the scanner reports it (NONE: no feeder or not reported)."""

    NONE = "none"
    LOADED = "loaded"
    EMPTY = "empty"
    JAM = "jam"
    COVER_OPEN = "cover_open"


@dataclass(frozen=True)
class ScannerStatus:
    """One observation of a scanner: engine state, feeder state, cover, and a detail for people."""

    state: ScannerState
    adf: AdfState = AdfState.NONE
    cover_open: bool = False
    detail: str = ""
    source: StatusSource = StatusSource.DEVICE

    @property
    def blocking_reason(self) -> str:
        """The reason nothing can be scanned now ("" when scanning is possible)."""
        if self.cover_open or self.adf is AdfState.COVER_OPEN:
            return COVER_OPEN
        if self.adf is AdfState.JAM:
            return ADF_JAM
        return SCANNER_STOPPED if self.state is ScannerState.STOPPED else ""

    def blocks(self, source: ScanSource) -> str:
        """The reason a scan from ``source`` cannot start now ("" when it can): the feeder's
        jam or open cover do not stop the flatbed."""
        if self.cover_open:
            return COVER_OPEN
        if source.is_feeder and self.adf in (AdfState.JAM, AdfState.COVER_OPEN):
            return ADF_JAM if self.adf is AdfState.JAM else COVER_OPEN
        return SCANNER_STOPPED if self.state is ScannerState.STOPPED else ""

    @property
    def reason(self) -> str:
        """The most important UPPER_SNAKE condition ("" when idle and nothing to say)."""
        if blocking := self.blocking_reason:
            return blocking
        if self.state is ScannerState.WARMING_UP:
            return WARMING_UP
        if self.state is ScannerState.BUSY:
            return SCANNER_BUSY
        return ADF_EMPTY if self.adf is AdfState.EMPTY else ""
