"""Real kill -9 at every crash point: no acknowledged job lost, none silently printed twice.

The child (this file run as a script) plays client, queue and worker: it submits 50 jobs, noting
each acknowledgement, then prints them on a "paper" file (head line, crash point mid_send, tail
line) and marks them done. ``KIOSKHUB_CRASH_AT`` kills it with SIGKILL somewhere on the way. The
parent then restarts: recover(), the client resubmits whatever it never saw acknowledged, the same
worker code drains the queue, and every receipt must be in hand exactly once, any second copy
flagged DUPLICATE.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubd.classes.printer.contract import Confirmation
from hubd.classes.printer.queue import CRASH_POINTS, JobQueue, JobState
from hubd.clock import SystemClock
from hubd.crash import crash_point

N = 50
PRINTER = "receipt"


def payload(i: int) -> bytes:
    return f"e-Mitra receipt {i}\n".encode()


def append(path: Path, line: str) -> None:
    """One unbuffered write: survives the kill (page cache), like bytes already on the wire."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def submit_all(q: JobQueue, acked: Path, keys: list[int]) -> None:
    for i in keys:
        job = q.submit(PRINTER, f"key-{i}", "receipt", payload(i))
        append(acked, f"key-{i} {job.job_id}\n")


def work(q: JobQueue, paper: Path) -> None:
    """The worker's loop in miniature: claim, print in two halves, mark done."""
    while (job := q.claim_next(PRINTER)) is not None:
        banner = "DUPLICATE" if job.duplicate else "ORIGINAL"
        append(paper, f"{job.job_id} head {banner}\n")
        crash_point("mid_send")
        append(paper, f"{job.job_id} tail\n")
        crash_point("after_send_before_done")
        q.mark_done(job.job_id, Confirmation.PRINTER)


def child(state_dir: str) -> None:
    d = Path(state_dir)
    with JobQueue(d, SystemClock()) as q:
        submit_all(q, d / "acked", list(range(N)))
        work(q, d / "paper")


CASES = [
    ("submit_before_commit", 1),
    ("submit_before_commit", 31),
    ("job_persisted", 1),
    ("job_persisted", N),
    ("job_claimed", 1),
    ("job_claimed", 23),
    ("mid_send", 1),
    ("mid_send", 37),
    ("after_send_before_done", 1),
    ("after_send_before_done", N),
    ("job_done", 1),
    ("job_done", 12),
]


DOCUMENT_POINTS = {"document_sent"}
"""Reached only by a document job at an IPP printer: tests/stacks/test_document_crash.py kills there."""


def test_every_crash_point_is_exercised() -> None:
    assert {point for point, _ in CASES} == set(CRASH_POINTS) - DOCUMENT_POINTS


Crashed = dict[tuple[str, int], tuple[Path, int, bytes]]


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crashed]:
    """Run every child at once, each with its own state dir, and collect how it died.

    kill -9 keeps the page cache, so what is tested here is process death, not power loss. The
    state dirs live on tmpfs when there is one, so synchronous=FULL's fsync per commit does not
    make this test slow; the code path is the same.
    """
    shm = Path("/dev/shm")
    use_shm = shm.is_dir() and os.access(shm, os.W_OK)
    base = Path(tempfile.mkdtemp(dir=shm)) if use_shm else tmp_path_factory.mktemp("kill")
    procs = {}
    for point, n in CASES:
        d = base / f"{point}-{n}"
        d.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSKHUB_CRASH")}
        env.update(KIOSKHUB_CRASH_AT=f"{point}:{n}", KIOSKHUB_CRASH_LOG=str(d / "crash.log"))
        cmd = [sys.executable, __file__, str(d)]
        procs[point, n] = d, subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)
    results = {}
    try:
        for case, (d, proc) in procs.items():
            _, err = proc.communicate(timeout=60)
            results[case] = d, proc.returncode, err
        yield results
    finally:
        for _, proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if use_shm:
            shutil.rmtree(base)


@pytest.mark.parametrize(("point", "n"), CASES)
def test_kill_9_loses_nothing_and_doubles_nothing(crashed: Crashed, point: str, n: int) -> None:
    state_dir, returncode, stderr = crashed[point, n]
    crash_log, acked, paper = (state_dir / name for name in ("crash.log", "acked", "paper"))
    assert returncode == -signal.SIGKILL, stderr.decode()
    assert crash_log.read_text() == f"{point}\n"  # the point was reached, and only once

    acked.touch()
    paper.touch()
    acks = dict(line.split() for line in acked.read_text().splitlines())
    submitting = point in ("submit_before_commit", "job_persisted")
    assert len(acks) == (n - 1 if submitting else N)
    before = heads(paper)

    with JobQueue(state_dir, SystemClock()) as q:
        rows = q.list(limit=10 * N)
        assert len(rows) == (n - 1 if point == "submit_before_commit" else n if submitting else N)
        for job in rows:  # every acknowledged job is there, under the id the client was given
            assert acks.get(job.idempotency_key, job.job_id) == job.job_id
        in_flight = [j.job_id for j in rows if j.state is JobState.PRINTING]

        recovered = {j.job_id for j in q.recover()}
        assert recovered == set(in_flight)
        if point in ("job_claimed", "mid_send", "after_send_before_done"):
            assert [q.get(i).idempotency_key for i in recovered] == [f"key-{n - 1}"]
        else:
            assert recovered == set()
        assert all(q.get(i).state is JobState.QUEUED for i in recovered)

        # The client retries what it never saw acknowledged (and, harmlessly, everything).
        submit_all(q, acked, list(range(N)))
        work(q, paper)
        final = q.list(limit=10 * N)

    assert sorted(j.idempotency_key for j in final) == sorted(f"key-{i}" for i in range(N))
    assert all(j.state is JobState.DONE for j in final)
    by_key = {j.idempotency_key: j.job_id for j in final}
    for line in acked.read_text().splitlines():
        key, job_id = line.split()
        assert by_key[key] == job_id  # one job per key, before and after the crash

    after = heads(paper)[len(before) :]
    tails = {line.split()[0] for line in paper.read_text().splitlines() if line.endswith(" tail")}
    for job in final:
        pre = [banner for job_id, banner in before if job_id == job.job_id]
        post = [banner for job_id, banner in after if job_id == job.job_id]
        assert job.job_id in tails, f"{job.idempotency_key}: no complete receipt in hand"
        assert pre in ([], ["ORIGINAL"]) and len(post) <= 1 and pre + post
        # A job in doubt is reprinted with the banner (even if its first copy never came out);
        # nothing else is printed twice.
        assert post == (["DUPLICATE"] if job.job_id in recovered else [] if pre else ["ORIGINAL"])
        assert job.duplicate == (job.job_id in recovered)


def heads(paper: Path) -> list[tuple[str, str]]:
    """(job_id, banner) of every receipt head on the paper, in print order."""
    lines = [line.split() for line in paper.read_text().splitlines()]
    return [(parts[0], parts[2]) for parts in lines if parts[1] == "head"]


if __name__ == "__main__":
    child(sys.argv[1])
