"""Epson ESC/P dot-matrix receipt printers (9-pin FX/LX class and 24-pin LQ class).

``protocol`` is the sans-IO codec (command builders, column packing, text sanitizing, port
status), ``profiles`` holds the per-model numbers (pins, columns, units, graphics mode),
``encode`` turns a ``hubd.render.program.PrintProgram`` into one ESC/P job, ``status`` decodes
the out-of-band status channels (usblp port status, a print server's SNMP agent, a CUPS queue),
``status_channel`` reads them over the link and follows a job through them, and ``driver`` is
the device (``EscpPrinter``) over usblp://, usb://, tcp:// (AppSocket), serial:// or cups://.
"""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.escp.driver import EscpPrinter

__all__ = ["DRIVER", "EscpPrinter"]

DRIVER = DriverInfo(
    name="escp",
    device_class=DeviceClass.RECEIPT_PRINTER,
    factory=EscpPrinter,
    schemes=frozenset({"usblp", "usb", "serial", "tcp", "cups"}),
    default_url="usblp:///dev/usb/lp0",
    description="Epson ESC/P dot-matrix printer (TVS MSP, Epson LX/LQ) on USB, AppSocket, serial or CUPS",
    simulator="escp_printer",
)
