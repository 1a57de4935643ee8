"""Conversions for ``kioskhub.v1.CameraService`` (and the ``camera_status`` arm of ``Event.payload``).

Requests are checked here with the proto's field names (INVALID_ARGUMENT names ``width_px``,
``frames_per_second``…), before the camera is touched.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.duration_pb2 import Duration

from hubd.classes.camera.captures import CheckOutcome, CheckResult, PreviewFrame, Still
from hubd.classes.camera.contract import MAX_PREVIEW_FPS, CameraReading, FrameSize, ImageFormat
from hubd.classes.camera.frames import DEFAULT_QUALITY, MAX_SIDE, MIN_SIDE, check_quality, jpeg_size
from hubd.classes.camera.portal import OutputFormat, OutputSpec
from hubd.classes.camera.studio import ApplicantPhoto, CapturedDocument
from hubd.errors import InvalidArgument
from hubd.rpc.convert import timestamp
from kioskhub.v1 import camera_pb2

PREVIEW_FPS = 15.0
PREVIEW_QUALITY = 80
MIN_DPI, MAX_DPI = 50, 600
Check = camera_pb2.PhotoCheck
DocumentRequest = camera_pb2.CaptureDocumentRequest

_FORMAT_FROM_PB: dict[int, ImageFormat] = {
    camera_pb2.IMAGE_FORMAT_UNSPECIFIED: ImageFormat.JPEG,
    camera_pb2.IMAGE_FORMAT_JPEG: ImageFormat.JPEG,
    camera_pb2.IMAGE_FORMAT_PNG: ImageFormat.PNG,
}
_FORMAT_TO_PB = {ImageFormat.JPEG: camera_pb2.IMAGE_FORMAT_JPEG, ImageFormat.PNG: camera_pb2.IMAGE_FORMAT_PNG}
_OUTCOME = {CheckOutcome.PASS: Check.OUTCOME_PASS, CheckOutcome.FAIL: Check.OUTCOME_FAIL,
            CheckOutcome.SKIPPED: Check.OUTCOME_SKIPPED}
_DOCUMENT_FORMAT = {DocumentRequest.DOCUMENT_FORMAT_PDF: OutputFormat.PDF,
                    DocumentRequest.DOCUMENT_FORMAT_JPEG: OutputFormat.JPEG}


# -- requests ---------------------------------------------------------------------------------

def size_from_pb(width: int, height: int) -> FrameSize | None:
    """A requested size; both 0 is None (the camera's own)."""
    if width == 0 and height == 0:
        return None
    for field, value in (("width_px", width), ("height_px", height)):
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise InvalidArgument(field, f"must be {MIN_SIDE}-{MAX_SIDE} pixels (both 0: the camera's size), "
                                  f"got {value}")
    return FrameSize(width, height)


def quality_from_pb(quality: int, default: int) -> int:
    """A JPEG quality; 0 is ``default``."""
    return default if quality == 0 else check_quality(quality, "jpeg_quality")


def image_format_from_pb(value: int) -> ImageFormat:
    """JPEG or PNG; an unknown number is INVALID_ARGUMENT."""
    if value not in _FORMAT_FROM_PB:
        raise InvalidArgument("image_format", f"{value} is not an ImageFormat")
    return _FORMAT_FROM_PB[value]


def photo_request(r: camera_pb2.CapturePhotoRequest) -> tuple[FrameSize | None, ImageFormat, int]:
    """(size, format, quality) of a CapturePhoto request."""
    return (size_from_pb(r.width_px, r.height_px), image_format_from_pb(r.image_format),
            quality_from_pb(r.jpeg_quality, DEFAULT_QUALITY))


def preview_request(r: camera_pb2.StreamPreviewRequest) -> tuple[FrameSize | None, float, int]:
    """(size, frames per second, quality) of a StreamPreview request."""
    fps = r.frames_per_second or PREVIEW_FPS
    if not (math.isfinite(fps) and 0 < fps <= MAX_PREVIEW_FPS):
        raise InvalidArgument("frames_per_second",
                              f"must be in (0, {MAX_PREVIEW_FPS:g}] (0: {PREVIEW_FPS:g})")
    return size_from_pb(r.width_px, r.height_px), fps, quality_from_pb(r.jpeg_quality, PREVIEW_QUALITY)


def _kb(value: float, field: str) -> float | None:
    if value == 0:
        return None
    if not math.isfinite(value) or not 0 < value <= 100_000:
        raise InvalidArgument(field, "must be a number of KB in (0, 100000] (0: none)")
    return value


def document_request(r: DocumentRequest) -> tuple[str, dict[str, Any], int | None]:
    """(preset, OutputSpec overrides, dpi) of a CaptureDocument request."""
    overrides: dict[str, Any] = {}
    if r.document_format != DocumentRequest.DOCUMENT_FORMAT_UNSPECIFIED:
        if r.document_format not in _DOCUMENT_FORMAT:
            raise InvalidArgument("document_format", f"{r.document_format} is not a DocumentFormat")
        overrides["format"] = _DOCUMENT_FORMAT[r.document_format]
    for field in ("max_kb", "min_kb"):
        value = _kb(getattr(r, field), field)
        if value is not None:
            overrides[field] = value
    if r.resolution_dpi and not MIN_DPI <= r.resolution_dpi <= MAX_DPI:
        raise InvalidArgument("resolution_dpi", f"must be {MIN_DPI}-{MAX_DPI} dpi (0: the setting)")
    if len(r.preset) > 64:
        raise InvalidArgument("preset", "is not a preset name")
    return r.preset, overrides, r.resolution_dpi or None


# -- responses --------------------------------------------------------------------------------

def image_to_pb(data: bytes, fmt: ImageFormat, width: int, height: int) -> camera_pb2.Image:
    """An encoded picture."""
    return camera_pb2.Image(data=data, image_format=_FORMAT_TO_PB[fmt], width_px=width, height_px=height)


def photo_to_pb(device_id: str, still: Still) -> camera_pb2.CapturePhotoResponse:
    """A CapturePhoto response."""
    return camera_pb2.CapturePhotoResponse(
        device_id=device_id, photo=image_to_pb(still.data, still.format, still.width, still.height),
        capture_time=timestamp(still.captured_at),
    )


def wall_time(monotonic: float) -> datetime:
    """The wall-clock time of a ``time.monotonic()`` instant in the recent past."""
    return datetime.now(UTC) - timedelta(seconds=max(0.0, time.monotonic() - monotonic))


def preview_frame_to_pb(frame: PreviewFrame) -> camera_pb2.StreamPreviewResponse:
    """One frame of a preview stream."""
    return camera_pb2.StreamPreviewResponse(
        frame_sequence=frame.seq, frame=image_to_pb(frame.data, frame.format, frame.width, frame.height),
        dropped_frames=max(0, frame.dropped), capture_time=timestamp(wall_time(frame.timestamp)),
    )


def check_to_pb(c: CheckResult) -> camera_pb2.PhotoCheck:
    """One applicant-photo check."""
    msg = camera_pb2.PhotoCheck(check=f"CHECK_{c.check}", outcome=_OUTCOME[c.outcome], reason=c.reason,
                                message_hi=c.message_hi, message_en=c.message_en, unit=c.unit)
    for field, value in (("measured_value", c.measured), ("lower_limit", c.low), ("upper_limit", c.high)):
        if value is not None:
            setattr(msg, field, value)
    return msg


def preset_to_pb(name: str, spec: OutputSpec) -> camera_pb2.PortalPreset:
    """A portal preset as the response describes it."""
    return camera_pb2.PortalPreset(name=name, width_px=spec.width_px or 0, height_px=spec.height_px or 0,
                                   min_kb=spec.min_kb or 0.0, max_kb=spec.max_kb or 0.0,
                                   description=spec.description)


def applicant_photo_to_pb(device_id: str, a: ApplicantPhoto) -> camera_pb2.CheckApplicantPhotoResponse:
    """A CheckApplicantPhoto response: the checks, the frame and its crops."""
    frame, report = a.frame, a.report
    msg = camera_pb2.CheckApplicantPhotoResponse(
        device_id=device_id, passed=report.passed, checks=[check_to_pb(c) for c in report.checks],
        face_count=len(report.faces),
        photo=image_to_pb(a.jpeg, ImageFormat.JPEG, frame.width, frame.height),
        preset=preset_to_pb(a.preset, a.spec), capture_time=timestamp(a.captured_at),
    )
    if a.passport is not None:
        msg.passport_photo.CopyFrom(image_to_pb(a.passport, ImageFormat.JPEG, *jpeg_size(a.passport)))
    if a.portal is not None:
        f = a.portal
        msg.portal_photo.CopyFrom(image_to_pb(f.data, ImageFormat.JPEG, f.width_px, f.height_px))
    return msg


def document_to_pb(device_id: str, d: CapturedDocument) -> camera_pb2.CaptureDocumentResponse:
    """A CaptureDocument response: the file and where the page was found."""
    f = d.file
    msg = camera_pb2.CaptureDocumentResponse(
        device_id=device_id, document=f.data, mime_type=f.format.value, width_px=f.width_px,
        height_px=f.height_px, resolution_dpi=f.dpi, attempts=f.attempts,
        page_corners=[camera_pb2.FramePoint(x_px=x, y_px=y) for x, y in d.page.corners],
        frame_width_px=d.frame.width, frame_height_px=d.frame.height, capture_time=timestamp(d.captured_at),
    )
    if f.quality is not None:
        msg.jpeg_quality = f.quality
    return msg


def status_to_pb(reading: CameraReading) -> camera_pb2.CameraStatus:
    """What one observation of a camera saw."""
    frozen = Duration()
    frozen.FromTimedelta(timedelta(seconds=round(reading.frozen_for, 3)))
    return camera_pb2.CameraStatus(
        width_px=reading.width, height_px=reading.height, frames_per_second=reading.fps,
        mean_luma=round(reading.mean_luma, 2), frozen_duration=frozen, source=reading.source,
    )


def event_payload(payload: object) -> tuple[str, camera_pb2.CameraStatus] | None:
    """The ``camera_status`` arm for a camera reading carried by an event."""
    if isinstance(payload, CameraReading):
        return "camera_status", status_to_pb(payload)
    return None
