"""The biometric contract's own logic: health assessment, events, result privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hubd.classes.biometric.contract import (
    BiometricDevice,
    BiometricReading,
    CaptureQuality,
    CaptureRequest,
    CaptureResult,
    RdDeviceInfo,
    RdServiceInfo,
    RdStatus,
)
from hubd.clock import FakeClock
from hubd.device import DeviceState


class Fixed(BiometricDevice):
    async def read_info(self) -> BiometricReading:
        raise NotImplementedError

    async def do_capture(self, request: CaptureRequest) -> CaptureResult:
        raise NotImplementedError


def reading(status: RdStatus, expiry: datetime | None = None) -> BiometricReading:
    service = RdServiceInfo(status, "info", "http://127.0.0.1:11100", "/rd/capture", "/rd/info")
    device = RdDeviceInfo("X.Y", "r", "1.0", "m", "d", "MII=", cert_expiry=expiry)
    return BiometricReading(service, device)


def test_assess_certificate_expiry() -> None:
    dev = Fixed("fp", "rdservice://127.0.0.1")
    dev.clock = clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    now = clock.now()
    assert dev.assess(reading(RdStatus.READY, now + timedelta(days=400))) == (DeviceState.AVAILABLE, "", "")
    state, reason, detail = dev.assess(reading(RdStatus.READY, now + timedelta(days=10)))
    assert (state, reason) == (DeviceState.AVAILABLE, "") and "2026-03-11" in detail
    state, reason, _ = dev.assess(reading(RdStatus.READY, now - timedelta(days=1)))
    assert (state, reason) == (DeviceState.UNAVAILABLE, "CERTIFICATE_EXPIRED")


def test_events_follow_status_changes() -> None:
    dev = Fixed("fp", "rdservice://127.0.0.1")
    ready, used = reading(RdStatus.READY), reading(RdStatus.USED)
    assert dev.events_between(None, ready) == []
    assert [e.kind for e in dev.events_between(ready, used)] == ["RD_SERVICE_IN_USE"]
    assert [e.kind for e in dev.events_between(used, ready)] == ["RD_SERVICE_READY"]
    assert [e.kind for e in dev.events_between(None, reading(RdStatus.NOTREADY))] == ["RD_SERVICE_NOT_READY"]


def test_result_repr_hides_the_pid_block() -> None:
    result = CaptureResult(b"<PidData>SECRET</PidData>", CaptureQuality(80, (40,), 1), datetime.now(UTC))
    assert "SECRET" not in repr(result) and "SECRET" not in str(result) and result.size == 25
