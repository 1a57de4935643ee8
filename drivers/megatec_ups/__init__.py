"""Megatec "Q1" serial UPS driver (2400 8N1, CR-terminated; NUT's blazer_ser / nutdrv_qx)."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.megatec_ups.driver import MegatecUps

__all__ = ["DRIVER", "MegatecUps"]

DRIVER = DriverInfo(
    name="megatec_ups",
    device_class=DeviceClass.UPS,
    factory=MegatecUps,
    schemes=frozenset({"serial", "pty", "tcp", "unix"}),
    default_url="serial:///dev/ttyS0?baudrate=2400",
    description="UPS speaking the Megatec Q1 serial protocol (as NUT blazer_ser / nutdrv_qx)",
    simulator="megatec_ups",
)
