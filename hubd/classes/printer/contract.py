"""The printer device classes: receipt printers here, document printers in ``document_printer``
(re-exported: a driver imports this module only).

The receipt-printer device class: honest status, printer geometry, and job delivery.

A printer driver (ESC/P dot-matrix, ESC/POS thermal) says how big its paper and dots are
(``geometry``), turns a device-independent ``PrintProgram`` into its bytes (``encode``) and
reports status (``read_status``) when its link has a return channel, or ``unknown`` with the
reason when it has none. It never reports OK that it did not observe.

Delivering one job, as the print worker drives it (one job at a time per printer)::

    start_job()            a new job begins: the link is ready, counters noted
    send(data) / flush()   bytes out; a stall keeps the rest queued (nothing lost or doubled)
    end_job()              every byte was accepted: mark the end (half-close, spool, ask for a reply)
    confirm_job()          polled until it returns a confirmed ``Delivery``; meanwhile its
                           ``reason`` (UNCONFIRMED, PAPER_OUT...) is shown on the job
    abort_job()            give up the job in flight (it is printed again, marked DUPLICATE)

``close()`` (the supervisor's, after a failed status poll) never cuts a job in flight: it
releases what status reading holds; ``abort_job`` is the worker's.

A job is done only when ``confirm_job`` says so: every byte acknowledged by the peer and, where
the printer can tell us, the printer reporting it has finished with them (``Confirmation``).
A status read that fails is no confirmation. A printer that lost the job (reset the
connection, restarted) makes ``confirm_job`` raise ``DeviceUnavailable``.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass

from hubd.classes.printer.document_printer import (
    MEDIA_A4,
    PAUSED,
    QUEUE_NOT_ACCEPTING,
    Condition,
    DocumentCapabilities,
    DocumentPrinterDevice,
    DocumentPrinterStatus,
    DocumentSource,
    Orientation,
    PrintOptions,
    RemoteJob,
    RemoteJobState,
    Severity,
    Sides,
)
from hubd.classes.printer.document_printer import PrinterState as DocumentPrinterState
from hubd.device import Device, DeviceClass, DeviceEvent, DeviceState, StatusSource
from hubd.render.program import Cut, Feed, Geometry, ImageBand, Placed, PrintProgram, TextLine

PAPER_OUT = "PAPER_OUT"
PAPER_LOADED = "PAPER_LOADED"
PRINTER_OFFLINE = "PRINTER_OFFLINE"
PRINTER_ONLINE = "PRINTER_ONLINE"
UNCONFIRMED = "UNCONFIRMED"
"""Reason: every byte went out but the printer has not (yet) confirmed it finished the job."""
JOB_LOST = "JOB_LOST"
"""Reason: the printer restarted or dropped its buffer before finishing the job."""


class Confirmation(enum.Enum):
    """How a finished job was confirmed (recorded on the job as ``confirmation``)."""

    PRINTER = "printer"
    """Every byte acknowledged and the printer reported it finished (or idle and ready) after them."""
    SPOOLER = "spooler"
    """A spooler took the whole job and reported it handled; delivery is the spooler's."""
    BYTES_ONLY = "bytes only"
    """Every byte acknowledged by the link; it has no return channel to say more."""


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
class Delivery:
    """One look at a job after its last byte: confirmed (and how), or still waiting (and why)."""

    confirmation: Confirmation | None = None
    reason: str = ""
    """While waiting: UNCONFIRMED, PAPER_OUT, PRINTER_OFFLINE..."""
    detail: str = ""
    status: PrinterStatus | None = None
    """A status observed on the way (the worker records it as the printer's latest)."""

    @property
    def done(self) -> bool:
        """True once the job is confirmed."""
        return self.confirmation is not None

    @classmethod
    def waiting(cls, reason: str, detail: str, status: PrinterStatus | None = None) -> Delivery:
        """Not confirmed yet, because ``reason``."""
        return cls(None, reason or UNCONFIRMED, detail, status)


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

    async def start_job(self) -> None:
        """A new job begins (the previous one was confirmed or abandoned): ready the link."""

    async def end_job(self) -> None:
        """Every byte of the job was accepted: mark its end on the link (AppSocket half-close,
        CUPS spool, a request the printer answers once it has printed everything)."""

    @abc.abstractmethod
    async def confirm_job(self) -> Delivery:
        """After ``end_job``: look once (bounded by the device's timeouts) whether the printer has
        every byte and, where it can tell, has finished with them. A failed status read is a
        ``Delivery.waiting`` (UNCONFIRMED), never a confirmation. Raise ``DeviceUnavailable``
        when the printer lost the job (connection reset, restarted)."""

    async def abort_job(self) -> None:
        """Give up the job in flight: drop its queued bytes and close its link."""
        await self.close()

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
    "JOB_LOST",
    "MEDIA_A4",
    "PAUSED",
    "QUEUE_NOT_ACCEPTING",
    "Condition",
    "DocumentCapabilities",
    "DocumentPrinterDevice",
    "DocumentPrinterState",
    "DocumentPrinterStatus",
    "DocumentSource",
    "Orientation",
    "PrintOptions",
    "RemoteJob",
    "RemoteJobState",
    "Severity",
    "Sides",
    "PAPER_LOADED",
    "PAPER_OUT",
    "PRINTER_OFFLINE",
    "PRINTER_ONLINE",
    "UNCONFIRMED",
    "Confirmation",
    "Cut",
    "Delivery",
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
