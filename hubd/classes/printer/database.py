"""The job database under the print queue: one SQLite connection, reads, and commit plumbing.

``JobDatabase`` opens ``<state_dir>/jobs.db`` (WAL, synchronous=FULL: see ``job_table.connect``),
serializes use of the connection with a lock (the hub calls it from the queue's own thread), turns
sqlite errors into ``HubError`` STORAGE_ERROR, commits one job's checked state change (``_move``),
tells ``on_change`` about each committed job, and forgets finished jobs' contents and rows
([printing] keep_payload, keep_jobs). The state transitions are in
``hubd.classes.printer.queue.JobQueue``.
"""

from __future__ import annotations

import builtins
import errno
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from hubd import crash
from hubd.classes.printer.contract import Confirmation
from hubd.classes.printer.job_table import connect, marks, row_to_job, to_us
from hubd.classes.printer.records import Job, JobState
from hubd.clock import Clock
from hubd.errors import FailedPrecondition, HubError, NotFound, StorageFull, quote

log = logging.getLogger(__name__)


class JobDatabase:
    """Print jobs of all printers in one SQLite file; ``on_change(job)`` runs after each commit."""

    def __init__(self, state_dir: Path, clock: Clock, on_change: Callable[[Job], None] | None = None) -> None:
        crash.load()  # an unknown KIOSKHUB_CRASH_AT fails at startup, not mid-print
        self.path = Path(state_dir) / "jobs.db"
        self._clock = clock
        self.on_change = on_change
        self._lock = threading.RLock()
        with self._guard():
            self._db = connect(self.path)

    def close(self) -> None:
        """Close the database (committed jobs are already on disk)."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, job_id: str) -> Job:
        """The job as last committed; NotFound if there is none."""
        with self._guard():
            row = self._db.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFound(f"no print job {quote(job_id)}", reason="PRINT_JOB_NOT_FOUND",
                           metadata={"printJobId": job_id[:64]})
        return row_to_job(row)

    def list(
        self,
        printer_id: str | None = None,
        states: Iterable[JobState] | None = None,
        limit: int = 100,
        newest_first: bool = False,
    ) -> builtins.list[Job]:
        """Jobs in queue order (oldest first unless ``newest_first``), at most ``limit``."""
        where, args = _filter(printer_id, states)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT * FROM jobs WHERE {where} ORDER BY seq {order} LIMIT ?"
        with self._guard():
            return [row_to_job(r) for r in self._db.execute(sql, (*args, max(0, limit)))]

    def page(
        self,
        printer_id: str | None,
        states: Iterable[JobState] | None,
        size: int,
        before: int | None = None,
    ) -> tuple[builtins.list[Job], int | None]:
        """Up to ``size`` jobs newest first, older than queue position ``before`` (keyset paging:
        jobs added meanwhile are newer, so pages never shift); and where the next page starts
        (None after the last)."""
        where, args = _filter(printer_id, states)
        if before is not None:
            where += " AND seq < ?"
            args.append(before)
        sql = f"SELECT * FROM jobs WHERE {where} ORDER BY seq DESC LIMIT ?"
        with self._guard():
            rows = self._db.execute(sql, (*args, size + 1)).fetchall()
        more = len(rows) > size
        rows = rows[:size]
        return [row_to_job(r) for r in rows], (int(rows[-1]["seq"]) if more and rows else None)

    def count(self, printer_id: str | None = None, states: Iterable[JobState] | None = None) -> int:
        """How many jobs match (an index count: no payload is read)."""
        where, args = _filter(printer_id, states)
        with self._guard():
            return int(self._db.execute(f"SELECT COUNT(*) FROM jobs WHERE {where}", args).fetchone()[0])

    def document_hashes(self) -> set[str]:
        """The files (SHA-256) of document jobs whose payload is kept."""
        sql = "SELECT payload FROM jobs WHERE kind = 'document' AND length(payload) > 0"
        with self._guard():
            rows = self._db.execute(sql).fetchall()
        return {str(json.loads(bytes(r[0]))["document"]) for r in rows}

    def drop_payloads(self, finished_before: datetime) -> tuple[int, int]:
        """Empty the payloads (citizens' names, consumer numbers, amounts) of final jobs finished
        before the given time; the digest stays, so a retry of the same request still matches.
        Returns (jobs, bytes) dropped."""
        final = [s.value for s in JobState if s.final]
        where = f"state IN ({marks(len(final))}) AND finished_at < ? AND length(payload) > 0"
        args = (*final, to_us(finished_before))
        with self._tx() as db:
            sql = f"SELECT COUNT(*), COALESCE(SUM(length(payload)), 0) FROM jobs WHERE {where}"
            n, size = db.execute(sql, args).fetchone()
            db.execute(f"UPDATE jobs SET payload = x'' WHERE {where}", args)
        return int(n), int(size)

    def purge(self, finished_before: datetime) -> int:
        """Delete final jobs finished before the given time (their request ids become reusable)."""
        final = [s.value for s in JobState if s.final]
        with self._tx() as db:
            cur = db.execute(
                f"DELETE FROM jobs WHERE state IN ({marks(len(final))}) AND finished_at < ?",
                (*final, to_us(finished_before)),
            )
        return cur.rowcount

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Serialize use of the connection; a full disk is StorageFull (RESOURCE_EXHAUSTED), any
        other sqlite error HubError STORAGE_ERROR. Nothing was committed in either case."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as err:
                full = getattr(err, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
                if full or "disk is full" in str(err):
                    raise StorageFull(f"job store {self.path}: the disk is full; nothing was saved") from err
                raise HubError(f"job store {self.path}: {err}", reason="STORAGE_ERROR") from err
            except OSError as err:
                if err.errno == errno.ENOSPC:
                    raise StorageFull(f"job store {self.path}: the disk is full; nothing was saved") from err
                raise

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            finally:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")

    def _move(
        self,
        job_id: str,
        allowed: set[str],
        to: JobState,
        reason: str,
        detail: str,
        duplicate: bool | None = None,
        confirmation: Confirmation | None = None,
        remote_id: str | None = None,
    ) -> Job:
        """One job's state change, committed: NotFound PRINT_JOB_NOT_FOUND, or FailedPrecondition
        JOB_STATE when the job is not in one of the ``allowed`` states."""
        now = to_us(self._clock.now())
        finished = now if to.final else None
        dup = None if duplicate is None else int(duplicate)
        how = "" if confirmation is None else confirmation.value
        with self._tx() as db:
            row = db.execute("SELECT state FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
            if row is None:
                raise NotFound(f"no print job {quote(job_id)}", reason="PRINT_JOB_NOT_FOUND",
                               metadata={"printJobId": job_id[:64]})
            if row["state"] not in allowed:
                raise FailedPrecondition(
                    f"job {job_id} is {row['state']}; cannot become {to.value}",
                    reason="JOB_STATE",
                    metadata={"jobId": job_id, "state": row["state"]},
                )
            db.execute(
                "UPDATE jobs SET state = ?, reason = ?, detail = ?, updated_at = ?,"
                " finished_at = ?, duplicate = COALESCE(?, duplicate), confirmation = ?,"
                " remote_id = COALESCE(?, remote_id) WHERE job_id = ?",
                (to.value, reason, detail, now, finished, dup, how, remote_id, job_id),
            )
        job = self.get(job_id)
        log.info("job %s -> %s %s", job_id, to.value, reason)
        self._notify([job])
        return job

    def _jobs(self, ids: Iterable[str]) -> builtins.list[Job]:
        return [self.get(i) for i in ids]

    def _notify(self, jobs: Iterable[Job]) -> None:
        if self.on_change is None:
            return
        for job in jobs:
            try:
                self.on_change(job)
            except Exception:
                log.exception("on_change callback failed for job %s", job.job_id)


def _filter(printer_id: str | None, states: Iterable[JobState] | None) -> tuple[str, list[Any]]:
    """A WHERE clause (and its arguments) for jobs of a printer and/or in some states."""
    where: list[str] = ["1"]
    args: list[Any] = []
    if printer_id is not None:
        where.append("printer_id = ?")
        args.append(printer_id)
    if states is not None:
        wanted = [JobState(s).value for s in states]
        where.append(f"state IN ({marks(len(wanted))})")
        args.extend(wanted)
    return " AND ".join(where), args
