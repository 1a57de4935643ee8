"""RD Service driver: an Aadhaar fingerprint scanner behind its vendor's UIDAI RD Service (loopback HTTP)."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.rdservice.driver import RdServiceDevice

__all__ = ["DRIVER", "RdServiceDevice"]

DRIVER = DriverInfo(
    name="rdservice",
    device_class=DeviceClass.BIOMETRIC,
    factory=RdServiceDevice,
    schemes=frozenset({"rdservice"}),
    default_url="rdservice://127.0.0.1",
    description="Aadhaar fingerprint scanner via its certified RD Service (ports 11100-11120, custom verbs)",
    simulator="rdservice",
)
