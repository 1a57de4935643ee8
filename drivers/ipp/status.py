"""IPP attributes as document-printer values: printer status, capabilities, job state.

``printer-state-reasons`` keywords (RFC 8011 §5.4.12, PWG 5100.9) carry an optional severity
suffix: ``-report``, ``-warning`` or ``-error``; a keyword without one is an error, except the
progress words CUPS's ipp backend sets on a queue while it delivers a job (connecting-to-device,
cups-waiting-for-job-completed, cups-remote-*), which report. ``none`` means no condition.
Keywords become UPPER_SNAKE reasons; those the hub already names for every printer get that
name (media-empty → PAPER_OUT, offline → PRINTER_OFFLINE, door/cover open → COVER_OPEN); the
rest keep IPP's word (toner-low → TONER_LOW).
"""

from __future__ import annotations

from hubd.classes.printer.contract import (
    Condition,
    DocumentCapabilities,
    DocumentPrinterStatus,
    RemoteJob,
    RemoteJobState,
    Severity,
)
from hubd.classes.printer.contract import DocumentPrinterState as State
from hubd.driver_api import ProtocolError, StatusSource, ipp

STATUS_ATTRIBUTES = (
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "queued-job-count",
)
CAPABILITY_ATTRIBUTES = (
    "printer-make-and-model",
    "document-format-supported",
    "media-supported",
    "media-default",
    "media-ready",
    "sides-supported",
    "color-supported",
    "print-color-mode-supported",
    "printer-resolution-supported",
    "copies-supported",
    "page-ranges-supported",
    "orientation-requested-supported",
    "print-scaling-supported",
    "operations-supported",
)
JOB_ATTRIBUTES = (
    "job-id",
    "job-name",
    "job-state",
    "job-state-reasons",
    "job-state-message",
    "job-impressions-completed",
    "job-media-sheets-completed",
    "job-k-octets",
)

_SUFFIXES = {"-report": Severity.REPORT, "-warning": Severity.WARNING, "-error": Severity.ERROR}
_PROGRESS = ("connecting-to-device", "cups-waiting-for-job-completed", "cups-remote-")
UNREACHABLE_MESSAGES = frozenset(
    {
        "The printer may not exist or is unavailable at this time.",
        "The printer is unreachable at this time.",
        "The printer is not responding.",
        "Waiting for printer to become available.",
    }
)
"""What CUPS's backends (ipp.c, network.c, usb) put in printer-state-message, and nowhere else,
while they cannot reach the printer: the ipp backend sets no state reason for it."""
_HUB_REASONS = {
    "media-empty": "PAPER_OUT",
    "media-low": "PAPER_LOW",
    "media-needed": "PAPER_NEEDED",
    "media-jam": "PAPER_JAM",
    "offline": "PRINTER_OFFLINE",
    "door-open": "COVER_OPEN",
    "cover-open": "COVER_OPEN",
    "shutdown": "PRINTER_SHUTDOWN",
}
_PRINTER_STATES = {
    ipp.PrinterState.IDLE: State.IDLE,
    ipp.PrinterState.PROCESSING: State.PROCESSING,
    ipp.PrinterState.STOPPED: State.STOPPED,
}
_JOB_STATES = {
    ipp.JobState.PENDING: RemoteJobState.PENDING,
    ipp.JobState.PENDING_HELD: RemoteJobState.HELD,
    ipp.JobState.PROCESSING: RemoteJobState.PROCESSING,
    ipp.JobState.PROCESSING_STOPPED: RemoteJobState.STOPPED,
    ipp.JobState.CANCELED: RemoteJobState.CANCELED,
    ipp.JobState.ABORTED: RemoteJobState.ABORTED,
    ipp.JobState.COMPLETED: RemoteJobState.COMPLETED,
}
_RESUME_OPS = {ipp.Op.RESUME_PRINTER, ipp.Op.CUPS_ACCEPT_JOBS}


def upper_snake(keyword: str) -> str:
    """``toner-low`` → ``TONER_LOW`` (dots and dashes become underscores)."""
    return "".join(ch if ch.isalnum() else "_" for ch in keyword.upper())


def condition(keyword: str) -> Condition | None:
    """One printer-state-reasons keyword as a Condition; None for ``none``."""
    base, severity = keyword, Severity.REPORT if keyword.startswith(_PROGRESS) else Severity.ERROR
    for suffix, level in _SUFFIXES.items():
        if keyword.endswith(suffix):
            base, severity = keyword[: -len(suffix)], level
            break
    if not base or base == "none":
        return None
    return Condition(_HUB_REASONS.get(base) or upper_snake(base), severity, base)


def conditions(keywords: tuple[str, ...]) -> tuple[Condition, ...]:
    """The conditions of printer-state-reasons, the first of each reason kept."""
    found: dict[str, Condition] = {}
    for keyword in keywords:
        cond = condition(keyword)
        if cond is not None and cond.reason not in found:
            found[cond.reason] = cond
    return tuple(found.values())


def _int(message: ipp.Message, name: str) -> int | None:
    values = ipp.values_of(message, name)
    return values[0] if values and isinstance(values[0], int) and not isinstance(values[0], bool) else None


def _bool(message: ipp.Message, name: str) -> bool | None:
    values = ipp.values_of(message, name)
    return values[0] if values and isinstance(values[0], bool) else None


def text(message: ipp.Message, name: str) -> str:
    """The first string value of ``name``, "" when absent."""
    found = ipp.strings(ipp.values_of(message, name))
    return found[0] if found else ""


def job_id(message: ipp.Message) -> int:
    """The ``job-id`` of a job answer; ProtocolError when missing."""
    found = _int(message, "job-id")
    if found is None or found <= 0:
        raise ProtocolError("the printer answered without a job-id")
    return found


def job_uuid(message: ipp.Message) -> str:
    """The ``job-uuid``, "" when the printer has none."""
    return text(message, "job-uuid")


def printer_status(message: ipp.Message, source: StatusSource) -> DocumentPrinterStatus:
    """A Get-Printer-Attributes answer as a status; ProtocolError when printer-state is missing."""
    state = _int(message, "printer-state")
    if state not in _PRINTER_STATES:
        raise ProtocolError(f"Get-Printer-Attributes gave no usable printer-state ({state!r})")
    accepting = _bool(message, "printer-is-accepting-jobs")
    words = text(message, "printer-state-message")
    found = conditions(ipp.strings(ipp.values_of(message, "printer-state-reasons")))
    if (
        source is StatusSource.SPOOLER
        and words in UNREACHABLE_MESSAGES
        and not any(c.reason == "PRINTER_OFFLINE" for c in found)
    ):
        found += (Condition("PRINTER_OFFLINE", Severity.WARNING, "offline"),)
    return DocumentPrinterStatus(
        state=_PRINTER_STATES[ipp.PrinterState(state)],
        accepting=accepting is not False,
        conditions=found,
        message=words,
        queued_jobs=_int(message, "queued-job-count"),
        source=source,
    )


def capabilities(message: ipp.Message) -> DocumentCapabilities:
    """A Get-Printer-Attributes answer as capabilities (absent attributes give empty values)."""

    def keywords(name: str) -> tuple[str, ...]:
        return ipp.strings(ipp.values_of(message, name))

    copies = [v.high for v in ipp.values_of(message, "copies-supported") if isinstance(v, ipp.IntRange)]
    resolutions = tuple(
        (v.x, v.y) if v.units == 3 else (round(v.x * 2.54), round(v.y * 2.54))
        for v in ipp.values_of(message, "printer-resolution-supported")
        if isinstance(v, ipp.Resolution)
    )
    orientations = {n: k for k, n in ipp.ORIENTATION.items()}
    ops = {v for v in ipp.values_of(message, "operations-supported") if isinstance(v, int)}
    return DocumentCapabilities(
        make_and_model=text(message, "printer-make-and-model"),
        document_formats=keywords("document-format-supported"),
        media_supported=keywords("media-supported"),
        media_default=text(message, "media-default"),
        media_ready=keywords("media-ready"),
        sides_supported=keywords("sides-supported"),
        color_supported=_bool(message, "color-supported") is True,
        color_modes=keywords("print-color-mode-supported"),
        resolutions_dpi=resolutions,
        copies_max=max(copies, default=1),
        page_ranges_supported=_bool(message, "page-ranges-supported") is True,
        orientations=tuple(
            orientations[v]
            for v in ipp.values_of(message, "orientation-requested-supported")
            if isinstance(v, int) and v in orientations
        ),
        print_scaling=keywords("print-scaling-supported"),
        can_resume=bool(ops & _RESUME_OPS),
    )


def remote_job(message: ipp.Message, remote_id: str) -> RemoteJob:
    """A job group (Get-Job-Attributes, Get-Jobs, Print-Job) as a RemoteJob."""
    state = _int(message, "job-state")
    if state not in _JOB_STATES:
        raise ProtocolError(f"job {remote_id}: no usable job-state ({state!r})")
    reasons = tuple(
        upper_snake(r) for r in ipp.strings(ipp.values_of(message, "job-state-reasons")) if r != "none"
    )
    pages = _int(message, "job-impressions-completed")
    if pages is None:
        pages = _int(message, "job-media-sheets-completed")
    return RemoteJob(
        remote_id=remote_id,
        state=_JOB_STATES[ipp.JobState(state)],
        reasons=reasons,
        message=text(message, "job-state-message"),
        pages_completed=pages,
        name=text(message, "job-name"),
        k_octets=_int(message, "job-k-octets"),
    )
