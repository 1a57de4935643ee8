"""Print job records: the Job value, its states and the checks of what a client submits.

The ``jobs`` table and its row codec are in ``hubd.classes.printer.job_table``; the queue logic
lives in ``hubd.classes.printer.queue``; this module knows nothing about transitions.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from hubd.errors import InvalidArgument

log = logging.getLogger(__name__)

KINDS = frozenset({"text", "image", "receipt", "raw", "document"})
MAX_KEY_LEN = 128
MAX_PRINTER_ID_LEN = 64
MAX_PAYLOAD = 16 * 1024 * 1024


class JobState(enum.StrEnum):
    """Where a print job is: queued (possibly waiting, see ``reason``), printing, held, or final."""

    QUEUED = "queued"
    PRINTING = "printing"
    HELD = "held"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        """True for states a job never leaves."""
        return self in _FINAL


_FINAL = frozenset({JobState.DONE, JobState.FAILED, JobState.EXPIRED, JobState.CANCELLED})


@dataclass(frozen=True)
class Job:
    """One print job as last committed to the queue."""

    job_id: str
    printer_id: str
    idempotency_key: str
    kind: str
    payload: bytes
    payload_sha256: str
    state: JobState
    reason: str
    detail: str
    attempts: int
    duplicate: bool
    created_at: datetime
    updated_at: datetime
    deadline: datetime | None
    expires_at: datetime | None
    finished_at: datetime | None
    confirmation: str = ""
    """How a done job was confirmed (``contract.Confirmation``: ``printer``, ``spooler``,
    ``bytes only``); "" until then."""
    remote_id: str = ""
    """A document job's id at its printer or spooler once sent ("" before, or once lost)."""
    pages: int = 0
    """A document job's page count (before copies and page ranges)."""
    document_size: int = 0
    """A document job's file size in bytes."""

    @property
    def waiting(self) -> bool:
        """Queued but blocked: ``reason`` (PAPER_OUT, DISCONNECTED…) says on what."""
        return self.state is JobState.QUEUED and bool(self.reason)


def sha256(payload: bytes) -> str:
    """Hex SHA-256 of a payload."""
    return hashlib.sha256(payload).hexdigest()


def _check_name(field: str, value: str, max_len: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(field, "required")
    if len(value) > max_len:
        raise InvalidArgument(field, f"at most {max_len} characters (got {len(value)})")
    if not value.isprintable():
        raise InvalidArgument(field, "must contain printable characters only")


def check_submit(
    printer_id: str,
    idempotency_key: str,
    kind: str,
    payload: bytes,
    ttl: timedelta | None,
    deadline: datetime | None,
    now: datetime,
) -> None:
    """Validate a submission; raise InvalidArgument naming the first bad field."""
    _check_name("device_id", printer_id, MAX_PRINTER_ID_LEN)
    _check_name("request_id", idempotency_key, MAX_KEY_LEN)
    if kind not in KINDS:
        raise InvalidArgument("kind", f"must be one of {', '.join(sorted(KINDS))} (got {kind!r})")
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise InvalidArgument("payload", "must be bytes")
    if not payload:
        raise InvalidArgument("payload", "must not be empty")
    if len(payload) > MAX_PAYLOAD:
        raise InvalidArgument("payload", f"at most {MAX_PAYLOAD} bytes (got {len(payload)})")
    if ttl is not None and ttl <= timedelta(0):
        raise InvalidArgument("ttl", "must be positive")
    if deadline is not None:
        if deadline.tzinfo is None:
            raise InvalidArgument("deadline", "must carry a timezone")
        if deadline <= now:
            raise InvalidArgument("deadline", f"must be in the future (now {now.isoformat()})")


def check_reason(reason: str) -> None:
    """A reason is UPPER_SNAKE ASCII (PAPER_OUT, DISCONNECTED…)."""
    ok = bool(reason) and reason[0].isalpha() and all(c.isupper() or c.isdigit() or c == "_" for c in reason)
    if not ok or not reason.isascii():
        raise InvalidArgument("reason", f"must be UPPER_SNAKE (got {reason!r})")
