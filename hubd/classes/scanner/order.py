"""What a client asked to scan, checked (``ScanOrder``), the ``[scanner]`` settings, and how an
order becomes a request this scanner can do: the resolution and colour mode it offers.

The file's colour is what the order says; the scan's may differ: black and white is scanned in
grayscale where the scanner can (the hub's threshold, chosen per page by Otsu's method, keeps
thin strokes a scanner's fixed one loses), and grayscale in colour when the scanner offers no
gray. A resolution taken from a preset or the default is the nearest the scanner offers at or
above it; one the client named must be offered as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hubd.classes.scanner.contract import (
    ColorMode,
    ScanArea,
    ScannerCapabilities,
    ScanRequest,
    ScanSource,
    SourceCapabilities,
)
from hubd.classes.scanner.output import PRESETS, OutputSpec, with_overrides
from hubd.errors import InvalidArgument

if TYPE_CHECKING:
    from hubd.config import HubConfig

SCAN_MODES: Mapping[ColorMode, tuple[ColorMode, ...]] = {
    ColorMode.COLOR: (ColorMode.COLOR,),
    ColorMode.GRAY: (ColorMode.GRAY, ColorMode.COLOR),
    ColorMode.BLACK_WHITE: (ColorMode.GRAY, ColorMode.BLACK_WHITE, ColorMode.COLOR),
}
"""For each colour of file, the scan modes that can make it, best first."""


@dataclass(frozen=True)
class ScannerConfig:
    """``[scanner]``: defaults, limits, and the presets with the config's changes applied."""

    default_dpi: int = 300
    max_pages: int = 100
    keep_results: float = 300.0
    presets: Mapping[str, OutputSpec] = field(default_factory=lambda: dict(PRESETS))

    @classmethod
    def from_config(cls, config: HubConfig) -> ScannerConfig:
        """The ``[scanner]`` section, checked (the presets were checked when the config loaded)."""
        section = config.section("scanner")
        return cls(int(section["default_dpi"]), int(section["max_pages"]), float(section["keep_results"]),
                   with_overrides(section["presets"]))


@dataclass(frozen=True)
class ScanOrder:
    """A checked scan: where, how finely (None: the preset's or the default), the file's colour,
    the area, the feeder's page limit, and the file to make. Equal orders are the same scan
    (how a repeated request_id is recognised)."""

    source: ScanSource
    dpi: int | None
    color_mode: ColorMode
    output: OutputSpec
    area: ScanArea | None = None
    max_pages: int | None = None
    preset: str = ""
    request_id: str = field(default="", compare=False)

    def scan_request(self, caps: ScannerCapabilities, default_dpi: int) -> ScanRequest:
        """The request for this scanner; INVALID_ARGUMENT naming what it cannot do."""
        src = caps.source(self.source)
        if src is None:  # ScanRequest.check says so, naming the sources it has
            return ScanRequest(self.source, self.dpi or default_dpi, self.color_mode)
        dpi = self.dpi if self.dpi is not None else nearest_dpi(src, self.output.dpi or default_dpi)
        mode = next((m for m in SCAN_MODES[self.color_mode] if m in src.color_modes), None)
        if mode is None:
            have = ", ".join(m.value for m in src.color_modes) or "none"
            why = f"the scanner cannot scan {self.color_mode.value} (it offers {have})"
            raise InvalidArgument("color_mode", why)
        pages = self.max_pages if self.source.is_feeder else None
        return ScanRequest(self.source, dpi, mode, self.area, pages)


def nearest_dpi(src: SourceCapabilities, wanted: int) -> int:
    """``wanted`` if offered, else the nearest offered above it, else the highest offered."""
    if src.supports_dpi(wanted):
        return wanted
    offered = set(src.resolutions)
    r = src.resolution_range
    if r is not None:
        step = max(1, r.step)
        offered |= {r.low, r.high - (r.high - r.low) % step}
        if r.low < wanted < r.high:
            offered.add(r.low + -(-(wanted - r.low) // step) * step)
    usable = sorted(d for d in offered if src.supports_dpi(d))
    if not usable:
        raise InvalidArgument("dpi", f"the scanner offers no resolution ({src.describe_dpis()})")
    return next((d for d in usable if d >= wanted), usable[-1])
