"""The receipt fault matrix: each receipt driver on its link x each fault, with a real ``hubd`` and
the printer simulator as processes (killed and restarted like real ones), driven through the
simulator's control socket. What is on paper comes from the simulator's own job files. (The hub
runs with ``--config`` rather than ``--simulate``: its simulator children die with it and could
not come back at the same address, and a printer must be killable on its own.)

For every cell: every acknowledged job is on paper once in full, or in full once more marked
DUPLICATE; none is DONE without its footer on paper; the hub stays up and says why while it
waits; each DONE job records how it was confirmed.

One link has no return channel: ESC/P on a serial line (a pty). There DONE can only mean "the
line took every byte" (``confirmation: bytes only``), so a job may be DONE before its footer is
printed, and a printer that loses power loses what was in its buffer. That row asserts exactly
that bound: a job missing from paper was DONE with ``bytes only`` and printing it was cut short
by the printer losing power; every other job is on paper as above.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest

from kioskhub.v1 import common_pb2, printer_pb2, printer_pb2_grpc
from tests.bench.printing_setup import receipt_pb
from tests.e2e.conftest import HubProcess
from tests.e2e.printers import Link, Paper, PrinterProcess
from tests.stacks.base import skip_or_fail

pytestmark = pytest.mark.timeout(90)

LINKS = {
    "escp-tcp": Link("escp_printer", "tcp://127.0.0.1:0", "escp", {"model": "tvs-msp250"}, 6000),
    "escp-pty": Link(
        "escp_printer", "pty://{dir}/ttyPRN", "escp", {"model": "tvs-msp250"}, 6000, bytes_only=True
    ),
    "escpos-tcp": Link("escpos_printer", "tcp://127.0.0.1:0", "escpos", {"status_timeout": 0.3}, 50000),
}
JOBS = 3
DONE = printer_pb2.PrintJob.STATE_SUCCEEDED
POWER_LOSS = frozenset({"printer_killed", "power_cut", "paper_out_power_cycle"})


def transaction_id(i: int) -> str:
    """The transaction id printed on the i-th sample receipt (``receipt_pb``)."""
    return receipt_pb(i).transaction_id


class Rig:
    """One printer process, one hub process, and the jobs acknowledged to the client."""

    def __init__(self, tmp: Path, name: str) -> None:
        self.tmp, self.name, self.link = tmp, name, LINKS[name]
        self.printer = PrinterProcess(tmp, self.link)
        self.hub: HubProcess | None = None
        self.acked: dict[int, str] = {}
        self.done_seen: set[str] = set()
        self.unmount: Path | None = None

    # -- processes -------------------------------------------------------------------------------

    def start_hub(self) -> None:
        options = ", ".join(f"{k} = {v!r}".replace("'", '"') for k, v in self.link.options.items())
        config = self.tmp / "hubd.toml"
        config.write_text(
            f'[devices.receipt]\ndriver = "{self.link.driver}"\nurl = "{self.printer.url}"\n'
            "poll_interval = 0.2\ntimeout = 0.5\nstale_after = 2\nmax_backoff = 0.5\n"
            f"options = {{ {options} }}\n"
        )
        self.hub = HubProcess(self.tmp, config=config).start()

    def close(self) -> None:
        if self.hub is not None:
            self.hub.stop()
        self.printer.stop()

    # -- the client ------------------------------------------------------------------------------

    def stub(self) -> tuple[grpc.Channel, printer_pb2_grpc.PrinterServiceStub]:
        assert self.hub is not None
        channel = grpc.insecure_channel(self.hub.target)
        return channel, printer_pb2_grpc.PrinterServiceStub(channel)

    def submit(self, *numbers: int) -> None:
        """Submit sample receipts (the same key for the same number: a retry is the same job)."""
        channel, stub = self.stub()
        with channel:
            for i in numbers:
                req = printer_pb2.PrintDocumentRequest(request_id=f"fault-{i}", receipt=receipt_pb(i))
                job_id = stub.PrintDocument(req, timeout=10).print_job.print_job_id
                assert self.acked.setdefault(i, job_id) == job_id, "a retry got a second job"

    def printer_status(self) -> printer_pb2.PrinterStatus:
        channel, stub = self.stub()
        with channel:
            return stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(), timeout=10).status

    def jobs(self) -> list[printer_pb2.PrintJob]:
        channel, stub = self.stub()
        with channel:
            return list(
                stub.ListPrintJobs(printer_pb2.ListPrintJobsRequest(page_size=100), timeout=10).print_jobs
            )

    # -- watching --------------------------------------------------------------------------------

    def watch(
        self, until: Callable[[list[printer_pb2.PrintJob]], bool], what: str, timeout: float = 30
    ) -> None:
        """Poll the jobs until ``until`` holds; meanwhile the hub must stay up, and a job DONE
        through a return channel must already have its footer on paper."""
        assert self.hub is not None
        deadline = time.monotonic() + timeout
        while True:
            assert self.hub.proc is not None and self.hub.proc.poll() is None, "hubd died"
            jobs = self.jobs()
            paper = self.printer.paper()
            for job in jobs:
                if job.state == DONE and job.print_job_id not in self.done_seen:
                    self.done_seen.add(job.print_job_id)
                    number = next(i for i, j in self.acked.items() if j == job.print_job_id)
                    if not self.link.bytes_only:
                        assert paper.complete(job.print_job_id, transaction_id(number)), (
                            f"{job.print_job_id} is DONE without its footer on paper"
                        )
            if until(jobs):
                return
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {jobs}"
            time.sleep(0.05)

    def wait_all_done(self, timeout: float = 40) -> None:
        self.watch(
            lambda jobs: len(jobs) == len(self.acked) and all(j.state == DONE for j in jobs),
            "every job to be done",
            timeout,
        )

    def says_why(self, reasons: set[str] | None = None) -> str:
        """Wait until an unfinished job shows a reason (one of ``reasons`` if given); return it.

        With every job done (a bytes-only link), the printer's own status must say it is not
        known to be working, and why.
        """
        found: list[str] = []

        def waiting(jobs: list[printer_pb2.PrintJob]) -> bool:
            found[:] = [
                j.reason
                for j in jobs
                if j.state != DONE and j.reason and (reasons is None or j.reason in reasons)
            ]
            if not found and self.link.bytes_only and all(j.state == DONE for j in jobs):
                status = self.printer_status()
                if status.state != common_pb2.DEVICE_STATE_AVAILABLE and status.reason:
                    found.append(status.reason)
            return bool(found)

        self.watch(waiting, f"a job to say why it waits ({reasons})")
        return found[0]

    def mid_job(self, number: int) -> None:
        """Until the printer has printed job ``number - 1`` and taken part of job ``number``."""
        if number:
            before = self.acked[number - 1]
            self.watch(
                lambda jobs: bool(self.printer.paper().complete(before, transaction_id(number - 1))),
                f"job {number - 1} on paper",
            )
        start = self.printer.bytes_taken()
        deadline = time.monotonic() + 20
        while self.printer.bytes_taken() < start + 500:
            assert time.monotonic() < deadline, "the printer took nothing of the job"
            time.sleep(0.02)

    # -- the verdict -----------------------------------------------------------------------------

    def confirmations(self) -> dict[str, str]:
        assert self.hub is not None
        with sqlite3.connect(f"file:{self.hub.state / 'jobs.db'}?mode=ro", uri=True) as db:
            return dict(db.execute("SELECT job_id, confirmation FROM jobs WHERE state = 'done'").fetchall())

    def settled_paper(self, fault: str) -> Paper:
        """Bytes-only jobs are DONE once the line took them: wait until the printer printed every
        job, or (after a power loss) until it stopped taking bytes."""
        deadline = time.monotonic() + 30
        taken = -1
        while True:
            paper = self.printer.paper()
            if all(paper.complete(j, transaction_id(i)) for i, j in self.acked.items()):
                return paper
            now = self.printer.bytes_taken()
            if fault in POWER_LOSS and now == taken:
                return paper
            assert time.monotonic() < deadline, "the printer never printed every job"
            taken = now
            time.sleep(0.5)

    def check_paper(self, fault: str) -> None:
        """Every acknowledged job once in full, or once more marked DUPLICATE (see the module)."""
        self.wait_all_done()
        paper = self.settled_paper(fault) if self.link.bytes_only else self.printer.paper()
        how = self.confirmations()
        want = "bytes only" if self.link.bytes_only else "printer"
        assert set(how) == set(self.acked.values()) and set(how.values()) == {want}, how
        for number, job_id in self.acked.items():
            full = paper.complete(job_id, transaction_id(number))
            if not full and self.link.bytes_only and fault in POWER_LOSS:
                continue  # it was DONE (bytes only) and in the printer's buffer when the power went
            assert len(full) in (1, 2), f"{job_id}: {len(full)} complete copies"
            if len(full) == 2:
                assert full[1].duplicate, f"{job_id} printed again without the DUPLICATE banner"


# -- the faults ------------------------------------------------------------------------------------


def slow_start(rig: Rig) -> None:
    rig.printer.start(slow_bps=rig.link.slow_bps)
    rig.start_hub()
    rig.submit(*range(JOBS))


def slow_printer(rig: Rig) -> None:
    slow_start(rig)
    if not rig.link.bytes_only:  # sent, not yet printed: the job says so
        rig.says_why({"UNCONFIRMED"})


def printer_killed(rig: Rig) -> None:
    slow_start(rig)
    rig.mid_job(1)
    rig.printer.kill()
    rig.says_why()
    rig.printer.start()


def power_cut(rig: Rig) -> None:
    slow_start(rig)
    rig.mid_job(1)
    assert rig.hub is not None and rig.hub.proc is not None
    rig.hub.proc.kill()  # hubd and the printer lose power together
    rig.printer.kill()
    rig.hub.proc.wait(10)
    rig.printer.start()
    rig.start_hub()
    rig.submit(*range(JOBS))  # a client that got no answer sends again: the same jobs


def paper_out(rig: Rig, then: Callable[[Rig], None]) -> None:
    rig.printer.start(paper_out_after_lines=10)
    rig.start_hub()
    rig.submit(*range(JOBS))
    if rig.link.bytes_only:  # the printer cannot say: see it stop through its control socket
        rig.watch(lambda jobs: rig.printer.paper_is_out(), "the paper to run out")
    else:
        rig.says_why({"PAPER_OUT", "UNCONFIRMED", "PRINTER_NOT_ACCEPTING"})
    then(rig)


def paper_out_then_loaded(rig: Rig) -> None:
    paper_out(rig, lambda r: r.printer.ctl("paper in"))


def paper_out_power_cycle(rig: Rig) -> None:
    def cycle(r: Rig) -> None:
        r.printer.kill()
        r.printer.start()

    paper_out(rig, cycle)


def status_down(rig: Rig) -> None:
    rig.printer.start(silent="on")
    rig.start_hub()
    rig.submit(*range(JOBS))
    if not rig.link.bytes_only:  # with no status channel there is nothing to lose
        assert rig.says_why({"UNCONFIRMED"}) == "UNCONFIRMED"
        assert not any(j.state == DONE for j in rig.jobs())
    rig.printer.ctl("set silent off")


def disk_full(rig: Rig) -> None:
    """The state disk fills while a job prints, then is freed; a job submitted after prints too."""
    if os.geteuid() != 0:
        skip_or_fail("mounting a small state disk needs root (CI runs as root)")
    state = rig.tmp / "state"
    state.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(state)], check=True)
    rig.unmount = state
    rig.printer.start(slow_bps=rig.link.slow_bps)
    rig.start_hub()
    rig.submit(0)
    rig.mid_job(0)
    filler = state / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(bytes(65536))
                f.flush()
        except OSError:
            pass
    rig.watch(
        lambda jobs: bool(rig.printer.paper().complete(rig.acked[0], transaction_id(0))),
        "the job to come out while the disk is full",
    )
    with contextlib.suppress(grpc.RpcError):  # refused (not acknowledged) or, if it fits, printed
        rig.submit(1)
    filler.unlink()
    rig.submit(2)


FAULTS = {
    "slow_printer": slow_printer,
    "printer_killed": printer_killed,
    "power_cut": power_cut,
    "paper_out_then_loaded": paper_out_then_loaded,
    "paper_out_power_cycle": paper_out_power_cycle,
    "status_down": status_down,
    "disk_full": disk_full,
}


@pytest.fixture
def rig(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Rig]:
    r = Rig(tmp_path, request.param)
    try:
        yield r
    finally:
        r.close()
        if r.unmount is not None:
            subprocess.run(["umount", "-l", str(r.unmount)], check=False)


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("rig", sorted(LINKS), indirect=True)
def test_fault(rig: Rig, fault: str) -> None:
    FAULTS[fault](rig)
    rig.check_paper(fault)
