"""The printer status a driver reports when it observed nothing: ``unknown``, never OK.

Both printer drivers say ``unknown`` with a reason when their link has no return channel, when
a reply is missing or malformed, or when the printer cannot be asked right now (hubd.classes.printer.contract:
a status is OK only when it was observed).
"""

from __future__ import annotations

from hubd.classes.printer.contract import Paper, PrinterStatus
from hubd.driver_api import DeviceState, StatusSource

NO_STATUS_CHANNEL = "NO_STATUS_CHANNEL"
"""Reason: the link cannot carry status back (a one-way file, serial ESC/P, bare AppSocket)."""


def unknown(reason: str, detail: str, source: StatusSource = StatusSource.INFERRED) -> PrinterStatus:
    """A status that admits the printer cannot be observed: paper, online, error all unknown."""
    return PrinterStatus(
        state=DeviceState.UNKNOWN, reason=reason, detail=detail, paper=Paper.UNKNOWN, source=source
    )
