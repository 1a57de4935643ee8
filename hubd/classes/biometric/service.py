"""``kioskhub.v1.BiometricService``: thin: check the caller's lease, convert, capture, convert."""

from __future__ import annotations

from typing import Any

from hubd.app import Hub
from hubd.classes.biometric import convert
from hubd.classes.biometric.captures import Captures
from hubd.device import DeviceClass
from hubd.rpc.cache import StatusCache
from kioskhub.v1 import biometric_pb2, biometric_pb2_grpc

Ctx = Any
BIOMETRIC = DeviceClass.BIOMETRIC


class BiometricServicer(biometric_pb2_grpc.BiometricServiceServicer):
    """Fingerprint device health and captures (the caller's lease required)."""

    SERVICE = biometric_pb2.DESCRIPTOR.services_by_name["BiometricService"]

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._info = StatusCache(
            lambda sup: biometric_pb2.GetBiometricInfoResponse(biometric_info=convert.info_to_pb(sup))
        )

    async def GetBiometricInfo(self, request: biometric_pb2.GetBiometricInfoRequest, context: Ctx) -> Any:
        """Health as last observed (built once per change, not per call)."""
        sup = self.hub.use(self.hub.find(BIOMETRIC, request.device_id))
        return self._info.get(sup, convert.last_capture(sup))

    async def CaptureFingerprint(self, request: biometric_pb2.CaptureFingerprintRequest, context: Ctx) -> Any:
        """One capture: the PID block untouched, with its quality."""
        sup = self.hub.use(self.hub.find(BIOMETRIC, request.device_id))
        captures = self.hub.runner("biometric", Captures)
        capture = convert.capture_request_from_pb(request, captures.config.capture_timeout)
        result = await captures.capture(sup, capture)
        return convert.capture_to_pb(sup.id, result)
