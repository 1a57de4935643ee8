"""The scanner's XML: ScannerCapabilities and ScannerStatus out, ScanSettings in.

Written from the eSCL reference (Mopria eSCL Scan Technical Specification 2.x; element names
and units as sane-airscan reads and writes them), not from the hub's driver. Lengths are
1/300 inch.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape

import defusedxml
import defusedxml.ElementTree as SafeET

SCAN_NS = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG_NS = "http://www.pwg.org/schemas/2010/12/sm"
RESOLUTIONS = (75, 100, 150, 200, 300, 600)
COLOR_MODES = ("BlackAndWhite1", "Grayscale8", "RGB24")
FORMATS = ("image/jpeg", "image/png")
MAX_WIDTH = 2550  # 8.5 in
MAX_HEIGHT = 3508  # 297 mm
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


class BadSettings(ValueError):
    """A ScanSettings body the scanner cannot use (answered 400 or 409)."""


@dataclass(frozen=True)
class Settings:
    """What a client asked for in ScanSettings (region in 1/300 inch)."""

    source: str  # "Platen" | "Feeder"
    duplex: bool
    color_mode: str
    document_format: str
    x_res: int
    y_res: int
    x_offset: int
    y_offset: int
    width: int
    height: int


def _input_caps(tag: str) -> str:
    profile = "".join(f"<scan:ColorMode>{m}</scan:ColorMode>" for m in COLOR_MODES)
    formats = "".join(f"<pwg:DocumentFormat>{f}</pwg:DocumentFormat><scan:DocumentFormatExt>{f}"
                      f"</scan:DocumentFormatExt>" for f in FORMATS)
    res = "".join(f"<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution>"
                  f"<scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>" for r in RESOLUTIONS)
    return (
        f"<scan:{tag}><scan:MinWidth>300</scan:MinWidth><scan:MaxWidth>{MAX_WIDTH}</scan:MaxWidth>"
        f"<scan:MinHeight>300</scan:MinHeight><scan:MaxHeight>{MAX_HEIGHT}</scan:MaxHeight>"
        "<scan:MaxScanRegions>1</scan:MaxScanRegions>"
        "<scan:SettingProfiles><scan:SettingProfile>"
        f"<scan:ColorModes>{profile}</scan:ColorModes><scan:DocumentFormats>{formats}</scan:DocumentFormats>"
        f"<scan:SupportedResolutions><scan:DiscreteResolutions>{res}</scan:DiscreteResolutions>"
        "</scan:SupportedResolutions></scan:SettingProfile></scan:SettingProfiles>"
        "<scan:SupportedIntents><scan:Intent>Document</scan:Intent><scan:Intent>TextAndGraphic</scan:Intent>"
        "<scan:Intent>Photo</scan:Intent><scan:Intent>Preview</scan:Intent></scan:SupportedIntents>"
        f"</scan:{tag}>"
    )


def capabilities(make_and_model: str, uuid: str) -> bytes:
    """GET /eSCL/ScannerCapabilities: platen and feeder (simplex and duplex), A4."""
    return (
        _HEAD + f'<scan:ScannerCapabilities xmlns:scan="{SCAN_NS}" xmlns:pwg="{PWG_NS}">'
        "<pwg:Version>2.63</pwg:Version>"
        f"<pwg:MakeAndModel>{escape(make_and_model)}</pwg:MakeAndModel>"
        "<pwg:SerialNumber>KH0000042</pwg:SerialNumber>"
        f"<scan:UUID>{uuid}</scan:UUID><scan:AdminURI>http://127.0.0.1/</scan:AdminURI>"
        f"<scan:Platen>{_input_caps('PlatenInputCaps')}</scan:Platen>"
        f"<scan:Adf>{_input_caps('AdfSimplexInputCaps')}{_input_caps('AdfDuplexInputCaps')}"
        "<scan:FeederCapacity>50</scan:FeederCapacity>"
        "<scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption>"
        "<scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions></scan:Adf>"
        "</scan:ScannerCapabilities>"
    ).encode()


@dataclass(frozen=True)
class JobRow:
    """One scan:JobInfo entry."""

    uri: str
    uuid: str
    age: int
    completed: int
    to_transfer: int
    state: str  # Processing | Completed | Canceled | Aborted
    reason: str


def status(state: str, adf_state: str | None, jobs: list[JobRow]) -> bytes:
    """GET /eSCL/ScannerStatus: pwg:State (Idle/Processing/Testing/Stopped), AdfState, Jobs."""
    adf = f"<scan:AdfState>{adf_state}</scan:AdfState>" if adf_state else ""
    rows = "".join(
        f"<scan:JobInfo><pwg:JobUri>{escape(j.uri)}</pwg:JobUri><pwg:JobUuid>{j.uuid}</pwg:JobUuid>"
        f"<scan:Age>{j.age}</scan:Age><pwg:ImagesCompleted>{j.completed}</pwg:ImagesCompleted>"
        f"<pwg:ImagesToTransfer>{j.to_transfer}</pwg:ImagesToTransfer><pwg:JobState>{j.state}</pwg:JobState>"
        f"<pwg:JobStateReasons><pwg:JobStateReason>{j.reason}</pwg:JobStateReason></pwg:JobStateReasons>"
        "</scan:JobInfo>"
        for j in jobs
    )
    return (
        _HEAD + f'<scan:ScannerStatus xmlns:scan="{SCAN_NS}" xmlns:pwg="{PWG_NS}">'
        f"<pwg:Version>2.63</pwg:Version><pwg:State>{state}</pwg:State>{adf}"
        f"<scan:Jobs>{rows}</scan:Jobs></scan:ScannerStatus>"
    ).encode()


def _find(root: ET.Element, name: str) -> str | None:
    """Text of the first descendant called ``name`` in either namespace."""
    for ns in (PWG_NS, SCAN_NS):
        el = root.find(f".//{{{ns}}}{name}")
        if el is not None:
            return (el.text or "").strip()
    return None


def _int(root: ET.Element, name: str, default: int | None = None) -> int:
    raw = _find(root, name)
    if raw is None:
        if default is None:
            raise BadSettings(f"missing {name}")
        return default
    if not raw.isdigit() or len(raw) > 6:
        raise BadSettings(f"{name} is not a number: {raw[:20]!r}")
    return int(raw)


def parse_settings(body: bytes) -> Settings:
    """A POSTed ScanSettings → Settings; BadSettings for anything this scanner cannot use."""
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except (ET.ParseError, defusedxml.DefusedXmlException, ValueError) as err:
        raise BadSettings(f"not ScanSettings XML: {err}") from err
    if root.tag != f"{{{SCAN_NS}}}ScanSettings":
        raise BadSettings(f"root is {root.tag[:60]!r}, not scan:ScanSettings")
    source = _find(root, "InputSource") or "Platen"
    mode = _find(root, "ColorMode") or "RGB24"
    fmt = _find(root, "DocumentFormatExt") or _find(root, "DocumentFormat") or "image/jpeg"
    settings = Settings(
        source=source, duplex=(_find(root, "Duplex") or "false").lower() == "true",
        color_mode=mode, document_format=fmt,
        x_res=_int(root, "XResolution", 300), y_res=_int(root, "YResolution", 300),
        x_offset=_int(root, "XOffset", 0), y_offset=_int(root, "YOffset", 0),
        width=_int(root, "Width", MAX_WIDTH), height=_int(root, "Height", MAX_HEIGHT),
    )
    if source not in ("Platen", "Feeder"):
        raise BadSettings(f"unknown InputSource {source[:20]!r}")
    if mode not in COLOR_MODES or fmt not in FORMATS:
        raise BadSettings(f"unsupported ColorMode/DocumentFormat {mode[:20]!r}/{fmt[:20]!r}")
    if settings.x_res != settings.y_res or settings.x_res not in RESOLUTIONS:
        raise BadSettings(f"unsupported resolution {settings.x_res}x{settings.y_res}")
    if (settings.width < 1 or settings.height < 1 or settings.x_offset + settings.width > MAX_WIDTH
            or settings.y_offset + settings.height > MAX_HEIGHT):
        raise BadSettings("scan region outside the glass")
    return settings
