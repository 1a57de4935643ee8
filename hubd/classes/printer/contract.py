"""The receipt-printer device class: honest status, printer geometry, and a byte sink for jobs.

A printer driver (ESC/P dot-matrix, ESC/POS thermal) says how big its paper and dots are
(``geometry``), turns a device-independent ``PrintProgram`` into its bytes (``encode``), sends
bytes (``send``) and reports status (``read_status``) when its link has a return channel, or
``unknown`` with the reason when it has none. It never reports OK that it did not observe.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass

from hubd.device import Device, DeviceClass, DeviceEvent, DeviceState, StatusSource
from hubd.render.program import Cut, Feed, ImageBand, Placed, PrintProgram, TextLine

PAPER_OUT = "PAPER_OUT"
PAPER_LOADED = "PAPER_LOADED"
PRINTER_OFFLINE = "PRINTER_OFFLINE"
PRINTER_ONLINE = "PRINTER_ONLINE"


class Paper(enum.Enum):
    """Paper level as far as the printer can tell."""

    OK = "ok"
    LOW = "low"
    OUT = "out"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    """One observation of a printer; ``None`` fields mean the printer cannot tell."""

    state: DeviceState
    reason: str = ""
    detail: str = ""
    paper: Paper = Paper.UNKNOWN
    online: bool | None = None
    error: bool | None = None
    source: StatusSource = StatusSource.DEVICE

    @property
    def blocks_printing(self) -> bool:
        """True when the printer said it cannot print now (paper out, offline, error)."""
        return self.paper is Paper.OUT or self.online is False or self.error is True

    @property
    def why_blocked(self) -> str:
        """The UPPER_SNAKE reason a job waits on."""
        if self.paper is Paper.OUT:
            return PAPER_OUT
        if self.online is False:
            return PRINTER_OFFLINE
        return "PRINTER_ERROR" if self.error else ""


@dataclass(frozen=True)
class Geometry:
    """Paper and dots: text columns at 10 cpi, dot pitch, and dots per print-head pass."""

    columns: int
    hdpi: int
    vdpi: int
    band_dots: int

    @property
    def width_dots(self) -> int:
        """Printable width in dots at 10 characters per inch."""
        return self.columns * self.hdpi // 10


class PrinterDevice(Device):
    """Base of receipt-printer drivers."""

    device_class = DeviceClass.RECEIPT_PRINTER


    @abc.abstractmethod
    def geometry(self) -> Geometry:
        """Columns and dots of this printer model."""

    @abc.abstractmethod
    def encode(self, program: PrintProgram) -> bytes:
        """The printer's bytes for a program (text sanitized, graphics packed)."""

    @abc.abstractmethod
    async def send(self, data: bytes, timeout: float) -> None:
        """Write all of ``data``; raise ``TransportTimeout`` if the printer stops taking bytes
        for ``timeout`` seconds (paper out, offline: the rest stays queued, see ``flush``) or
        ``TransportError`` if the link drops."""

    @abc.abstractmethod
    async def flush(self, timeout: float) -> None:
        """Carry on sending what a stalled ``send`` left queued (nothing lost, nothing doubled)."""

    async def end_job(self) -> None:
        """Finish a job (flush; for AppSocket close the connection so the job ends)."""

    @abc.abstractmethod
    async def read_status(self) -> PrinterStatus:
        """Observe the printer now; raise ``DeviceUnavailable`` when it cannot be reached."""

    def assess(self, reading: object) -> tuple[DeviceState, str, str]:
        """UNAVAILABLE while it cannot print, UNKNOWN when it cannot tell, else AVAILABLE."""
        assert isinstance(reading, PrinterStatus)
        if reading.blocks_printing:
            return DeviceState.UNAVAILABLE, reading.why_blocked, reading.detail
        return reading.state, reading.reason, reading.detail

    async def poll(self) -> PrinterStatus:
        """The supervisor's poll reads the status."""
        return await self.read_status()

    def events_between(self, old: object | None, new: object) -> list[DeviceEvent]:
        """PAPER_OUT / PAPER_LOADED / PRINTER_OFFLINE / PRINTER_ONLINE on changes."""
        assert isinstance(new, PrinterStatus)
        prev = old if isinstance(old, PrinterStatus) else None
        events: list[DeviceEvent] = []
        if new.paper is Paper.OUT and (prev is None or prev.paper is not Paper.OUT):
            events.append(DeviceEvent(PAPER_OUT))
        if prev is not None and prev.paper is Paper.OUT and new.paper in (Paper.OK, Paper.LOW):
            events.append(DeviceEvent(PAPER_LOADED))
        if new.online is False and (prev is None or prev.online is not False):
            events.append(DeviceEvent(PRINTER_OFFLINE))
        if prev is not None and prev.online is False and new.online is True:
            events.append(DeviceEvent(PRINTER_ONLINE))
        return events

__all__ = [
    "PAPER_LOADED",
    "PAPER_OUT",
    "PRINTER_OFFLINE",
    "PRINTER_ONLINE",
    "Cut",
    "Feed",
    "Geometry",
    "ImageBand",
    "Paper",
    "Placed",
    "PrintProgram",
    "PrinterDevice",
    "PrinterStatus",
    "TextLine",
]
