"""P2: a 30-line receipt, half the lines Hindi: ``PrintDocument`` → last byte at the printer
(not throttled), target ≤ 25 ms p50. Baseline, same run: a ``GetPrinterStatus`` round trip.

The "printer" here is a bare TCP sink that notes when each AppSocket job's connection closes
(the hub closes it right after the last byte), so no simulator rendering time is counted.
"""

from __future__ import annotations

import socket
import threading
import time

import grpc

from kioskhub.v1 import printer_pb2, printer_pb2_grpc
from tests.bench.common import median, pct, report
from tests.bench.printing_setup import PrintingHub, receipt_pb


class Sink:
    """Accepts AppSocket jobs; records (close time, bytes) of each."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.jobs: list[tuple[float, int]] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            size = 0
            while data := conn.recv(65536):
                size += len(data)
            conn.close()
            with self.cond:
                self.jobs.append((time.perf_counter(), size))
                self.cond.notify_all()

    def wait_jobs(self, n: int, timeout: float = 30) -> None:
        """Until ``n`` jobs have ended."""
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.jobs) >= n, timeout):
                raise TimeoutError("the hub did not finish the job")


def main(quick: bool = False) -> list[str]:
    """Print P2 figures."""
    runs = 3 if quick else 40
    sink = Sink()
    hub = PrintingHub(sink.url)
    lines = []
    try:
        with grpc.insecure_channel(hub.target) as ch:
            stub = printer_pb2_grpc.PrinterServiceStub(ch)
            status = []
            for _ in range(max(runs, 20)):
                t0 = time.perf_counter()
                stub.GetPrinterStatus(printer_pb2.GetPrinterStatusRequest())
                status.append((time.perf_counter() - t0) * 1000)
            latencies, sizes = [], []
            for i in range(runs + 2):
                t0 = time.perf_counter()
                stub.PrintDocument(
                    printer_pb2.PrintDocumentRequest(request_id=f"p2-{i}", receipt=receipt_pb(i))
                )
                sink.wait_jobs(i + 1)
                end, size = sink.jobs[i]
                if i >= 2:  # the first jobs load fonts and warm caches
                    latencies.append((end - t0) * 1000)
                    sizes.append(size)
        lines.append(
            report("P2 PrintDocument -> last byte, p50", median(latencies), median(status), "ms", "<= 25 ms")
        )
        lines.append(report("P2 PrintDocument -> last byte, p90", pct(latencies, 90), pct(status, 90), "ms"))
        print(f"    (receipt bytes on the wire: {median(sizes):.0f}; baseline = GetPrinterStatus)")
    finally:
        hub.stop()
        sink.server.close()
    return lines


if __name__ == "__main__":
    main()
