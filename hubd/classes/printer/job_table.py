"""The ``jobs`` table: its schema, opening the database (WAL, synchronous=FULL), and the row codec.

Rows are ``records.Job`` values; times are stored as integer microseconds since the epoch. The
helpers here run inside the caller's transaction (``database.JobDatabase._tx``).
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hubd.classes.printer.records import Job, JobState

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
"""1: the first schema; 2: ``confirmation``; 3: ``remote_id``, ``pages``, ``document_size`` (the
columns a newer version added are added to an older database when it is opened)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id          TEXT NOT NULL UNIQUE,
    printer_id      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    payload         BLOB NOT NULL,
    payload_sha256  TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    duplicate       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deadline        INTEGER,
    expires_at      INTEGER,
    finished_at     INTEGER,
    confirmation    TEXT NOT NULL DEFAULT '',
    remote_id       TEXT NOT NULL DEFAULT '',
    pages           INTEGER NOT NULL DEFAULT 0,
    document_size   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_printer_state ON jobs (printer_id, state, seq);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, seq);
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the jobs database in WAL mode with synchronous=FULL.

    FULL, not NORMAL: in WAL mode NORMAL skips the fsync at each commit, so a power cut can
    roll back the last commits. A commit here is what lets the hub acknowledge a job to its
    client, and power cuts are common at kiosks, so every commit is fsynced before we answer.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    db.row_factory = sqlite3.Row
    mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("%s: journal_mode is %s, not wal (filesystem without shared memory?)", path, mode)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=5000")
    db.executescript(SCHEMA)
    columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
    for name, kind in _ADDED_COLUMNS.items():
        if name not in columns:  # a database an older version made
            db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version < SCHEMA_VERSION:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    path.chmod(0o600)
    return db


_ADDED_COLUMNS = {
    "confirmation": "TEXT NOT NULL DEFAULT ''",
    "remote_id": "TEXT NOT NULL DEFAULT ''",
    "pages": "INTEGER NOT NULL DEFAULT 0",
    "document_size": "INTEGER NOT NULL DEFAULT 0",
}


def new_job_id(db: sqlite3.Connection) -> str:
    """A short unique id not yet in ``db``: ``j-`` and 12 hex digits (48 random bits)."""
    while True:
        job_id = "j-" + secrets.token_hex(6)
        if db.execute("SELECT 1 FROM jobs WHERE job_id = ?", (job_id,)).fetchone() is None:
            return job_id


def marks(n: int) -> str:
    """SQL placeholders for an ``IN (…)`` list of ``n`` values (``NULL`` matches nothing)."""
    return ", ".join("?" * n) or "NULL"


def insert(db: sqlite3.Connection, job: Job) -> None:
    """Insert a new job row (inside the caller's transaction)."""
    cols = [f.name for f in fields(Job)]
    values = {name: _encode(getattr(job, name)) for name in cols}
    db.execute(f"INSERT INTO jobs ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})", values)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_us(value)
    if isinstance(value, JobState):
        return value.value
    if isinstance(value, bool):
        return int(value)
    return value


def expire_rows(db: sqlite3.Connection, now: datetime, printer_id: str | None) -> list[str]:
    """Queued jobs never started by ``expires_at`` -> expired; past ``deadline`` -> failed.

    Runs inside the caller's transaction; returns the ids it changed.
    """
    t = to_us(now)
    scope, args = ("", ()) if printer_id is None else (" AND printer_id = ?", (printer_id,))
    ids: list[str] = []
    for to, reason, detail, cond in _EXPIRY_RULES:
        where = f"state = ? AND {cond}{scope}"
        params = (JobState.QUEUED.value, t, *args)
        ids += [r[0] for r in db.execute(f"SELECT job_id FROM jobs WHERE {where}", params)]
        db.execute(
            "UPDATE jobs SET state = ?, reason = ?, detail = ?, updated_at = ?, finished_at = ?"
            f" WHERE {where}",
            (to.value, reason, detail, t, t, *params),
        )
    return ids


_EXPIRY_RULES = (
    (
        JobState.EXPIRED,
        "EXPIRED",
        "not started before its time-to-live",
        "attempts = 0 AND expires_at IS NOT NULL AND expires_at <= ?",
    ),
    (
        JobState.FAILED,
        "DEADLINE_EXCEEDED",
        "retry deadline passed",
        "deadline IS NOT NULL AND deadline <= ?",
    ),
)


def to_us(t: datetime | None) -> int | None:
    """Store a timezone-aware datetime as integer microseconds since the epoch."""
    if t is None:
        return None
    if t.tzinfo is None:
        raise ValueError(f"naive datetime {t!r}: the queue stores UTC instants only")
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int | None) -> datetime | None:
    """Inverse of ``to_us``."""
    return None if us is None else _EPOCH + timedelta(microseconds=us)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def row_to_job(row: sqlite3.Row) -> Job:
    """Decode one ``jobs`` row."""
    created = from_us(row["created_at"])
    updated = from_us(row["updated_at"])
    assert created is not None and updated is not None
    return Job(
        job_id=row["job_id"],
        printer_id=row["printer_id"],
        idempotency_key=row["idempotency_key"],
        kind=row["kind"],
        payload=bytes(row["payload"]),
        payload_sha256=row["payload_sha256"],
        state=JobState(row["state"]),
        reason=row["reason"],
        detail=row["detail"],
        attempts=row["attempts"],
        duplicate=bool(row["duplicate"]),
        created_at=created,
        updated_at=updated,
        deadline=from_us(row["deadline"]),
        expires_at=from_us(row["expires_at"]),
        finished_at=from_us(row["finished_at"]),
        confirmation=row["confirmation"],
        remote_id=row["remote_id"],
        pages=row["pages"],
        document_size=row["document_size"],
    )
