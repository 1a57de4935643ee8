"""Printing: receipt printers (and room for document printers), the persistent job queue, one
worker per printer, crash recovery, retention, and ``PrinterService``."""

from __future__ import annotations

from zoneinfo import ZoneInfoNotFoundError

from hubd.classes.spec import ClassSpec, ReportSection, SimulatedDevice
from hubd.device import DeviceClass, Duration, Option


def _zone_problem(name: str) -> str:
    from hubd.classes.printer.spooler import zone

    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name[:40]!r}"
    return ""


SPEC = ClassSpec(
    name="printer",
    title="Printing: receipts on the dot-matrix and thermal printers, documents on the A4 laser",
    device_classes=(DeviceClass.RECEIPT_PRINTER, DeviceClass.DOCUMENT_PRINTER),
    services=("hubd.classes.printer.service:PrinterServicer",),
    runner="hubd.classes.printer.spooler:runner",
    cli="hubd.classes.printer.cli",
    report=(ReportSection("Printers", ("printers",)),
            ReportSection("Print jobs, newest 20", ("jobs", "--limit", "20"))),
    demo="hubd.classes.printer.demo",
    demo_order=40,
    later_demos=((90, "hubd.classes.printer.demo_certificate"),),
    simulate=(
        SimulatedDevice("receipt", "escp", options={"model": "tvs-msp250"}, output=True, default=True),
        SimulatedDevice("thermal", "escpos", output=True),
        SimulatedDevice("laser", "ipp", output=True),
    ),
    settings_section="printing",
    settings={
        "recovery": Option(
            str,
            "reprint",
            "a job interrupted by a crash: reprint marked DUPLICATE, or hold",
            choices=("reprint", "hold"),
        ),
        "timezone": Option(str, "Asia/Kolkata", "receipts show times in this zone", validate=_zone_problem),
        "keep_payload": Option(
            Duration, 86400.0, "finished jobs' contents are erased after this", 0, 365 * 86400
        ),
        "keep_jobs": Option(
            Duration,
            30 * 86400.0,
            "finished jobs (and their request ids) are deleted after this",
            3600,
            3650 * 86400,
        ),
        "max_document_mb": Option(int, 50, "a document larger than this (MB) is refused", 1, 1024),
        "resume_paused": Option(
            bool, True, "re-enable a paused or rejecting document-printer queue (CUPS stops a queue "
            "when its printer fails; kiosk operators do not run cupsenable)"
        ),
    },
    events={
        "JOB_QUEUED": "a print job was accepted and committed",
        "JOB_PRINTING": "a print job is being sent to its printer",
        "JOB_WAITING": "a print job is not moving; the reason says why (PAPER_OUT, UNCONFIRMED…)",
        "JOB_SUCCEEDED": "the printer has the whole job and, where it can tell, finished it",
        "JOB_FAILED": "a print job gave up (reason: DEADLINE_EXCEEDED, a bad document…)",
        "JOB_EXPIRED": "a print job was not started within its ttl",
        "JOB_CANCELLED": "a print job was cancelled before it started",
        "JOB_HELD": "a job interrupted by a crash is held for the operator",
        "PAPER_OUT": "the printer reports no paper",
        "PAPER_LOADED": "paper is back",
        "PRINTER_OFFLINE": "the printer reports it is off line",
        "PRINTER_ONLINE": "the printer is on line again",
        "PRINTER_ALERT": "a document printer reports a condition (attributes: reason, severity)",
        "PRINTER_ALERT_CLEARED": "a document printer's condition went away (attribute: reason)",
        "PRINTER_RESUMED": "the hub re-enabled a paused or rejecting document-printer queue",
    },
    reasons={
        "PAPER_OUT": "the printer has no paper",
        "PRINTER_OFFLINE": "the printer is off line (button, cover)",
        "PRINTER_ERROR": "the printer reports an error",
        "PRINTER_NOT_ACCEPTING": "the printer stopped taking data",
        "NO_STATUS_CHANNEL": "the link cannot carry status back: the status is unknown",
        "NO_STATUS_REPLY": "the printer did not answer a status request",
        "UNCONFIRMED": "the job was sent but the printer could not yet confirm it has all of it",
        "JOB_LOST": "the printer lost the job (it restarted, or answered a later job but not this one)",
        "LINK_BUSY": "the printer's link is in use by a job",
        "DEADLINE_EXCEEDED": "the job's retry time ran out",
        "EXPIRED": "the job was not started within its ttl",
        "CANCELLED": "cancelled by a client",
        "INTERRUPTED": "the hub stopped while the job was printing (hold policy)",
        "JOB_STATE": "the job is in a state that does not allow the operation",
        "PRINT_JOB_NOT_FOUND": "no print job has that id",
        "QUEUE_STOPPED": "the CUPS queue is stopped",
        "QUEUE_NOT_ACCEPTING": "the CUPS queue rejects jobs",
        "SPOOLER_ERROR": "the spooler refused or failed",
        "JOB_TOO_LARGE": "the job is larger than the link accepts",
        "SPOOLER_TIMEOUT": "the spooler did not answer in time",
        "FONT_MISSING": "a font the receipt needs is not installed",
        "PAUSED": "the document printer's queue is paused (by an admin, or by CUPS after a failure)",
        "PRINTER_STOPPED": "the document printer stopped processing jobs",
        "PAPER_JAM": "paper is jammed in the printer",
        "PAPER_LOW": "the printer's paper is running low",
        "COVER_OPEN": "a door or cover of the printer is open",
        "TONER_LOW": "the toner is running low (printing goes on)",
        "TONER_EMPTY": "the toner is empty",
        "HELD_AT_PRINTER": "the printer holds the job (job-hold-until)",
        "DOCUMENT_REFUSED": "the printer cannot print the document with these options",
        "DOCUMENT_MISSING": "the document's file is gone from the state directory",
        "PRINTER_ABORTED": "the printer aborted the job",
        "REMOTE_JOB_NOT_FOUND": "the printer no longer knows the job (it restarted)",
        "RESUME_NOT_SUPPORTED": "the printer cannot be re-enabled over IPP",
        "DOCUMENT_TOO_LARGE": "the document is larger than [printing] max_document_mb",
        "DOCUMENT_UNREADABLE": "the hub could not read back a document it had stored",
        "DOCUMENT_FORMAT_NOT_SUPPORTED": "the printer does not take PDF (it offers no format we send)",
        "ATTRIBUTES_NOT_SUPPORTED": "the printer refused a job option (copies, sides, pages...)",
        "NOT_AUTHORIZED": "the printer or print server wants credentials the hub does not have",
        "PRINTER_NOT_FOUND": "no printer or queue at the configured URL",
        "TLS_REQUIRED": "the printer only talks TLS: configure ipps://",
        "TLS_ERROR": "the TLS connection to the printer failed",
        "DOCUMENT_EMPTY": "the document has no bytes",
        "NOT_A_PDF": "the document is not a PDF, JPEG or PNG",
        "PDF_TRUNCATED": "the PDF is cut short",
        "PDF_DAMAGED": "the PDF is damaged",
        "PDF_ENCRYPTED": "the PDF needs a password or forbids printing",
        "PDF_TOO_MANY_PAGES": "the PDF has more pages than allowed",
        "PDF_PAGE_TOO_LARGE": "a PDF page is larger than a printer could take",
        "PDF_TOO_COMPLEX": "the PDF decompresses past the limits (a bomb?)",
        "IMAGE_TOO_LARGE": "the image has too many pixels",
        "IMAGE_UNREADABLE": "the image cannot be read",
    },
    event_payload="hubd.classes.printer.convert:event_payload",
)
