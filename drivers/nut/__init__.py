"""NUT driver: a UPS watched through Network UPS Tools' ``upsd`` (``nut://UPSNAME@HOST:PORT``)."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.nut.driver import NutUps

__all__ = ["DRIVER", "NutUps"]

DRIVER = DriverInfo(
    name="nut",
    device_class=DeviceClass.UPS,
    factory=NutUps,
    schemes=frozenset({"nut"}),
    default_url="nut://ups@127.0.0.1:3493",
    description="UPS served by Network UPS Tools upsd (any NUT driver: usbhid-ups, blazer, ...)",
    stack="nut",
)
