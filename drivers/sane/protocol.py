"""SANE (Scanner Access Now Easy) as seen through python-sane: names, options, statuses. Sans-IO.

References: the SANE Standard 1.0 (sane-project.gitlab.io/standard: §4.3 device options and
constraints, §4.5 well-known options ``source``/``mode``/``resolution``/``tl-x``..``br-y``,
§4.3.7 status codes and their ``sane_strstatus`` texts), python-sane 2.9 (``sane.py``,
``_sane.c``: options as tuples ``(index, name, title, desc, type, unit, size, cap,
constraint)``; errors as ``_sane.error(sane_strstatus(status))``) and the ``test`` backend's
manual (sane-test(5)).

Device URLs: ``sane://BACKEND:DEVICE`` — everything after ``sane://`` up to ``?`` is the SANE
device name, percent-decoded (``sane://test:0``, ``sane://epson2:libusb:001:004``,
``sane://airscan:e0:Office%20MFP``). ``sane://`` alone means the first local device.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from hubd.classes.scanner.contract import (
    ADF_EMPTY,
    ADF_JAM,
    COVER_OPEN,
    SCANNER_BUSY,
    ColorMode,
    PageFormat,
    ResolutionRange,
    ScanSource,
    SourceCapabilities,
)
from hubd.driver_api import DeviceNotReady, DeviceUnavailable, HubError, InvalidArgument, TransportError

# sane_strstatus() texts (sanei/sane_strstatus.c) → what they mean for a scan.
STATUS_TEXT = {
    "Operation not supported": "UNSUPPORTED",
    "Operation was cancelled": "CANCELLED",
    "Device busy": "DEVICE_BUSY",
    "Invalid argument": "INVAL",
    "End of file reached": "EOF",
    "Document feeder jammed": "JAMMED",
    "Document feeder out of documents": "NO_DOCS",
    "Scanner cover is open": "COVER_OPEN",
    "Error during device I/O": "IO_ERROR",
    "Out of memory": "NO_MEM",
    "Access to resource has been denied": "ACCESS_DENIED",
}
UNIT_NONE, UNIT_PIXEL, UNIT_BIT, UNIT_MM, UNIT_DPI = 0, 1, 2, 3, 4
COMMON_DPIS = (75, 100, 150, 200, 300, 400, 600, 1200)
NETWORK_BACKENDS = frozenset({"net", "airscan", "escl"})
"""Backends whose devices ``sane_get_devices(local only)`` leaves out: presence not checked."""
_NAME = re.compile(r"[\w.:/@%+ -]{1,200}")


def parse_url(url: str) -> str:
    """The SANE device name of ``sane://NAME`` ("" for the first local device)."""
    if not url.startswith("sane://"):
        raise InvalidArgument("url", f"{url[:60]!r}: the sane driver takes sane://BACKEND:DEVICE (sane://test:0)")
    name = unquote(url[len("sane://"):].split("?", 1)[0])
    if name and not _NAME.fullmatch(name):
        raise InvalidArgument("url", f"{url[:60]!r}: not a SANE device name")
    return name


def parse_extra_options(text: str) -> list[tuple[str, str]]:
    """``name=value;name=value`` (the ``sane_options`` driver option) → pairs, in order."""
    pairs: list[tuple[str, str]] = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[a-z][a-z0-9-]{0,62}", name.strip()):
            raise InvalidArgument("options.sane_options", f"expected name=value;..., got {item[:40]!r}")
        pairs.append((name.strip().replace("-", "_"), value.strip()))
    return pairs


def convert_value(raw: str, current: object) -> Any:
    """A text option value typed like the option's current value (bool, int, float, str)."""
    if isinstance(current, bool) or raw.lower() in ("yes", "no", "true", "false"):
        return raw.lower() in ("yes", "true", "1", "on")
    try:
        if isinstance(current, int):
            return int(raw)
        if isinstance(current, float):
            return float(raw)
    except ValueError as err:
        raise InvalidArgument("options.sane_options", f"{raw[:20]!r} is not a number") from err
    return raw


# ---------------------------------------------------------------------- names → values
def source_of(name: str) -> ScanSource | None:
    """The ScanSource a backend's ``source`` value means (None: transparency units etc.)."""
    low = name.lower()
    if "duplex" in low:
        return ScanSource.ADF_DUPLEX
    if any(w in low for w in ("adf", "feeder", "document")):
        return ScanSource.ADF
    if any(w in low for w in ("flatbed", "platen", "normal")):
        return ScanSource.FLATBED
    return None


def mode_of(name: str) -> ColorMode | None:
    """The ColorMode a backend's ``mode`` value means."""
    low = name.lower()
    if "colo" in low:
        return ColorMode.COLOR
    if "gray" in low or "grey" in low:
        return ColorMode.GRAY
    if any(w in low for w in ("lineart", "binary", "black", "halftone", "mono")):
        return ColorMode.BLACK_WHITE
    return None


@dataclass(frozen=True)
class ModeChoice:
    """How to ask the backend for a colour mode: its ``mode`` value, and ``depth`` 1 for black
    and white on backends that have no line-art mode (the test backend)."""

    mode: str
    depth: int | None = None


def mode_choices(modes: Sequence[str], depths: Sequence[int]) -> dict[ColorMode, ModeChoice]:
    """The colour modes a backend offers through ``mode`` (and ``depth``)."""
    found: dict[ColorMode, ModeChoice] = {}
    for name in modes:
        cm = mode_of(name)
        if cm is not None and cm not in found:
            found[cm] = ModeChoice(name, 8 if 8 in depths and cm is not ColorMode.BLACK_WHITE else None)
    if ColorMode.BLACK_WHITE not in found and ColorMode.GRAY in found and 1 in depths:
        found[ColorMode.BLACK_WHITE] = ModeChoice(found[ColorMode.GRAY].mode, 1)
    return found


def resolutions(constraint: object) -> tuple[tuple[int, ...], ResolutionRange | None]:
    """Discrete resolutions and/or a range from a ``resolution`` constraint."""
    if isinstance(constraint, tuple) and len(constraint) == 3:
        low, high, step = (int(round(float(v))) for v in constraint)
        rng = ResolutionRange(max(1, low), max(1, high), max(1, step))
        return tuple(d for d in COMMON_DPIS if d in rng), rng
    if isinstance(constraint, list):
        return tuple(sorted({int(round(float(v))) for v in constraint if float(v) >= 1})), None
    return (), None


def source_caps(
    source: ScanSource, options: Mapping[str, Any], modes: Sequence[ColorMode]
) -> SourceCapabilities:
    """One source's capabilities from its options (python-sane ``Option`` objects by py_name)."""
    dpis, rng = resolutions(getattr(options.get("resolution"), "constraint", None))
    max_w, max_h = _extent(options, "br_x"), _extent(options, "br_y")
    return SourceCapabilities(
        source=source, resolutions=dpis, color_modes=tuple(sorted(modes, key=list(ColorMode).index)),
        max_width_mm=max_w, max_height_mm=max_h, resolution_range=rng, formats=(PageFormat.RAW,),
    )


def _extent(options: Mapping[str, Any], name: str) -> float:
    """The largest value of a geometry option in mm (0 when the backend has none in mm)."""
    opt = options.get(name)
    constraint = getattr(opt, "constraint", None)
    if opt is None or getattr(opt, "unit", None) != UNIT_MM or not isinstance(constraint, tuple):
        return 0.0
    return float(constraint[1])


# ---------------------------------------------------------------------- errors
def status_of(message: str) -> str:
    """The SANE status name of a python-sane error message ("" when unknown)."""
    return STATUS_TEXT.get(message.strip(), "")


def error_for(message: str, what: str) -> HubError:
    """The hub error for a SANE status met while ``what`` (one conversion, with a reason)."""
    status = status_of(message)
    text = f"{what}: {message}"
    if status == "JAMMED":
        return DeviceNotReady(text, reason=ADF_JAM)
    if status == "NO_DOCS":
        return DeviceNotReady(text, reason=ADF_EMPTY)
    if status == "COVER_OPEN":
        return DeviceNotReady(text, reason=COVER_OPEN)
    if status == "DEVICE_BUSY":
        return DeviceNotReady(text, reason=SCANNER_BUSY)
    if status == "IO_ERROR":
        return TransportError(text, reason="IO_ERROR")
    if status == "ACCESS_DENIED":
        return DeviceUnavailable(text, reason="PERMISSION_DENIED")
    if status == "INVAL":
        reason = "NO_SUCH_DEVICE" if what.startswith("open") else "SCANNER_REJECTED"
        return DeviceUnavailable(text, reason=reason)
    return DeviceUnavailable(text, reason=f"SANE_{status}" if status else "SANE_ERROR")
