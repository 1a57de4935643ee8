"""Printing I: 1,000 small jobs through the persistent queue (jobs/s) and ``GetPrinterStatus``
p99 while printing. Baselines, same run: the same job bytes sent straight to the printer
simulator without the hub (jobs/s), and ``GetPrinterStatus`` p99 on an idle hub.

The hub ends each AppSocket job when the printer closes the connection, so its rate is bounded by
the simulated printer's (which draws each page after closing); the direct baseline shares that
bound, and the ratio shows what the queue costs on top of it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import grpc

from kioskhub.v1 import printer_pb2, printer_pb2_grpc
from tests.bench.common import pct, report
from tests.bench.printing_setup import PrintingHub


def status_probe(target: str, stop: threading.Event, out: list[float]) -> None:
    """Call GetPrinterStatus back to back until ``stop``; record latencies (ms)."""
    with grpc.insecure_channel(target) as ch:
        stub = printer_pb2_grpc.PrinterServiceStub(ch)
        while not stop.is_set():
            t0 = time.perf_counter()
            stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest())
            out.append((time.perf_counter() - t0) * 1000)


def main(quick: bool = False, jobs: int = 1000) -> list[str]:
    """Print the queue figures."""
    n = 20 if quick else jobs
    paper = Path(tempfile.mkdtemp(prefix="kh-bench-paper-"))
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kioskhub.simulators.cli",
            "escp_printer",
            "--listen",
            "tcp://127.0.0.1:0",
            "--set",
            f"out_dir={paper}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sim.stdout is not None
    url = json.loads(sim.stdout.readline())["url"]
    hub = PrintingHub(url, model="tvs-msp250")
    lines = []
    try:
        idle: list[float] = []
        stop = threading.Event()
        probe = threading.Thread(target=status_probe, args=(hub.target, stop, idle))
        probe.start()
        time.sleep(1.0 if not quick else 0.3)
        stop.set()
        probe.join()
        busy: list[float] = []
        stop = threading.Event()
        probe = threading.Thread(target=status_probe, args=(hub.target, stop, busy))
        with grpc.insecure_channel(hub.target) as ch:
            stub = printer_pb2_grpc.PrinterServiceStub(ch)
            probe.start()
            t0 = time.perf_counter()
            for i in range(n):
                last = stub.PrintDocument(
                    printer_pb2.PrintDocumentRequest(
                        request_id=f"q-{i}",
                        text=printer_pb2.TextDocument(text=f"Receipt {i}\nRs {i}.00\n"),
                    )
                ).print_job
            submitted = time.perf_counter() - t0
            # One printer prints in order: the last job done means all are (checked just below).
            # Polling one job keeps the probe's figure about the hub, not about listing 1,000 jobs.
            done = printer_pb2.PrintJob.STATE_SUCCEEDED
            while (
                stub.GetPrintJob(
                    printer_pb2.GetPrintJobRequest(print_job_id=last.print_job_id)
                ).print_job.state
                != done
            ):
                time.sleep(0.05)
            elapsed = time.perf_counter() - t0
            finished = stub.ListPrintJobs(
                printer_pb2.ListPrintJobsRequest(states=[done], page_size=n)
            ).print_jobs
            assert len(finished) == n, f"{len(finished)} of {n} jobs done"
            stop.set()
            probe.join()
        raw = [p.read_bytes() for p in sorted(paper.glob("job-*.bin"))][:n]
        host, port = url.removeprefix("tcp://").split("?")[0].split(":")
        t1 = time.perf_counter()
        for data in raw:
            with socket.create_connection((host, int(port))) as s:
                s.sendall(data)
        direct = (time.perf_counter() - t1) or 1e-9
        lines.append(report(f"Queue: {n} jobs through the hub", n / elapsed, len(raw) / direct, "j/s"))
        print(f"    (submitting alone: {n / submitted:.0f} jobs/s, each persisted before its ack)")
        lines.append(report("Queue: GetPrinterStatus p99 while printing", pct(busy, 99), pct(idle, 99), "ms"))
    finally:
        hub.stop()
        sim.terminate()
        try:
            sim.wait(30)
        except subprocess.TimeoutExpired:  # still rendering a backlog of pages
            sim.kill()
            sim.wait()
    return lines


if __name__ == "__main__":
    main()
