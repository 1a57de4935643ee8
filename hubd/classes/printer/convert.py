"""Conversions for ``kioskhub.v1.PrinterService`` (jobs, documents, printer status), every field's
range checked: a bad value is INVALID_ARGUMENT naming its proto field, never INTERNAL."""

from __future__ import annotations

from datetime import UTC, timedelta, tzinfo
from typing import Any

from hubd.classes.printer import document_convert, documents
from hubd.classes.printer.contract import Confirmation, DocumentPrinterStatus, Paper, PrinterStatus
from hubd.classes.printer.records import Job, JobState
from hubd.errors import InvalidArgument
from hubd.rpc.convert import source_to_pb, state_to_pb, timestamp
from hubd.rpc.paging import Page
from hubd.supervisor import Supervisor
from kioskhub.v1 import printer_pb2

PrintJob = printer_pb2.PrintJob
MAX_WINDOW = timedelta(days=7)
_STATE_NAMES = {JobState.DONE: "SUCCEEDED"}
_KINDS = {
    "text": PrintJob.KIND_TEXT, "image": PrintJob.KIND_IMAGE, "receipt": PrintJob.KIND_RECEIPT,
    "document": PrintJob.KIND_DOCUMENT,
}
_CONFIRMATIONS = {
    Confirmation.PRINTER.value: PrintJob.CONFIRMATION_DEVICE,
    Confirmation.BYTES_ONLY.value: PrintJob.CONFIRMATION_BYTES_ONLY,
    Confirmation.SPOOLER.value: PrintJob.CONFIRMATION_SPOOLER,
}
_RECEIPT_FIELDS = (
    "kiosk_id",
    "kiosk_name",
    "receipt_no",
    "transaction_id",
    "department",
    "service",
    "consumer_no",
    "consumer_name",
    "amount_paise",
    "kiosk_fee_paise",
    "payment_mode",
    "operator",
)


def job_state_to_pb(state: JobState) -> Any:
    """Core job state → ``PrintJob.State``."""
    return PrintJob.State.Value(f"STATE_{_STATE_NAMES.get(state, state.name)}")


def job_states_from_pb(values: Any) -> list[JobState] | None:
    """``PrintJob.State`` values (a filter) → core states; an unknown number is INVALID_ARGUMENT."""
    by_name = {_STATE_NAMES.get(s, s.name): s for s in JobState}
    out = []
    for i, value in enumerate(values):
        try:
            out.append(by_name[PrintJob.State.Name(value).removeprefix("STATE_")])
        except (ValueError, KeyError) as err:
            raise InvalidArgument(f"states[{i}]", f"{value} is not a PrintJob.State") from err
    return out or None


def job_to_pb(job: Job) -> printer_pb2.PrintJob:
    """A core job as ``PrintJob``."""
    msg = PrintJob(
        print_job_id=job.job_id,
        device_id=job.printer_id,
        request_id=job.idempotency_key,
        kind=_KINDS.get(job.kind, PrintJob.KIND_UNSPECIFIED),
        state=job_state_to_pb(job.state),
        reason=job.reason,
        reason_detail=job.detail,
        attempts=job.attempts,
        duplicate=job.duplicate,
        create_time=timestamp(job.created_at),
        update_time=timestamp(job.updated_at),
        expire_time=timestamp(job.expires_at),
        deadline_time=timestamp(job.deadline),
        finish_time=timestamp(job.finished_at),
        confirmation=_CONFIRMATIONS.get(job.confirmation, PrintJob.CONFIRMATION_UNSPECIFIED),
    )
    if job.kind == "document":
        document_convert.fill_job(msg, job)
    return msg


def window(value: Any, field: str) -> timedelta | None:
    """A Duration field (ttl, retry_duration): None when unset or zero; 0 < d <= 7 days."""
    if value.nanos and (value.seconds * value.nanos < 0 or abs(value.nanos) >= 10**9):
        raise InvalidArgument(field, "is not a valid Duration (seconds and nanos disagree)")
    seconds = value.seconds + value.nanos / 1e9
    if seconds < 0:
        raise InvalidArgument(field, "must not be negative")
    if seconds > MAX_WINDOW.total_seconds():
        raise InvalidArgument(field, f"at most {MAX_WINDOW.days} days, got {value.seconds} s")
    return timedelta(seconds=seconds) if seconds else None


def _issue_time(receipt: printer_pb2.Receipt, zone: tzinfo) -> Any:
    if not receipt.HasField("issue_time"):
        return None
    try:
        return receipt.issue_time.ToDatetime(tzinfo=UTC).astimezone(zone)
    except (ValueError, OverflowError) as err:
        raise InvalidArgument("receipt.issue_time", "is outside the range of a Timestamp") from err


def document_from_pb(request: printer_pb2.PrintDocumentRequest, zone: tzinfo) -> tuple[str, bytes]:
    """The job kind and its validated payload; a receipt's time is shown in ``zone`` (the kiosk's)."""
    which = request.WhichOneof("document")
    if which == "text":
        return "text", documents.check_text(request.text.text)
    if which == "image":
        return "image", documents.check_image(request.image.data)
    if which == "receipt":
        r = request.receipt
        fields: dict[str, Any] = {name: getattr(r, name) for name in _RECEIPT_FIELDS}
        fields["issued_at"] = _issue_time(r, zone)
        fields["extra_lines"] = tuple(r.extra_lines)
        return "receipt", documents.receipt_payload(fields, zone)
    raise InvalidArgument("document", "one of text, image or receipt is required")


def receipt_to_pb(receipt: Any) -> printer_pb2.Receipt:
    """A ``hubd.render.model.Receipt`` (a sample, a bench receipt) as the ``Receipt`` message."""
    msg = printer_pb2.Receipt(
        **{name: getattr(receipt, name) for name in _RECEIPT_FIELDS}, extra_lines=list(receipt.extra_lines)
    )
    msg.issue_time.FromDatetime(receipt.issued_at)
    return msg


def page_of(request: printer_pb2.ListPrintJobsRequest) -> Page:
    """The page a ListPrintJobs request asks for (filter bound into the token)."""
    states = sorted(request.states)
    return Page.of(
        request.page_size, request.page_token, ("print_jobs", request.device_id, *map(str, states))
    )


_PAPER = {
    Paper.OK: printer_pb2.PAPER_STATE_OK,
    Paper.LOW: printer_pb2.PAPER_STATE_LOW,
    Paper.OUT: printer_pb2.PAPER_STATE_OUT,
    Paper.UNKNOWN: printer_pb2.PAPER_STATE_UNKNOWN,
}


def printer_status_to_pb(sup: Supervisor, pending: int) -> printer_pb2.PrinterStatus:
    """A supervised printer's status; paper/online/error only while its reading is current."""
    st = sup.status
    msg = printer_pb2.PrinterStatus(
        device_id=sup.id,
        state=state_to_pb(st.state),
        reason=st.reason,
        reason_detail=sup.reason_detail,
        source=source_to_pb(st.source),
        last_seen_time=timestamp(st.last_seen),
        paper=printer_pb2.PAPER_STATE_UNKNOWN,
        model=sup.device.describe(),
        pending_job_count=pending,
    )
    reading = sup.current
    if isinstance(reading, DocumentPrinterStatus):
        document_convert.fill_status(msg, reading)
    if isinstance(reading, PrinterStatus):
        msg.paper = _PAPER[reading.paper]
        if reading.online is not None:
            msg.online = reading.online
        if reading.error is not None:
            msg.error = reading.error
    return msg


def event_payload(payload: object) -> tuple[str, printer_pb2.PrintJob] | None:
    """The ``print_job`` arm for a job carried by an event."""
    return ("print_job", job_to_pb(payload)) if isinstance(payload, Job) else None
