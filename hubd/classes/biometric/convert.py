"""Conversions for ``kioskhub.v1.BiometricService`` (and the ``biometric_info`` arm of
``Event.payload``). The PID block is copied into the response and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from google.protobuf.duration_pb2 import Duration

from hubd.classes.biometric.contract import (
    BiometricDevice,
    BiometricReading,
    CaptureRequest,
    CaptureResult,
    FingerType,
    OperatorHint,
    PidFormat,
    RdEnv,
    RdStatus,
)
from hubd.errors import InvalidArgument
from hubd.rpc.convert import state_to_pb, timestamp
from hubd.supervisor import Supervisor
from kioskhub.v1 import biometric_pb2

E = TypeVar("E")
Info = biometric_pb2.BiometricInfo
Capture = biometric_pb2.CaptureFingerprintRequest

_STATUS = {
    RdStatus.READY: Info.RD_SERVICE_STATUS_READY,
    RdStatus.NOTREADY: Info.RD_SERVICE_STATUS_NOT_READY,
    RdStatus.USED: Info.RD_SERVICE_STATUS_USED,
}
_FINGER_TYPE: dict[int, FingerType] = {
    Capture.FINGER_TYPE_UNSPECIFIED: FingerType.FMR_FIR,
    Capture.FINGER_TYPE_FMR: FingerType.FMR,
    Capture.FINGER_TYPE_FIR: FingerType.FIR,
    Capture.FINGER_TYPE_FMR_FIR: FingerType.FMR_FIR,
}
_FORMAT: dict[int, PidFormat] = {
    Capture.PID_FORMAT_UNSPECIFIED: PidFormat.XML,
    Capture.PID_FORMAT_XML: PidFormat.XML,
    Capture.PID_FORMAT_PROTOBUF: PidFormat.PROTOBUF,
}
_ENV: dict[int, RdEnv] = {
    Capture.ENVIRONMENT_UNSPECIFIED: RdEnv.PRODUCTION,
    Capture.ENVIRONMENT_PRODUCTION: RdEnv.PRODUCTION,
    Capture.ENVIRONMENT_PRE_PRODUCTION: RdEnv.PRE_PRODUCTION,
    Capture.ENVIRONMENT_STAGING: RdEnv.STAGING,
}
# CaptureRequest's field names → the request's proto field paths (for BadRequest).
_FIELDS = {"format": "pid_format", "timeout_ms": "timeout", "env": "environment", "posh": "finger_positions"}
MAX_TIMEOUT_S = 60


def reading_to_pb(msg: biometric_pb2.BiometricInfo, reading: BiometricReading) -> None:
    """Fill what ``reading`` observed into ``msg``."""
    service = reading.service
    msg.rd_service_status = _STATUS[service.status]
    msg.rd_service_info = service.info
    msg.rd_service_url = service.base_url
    device = reading.device
    if device is not None:
        msg.rd_service_version = device.rds_ver
        msg.rd_service_id = device.rds_id
        msg.provider_id = device.dp_id
        msg.model_id = device.mi
        msg.device_code = device.dc
        msg.simulated = device.simulated
        if device.cert_expiry is not None:
            msg.certificate_expire_time.FromDatetime(device.cert_expiry)
    if reading.last_capture is not None:
        msg.last_capture_time.FromDatetime(reading.last_capture)


def last_capture(sup: Supervisor) -> datetime | None:
    """The device's last successful capture (newer than its last reading may know)."""
    device = sup.device
    return device.last_capture if isinstance(device, BiometricDevice) else None


def info_to_pb(sup: Supervisor) -> biometric_pb2.BiometricInfo:
    """A supervised fingerprint device's health; the reading's values only while it is current."""
    status = sup.status
    msg = biometric_pb2.BiometricInfo(
        device_id=sup.id,
        state=state_to_pb(status.state),
        reason=status.reason,
        reason_detail=sup.reason_detail,
        last_seen_time=timestamp(status.last_seen),
    )
    reading = sup.current
    if isinstance(reading, BiometricReading):
        reading_to_pb(msg, reading)
    captured = last_capture(sup)
    if captured is not None:
        msg.last_capture_time.FromDatetime(captured)
    return msg


def _choice(table: Mapping[int, E], value: int, field: str) -> E:
    if value not in table:
        raise InvalidArgument(field, f"{value} is not a known value")
    return table[value]


def _timeout_ms(value: Duration, default: float) -> int:
    if not value.seconds and not value.nanos:
        return round(default * 1000)
    if not 0 <= value.seconds <= MAX_TIMEOUT_S:
        raise InvalidArgument("timeout", f"must be 1-{MAX_TIMEOUT_S} s, got {value.seconds} s")
    return value.seconds * 1000 + value.nanos // 1_000_000


def capture_request_from_pb(request: Capture, default_timeout: float) -> CaptureRequest:
    """A checked ``CaptureRequest``; INVALID_ARGUMENT names the proto field."""
    try:
        return CaptureRequest(
            finger_count=request.finger_count or 1,
            finger_type=_choice(_FINGER_TYPE, request.finger_type, "finger_type"),
            format=_choice(_FORMAT, request.pid_format, "pid_format"),
            timeout_ms=_timeout_ms(request.timeout, default_timeout),
            env=_choice(_ENV, request.environment, "environment"),
            wadh=request.wadh,
            posh=",".join(request.finger_positions) or "UNKNOWN",
            otp=request.otp,
        )
    except InvalidArgument as err:
        if err.field not in _FIELDS:
            raise
        raise InvalidArgument(_FIELDS[err.field], err.description) from err


def hint_to_pb(hint: OperatorHint) -> biometric_pb2.OperatorHint:
    """An operator hint."""
    return biometric_pb2.OperatorHint(code=hint.code, text_hi=hint.hi, text_en=hint.en)


def capture_to_pb(device_id: str, result: CaptureResult) -> biometric_pb2.CaptureFingerprintResponse:
    """The response: the PID block untouched, and its quality summary."""
    q = result.quality
    quality = biometric_pb2.CaptureQuality(
        minutiae_counts=list(q.nm_points), finger_count=q.finger_count, poor=q.poor,
    )
    if q.q_score is not None:
        quality.quality_score = q.q_score
    if q.hint is not None:
        quality.hint.CopyFrom(hint_to_pb(q.hint))
    return biometric_pb2.CaptureFingerprintResponse(
        device_id=device_id, pid_data=result.pid_data, quality=quality,
        capture_time=timestamp(result.captured_at),
    )


def event_payload(payload: object) -> tuple[str, biometric_pb2.BiometricInfo] | None:
    """The ``biometric_info`` arm for a fingerprint reading carried by an event."""
    if isinstance(payload, BiometricReading):
        msg = biometric_pb2.BiometricInfo()
        reading_to_pb(msg, payload)
        return "biometric_info", msg
    return None
