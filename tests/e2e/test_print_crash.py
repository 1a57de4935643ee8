"""kill -9 at every crash point with 50 queued receipts: nothing lost, nothing silently doubled.

The ESC/P simulator runs as its own process (it outlives the hub, like a real printer); hubd is
started with ``KIOSKHUB_CRASH_AT=point:n`` and dies there by SIGKILL; the test restarts it, resubmits
every job with the same idempotency key (a client that got no answer does exactly that) and reads
the simulator's transcripts: every job is on paper once, or once more marked DUPLICATE.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest

from hubd.classes.printer.queue import CRASH_POINTS
from kioskhub.v1 import printer_pb2, printer_pb2_grpc
from tests.e2e.conftest import wait_for
from tests.unit.test_jobs_kill import DOCUMENT_POINTS

JOBS = 50
NTH = 5
FOOTER = re.compile(r"kioskhub-job:\s*(\S+)")


def start_printer(tmp: Path) -> tuple[subprocess.Popen[str], str]:
    out = tmp / "paper"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kioskhub.simulators.cli", "escp_printer", "--listen", "tcp://127.0.0.1:0",
         "--set", f"out_dir={out}"],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())["url"]


def start_hub(tmp: Path, url: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    config = tmp / "hubd.toml"
    config.write_text(
        f'[hub]\nstate_dir = "{tmp / "state"}"\n'
        f'[devices.receipt]\ndriver = "escp"\nurl = "{url}"\npoll_interval = 0.2\n'
        'options = { model = "tvs-msp250" }\n'
    )
    sock = tmp / "hubd.sock"
    log = open(tmp / "hubd.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubd.cli.hubd", "--config", str(config), "--listen", f"unix:{sock}"],
        stdout=log, stderr=log, env={**os.environ, **env},
    )
    target = f"unix://{sock}"

    def up() -> bool:
        if proc.poll() is not None:
            return True
        try:
            with grpc.insecure_channel(target) as ch:
                grpc.channel_ready_future(ch).result(timeout=0.5)
            return True
        except grpc.FutureTimeoutError:
            return False

    wait_for(up, what="hubd to listen")
    return proc, target


def receipt_text(i: int) -> str:
    """A receipt long enough to need several chunks on the wire (so mid_send is reachable)."""
    items = "".join(f"  item {n:02d}  electricity bill part {n:02d}     Rs {10 + n}.00\n" for n in range(16))
    return f"Receipt {i:03d}\n{items}Total Rs {100 + i}.00\n"


def submit_all(target: str) -> dict[str, str]:
    """Submit every job (same keys every time); stop quietly if the hub dies under us."""
    ids: dict[str, str] = {}
    with grpc.insecure_channel(target) as ch:
        stub = printer_pb2_grpc.PrinterServiceStub(ch)
        for i in range(JOBS):
            req = printer_pb2.PrintDocumentRequest(
                request_id=f"receipt-{i:03d}",
                text=printer_pb2.TextDocument(text=receipt_text(i)),
            )
            try:
                ids[req.request_id] = stub.PrintDocument(req, timeout=10).print_job.print_job_id
            except grpc.RpcError as err:
                assert err.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED), err
                break
    return ids


def all_done(target: str) -> bool:
    with grpc.insecure_channel(target) as ch:
        jobs = printer_pb2_grpc.PrinterServiceStub(ch).ListPrintJobs(
            printer_pb2.ListPrintJobsRequest(page_size=1000), timeout=10).print_jobs
    return len(jobs) == JOBS and all(j.state == printer_pb2.PrintJob.STATE_SUCCEEDED for j in jobs)


def printouts(paper: Path) -> dict[str, list[str]]:
    """job id -> the transcripts (complete printouts) that carry its footer, in print order."""
    found: dict[str, list[str]] = {}
    for txt in sorted(paper.glob("job-*.txt")):
        text = txt.read_text(encoding="utf-8")
        for job_id in FOOTER.findall(text):
            found.setdefault(job_id, []).append(text)
    return found


@pytest.mark.parametrize("point", sorted(set(CRASH_POINTS) - DOCUMENT_POINTS))
def test_kill9_at_every_crash_point_loses_and_doubles_nothing(tmp_path: Path, point: str) -> None:
    printer, url = start_printer(tmp_path)
    crash_log = tmp_path / "crash.log"
    try:
        env = {"KIOSKHUB_CRASH_AT": f"{point}:{NTH}", "KIOSKHUB_CRASH_LOG": str(crash_log)}
        hub, target = start_hub(tmp_path, url, env)
        first = submit_all(target)
        try:
            hub.wait(60)
        except subprocess.TimeoutExpired:
            hub.kill()
            raise AssertionError(f"the hub never reached crash point {point}") from None
        assert hub.returncode == -signal.SIGKILL
        assert crash_log.read_text().split() == [point], "the crash point was not reached"

        hub, target = start_hub(tmp_path, url, {})
        try:
            second = submit_all(target)
            assert len(second) == JOBS
            assert all(second[k] == v for k, v in first.items()), "a key got a second job"
            wait_for(lambda: all_done(target), timeout=120, what="every job to print")
        finally:
            hub.send_signal(signal.SIGTERM)
            hub.wait(30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(printouts(tmp_path / "paper")) < JOBS:
            time.sleep(0.1)
        seen = printouts(tmp_path / "paper")
        assert sorted(seen) == sorted(second.values()), "a job is missing from the paper"
        for job_id, copies in seen.items():
            assert len(copies) in (1, 2), f"{job_id} printed {len(copies)} times"
            if len(copies) == 2:
                assert "DUPLICATE" in copies[1], f"{job_id} reprinted without the banner"
            assert all(c.count(job_id) == 1 for c in copies)
        reprinted = [j for j, c in seen.items() if any("DUPLICATE" in x for x in c)]
        if point in ("job_claimed", "mid_send", "after_send_before_done"):
            assert len(reprinted) == 1, f"expected exactly one reprint, got {reprinted}"
        elif point == "job_done":
            assert reprinted == [], f"nothing was printing, yet {reprinted} were reprinted"
        else:  # killed while acknowledging a submit: the worker may have been mid-job
            assert len(reprinted) <= 1, reprinted
    finally:
        printer.terminate()
        printer.wait(10)
