"""Conversions for ``kioskhub.v1.PrinterService`` (jobs, documents, printer status)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hubd.classes.printer import documents
from hubd.classes.printer.contract import Paper, PrinterStatus
from hubd.classes.printer.records import Job, JobState
from hubd.errors import InvalidArgument
from hubd.rpc.convert import source_to_pb, state_to_pb, timestamp
from hubd.supervisor import Supervisor
from kioskhub.v1 import printer_pb2

MAX_LIST = 1000


def job_state_to_pb(state: JobState) -> Any:
    """Core job state → proto enum."""
    return printer_pb2.PrintJobState.Value(f"PRINT_JOB_STATE_{state.name}")


def job_states_from_pb(values: Any) -> list[JobState] | None:
    """Proto states (a filter) → core states; an unknown number is INVALID_ARGUMENT."""
    out = []
    for value in values:
        try:
            name = printer_pb2.PrintJobState.Name(value).removeprefix("PRINT_JOB_STATE_")
            out.append(JobState[name])
        except (ValueError, KeyError) as err:
            raise InvalidArgument("states", f"{value} is not a PrintJobState") from err
    return out or None


def list_limit(value: int) -> int:
    """The ``limit`` of a listing: default 50, at most 1000."""
    if value > MAX_LIST:
        raise InvalidArgument("limit", f"at most {MAX_LIST}")
    return value or 50


def job_to_pb(job: Job) -> printer_pb2.PrintJob:
    """A core job as ``PrintJob``."""
    return printer_pb2.PrintJob(
        job_id=job.job_id,
        printer_id=job.printer_id,
        idempotency_key=job.idempotency_key,
        kind=job.kind,
        state=job_state_to_pb(job.state),
        reason=job.reason,
        reason_detail=job.detail,
        attempts=job.attempts,
        duplicate=job.duplicate,
        created_at=timestamp(job.created_at),
        updated_at=timestamp(job.updated_at),
        expires_at=timestamp(job.expires_at),
        deadline=timestamp(job.deadline),
        finished_at=timestamp(job.finished_at),
    )


def duration(value: Any) -> timedelta | None:
    """A protobuf Duration, or None when unset/zero; negative is INVALID_ARGUMENT."""
    seconds = value.ToTimedelta().total_seconds()
    if seconds < 0:
        raise InvalidArgument("time_to_live", "must not be negative")
    return timedelta(seconds=seconds) if seconds else None


def document_from_pb(request: printer_pb2.PrintDocumentRequest, now: datetime) -> tuple[str, bytes]:
    """The job kind and its validated payload from a PrintDocument request; a receipt's time is
    shown in ``now``'s zone (the kiosk's)."""
    which = request.WhichOneof("document")
    if which == "text":
        return "text", documents.check_text(request.text.text)
    if which == "image":
        return "image", documents.check_image(request.image.data)
    if which == "receipt":
        r = request.receipt
        fields = {
            name: getattr(r, name)
            for name in (
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
        }
        fields["issued_at"] = (
            r.issued_at.ToDatetime(tzinfo=UTC).astimezone(now.tzinfo) if r.HasField("issued_at") else now
        )
        fields["extra_lines"] = tuple(r.extra_lines)
        return "receipt", documents.receipt_payload(fields)
    raise InvalidArgument("document", "one of text, image or receipt is required")


_PAPER = {
    Paper.OK: printer_pb2.PAPER_STATE_OK,
    Paper.LOW: printer_pb2.PAPER_STATE_LOW,
    Paper.OUT: printer_pb2.PAPER_STATE_OUT,
    Paper.UNKNOWN: printer_pb2.PAPER_STATE_UNKNOWN,
}


def printer_status_to_pb(sup: Supervisor, pending: int) -> printer_pb2.PrinterStatus:
    """A supervised printer's latest status."""
    st = sup.status
    msg = printer_pb2.PrinterStatus(
        printer_id=sup.id,
        state=state_to_pb(st.state),
        reason=st.reason,
        reason_detail=sup.reason_detail,
        source=source_to_pb(st.source),
        last_seen=timestamp(st.last_seen),
        paper=printer_pb2.PAPER_STATE_UNKNOWN,
        model=sup.device.describe(),
        pending_jobs=pending,
    )
    reading = sup.reading
    if isinstance(reading, PrinterStatus) and st.last_seen is not None:
        msg.paper = _PAPER[reading.paper]
        if reading.online is not None:
            msg.online = reading.online
        if reading.error is not None:
            msg.error = reading.error
    return msg
