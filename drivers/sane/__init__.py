"""SANE driver: a scanner through libsane (python-sane), ``sane://BACKEND:DEVICE``."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.sane.driver import SaneScanner

__all__ = ["DRIVER", "SaneScanner"]

DRIVER = DriverInfo(
    name="sane",
    device_class=DeviceClass.SCANNER,
    factory=SaneScanner,
    schemes=frozenset({"sane"}),
    default_url="sane://",
    description="Scanner through SANE (USB scanners of every make; sane:// alone = the first local one)",
    stack="sane",
)
