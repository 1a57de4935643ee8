"""The persistent print job queue: every job is committed to SQLite before it is acknowledged.

One database ``<state_dir>/jobs.db`` (WAL, synchronous=FULL: see ``job_table.connect``) holds
the jobs of every printer. Methods are synchronous: each is one short ``BEGIN IMMEDIATE`` …
``COMMIT`` (well under a millisecond plus one fsync); the hub runs them on the queue's own thread
(``hubd.classes.printer.spooler.Spooler.call``) so a commit never stalls the event loop.

States::

    queued ──claim_next──► printing ──mark_done(confirmation)──► done
      ▲  │ (reason set = waiting)  │ ──mark_failed─► failed(reason)
      │  ├──cancel──► cancelled    └──mark_waiting──► queued(reason)   (or failed DEADLINE_EXCEEDED)
      │  └──ttl passed, never started──► expired;  deadline passed──► failed DEADLINE_EXCEEDED
      └──release── held ◄──recover(policy="hold")── printing found at startup
                              recover(policy="reprint") requeues it instead; both set duplicate

A job found ``printing`` after a crash may already be in the citizen's hand: it is never
reprinted silently (``duplicate`` tells the worker to print a DUPLICATE banner) and never lost.

**done** means the printer has every byte and, where it can tell us, has finished with them:
every byte acknowledged by the peer (TCP ``SIOCOUTQ`` 0 after the half-close, the UART drained,
the USB transfer complete) and, where a return channel exists (SNMP Printer-MIB, ESC/POS
``DLE EOT`` and process ID response, the usblp port status, the spooler), the printer reporting
it finished / is idle and ready after the job. Until then the job stays **printing** with a
reason: ``UNCONFIRMED`` (a status read that fails is unknown, never OK), or the printer's own
(``PAPER_OUT``...). A printer that lost the job (connection reset, restarted) sends it back to
queued with ``duplicate``; past its deadline an unconfirmed job fails ``DEADLINE_EXCEEDED``
(it may have printed); a hub that crashes meanwhile finds it printing and reprints it marked
DUPLICATE. Each done job records how it was confirmed (``confirmation``: ``printer``,
``spooler``, or ``bytes only`` where the link has no return channel).
"""

from __future__ import annotations

import builtins
import logging
from datetime import datetime, timedelta
from typing import Literal

from hubd import crash
from hubd.classes.printer.contract import Confirmation
from hubd.classes.printer.database import JobDatabase
from hubd.classes.printer.job_table import expire_rows, insert, new_job_id, row_to_job, to_us
from hubd.classes.printer.records import Job, JobState, check_reason, check_submit, sha256
from hubd.errors import AlreadyExists, quote

log = logging.getLogger(__name__)

__all__ = ["CRASH_POINTS", "Job", "JobQueue", "JobState"]

CRASH_POINTS = {
    "submit_before_commit": "a job row is inserted but its transaction is not yet committed",
    "job_persisted": "submit committed the job, before the caller was acknowledged",
    "job_claimed": "claim_next committed the job as printing, before any byte was sent",
    "mid_send": "the worker has sent part of a job to the printer",
    "after_send_before_done": "the printer took every byte, the job is not yet marked done",
    "document_sent": "a document job's printer created its job and the id is committed",
    "job_done": "mark_done committed, before the worker moves on",
}
"""The print queue's crash points (``KIOSKHUB_CRASH_AT``), with what has happened at each."""
crash.register(CRASH_POINTS)

_Q, _P, _H = JobState.QUEUED.value, JobState.PRINTING.value, JobState.HELD.value


class JobQueue(JobDatabase):
    """The print queue's state transitions, each one committed before it returns."""

    # -- submission and queries -----------------------------------------------------------

    def submit(
        self,
        printer_id: str,
        idempotency_key: str,
        kind: str,
        payload: bytes,
        ttl: timedelta | None = None,
        deadline: datetime | None = None,
        *,
        pages: int = 0,
        document_size: int = 0,
    ) -> Job:
        """Commit a new job (or return the one already under this key) before returning.

        ``ttl``: a job not started within it becomes ``expired``. ``deadline``: retries stop then
        (``failed`` DEADLINE_EXCEEDED). The same key with a different printer, kind or payload
        raises AlreadyExists naming the key and the existing job.
        """
        now = self._clock.now()
        check_submit(printer_id, idempotency_key, kind, payload, ttl, deadline, now)
        payload = bytes(payload)
        digest = sha256(payload)
        with self._tx() as db:
            row = db.execute("SELECT * FROM jobs WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
            if row is not None:
                old = row_to_job(row)
                if (old.printer_id, old.kind, old.payload_sha256) != (printer_id, kind, digest):
                    raise AlreadyExists(
                        f"request_id {quote(idempotency_key)} already names job {old.job_id} "
                        "with a different printer or document",
                        metadata={"requestId": idempotency_key, "printJobId": old.job_id},
                    )
                return old
            job = Job(
                job_id=new_job_id(db),
                printer_id=printer_id,
                idempotency_key=idempotency_key,
                kind=kind,
                payload=payload,
                payload_sha256=digest,
                state=JobState.QUEUED,
                reason="",
                detail="",
                attempts=0,
                duplicate=False,
                created_at=now,
                updated_at=now,
                deadline=deadline,
                expires_at=None if ttl is None else now + ttl,
                finished_at=None,
                pages=pages,
                document_size=document_size,
            )
            insert(db, job)
            crash.crash_point("submit_before_commit")
        crash.crash_point("job_persisted")
        log.info("job %s queued for %s (key %r)", job.job_id, printer_id, idempotency_key)
        self._notify([job])
        return job

    # -- worker transitions -----------------------------------------------------------------

    def claim_next(self, printer_id: str) -> Job | None:
        """Mark the oldest queued job of ``printer_id`` printing (attempts + 1) and return it."""
        now = self._clock.now()
        with self._tx() as db:
            changed = expire_rows(db, now, printer_id)
            row = db.execute(
                "SELECT job_id FROM jobs WHERE printer_id = ? AND state = ? ORDER BY seq LIMIT 1",
                (printer_id, _Q),
            ).fetchone()
            if row is not None:
                db.execute(
                    "UPDATE jobs SET state = ?, reason = '', detail = '', attempts = attempts + 1,"
                    " updated_at = ? WHERE job_id = ?",
                    (_P, to_us(now), row["job_id"]),
                )
        job = None if row is None else self.get(row["job_id"])
        if job is not None:
            crash.crash_point("job_claimed")
        self._notify(self._jobs(changed) + ([job] if job is not None else []))
        return job

    def mark_done(self, job_id: str, confirmation: Confirmation) -> Job:
        """printing -> done, recording how the printer confirmed it."""
        job = self._move(job_id, {_P}, JobState.DONE, "", "", confirmation=Confirmation(confirmation))
        crash.crash_point("job_done")
        return job

    def mark_waiting(
        self, job_id: str, reason: str, detail: str = "", *, partial: bool = False
    ) -> Job:
        """printing/queued -> queued with ``reason`` (retried later); failed once past deadline.

        ``partial``: some bytes may have reached the printer, so the retry is marked duplicate.
        """
        check_reason(reason)
        deadline = self.get(job_id).deadline
        if deadline is None or self._clock.now() < deadline:
            dup = True if partial else None
            return self._move(job_id, {_P, _Q}, JobState.QUEUED, reason, detail, duplicate=dup)
        why = f"retry deadline passed while {reason}: {detail}".rstrip(": ")
        return self._move(job_id, {_P, _Q}, JobState.FAILED, "DEADLINE_EXCEEDED", why)

    def mark_sent(self, job_id: str, remote_id: str) -> Job:
        """A printing document job reached its printer, which calls it ``remote_id``."""
        job = self._move(job_id, {_P}, JobState.PRINTING, "", "", remote_id=remote_id)
        crash.crash_point("document_sent")
        return job

    def mark_duplicate(self, job_id: str) -> Job:
        """A printing job about to be sent again when part of it may be on paper already."""
        return self._move(job_id, {_P}, JobState.PRINTING, "", "", duplicate=True)

    def mark_lost(self, job_id: str, reason: str, detail: str = "") -> Job:
        """A document job its printer no longer knows (restarted): queued again, marked
        duplicate (it may have printed), to be sent anew; failed once past its deadline."""
        job = self.mark_waiting(job_id, reason, detail, partial=True)
        return self._move(job_id, {job.state.value}, job.state, job.reason, job.detail, remote_id="")

    def mark_cancelled(self, job_id: str, reason: str, detail: str = "") -> Job:
        """printing -> cancelled: a document job its printer cancelled (asked by us or not)."""
        check_reason(reason)
        return self._move(job_id, {_P}, JobState.CANCELLED, reason, detail)

    def mark_stalled(self, job_id: str, reason: str, detail: str = "") -> Job:
        """A printing job stays printing but shows why it is not moving ("" clears)."""
        if reason:
            check_reason(reason)
        return self._move(job_id, {_P}, JobState.PRINTING, reason, detail)

    def mark_failed(self, job_id: str, reason: str, detail: str = "") -> Job:
        """queued/printing/held -> failed with ``reason`` (final)."""
        check_reason(reason)
        return self._move(job_id, {_Q, _P, _H}, JobState.FAILED, reason, detail)

    def mark_printer_waiting(self, printer_id: str, reason: str, detail: str = "") -> int:
        """Show why a printer's queue is blocked on each of its queued jobs ("" clears); count."""
        if reason:
            check_reason(reason)
        where = "printer_id = ? AND state = ? AND (reason != ? OR detail != ?)"
        args = (printer_id, _Q, reason, detail)
        with self._tx() as db:
            ids = [r[0] for r in db.execute(f"SELECT job_id FROM jobs WHERE {where}", args)]
            db.execute(
                f"UPDATE jobs SET reason = ?, detail = ?, updated_at = ? WHERE {where}",
                (reason, detail, to_us(self._clock.now()), *args),
            )
        self._notify(self._jobs(ids))
        return len(ids)

    # -- operator and housekeeping ---------------------------------------------------------------

    def cancel(self, job_id: str) -> Job:
        """queued/held -> cancelled; FailedPrecondition once printing or finished."""
        job = self.get(job_id)
        if job.state is JobState.CANCELLED:
            return job
        return self._move(job_id, {_Q, _H}, JobState.CANCELLED, "CANCELLED", "cancelled")

    def release(self, job_id: str) -> Job:
        """held -> queued (duplicate stays set: the worker prints the DUPLICATE banner)."""
        return self._move(
            job_id, {_H}, JobState.QUEUED, "", "released by operator; duplicate", duplicate=True
        )

    def expire_due(self, now: datetime | None = None) -> builtins.list[Job]:
        """Expire queued jobs never started by ``expires_at``; fail those past their deadline."""
        with self._tx() as db:
            changed = expire_rows(db, now or self._clock.now(), None)
        jobs = self._jobs(changed)
        self._notify(jobs)
        return jobs

    def recover(
        self, policy: Literal["reprint", "hold"] = "reprint", printer_id: str | None = None
    ) -> builtins.list[Job]:
        """Jobs found printing (at startup; or on one printer when its worker restarts after a
        failure) are requeued (reprint) or held, marked duplicate. A document job is not marked:
        its printer's job list tells the worker whether it got there (``remote_id``, or
        ``find_job`` by the job id), so it is followed, not sent again, or sent for the first
        time."""
        if policy not in ("reprint", "hold"):
            raise ValueError(f"recover policy must be 'reprint' or 'hold', not {policy!r}")
        state = JobState.QUEUED if policy == "reprint" else JobState.HELD
        reason = "" if policy == "reprint" else "INTERRUPTED"
        detail = "was printing when the hub (or its print worker) stopped; may already have printed"
        where, args = "state = ?", [_P]
        if printer_id is not None:
            where, args = "state = ? AND printer_id = ?", [_P, printer_id]
        with self._tx() as db:
            ids = [r[0] for r in db.execute(f"SELECT job_id FROM jobs WHERE {where}", args)]
            db.execute(
                "UPDATE jobs SET state = ?, reason = ?, detail = ?, updated_at = ?,"
                " duplicate = CASE kind WHEN 'document' THEN duplicate ELSE 1 END"
                f" WHERE {where}",
                (state.value, reason, detail, to_us(self._clock.now()), *args),
            )
        jobs = self._jobs(ids)
        for job in jobs:
            log.warning("job %s interrupted while printing: %s, duplicate", job.job_id, state)
        self._notify(jobs)
        return jobs
