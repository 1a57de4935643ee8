"""Conversions for ``kioskhub.v1.ScannerService`` (and the ``scan_job`` arm of ``Event.payload``).

A ``ScanRequest`` becomes a checked ``ScanOrder``: the preset (if named) with the request's
fields laid over it; INVALID_ARGUMENT names the request's own field (``max_size_kb``, not the
output spec's ``max_kb``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from hubd.classes.scanner.contract import ColorMode, ScanArea, ScannerCapabilities, ScanSource
from hubd.classes.scanner.order import ScannerConfig, ScanOrder
from hubd.classes.scanner.output import OutputFile, OutputFormat, OutputSpec, resolve
from hubd.classes.scanner.records import PageInfo, ScanJobInfo, ScanState
from hubd.errors import InvalidArgument, quote
from hubd.rpc.convert import state_to_pb, timestamp
from hubd.supervisor import Supervisor
from kioskhub.v1 import scanner_pb2 as pb

E = TypeVar("E")
MAX_REQUEST_ID = 128
MAX_DPI = 4800

SOURCES: Mapping[int, ScanSource] = {
    pb.SCAN_SOURCE_UNSPECIFIED: ScanSource.FLATBED,
    pb.SCAN_SOURCE_FLATBED: ScanSource.FLATBED,
    pb.SCAN_SOURCE_ADF: ScanSource.ADF,
    pb.SCAN_SOURCE_ADF_DUPLEX: ScanSource.ADF_DUPLEX,
}
SOURCES_PB: Mapping[ScanSource, Any] = {v: k for k, v in SOURCES.items() if k}
COLORS: Mapping[int, ColorMode] = {
    pb.SCAN_COLOR_MODE_COLOR: ColorMode.COLOR,
    pb.SCAN_COLOR_MODE_GRAY: ColorMode.GRAY,
    pb.SCAN_COLOR_MODE_BLACK_WHITE: ColorMode.BLACK_WHITE,
}
COLORS_PB: Mapping[ColorMode, Any] = {v: k for k, v in COLORS.items()}
FORMATS: Mapping[int, tuple[OutputFormat, bool]] = {
    pb.SCAN_FILE_FORMAT_PDF: (OutputFormat.PDF, False),
    pb.SCAN_FILE_FORMAT_PDF_A: (OutputFormat.PDF, True),
    pb.SCAN_FILE_FORMAT_JPEG: (OutputFormat.JPEG, False),
    pb.SCAN_FILE_FORMAT_PNG: (OutputFormat.PNG, False),
}
STATES = {
    ScanState.SCANNING: pb.ScanJob.STATE_SCANNING,
    ScanState.PROCESSING: pb.ScanJob.STATE_PROCESSING,
    ScanState.SUCCEEDED: pb.ScanJob.STATE_SUCCEEDED,
    ScanState.FAILED: pb.ScanJob.STATE_FAILED,
    ScanState.CANCELLED: pb.ScanJob.STATE_CANCELLED,
}
# A field of the core's values (OutputSpec, the scanner's ScanRequest) → the ScanRequest field a
# client set it with.
_FIELDS = {"max_kb": "max_size_kb", "min_kb": "min_size_kb", "dpi": "resolution_dpi",
           "min_dpi": "resolution_dpi", "pdfa": "format", "autocrop": "auto_crop"}


def _choice(table: Mapping[int, E], value: int, field: str) -> E:
    if value not in table:
        raise InvalidArgument(field, f"{value} is not a known value")
    return table[value]


def format_to_pb(spec: OutputSpec) -> Any:
    """The file format of a spec (PDF/A is its own value)."""
    if spec.pdfa:
        return pb.SCAN_FILE_FORMAT_PDF_A
    return next(k for k, (fmt, pdfa) in FORMATS.items() if fmt is spec.format and not pdfa)


def _output(request: pb.ScanRequest, presets: Mapping[str, OutputSpec]) -> OutputSpec:
    """The preset (or the defaults) with the request's fields laid over it, checked."""
    base = resolve(request.preset, presets=presets) if request.preset else OutputSpec()
    changes: dict[str, object] = {}
    if request.format:
        changes["format"], changes["pdfa"] = _choice(FORMATS, request.format, "format")
    if request.color_mode:
        changes["color_mode"] = _choice(COLORS, request.color_mode, "color_mode")
    elif base.color_mode is None:
        changes["color_mode"] = ColorMode.GRAY
    for field, key in (("max_size_kb", "max_kb"), ("min_size_kb", "min_kb")):
        value = getattr(request, field)
        if value:  # 0: the preset's (NaN is checked below)
            changes[key] = value
    if request.width_px or request.height_px:
        changes["width_px"], changes["height_px"] = request.width_px or None, request.height_px or None
    # resolution_dpi is the scan's: the file keeps it, or the preset's own (a thumb impression's
    # 240 x 240 px "at 200 dpi" stays so whatever the scan's); only a preset's floor is checked.
    if request.resolution_dpi and base.min_dpi is not None and base.min_dpi > request.resolution_dpi:
        why = f"preset {request.preset} needs at least {base.min_dpi} dpi"
        raise InvalidArgument("resolution_dpi", why)
    if request.HasField("auto_crop"):
        changes["autocrop"] = request.auto_crop
    if request.HasField("deskew"):
        changes["deskew"] = request.deskew
    try:
        return dataclasses.replace(base, **changes).check()  # type: ignore[arg-type]
    except InvalidArgument as err:
        raise field_error(err) from err


def field_error(err: InvalidArgument) -> InvalidArgument:
    """``err`` naming the ScanRequest field the client set (``resolution_dpi``, not ``dpi``)."""
    field = _FIELDS.get(err.field, err.field)
    return err if field == err.field else InvalidArgument(field, err.description, reason=err.reason)


def order_from_pb(request: pb.ScanRequest, config: ScannerConfig) -> ScanOrder:
    """A checked ``ScanOrder``; INVALID_ARGUMENT names the request's field."""
    rid = request.request_id
    if rid and (len(rid) > MAX_REQUEST_ID or not rid.isprintable()):
        why = f"must be 1-{MAX_REQUEST_ID} printable characters, got {quote(rid)}"
        raise InvalidArgument("request_id", why)
    if len(request.preset) > 64:
        raise InvalidArgument("preset", f"is not a preset name: {quote(request.preset)}")
    source = _choice(SOURCES, request.source, "source")
    if request.resolution_dpi and not 50 <= request.resolution_dpi <= MAX_DPI:
        raise InvalidArgument("resolution_dpi", f"must be 50..{MAX_DPI}, got {request.resolution_dpi}")
    output = _output(request, config.presets)
    max_pages = request.max_pages or None
    if max_pages is not None and max_pages > config.max_pages:
        why = f"at most {config.max_pages} ([scanner] max_pages), got {max_pages}"
        raise InvalidArgument("max_pages", why)
    if source.is_feeder and output.format is not OutputFormat.PDF:
        if request.max_pages > 1:
            raise InvalidArgument("max_pages", f"a {output.format.name} file holds one page: ask for a PDF")
        max_pages = 1
    area = None
    if request.HasField("area"):
        a = request.area
        area = ScanArea(a.x_mm, a.y_mm, a.width_mm, a.height_mm)
    assert output.color_mode is not None
    return ScanOrder(source, request.resolution_dpi or None, output.color_mode, output, area,
                     max_pages or (config.max_pages if source.is_feeder else None), request.preset,
                     request.request_id)


def preset_to_pb(name: str, spec: OutputSpec) -> pb.ScanPreset:
    """One output preset."""
    return pb.ScanPreset(
        name=name, description=spec.description, format=format_to_pb(spec), max_size_kb=spec.max_kb or 0,
        min_size_kb=spec.min_kb or 0, width_px=spec.width_px or 0, height_px=spec.height_px or 0,
        resolution_dpi=spec.dpi or 0,
        color_mode=COLORS_PB[spec.color_mode] if spec.color_mode else pb.SCAN_COLOR_MODE_UNSPECIFIED,
        auto_crop=spec.autocrop, deskew=spec.deskew,
    )


def capabilities_to_pb(sup: Supervisor, caps: ScannerCapabilities,
                       presets: Mapping[str, OutputSpec]) -> pb.GetScannerCapabilitiesResponse:
    """A scanner's capabilities, its state as last observed, and the presets."""
    status = sup.status
    msg = pb.ScannerCapabilities(
        device_id=sup.id, state=state_to_pb(status.state), reason=status.reason,
        reason_detail=sup.reason_detail, last_seen_time=timestamp(status.last_seen),
        make_and_model=caps.make_and_model,
        presets=[preset_to_pb(name, spec) for name, spec in sorted(presets.items())],
    )
    for src in caps.sources:
        r = src.resolution_range
        msg.sources.add(
            source=SOURCES_PB[src.source], resolutions_dpi=list(src.resolutions),
            min_resolution_dpi=r.low if r else 0, max_resolution_dpi=r.high if r else 0,
            resolution_step_dpi=r.step if r else 0, color_modes=[COLORS_PB[m] for m in src.color_modes],
            max_width_mm=src.max_width_mm, max_height_mm=src.max_height_mm,
        )
    return pb.GetScannerCapabilitiesResponse(scanner_capabilities=msg)


def job_to_pb(info: ScanJobInfo) -> pb.ScanJob:
    """A scan job as it was at one moment."""
    order = info.order
    return pb.ScanJob(
        scan_job_id=info.scan_job_id, device_id=info.device_id, request_id=order.request_id,
        state=STATES[info.state], source=SOURCES_PB[order.source], resolution_dpi=info.dpi,
        color_mode=COLORS_PB[order.color_mode], preset=order.preset, page_count=info.page_count,
        reason=info.reason, reason_detail=info.detail, create_time=timestamp(info.created),
        end_time=timestamp(info.ended),
    )


def page_to_pb(page: PageInfo) -> pb.ScannedPage:
    """A delivered page."""
    return pb.ScannedPage(page_number=page.number, width_px=page.width_px, height_px=page.height_px,
                          resolution_dpi=page.dpi, color_mode=COLORS_PB[page.color_mode],
                          size_bytes=page.size_bytes)


def file_to_pb(output: OutputFile, spec: OutputSpec) -> pb.ScanFile:
    """The header of a made file, with the window it met."""
    return pb.ScanFile(
        format=format_to_pb(spec), mime_type=output.format.value, size_bytes=len(output.data),
        page_count=output.pages, width_px=output.width_px, height_px=output.height_px,
        resolution_dpi=output.dpi, color_mode=COLORS_PB[output.color_mode], jpeg_quality=output.quality or 0,
        max_size_kb=spec.max_kb or 0, min_size_kb=spec.min_kb or 0, padding_bytes=output.padded_bytes,
        attempts=output.attempts,
    )


def event_payload(payload: object) -> tuple[str, pb.ScanJob] | None:
    """The ``scan_job`` arm for a scan job carried by an event."""
    if isinstance(payload, ScanJobInfo):
        return "scan_job", job_to_pb(payload)
    return None
