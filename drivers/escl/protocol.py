"""eSCL ("AirScan", Mopria scan) over HTTP: XML bodies in, typed values out. Sans-IO.

References: the Mopria Alliance eSCL Scan Technical Specification 2.x (mopria.org; resources
ScannerCapabilities, ScannerStatus, ScanJobs, NextDocument; the ScanSettings, ScanRegion and
JobInfo schemas), the PWG Semantic Model for the ``pwg:`` elements (PWG 5108.02), and the
widely used client sane-airscan (``airscan-escl.c``), whose behaviour real scanners are tuned to.

    GET  /eSCL/ScannerCapabilities     200 scan:ScannerCapabilities
    GET  /eSCL/ScannerStatus           200 scan:ScannerStatus (pwg:State, scan:AdfState, scan:Jobs)
    POST /eSCL/ScanJobs  ScanSettings  201 Created + Location: .../eSCL/ScanJobs/<id>
                                       (409/503: busy, feeder empty, cover open)
    GET  <job>/NextDocument            200 + one page image; 503 not ready yet (retry);
                                       404 no more pages (end of the feeder)
    DELETE <job>                       cancel, or clean up after the last page

Lengths in ScanSettings and capabilities are 1/300 inch (``escl:ThreeHundredthsOfInches``).
Namespaces: ``scan`` = http://schemas.hp.com/imaging/escl/2011/05/03, ``pwg`` =
http://www.pwg.org/schemas/2010/12/sm. Elements are matched by local name (devices vary in
prefixes). XML is parsed with defusedxml and any DTD is refused, so entity expansion ("billion
laughs") and external entities never run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from hubd.classes.scanner.contract import (
    MM_PER_INCH,
    AdfState,
    ColorMode,
    PageFormat,
    ResolutionRange,
    ScanArea,
    ScannerCapabilities,
    ScannerState,
    ScannerStatus,
    ScanRequest,
    ScanSource,
    SourceCapabilities,
)
from hubd.driver_api import ProtocolError
from kioskhub.drivers.escl.xmlread import child, children, local, parse_xml, text, uint

SCAN_NS = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG_NS = "http://www.pwg.org/schemas/2010/12/sm"
UNITS_PER_INCH = 300

COLOR_MODES = {
    "BlackAndWhite1": ColorMode.BLACK_WHITE, "Grayscale8": ColorMode.GRAY, "RGB24": ColorMode.COLOR,
}
ESCL_COLOR = {mode: name for name, mode in COLOR_MODES.items()}
FORMATS = {"image/jpeg": PageFormat.JPEG, "image/png": PageFormat.PNG}
STATES = {
    "Idle": ScannerState.IDLE,
    "Processing": ScannerState.BUSY,
    "Testing": ScannerState.WARMING_UP,  # HP's warm-up (sane-airscan treats it as busy)
    "Stopped": ScannerState.STOPPED,
    "Down": ScannerState.STOPPED,
}
ADF_STATES = {
    "ScannerAdfLoaded": AdfState.LOADED,
    "ScannedAdfLoaded": AdfState.LOADED,  # a misspelling some firmware sends
    "ScannerAdfProcessing": AdfState.LOADED,  # feeding (some Kyocera report it when empty)
    "ScannerAdfEmpty": AdfState.EMPTY,
    "ScannerAdfJam": AdfState.JAM,
    "ScannerAdfMispick": AdfState.JAM,
    "ScannerAdfMultipickDetected": AdfState.JAM,
    "ScannerAdfDuplexPageTooShort": AdfState.JAM,
    "ScannerAdfDuplexPageTooLong": AdfState.JAM,
    "ScannerAdfInputTrayFailed": AdfState.JAM,
    "ScannerAdfInputTrayOverloaded": AdfState.JAM,
    "ScannerAdfHatchOpen": AdfState.COVER_OPEN,
    "ScannerAdfDoorOpen": AdfState.COVER_OPEN,
}


@dataclass(frozen=True)
class JobInfo:
    """One ``scan:JobInfo`` of a ScannerStatus: where the job is and how far it got."""

    uri: str
    uuid: str
    state: str
    reasons: tuple[str, ...] = ()
    images_completed: int | None = None
    images_to_transfer: int | None = None


@dataclass(frozen=True)
class EsclStatus:
    """A parsed ScannerStatus: the scanner's state and its recent jobs."""

    scanner: ScannerStatus
    jobs: tuple[JobInfo, ...] = ()

    def job(self, path: str) -> JobInfo | None:
        """The JobInfo whose URI ends like ``path`` (``/eSCL/ScanJobs/<id>``), if listed."""
        tail = path.rstrip("/").rsplit("/", 1)[-1]
        return next((j for j in self.jobs if j.uri.rstrip("/").rsplit("/", 1)[-1] == tail), None)


# ---------------------------------------------------------------------- units
def to_units(mm: float) -> int:
    """Millimetres as 1/300 inch (rounded)."""
    return round(mm * UNITS_PER_INCH / MM_PER_INCH)


def to_mm(units: int) -> float:
    """1/300 inch as millimetres."""
    return units * MM_PER_INCH / UNITS_PER_INCH


# ---------------------------------------------------------------------- capabilities
def parse_capabilities(data: bytes) -> ScannerCapabilities:
    """A ``scan:ScannerCapabilities`` document → ScannerCapabilities (sources it can use)."""
    root = parse_xml(data, "ScannerCapabilities")
    if local(root.tag) != "ScannerCapabilities":
        raise ProtocolError(f"expected ScannerCapabilities, got {local(root.tag)[:40]!r}")
    sources: list[SourceCapabilities] = []
    platen = child(root, "Platen")
    if platen is not None and (caps := child(platen, "PlatenInputCaps")) is not None:
        sources += _source(caps, ScanSource.FLATBED)
    adf = child(root, "Adf")
    if adf is not None:
        simplex = child(adf, "AdfSimplexInputCaps")
        duplex = child(adf, "AdfDuplexInputCaps")
        options = {text(o) for opts in children(adf, "AdfOptions") for o in children(opts, "AdfOption")}
        if simplex is not None:
            sources += _source(simplex, ScanSource.ADF)
        if duplex is None and simplex is not None and "Duplex" in options:
            duplex = simplex  # older firmware: one caps block plus an AdfOption "Duplex"
        if duplex is not None:
            sources += _source(duplex, ScanSource.ADF_DUPLEX)
    if not sources:
        raise ProtocolError("ScannerCapabilities names no usable source (platen or feeder)")
    return ScannerCapabilities(make_and_model=text(child(root, "MakeAndModel"))[:200], sources=tuple(sources))


def _source(caps: ET.Element, source: ScanSource) -> list[SourceCapabilities]:
    """One input source's capabilities; [] when it offers no colour mode, format or resolution
    we can use (e.g. only 16-bit gray, or only PDF)."""
    what = f"{source.value} capabilities"
    modes: set[ColorMode] = set()
    formats: set[PageFormat] = set()
    dpis: set[int] = set()
    ranges: list[ResolutionRange] = []
    for profiles in children(caps, "SettingProfiles"):
        for profile in children(profiles, "SettingProfile"):
            for cm in children(profile, "ColorModes"):
                names = (text(m) for m in children(cm, "ColorMode"))
                modes.update(COLOR_MODES[t] for t in names if t in COLOR_MODES)
            for df in children(profile, "DocumentFormats"):
                formats.update(FORMATS[t] for f in df if (t := text(f).lower()) in FORMATS)
            for sr in children(profile, "SupportedResolutions"):
                dpis.update(_discrete(sr, what))
                ranges += _ranges(sr, what)
    max_w, max_h = uint(child(caps, "MaxWidth"), what), uint(child(caps, "MaxHeight"), what)
    if not modes or not formats or not (dpis or ranges) or not max_w or not max_h:
        return []
    min_w = uint(child(caps, "MinWidth"), what) or 0
    min_h = uint(child(caps, "MinHeight"), what) or 0
    order = list(ColorMode)
    return [
        SourceCapabilities(
            source=source,
            resolutions=tuple(sorted(dpis)),
            color_modes=tuple(sorted(modes, key=order.index)),
            max_width_mm=to_mm(max_w),
            max_height_mm=to_mm(max_h),
            min_width_mm=to_mm(min(min_w, max_w)),
            min_height_mm=to_mm(min(min_h, max_h)),
            resolution_range=ranges[0] if ranges else None,
            formats=tuple(sorted(formats, key=list(PageFormat).index)),
        )
    ]


def _discrete(supported: ET.Element, what: str) -> set[int]:
    """Square resolutions of ``DiscreteResolutions`` (X == Y, as sane-airscan keeps them)."""
    found: set[int] = set()
    for dr in children(supported, "DiscreteResolutions"):
        for res in children(dr, "DiscreteResolution"):
            x, y = uint(child(res, "XResolution"), what), uint(child(res, "YResolution"), what)
            if x and x == y and x <= 9600:
                found.add(x)
    return found


def _ranges(supported: ET.Element, what: str) -> list[ResolutionRange]:
    """``ResolutionRange/XResolution{Min,Max,Step}`` (Y is assumed equal)."""
    found: list[ResolutionRange] = []
    for rr in children(supported, "ResolutionRange"):
        xr = child(rr, "XResolution")
        if xr is None:
            continue
        low, high = uint(child(xr, "Min"), what), uint(child(xr, "Max"), what)
        step = uint(child(xr, "Step"), what) or 1
        if low and high and low <= high <= 9600:
            found.append(ResolutionRange(low, high, step))
    return found


# ---------------------------------------------------------------------- status
def parse_status(data: bytes) -> EsclStatus:
    """A ``scan:ScannerStatus`` document → EsclStatus."""
    root = parse_xml(data, "ScannerStatus")
    if local(root.tag) != "ScannerStatus":
        raise ProtocolError(f"expected ScannerStatus, got {local(root.tag)[:40]!r}")
    raw_state = text(child(root, "State"))
    if raw_state not in STATES:
        raise ProtocolError(f"ScannerStatus: unknown pwg:State {raw_state[:40]!r}")
    raw_adf = text(child(root, "AdfState"))
    adf = ADF_STATES.get(raw_adf, AdfState.NONE)
    detail = " ".join(x for x in (raw_state, raw_adf) if x)
    jobs: list[JobInfo] = []
    for jobs_el in children(root, "Jobs"):
        for info in children(jobs_el, "JobInfo"):
            jobs.append(JobInfo(
                uri=text(child(info, "JobUri"))[:300],
                uuid=text(child(info, "JobUuid"))[:100],
                state=text(child(info, "JobState"))[:40],
                reasons=tuple(text(r)[:60] for rs in children(info, "JobStateReasons")
                              for r in children(rs, "JobStateReason")),
                images_completed=uint(child(info, "ImagesCompleted"), "JobInfo"),
                images_to_transfer=uint(child(info, "ImagesToTransfer"), "JobInfo"),
            ))
    return EsclStatus(ScannerStatus(STATES[raw_state], adf, detail=detail), tuple(jobs))


# ---------------------------------------------------------------------- scan settings
def scan_settings(request: ScanRequest, area: ScanArea, document_format: PageFormat) -> bytes:
    """The ``scan:ScanSettings`` body of POST ScanJobs for a checked request (element order as
    sane-airscan writes it, which scanners in the field accept)."""
    source = "Platen" if request.source is ScanSource.FLATBED else "Feeder"
    intent = "Photo" if request.color_mode is ColorMode.COLOR else "Document"
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<scan:ScanSettings xmlns:scan="{SCAN_NS}" xmlns:pwg="{PWG_NS}">',
        "<pwg:Version>2.0</pwg:Version>",
        f"<scan:Intent>{intent}</scan:Intent>",
        "<pwg:ScanRegions><pwg:ScanRegion>",
        "<pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>",
        f"<pwg:XOffset>{to_units(area.x_mm)}</pwg:XOffset>",
        f"<pwg:YOffset>{to_units(area.y_mm)}</pwg:YOffset>",
        f"<pwg:Width>{to_units(area.width_mm)}</pwg:Width>",
        f"<pwg:Height>{to_units(area.height_mm)}</pwg:Height>",
        "</pwg:ScanRegion></pwg:ScanRegions>",
        f"<pwg:InputSource>{source}</pwg:InputSource>",
        f"<scan:ColorMode>{ESCL_COLOR[request.color_mode]}</scan:ColorMode>",
        f"<pwg:DocumentFormat>{document_format.value}</pwg:DocumentFormat>",
        f"<scan:DocumentFormatExt>{document_format.value}</scan:DocumentFormatExt>",
        f"<scan:XResolution>{request.dpi}</scan:XResolution>",
        f"<scan:YResolution>{request.dpi}</scan:YResolution>",
    ]
    if request.source.is_feeder:
        duplex = "true" if request.source is ScanSource.ADF_DUPLEX else "false"
        lines.append(f"<scan:Duplex>{duplex}</scan:Duplex>")
    lines.append("</scan:ScanSettings>")
    return "\n".join(lines).encode("utf-8")


def job_path(location: str, root: str) -> str:
    """The path of the job a 201's ``Location`` names, under the scanner's resource ``root``
    (``/eSCL``); the host part is ignored (scanners often do not know their own name)."""
    prefix = root.rstrip("/") + "/ScanJobs/"
    base = f"http://scanner{root.rstrip('/')}/"
    path = urlsplit(urljoin(base, location.strip())).path.rstrip("/")
    if not path.startswith(prefix) or len(path) == len(prefix) or ".." in path.split("/"):
        raise ProtocolError(f"ScanJobs: Location {location[:80]!r} is not a job under {prefix}")
    return path

