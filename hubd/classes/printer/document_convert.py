"""Conversions of document printing (``DocumentOptions``, ``DocumentHeader``, a document printer's
status) for ``kioskhub.v1.PrinterService``; a bad value is INVALID_ARGUMENT naming its field."""

from __future__ import annotations

from typing import Any

from hubd.classes.printer.document_jobs import DocumentJob
from hubd.classes.printer.document_printer import (
    MAX_COPIES,
    MAX_TITLE,
    MEDIA_A4,
    PAPER_OUT,
    PRINTER_OFFLINE,
    DocumentPrinterStatus,
    Orientation,
    PrintOptions,
    Severity,
    Sides,
)
from hubd.classes.printer.records import Job
from hubd.errors import InvalidArgument
from kioskhub.v1 import printer_pb2

Options = printer_pb2.DocumentOptions
_SIDES = {
    Options.SIDES_UNSPECIFIED: Sides.ONE_SIDED,
    Options.SIDES_ONE_SIDED: Sides.ONE_SIDED,
    Options.SIDES_TWO_SIDED_LONG_EDGE: Sides.TWO_SIDED_LONG_EDGE,
    Options.SIDES_TWO_SIDED_SHORT_EDGE: Sides.TWO_SIDED_SHORT_EDGE,
}
_ORIENTATIONS = {
    Options.ORIENTATION_UNSPECIFIED: Orientation.PORTRAIT,
    Options.ORIENTATION_PORTRAIT: Orientation.PORTRAIT,
    Options.ORIENTATION_LANDSCAPE: Orientation.LANDSCAPE,
}
_SEVERITIES = {
    Severity.REPORT: printer_pb2.PrinterCondition.SEVERITY_REPORT,
    Severity.WARNING: printer_pb2.PrinterCondition.SEVERITY_WARNING,
    Severity.ERROR: printer_pb2.PrinterCondition.SEVERITY_ERROR,
}
MAX_RANGES = 100


def options_from_pb(msg: printer_pb2.DocumentOptions, title: str, field: str) -> PrintOptions:
    """``DocumentOptions`` (under ``field``) and a title as checked ``PrintOptions``."""
    copies = msg.copies or 1
    if copies > MAX_COPIES:
        raise InvalidArgument(f"{field}.copies", f"must be 1..{MAX_COPIES}, got {copies}")
    if msg.sides not in _SIDES:
        raise InvalidArgument(f"{field}.sides", f"{msg.sides} is not a Sides")
    if msg.orientation not in _ORIENTATIONS:
        raise InvalidArgument(f"{field}.orientation", f"{msg.orientation} is not an Orientation")
    if len(msg.page_ranges) > MAX_RANGES:
        raise InvalidArgument(f"{field}.page_ranges", f"at most {MAX_RANGES} ranges")
    ranges = tuple((r.first, r.last) for r in msg.page_ranges)
    if len(title) > MAX_TITLE or not title.isprintable():
        raise InvalidArgument("header.title", f"at most {MAX_TITLE} printable characters")
    options = PrintOptions(
        copies=copies, sides=_SIDES[msg.sides], orientation=_ORIENTATIONS[msg.orientation],
        page_ranges=ranges, fit_to_page=msg.fit_to_page, media=msg.media or MEDIA_A4, title=title,
    )
    try:
        options.check()
    except InvalidArgument as err:
        raise InvalidArgument(err.field.replace("options", field, 1), err.description) from err
    return options


def options_to_pb(options: PrintOptions) -> printer_pb2.DocumentOptions:
    """``PrintOptions`` as ``DocumentOptions`` (the first enum value of each meaning)."""
    sides = next(k for k, v in _SIDES.items() if v is options.sides and k)
    orientation = next(k for k, v in _ORIENTATIONS.items() if v is options.orientation and k)
    return Options(
        copies=options.copies, sides=sides, orientation=orientation, fit_to_page=options.fit_to_page,
        media=options.media,
        page_ranges=[Options.PageRange(first=a, last=b) for a, b in options.page_ranges],
    )


def fill_job(msg: printer_pb2.PrintJob, job: Job) -> None:
    """The document fields of a ``PrintJob`` (options only while the job keeps its payload)."""
    msg.page_count = job.pages
    msg.printer_job_id = job.remote_id
    msg.document_size_bytes = job.document_size
    if job.payload:
        msg.document_options.CopyFrom(options_to_pb(DocumentJob.of(job).options))


def fill_status(msg: printer_pb2.PrinterStatus, reading: DocumentPrinterStatus) -> None:
    """Conditions, accepting, paper and online of a document printer's current reading."""
    msg.conditions.extend(
        printer_pb2.PrinterCondition(reason=c.reason, severity=_SEVERITIES[c.severity], keyword=c.keyword)
        for c in reading.conditions
    )
    msg.accepting_jobs = reading.accepting
    if reading.has(PAPER_OUT):
        msg.paper = printer_pb2.PAPER_STATE_OUT
    elif reading.has("PAPER_LOW"):
        msg.paper = printer_pb2.PAPER_STATE_LOW
    else:
        msg.paper = printer_pb2.PAPER_STATE_OK
    msg.online = not reading.has(PRINTER_OFFLINE)
    msg.error = any(c.severity is Severity.ERROR for c in reading.conditions)


def size_check(header: Any, max_bytes: int) -> None:
    """A header announcing a file over the cap is refused before any byte is read."""
    if header.size_bytes > max_bytes:
        raise InvalidArgument(
            "header.size_bytes", f"{header.size_bytes} bytes is over the {max_bytes // 2**20} MB limit",
            reason="DOCUMENT_TOO_LARGE",
        )
