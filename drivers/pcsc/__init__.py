"""PC/SC driver: smart-card readers and USB crypto tokens through pcscd (pyscard, imported lazily)."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.pcsc.driver import PcscDevice

__all__ = ["DRIVER", "PcscDevice"]

DRIVER = DriverInfo(
    name="pcsc",
    device_class=DeviceClass.SMART_CARD,
    factory=PcscDevice,
    schemes=frozenset({"pcsc"}),
    default_url="pcsc://",
    description="Smart-card readers and USB tokens via pcscd (PC/SC); APDUs with T=0 GET RESPONSE",
    stack="pcscd",
)
