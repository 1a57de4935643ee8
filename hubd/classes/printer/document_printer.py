"""The document-printer device class: an A4 laser printer that takes whole documents (PDF).

A driver (IPP to a CUPS queue or straight to an IPP Everywhere printer) reports what the printer
can do (``capabilities``), how it is (``read_status``: a state, whether it accepts jobs, and its
conditions with a severity), takes a document with print options (``submit`` → the printer's
job id), follows that job (``job_state``), cancels it, finds it again after a crash
(``find_job`` by the key given at submit) and re-enables a paused or rejecting queue
(``resume``). It never reports OK that it did not observe, and it does not know whether the
printer is a simulator.

Severity follows IPP's printer-state-reasons suffixes (RFC 8011 §5.4.12): a reason without a
suffix or with ``-error`` is an error and stops printing; ``-warning`` and ``-report`` do not.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path

from hubd.device import Device, DeviceClass, DeviceEvent, DeviceState, StatusSource
from hubd.errors import InvalidArgument, quote

MEDIA_A4 = "iso_a4_210x297mm"
MAX_COPIES = 99
MAX_TITLE = 200
PAPER_OUT = "PAPER_OUT"
PRINTER_OFFLINE = "PRINTER_OFFLINE"
PAUSED = "PAUSED"
QUEUE_NOT_ACCEPTING = "QUEUE_NOT_ACCEPTING"
PRINTER_STOPPED = "PRINTER_STOPPED"

DocumentSource = Path | AsyncIterable[bytes]
"""A PDF to print: a file, or an async iterator of its bytes in chunks."""


class Sides(enum.Enum):
    """Simplex or duplex (the IPP ``sides`` keywords)."""

    ONE_SIDED = "one-sided"
    TWO_SIDED_LONG_EDGE = "two-sided-long-edge"
    TWO_SIDED_SHORT_EDGE = "two-sided-short-edge"


class Orientation(enum.Enum):
    """Page orientation requested (IPP ``orientation-requested``)."""

    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


class Severity(enum.Enum):
    """How bad a printer condition is: a report or warning does not stop printing, an error does."""

    REPORT = "report"
    WARNING = "warning"
    ERROR = "error"


class PrinterState(enum.Enum):
    """The printer's (or CUPS queue's) own state word."""

    IDLE = "idle"
    PROCESSING = "processing"
    STOPPED = "stopped"


class RemoteJobState(enum.Enum):
    """A job's state at the printer or spooler (IPP ``job-state``)."""

    PENDING = "pending"
    HELD = "held"
    PROCESSING = "processing"
    STOPPED = "stopped"
    """Processing stopped: the job waits for the printer (paused, offline, out of paper)."""
    CANCELED = "canceled"
    ABORTED = "aborted"
    COMPLETED = "completed"

    @property
    def done(self) -> bool:
        """True once the job can change no more (completed, canceled or aborted)."""
        return self in (RemoteJobState.CANCELED, RemoteJobState.ABORTED, RemoteJobState.COMPLETED)


@dataclass(frozen=True)
class Condition:
    """One printer condition: an UPPER_SNAKE reason, its severity and the printer's keyword."""

    reason: str
    severity: Severity
    keyword: str = ""


@dataclass(frozen=True)
class DocumentPrinterStatus:
    """One observation of a document printer (the supervisor's reading)."""

    state: PrinterState
    accepting: bool
    conditions: tuple[Condition, ...] = ()
    message: str = ""
    queued_jobs: int | None = None
    source: StatusSource = StatusSource.DEVICE

    @property
    def why_blocked(self) -> str:
        """The reason printing cannot go on now, "" when it can.

        Stopped (paused) or not accepting jobs, an error-severity condition, or off line or out
        of paper at any severity (a spooler reports an unreachable printer as ``offline-report``
        while it keeps the jobs; an IPP Everywhere printer reports an empty tray as
        ``media-empty-report`` when idle and ``-warning`` while printing: either way the next
        sheet cannot come).
        """
        errors = [c.reason for c in self.conditions if c.severity is Severity.ERROR]
        if self.state is PrinterState.STOPPED:
            return PAUSED if PAUSED in errors else (errors[0] if errors else PRINTER_STOPPED)
        if not self.accepting:
            return QUEUE_NOT_ACCEPTING
        if errors:
            return errors[0]
        return next((r for r in _BLOCKING_AT_ANY_SEVERITY if self.has(r)), "")

    def has(self, reason: str) -> bool:
        """True when a condition with ``reason`` is present (any severity)."""
        return any(c.reason == reason for c in self.conditions)

    def describe(self) -> str:
        """State, message and conditions in a line for people."""
        words = [self.state.value + ("" if self.accepting else ", not accepting jobs")]
        if self.message:
            words.append(self.message)
        if self.conditions:
            words.append(" ".join(f"{c.reason.lower()}({c.severity.value})" for c in self.conditions))
        return "; ".join(words)


@dataclass(frozen=True)
class DocumentCapabilities:
    """What the printer says it can do (IPP Get-Printer-Attributes)."""

    make_and_model: str = ""
    document_formats: tuple[str, ...] = ()
    media_supported: tuple[str, ...] = ()
    media_default: str = ""
    media_ready: tuple[str, ...] = ()
    sides_supported: tuple[str, ...] = ()
    color_supported: bool = False
    color_modes: tuple[str, ...] = ()
    resolutions_dpi: tuple[tuple[int, int], ...] = ()
    copies_max: int = 1
    page_ranges_supported: bool = False
    orientations: tuple[str, ...] = ()
    print_scaling: tuple[str, ...] = ()
    can_resume: bool = False
    """The printer/queue takes Resume-Printer or CUPS-Accept-Jobs (``resume`` can work)."""


@dataclass(frozen=True)
class PrintOptions:
    """How to print a document; ``key`` marks the job so ``find_job`` finds it after a crash."""

    copies: int = 1
    sides: Sides = Sides.ONE_SIDED
    orientation: Orientation = Orientation.PORTRAIT
    page_ranges: tuple[tuple[int, int], ...] = ()
    """Inclusive 1-based page ranges, ascending and not overlapping; () prints every page."""
    fit_to_page: bool = False
    media: str = MEDIA_A4
    title: str = ""
    key: str = ""

    def check(self, pages: int | None = None) -> None:
        """INVALID_ARGUMENT naming ``options.<field>`` for a value no printer could honour
        (``pages``, when known, bounds the page ranges)."""
        copies = self.copies
        if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= MAX_COPIES:
            raise InvalidArgument("options.copies", f"must be 1..{MAX_COPIES}, got {quote(self.copies)}")
        last = 0
        for low, high in self.page_ranges:
            if not (isinstance(low, int) and isinstance(high, int) and last < low <= high):
                raise InvalidArgument(
                    "options.page_ranges", f"ranges must ascend without overlap from 1, got {low}-{high}"
                )
            last = high
        if pages is not None and self.page_ranges and self.page_ranges[0][0] > pages:
            raise InvalidArgument("options.page_ranges", f"the document has only {pages} pages")
        if not self.media or not self.media.isascii() or len(self.media) > 64:
            raise InvalidArgument("options.media", f"not a media name: {quote(self.media)}")
        if len(self.title) > MAX_TITLE or len(self.key) > 64:
            raise InvalidArgument("options.title", f"title is limited to {MAX_TITLE} characters, key to 64")

    def check_against(self, caps: DocumentCapabilities) -> None:
        """INVALID_ARGUMENT naming the field this printer cannot honour (sides, copies, media)."""
        if self.sides is not Sides.ONE_SIDED and self.sides.value not in caps.sides_supported:
            can = ", ".join(caps.sides_supported) or "one-sided"
            raise InvalidArgument("options.sides", f"{self.sides.value} is not supported (printer: {can})")
        if self.copies > max(caps.copies_max, 1):
            raise InvalidArgument("options.copies", f"the printer makes at most {caps.copies_max} copies")
        if caps.media_supported and self.media not in caps.media_supported:
            raise InvalidArgument("options.media", f"{self.media} is not supported by this printer")
        if self.page_ranges and not caps.page_ranges_supported:
            raise InvalidArgument("options.page_ranges", "this printer does not print page ranges")


@dataclass(frozen=True)
class RemoteJob:
    """A job as the printer or spooler reports it."""

    remote_id: str
    state: RemoteJobState
    reasons: tuple[str, ...] = ()
    """UPPER_SNAKE job-state-reasons (``JOB_PRINTING``, ``PRINTER_STOPPED``…)."""
    message: str = ""
    pages_completed: int | None = None
    name: str = ""
    k_octets: int | None = None
    """The document's size as the printer holds it (IPP ``job-k-octets``), when it says."""


class DocumentPrinterDevice(Device):
    """Base of document-printer drivers."""

    device_class = DeviceClass.DOCUMENT_PRINTER
    DEFAULT_POLL_INTERVAL = 3.0
    """A status read is an IPP request: every 3 s (a job follows its own state)."""

    @abc.abstractmethod
    async def capabilities(self) -> DocumentCapabilities:
        """What the printer can do; raise ``DeviceUnavailable`` when it cannot be asked."""

    @abc.abstractmethod
    async def read_status(self) -> DocumentPrinterStatus:
        """Observe the printer now; raise ``DeviceUnavailable`` (reason says why) on failure."""

    @abc.abstractmethod
    async def submit(self, document: DocumentSource, options: PrintOptions) -> str:
        """Send one PDF as one job and return the printer's job id (opaque, for ``job_state``).

        INVALID_ARGUMENT for options the printer cannot honour, DeviceNotReady
        (QUEUE_NOT_ACCEPTING) when the queue rejects jobs, DeviceUnavailable/TransportError when
        it cannot be reached. When it raises, no job was created; but a connection lost after
        the document was sent may leave one: look for it with ``find_job(options.key)``.
        """

    @abc.abstractmethod
    async def job_state(self, remote_id: str) -> RemoteJob:
        """The job's state now; NotFound REMOTE_JOB_NOT_FOUND when the printer no longer knows it."""

    @abc.abstractmethod
    async def cancel(self, remote_id: str) -> RemoteJob:
        """Cancel the job (no error if it already ended) and return its state afterwards."""

    @abc.abstractmethod
    async def find_job(self, key: str) -> RemoteJob | None:
        """The newest job submitted with ``PrintOptions.key == key`` that the printer still lists."""

    @abc.abstractmethod
    async def resume(self) -> DocumentPrinterStatus:
        """Re-enable a paused or rejecting queue; FailedPrecondition when the printer cannot."""

    async def poll(self) -> DocumentPrinterStatus:
        """The supervisor's poll reads the status."""
        return await self.read_status()

    def assess(self, reading: object) -> tuple[DeviceState, str, str]:
        """UNAVAILABLE while it cannot print (reason why), else AVAILABLE with its worst warning."""
        assert isinstance(reading, DocumentPrinterStatus)
        blocked = reading.why_blocked
        if blocked:
            return DeviceState.UNAVAILABLE, blocked, reading.describe()
        warnings = sorted(reading.conditions, key=lambda c: c.severity is not Severity.WARNING)
        return DeviceState.AVAILABLE, warnings[0].reason if warnings else "", reading.describe()

    def events_between(self, old: object | None, new: object) -> list[DeviceEvent]:
        """PAPER_OUT/PAPER_LOADED, PRINTER_OFFLINE/PRINTER_ONLINE, else PRINTER_ALERT/_CLEARED,
        for each condition that appears or goes away."""
        assert isinstance(new, DocumentPrinterStatus)
        before = {c.reason: c for c in old.conditions} if isinstance(old, DocumentPrinterStatus) else {}
        after = {c.reason: c for c in new.conditions}
        events = [
            DeviceEvent(_RAISED.get(r, "PRINTER_ALERT"), {"reason": r, "severity": c.severity.value})
            for r, c in after.items() if r not in before
        ]
        events += [
            DeviceEvent(_CLEARED.get(r, "PRINTER_ALERT_CLEARED"), {"reason": r})
            for r in before if r not in after
        ]
        return events


_BLOCKING_AT_ANY_SEVERITY = (PRINTER_OFFLINE, PAPER_OUT)
_RAISED = {PAPER_OUT: "PAPER_OUT", PRINTER_OFFLINE: "PRINTER_OFFLINE"}
_CLEARED = {PAPER_OUT: "PAPER_LOADED", PRINTER_OFFLINE: "PRINTER_ONLINE"}
