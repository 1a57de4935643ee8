"""IPP driver: an A4 document printer reached over IPP, through a CUPS queue or straight to an IPP
Everywhere printer (``cups://QUEUE``, ``ipp://HOST/ipp/print``, ``ipps://HOST/ipp/print``)."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.ipp.driver import IppPrinter

__all__ = ["DRIVER", "IppPrinter"]

DRIVER = DriverInfo(
    name="ipp",
    device_class=DeviceClass.DOCUMENT_PRINTER,
    factory=IppPrinter,
    schemes=frozenset({"ipp", "ipps", "cups"}),
    default_url="cups://Laser",
    description="A4 document printer over IPP: a CUPS queue or an IPP Everywhere printer",
    stack="ippeveprinter",
)
