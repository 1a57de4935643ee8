"""eSCL driver: a network (AirScan / Mopria) scanner over HTTP, ``escl://HOST:PORT/eSCL``."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.escl.driver import EsclScanner

__all__ = ["DRIVER", "EsclScanner"]

DRIVER = DriverInfo(
    name="escl",
    device_class=DeviceClass.SCANNER,
    factory=EsclScanner,
    schemes=frozenset({"escl", "escls"}),
    default_url="escl://127.0.0.1:80/eSCL",
    description="Network scanner speaking eSCL (AirScan / Mopria scan) over HTTP or HTTPS",
    simulator="escl_scanner",
)
