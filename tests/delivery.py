"""Drive one job through a printer driver the way the print worker does (for driver tests)."""

from __future__ import annotations

import asyncio
import time

from hubd.classes.printer.contract import Delivery, PrinterDevice


async def confirmed(printer: PrinterDevice, timeout: float = 5.0) -> Delivery:
    """Ask ``confirm_job`` until it confirms; fail with the last reason after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        delivery = await printer.confirm_job()
        if delivery.done:
            return delivery
        assert time.monotonic() < deadline, f"not confirmed: {delivery.reason} {delivery.detail}"
        await asyncio.sleep(0.01)


async def deliver(printer: PrinterDevice, data: bytes, timeout: float = 5.0) -> Delivery:
    """start_job, send, end_job, then wait for the confirmation."""
    await printer.start_job()
    await printer.send(data, timeout)
    await printer.end_job()
    return await confirmed(printer, timeout)
