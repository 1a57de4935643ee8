"""The biometric class's runner: fingerprint captures, one at a time per device.

A capture is power-critical work (the UPS class's policy refuses it once shutdown is imminent),
is logged as one audit line of its request fields (Aadhaar numbers masked by the hub-wide log
filter this runner installs), and never leaves anything behind: its PID block goes back to the
caller and nowhere else.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubd.classes.biometric.aadhaar import install_log_filter
from hubd.classes.biometric.contract import BiometricDevice, CaptureRequest, CaptureResult
from hubd.classes.ups.power import PowerPolicy
from hubd.config import HubConfig
from hubd.errors import DeviceUnavailable, FailedPrecondition, HubError

if TYPE_CHECKING:
    from hubd.app import Hub
    from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
WORK_KIND = "biometric capture"


@dataclass(frozen=True)
class BiometricConfig:
    """``[biometric]``: capture defaults."""

    capture_timeout: float = 10.0

    @classmethod
    def from_config(cls, config: HubConfig) -> BiometricConfig:
        """The ``[biometric]`` section, checked."""
        return cls(float(config.section("biometric")["capture_timeout"]))


def runner(hub: Hub) -> Captures:
    """The biometric class's runner; installs the Aadhaar mask on the hub's logging first."""
    install_log_filter()
    return Captures(hub, BiometricConfig.from_config(hub.config))


class Captures:
    """Runs captures on the hub's fingerprint devices."""

    def __init__(self, hub: Hub, config: BiometricConfig) -> None:
        self.hub = hub
        self.config = config
        self._busy: set[str] = set()

    async def start(self, devices: list[Supervisor]) -> None:
        """Nothing runs in the background: captures happen on request."""

    async def stop(self) -> None:
        """Nothing to stop."""

    def _power(self) -> PowerPolicy | None:
        try:
            return self.hub.runner("ups", PowerPolicy)
        except HubError:
            return None  # no UPS unit in this hub: nothing guards power

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, sup: Supervisor) -> AsyncIterator[None]:
        if sup.id in self._busy:
            raise FailedPrecondition(f"a capture is already running on {sup.id!r}",
                                     reason="CAPTURE_IN_PROGRESS", metadata={"deviceId": sup.id})
        self._busy.add(sup.id)
        try:
            yield
        finally:
            self._busy.discard(sup.id)

    async def capture(self, sup: Supervisor, request: CaptureRequest) -> CaptureResult:
        """Capture on ``sup``'s device (the caller checked its lease)."""
        device = sup.device
        if not isinstance(device, BiometricDevice):
            raise DeviceUnavailable(sup.reason_detail or "not a fingerprint device",
                                    reason=sup.status.reason or "DEVICE_UNAVAILABLE")
        lease = self.hub.leases.holder(sup.id)
        log.info("%s: capture for %s: fCount=%d fType=%s format=%s env=%s timeout=%dms posh=%s "
                 "wadh=%s", sup.id, lease.holder if lease else "-", request.finger_count,
                 request.finger_type.name, request.format.name, request.env.value, request.timeout_ms,
                 request.posh, "yes" if request.wadh else "no")
        power = self._power()
        guard = power.work(WORK_KIND) if power is not None else contextlib.nullcontext()
        async with self._one_at_a_time(sup), guard:
            return await device.capture(request)
