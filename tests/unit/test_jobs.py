"""JobQueue unit tests: persistence, idempotency, transitions, expiry, recovery (FakeClock)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hubd.classes.printer.contract import Confirmation
from hubd.classes.printer.queue import Job, JobQueue, JobState
from hubd.clock import FakeClock
from hubd.errors import AlreadyExists, FailedPrecondition, HubError, InvalidArgument, NotFound

RECEIPT = "receipt"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def changes() -> list[Job]:
    return []


@pytest.fixture
def q(tmp_path: Path, clock: FakeClock, changes: list[Job]) -> Iterator[JobQueue]:
    with JobQueue(tmp_path, clock, on_change=changes.append) as queue:
        yield queue


def submit(q: JobQueue, key: str, payload: bytes = b"hello\n", **kw: object) -> Job:
    return q.submit(RECEIPT, key, "receipt", payload, **kw)  # type: ignore[arg-type]


async def test_submit_get_list(q: JobQueue, clock: FakeClock, changes: list[Job]) -> None:
    job = submit(q, "txn-1", b"\x1b@Namaste\n")
    assert re.fullmatch(r"j-[0-9a-f]{12}", job.job_id)
    assert (job.state, job.reason, job.attempts, job.duplicate) == (JobState.QUEUED, "", 0, False)
    assert job.payload == b"\x1b@Namaste\n"
    assert job.payload_sha256 == hashlib.sha256(b"\x1b@Namaste\n").hexdigest()
    assert job.created_at == job.updated_at == clock.now()
    assert job.expires_at is None and job.deadline is None and job.finished_at is None
    assert q.get(job.job_id) == job
    assert changes == [job]

    await clock.advance(1)
    other = q.submit("a4", "txn-2", "text", b"page")
    assert other.created_at == job.created_at + timedelta(seconds=1)
    assert [j.job_id for j in q.list()] == [job.job_id, other.job_id]
    assert [j.job_id for j in q.list(newest_first=True)] == [other.job_id, job.job_id]
    assert q.list(printer_id="a4") == [other]
    assert q.list(states=[JobState.DONE]) == []
    assert q.list(states=[]) == []
    assert len(q.list(limit=1)) == 1
    with pytest.raises(NotFound):
        q.get("j-000000000000")


def test_idempotent_submit(q: JobQueue, changes: list[Job]) -> None:
    first = submit(q, "txn-1", b"abc")
    again = submit(q, "txn-1", b"abc")
    assert again == first
    assert len(q.list()) == 1 and len(changes) == 1
    with pytest.raises(AlreadyExists) as info:
        submit(q, "txn-1", b"abd")
    assert "txn-1" in info.value.message and first.job_id in info.value.message
    assert info.value.metadata == {"requestId": "txn-1", "printJobId": first.job_id}
    with pytest.raises(AlreadyExists):
        q.submit("a4", "txn-1", "receipt", b"abc")  # same payload, other printer
    with pytest.raises(AlreadyExists):
        q.submit(RECEIPT, "txn-1", "raw", b"abc")
    assert q.list() == [first]


def test_idempotent_after_finish(q: JobQueue) -> None:
    job = submit(q, "txn-1")
    assert q.claim_next(RECEIPT) is not None
    q.mark_done(job.job_id, Confirmation.PRINTER)
    again = submit(q, "txn-1")
    assert again.job_id == job.job_id and again.state is JobState.DONE
    assert q.claim_next(RECEIPT) is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "k", "receipt", b"x"), "device_id"),
        ((RECEIPT, "", "receipt", b"x"), "request_id"),
        ((RECEIPT, "k" * 129, "receipt", b"x"), "request_id"),
        ((RECEIPT, "k\n1", "receipt", b"x"), "request_id"),
        ((RECEIPT, "k", "pdf", b"x"), "kind"),
        ((RECEIPT, "k", "receipt", b""), "payload"),
        ((RECEIPT, "k", "receipt", "text"), "payload"),
    ],
)
def test_bad_submit_names_field_and_changes_nothing(
    q: JobQueue, args: tuple[str, str, str, bytes], field: str
) -> None:
    with pytest.raises(InvalidArgument) as info:
        q.submit(*args)
    assert info.value.field == field
    assert q.list() == []


def test_ttl_and_deadline_validated(q: JobQueue, clock: FakeClock) -> None:
    with pytest.raises(InvalidArgument, match="ttl"):
        submit(q, "k", ttl=timedelta(0))
    with pytest.raises(InvalidArgument, match="deadline"):
        submit(q, "k", deadline=clock.now())
    assert submit(q, "k" * 128).idempotency_key == "k" * 128
    assert q.list() != []


def test_claim_fifo_per_printer(q: JobQueue, changes: list[Job]) -> None:
    a, b = submit(q, "a"), submit(q, "b")
    other = q.submit("a4", "c", "text", b"x")
    first = q.claim_next(RECEIPT)
    assert first is not None and first.job_id == a.job_id
    assert (first.state, first.attempts) == (JobState.PRINTING, 1)
    assert changes[-1] == first
    second = q.claim_next(RECEIPT)
    assert second is not None and second.job_id == b.job_id
    assert q.claim_next(RECEIPT) is None
    assert q.get(other.job_id).state is JobState.QUEUED


def test_done_and_illegal_transitions(q: JobQueue, clock: FakeClock) -> None:
    job = submit(q, "a")
    with pytest.raises(FailedPrecondition):
        q.mark_done(job.job_id, Confirmation.PRINTER)  # queued, never printed
    q.claim_next(RECEIPT)
    done = q.mark_done(job.job_id, Confirmation.PRINTER)
    assert done.state is JobState.DONE and done.finished_at == clock.now()
    for illegal in (
        lambda: q.mark_done(job.job_id, Confirmation.PRINTER),
        lambda: q.mark_waiting(job.job_id, "PAPER_OUT"),
        lambda: q.mark_failed(job.job_id, "JAMMED"),
        lambda: q.cancel(job.job_id),
        lambda: q.release(job.job_id),
    ):
        with pytest.raises(FailedPrecondition) as info:
            illegal()
        assert info.value.metadata == {"jobId": job.job_id, "state": "done"}
    assert q.get(job.job_id) == done
    with pytest.raises(NotFound):
        q.mark_done("j-nothere", Confirmation.PRINTER)


def test_waiting_keeps_place_and_shows_reason(q: JobQueue) -> None:
    a, b = submit(q, "a"), submit(q, "b")
    q.claim_next(RECEIPT)
    waiting = q.mark_waiting(a.job_id, "PAPER_OUT", "cover open?")
    assert waiting.state is JobState.QUEUED and waiting.waiting
    assert (waiting.reason, waiting.detail) == ("PAPER_OUT", "cover open?")
    again = q.claim_next(RECEIPT)  # retried first: receipts stay in order
    assert again is not None and again.job_id == a.job_id
    assert (again.attempts, again.reason, again.waiting) == (2, "", False)
    with pytest.raises(InvalidArgument):
        q.mark_waiting(a.job_id, "paper out")
    assert not q.get(b.job_id).waiting


def test_printer_wide_waiting_reason(q: JobQueue, changes: list[Job]) -> None:
    a, b = submit(q, "a"), submit(q, "b")
    q.submit("a4", "c", "text", b"x")
    changes.clear()
    assert q.mark_printer_waiting(RECEIPT, "DISCONNECTED", "usb unplugged") == 2
    assert all(j.reason == "DISCONNECTED" for j in q.list(printer_id=RECEIPT))
    assert {j.job_id for j in changes} == {a.job_id, b.job_id}
    assert q.mark_printer_waiting(RECEIPT, "DISCONNECTED", "usb unplugged") == 0
    assert q.mark_printer_waiting(RECEIPT, "") == 2
    assert not any(j.waiting for j in q.list())


def test_mark_failed(q: JobQueue) -> None:
    job = submit(q, "a")
    q.claim_next(RECEIPT)
    failed = q.mark_failed(job.job_id, "PROTOCOL_ERROR", "garbage status byte")
    assert (failed.state, failed.reason, failed.detail) == (
        JobState.FAILED,
        "PROTOCOL_ERROR",
        "garbage status byte",
    )
    assert failed.finished_at is not None


def test_cancel(q: JobQueue) -> None:
    a, b = submit(q, "a"), submit(q, "b")
    assert q.cancel(b.job_id).state is JobState.CANCELLED
    assert q.cancel(b.job_id).state is JobState.CANCELLED  # idempotent
    q.claim_next(RECEIPT)
    with pytest.raises(FailedPrecondition):
        q.cancel(a.job_id)  # printing
    assert q.get(a.job_id).state is JobState.PRINTING
    assert q.claim_next(RECEIPT) is None  # the cancelled one is never printed


async def test_ttl_expiry(q: JobQueue, clock: FakeClock, changes: list[Job]) -> None:
    short = submit(q, "short", ttl=timedelta(seconds=60))
    long = submit(q, "long", ttl=timedelta(seconds=600))
    assert short.expires_at == clock.now() + timedelta(seconds=60)
    await clock.advance(59)
    assert q.expire_due() == []
    await clock.advance(1)
    expired = q.expire_due()
    assert [j.job_id for j in expired] == [short.job_id]
    assert (expired[0].state, expired[0].reason) == (JobState.EXPIRED, "EXPIRED")
    assert changes[-1] == expired[0]
    assert q.get(long.job_id).state is JobState.QUEUED


async def test_claim_never_prints_a_stale_job(q: JobQueue, clock: FakeClock) -> None:
    stale = submit(q, "stale", ttl=timedelta(seconds=10))
    fresh = submit(q, "fresh")
    await clock.advance(11)
    got = q.claim_next(RECEIPT)
    assert got is not None and got.job_id == fresh.job_id
    assert q.get(stale.job_id).state is JobState.EXPIRED


async def test_ttl_does_not_expire_a_started_job(q: JobQueue, clock: FakeClock) -> None:
    job = submit(q, "a", ttl=timedelta(seconds=10))
    q.claim_next(RECEIPT)
    q.mark_waiting(job.job_id, "PAPER_OUT")
    await clock.advance(60)
    assert q.expire_due() == []
    assert q.get(job.job_id).waiting


async def test_deadline_stops_retries(q: JobQueue, clock: FakeClock) -> None:
    a = submit(q, "a", deadline=clock.now() + timedelta(seconds=30))
    b = submit(q, "b", deadline=clock.now() + timedelta(seconds=30))
    q.claim_next(RECEIPT)
    assert q.mark_waiting(a.job_id, "PAPER_OUT").waiting
    await clock.advance(30)
    failed = q.expire_due()
    assert {j.job_id for j in failed} == {a.job_id, b.job_id}
    assert all((j.state, j.reason) == (JobState.FAILED, "DEADLINE_EXCEEDED") for j in failed)


async def test_waiting_past_deadline_fails(q: JobQueue, clock: FakeClock) -> None:
    job = submit(q, "a", deadline=clock.now() + timedelta(seconds=5))
    q.claim_next(RECEIPT)
    await clock.advance(5)
    failed = q.mark_waiting(job.job_id, "PAPER_OUT", "no paper")
    assert (failed.state, failed.reason) == (JobState.FAILED, "DEADLINE_EXCEEDED")
    assert "PAPER_OUT" in failed.detail


def test_recover_reprint(tmp_path: Path, clock: FakeClock) -> None:
    with JobQueue(tmp_path, clock) as before:
        a, b, c = submit(before, "a"), submit(before, "b"), submit(before, "c")
        before.claim_next(RECEIPT)
        before.mark_done(a.job_id, Confirmation.PRINTER)
        before.claim_next(RECEIPT)  # b is printing when the power goes
    changes: list[Job] = []
    with JobQueue(tmp_path, clock, on_change=changes.append) as after:
        recovered = after.recover()
        assert [j.job_id for j in recovered] == [b.job_id]
        assert (recovered[0].state, recovered[0].duplicate) == (JobState.QUEUED, True)
        assert changes == recovered
        assert after.recover() == []  # a second recovery finds nothing
        again = after.claim_next(RECEIPT)
        assert again is not None and again.job_id == b.job_id
        assert again.duplicate and again.attempts == 2
        assert not after.get(a.job_id).duplicate and not after.get(c.job_id).duplicate
        assert after.get(a.job_id).state is JobState.DONE


def test_recover_hold_then_release(tmp_path: Path, clock: FakeClock) -> None:
    with JobQueue(tmp_path, clock) as before:
        a, b = submit(before, "a"), submit(before, "b")
        before.claim_next(RECEIPT)
    with JobQueue(tmp_path, clock) as after:
        held = after.recover(policy="hold")
        assert [j.job_id for j in held] == [a.job_id]
        assert (held[0].state, held[0].reason, held[0].duplicate) == (
            JobState.HELD,
            "INTERRUPTED",
            True,
        )
        nxt = after.claim_next(RECEIPT)  # a held job is not printed without the operator
        assert nxt is not None and nxt.job_id == b.job_id
        released = after.release(a.job_id)
        assert (released.state, released.duplicate) == (JobState.QUEUED, True)
        with pytest.raises(FailedPrecondition):
            after.release(a.job_id)
        with pytest.raises(ValueError):
            after.recover(policy="guess")  # type: ignore[arg-type]


def test_wal_mode_and_full_sync(q: JobQueue) -> None:
    submit(q, "a")
    db = sqlite3.connect(q.path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert q.path.with_name("jobs.db-wal").exists()
    finally:
        db.close()
    assert q._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert q.path.stat().st_mode & 0o077 == 0


def test_restart_and_two_instances_share_the_file(tmp_path: Path, clock: FakeClock) -> None:
    one, two = JobQueue(tmp_path, clock), JobQueue(tmp_path, clock)
    try:
        job = submit(one, "a")
        assert two.get(job.job_id) == job
        assert submit(two, "a") == job  # idempotency holds across instances
        claimed = two.claim_next(RECEIPT)
        assert claimed is not None and one.claim_next(RECEIPT) is None
        assert one.get(job.job_id).state is JobState.PRINTING
    finally:
        one.close()
        two.close()
    with JobQueue(tmp_path, clock) as three:
        assert [j.job_id for j in three.list()] == [job.job_id]


def test_callback_failure_does_not_undo_the_commit(tmp_path: Path, clock: FakeClock) -> None:
    def boom(job: Job) -> None:
        raise RuntimeError("subscriber broke")

    with JobQueue(tmp_path, clock, on_change=boom) as q:
        job = submit(q, "a")
        assert q.get(job.job_id).state is JobState.QUEUED


async def test_purge_only_old_final_jobs(q: JobQueue, clock: FakeClock) -> None:
    old, live = submit(q, "old"), submit(q, "live")
    q.cancel(old.job_id)
    await clock.advance(3600)
    assert q.purge(clock.now() - timedelta(seconds=60)) == 1
    assert [j.job_id for j in q.list()] == [live.job_id]


def test_storage_errors_are_hub_errors(tmp_path: Path, clock: FakeClock) -> None:
    q = JobQueue(tmp_path, clock)
    q._db.execute("DROP TABLE jobs")
    with pytest.raises(HubError) as info:
        submit(q, "a")
    assert info.value.reason == "STORAGE_ERROR"
    assert not q._db.in_transaction
    q.close()


def test_unreadable_database_is_a_storage_error(tmp_path: Path, clock: FakeClock) -> None:
    (tmp_path / "jobs.db").write_bytes(b"this is not an sqlite database" * 100)
    with pytest.raises(HubError) as info:
        JobQueue(tmp_path, clock)
    assert info.value.reason == "STORAGE_ERROR" and "jobs.db" in info.value.message


def test_done_records_how_the_printer_confirmed_it(q: JobQueue) -> None:
    job = submit(q, "a")
    assert job.confirmation == ""
    q.claim_next(RECEIPT)
    q.mark_stalled(job.job_id, "UNCONFIRMED", "waiting for the printer to finish")
    assert q.get(job.job_id).confirmation == ""  # printing, unconfirmed: nothing recorded yet
    done = q.mark_done(job.job_id, Confirmation.BYTES_ONLY)
    assert (done.state, done.confirmation, done.reason) == (JobState.DONE, "bytes only", "")
    assert q.get(job.job_id).confirmation == "bytes only"
    with pytest.raises(ValueError):
        q.mark_done(submit(q, "b").job_id, "perhaps")  # type: ignore[arg-type]


def test_a_version_1_job_database_gains_the_later_columns(tmp_path: Path, clock: FakeClock) -> None:
    """Version 2 added how a job was confirmed, version 3 a document job's printer job id, pages
    and size: a database made by version 1 opens with them at their defaults."""
    import re

    from hubd.classes.printer.job_table import SCHEMA, SCHEMA_VERSION

    later = ("confirmation", "remote_id", "pages", "document_size")
    old = re.sub(rf",\n\s+({'|'.join(later)})\s[^,\n]*", "", SCHEMA)
    assert not any(re.search(rf"\b{name}\b", old) for name in later), old
    db = sqlite3.connect(tmp_path / "jobs.db")
    db.executescript(old)
    db.execute("PRAGMA user_version=1")
    db.execute("INSERT INTO jobs (job_id, printer_id, idempotency_key, kind, payload, payload_sha256,"
               " state, created_at, updated_at)"
               " VALUES ('j-1', 'receipt', 'k', 'text', x'00', '', 'done', 0, 0)")
    db.commit()
    db.close()
    with JobQueue(tmp_path, clock) as q:
        job = q.get("j-1")
        assert (job.confirmation, job.remote_id, job.pages, job.document_size) == ("", "", 0, 0)
        assert q._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
