"""ESC/POS thermal receipt printers (Epson TM class and clones) on the hub's transports.

``protocol`` is the sans-IO codec (command builders, raster packing, ``DLE EOT`` status,
process ID responses), ``encode`` turns a ``hubd.render.program.PrintProgram`` into one job (its
printer profiles come from python-escpos' capability database), ``replies`` reads what the
printer sends back, and ``driver`` is the device class over tcp:// (port 9100), serial://,
usb://VID:PID or usblp:///dev/usb/lpN.
"""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.escpos.driver import EscposPrinter

__all__ = ["DRIVER", "EscposPrinter"]

DRIVER = DriverInfo(
    name="escpos",
    device_class=DeviceClass.RECEIPT_PRINTER,
    factory=EscposPrinter,
    schemes=frozenset({"tcp", "serial", "usb", "usblp"}),
    default_url="tcp://127.0.0.1:9100",
    description="ESC/POS thermal receipt printer (80 mm, 203 dpi; status by DLE EOT)",
    simulator="escpos_printer",
)
