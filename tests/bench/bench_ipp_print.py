"""Printing III through the hub: a 10-page A4 PDF streamed to a real hubd (StreamPrintDocument)
until ippeveprinter has it, through a driverless CUPS queue, as a ratio to ``lp`` sending the same
file to the same queue in the same run (target ≤ 1.2×); also the hub straight to the printer (IPP),
and hubd's RSS growth over its idle RSS while a 50 MB PDF streams through it (target ≤ +20 MB: the
document goes to disk in chunks, never whole into memory)."""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import grpc
import psutil

from hubd.classes.printer.document_printer import PrinterState
from hubd.stacks import cups, ippeveprinter
from hubd.stacks.process import free_port, stop_all
from kioskhub.drivers.ipp import IppPrinter
from kioskhub.v1 import printer_pb2, printer_pb2_grpc
from tests.bench.common import Hubd, report
from tests.pdfs import text_pdf

MB = 1024 * 1024


async def arrived(p: ippeveprinter.IppEvePaths, count: int, timeout: float = 60.0) -> None:
    """Poll until the printer has ``count`` documents."""
    deadline = time.monotonic() + timeout
    while len(ippeveprinter.printouts(p)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"printout {count} did not arrive")
        await asyncio.sleep(0.005)


async def idle(queue: IppPrinter, timeout: float = 30.0) -> None:
    """Poll until the CUPS queue holds no job: each timed send starts from an idle queue."""
    deadline = time.monotonic() + timeout
    while (status := await queue.read_status()).queued_jobs or status.state is not PrinterState.IDLE:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the queue did not go idle: {status.describe()}")
        await asyncio.sleep(0.01)


def big_pdf(path: Path, megabytes: int) -> Path:
    """A one-page PDF carrying ``megabytes`` MB of incompressible data in an unreferenced stream."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Filler = pdf.make_stream(os.urandom(megabytes * MB))
    pdf.save(path, compress_streams=False)
    return path


class PeakRss:
    """Samples a process's RSS every 5 ms in a thread; ``peak`` once stopped."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


CONFIG = """
[devices.queue]
driver = "ipp"
url = "cups://Laser?server={server}"
poll_interval = 0.5
[devices.direct]
driver = "ipp"
url = "{printer}"
poll_interval = 0.5
[printing]
max_document_mb = 64
"""


def stream_print(channel: grpc.Channel, device_id: str, path: Path) -> None:
    """StreamPrintDocument: the header, then the file in 64 KiB chunks read as they go."""
    header = printer_pb2.DocumentHeader(device_id=device_id, title=path.name, size_bytes=path.stat().st_size,
                                        request_id=str(uuid.uuid4()))

    def messages():  # type: ignore[no-untyped-def]
        yield printer_pb2.StreamPrintDocumentRequest(header=header)
        with path.open("rb") as f:
            while chunk := f.read(65536):
                yield printer_pb2.StreamPrintDocumentRequest(chunk=chunk)

    printer_pb2_grpc.PrinterServiceStub(channel).StreamPrintDocument(messages(), timeout=300)


async def measure(root: Path, rounds: int, big_mb: int) -> list[str]:
    """Start the stacks and a hubd, time each way alternately, report medians."""
    printer_port, cups_port = free_port(), free_port()
    procs = ippeveprinter.start(root / "printer", printer_port)
    p = ippeveprinter.paths(root / "printer", printer_port)
    procs += cups.start(root / "cups", cups_port)
    c = cups.paths(root / "cups", cups_port)
    cups.add_everywhere_queue(c, "Laser", p.url)
    document = text_pdf(root / "ten.pdf", 10)
    queue = IppPrinter("laser", f"cups://Laser?server={c.server}")
    hub = Hubd(config=CONFIG.format(server=c.server, printer=p.url)).start()
    channel = grpc.insecure_channel(hub.target)
    times: dict[str, list[float]] = {"lp": [], "queue": [], "direct": []}
    lines: list[str] = []
    try:
        await queue.read_status()
        for device in ("queue", "direct"):
            hub.wait_available(device)
        count = 0
        for _ in range(rounds):
            for way in ("lp", "queue", "direct"):
                t0 = time.perf_counter()
                if way == "lp":
                    result = await asyncio.to_thread(
                        cups.client, c, "lp", "-d", "Laser", "-o", "media=iso_a4_210x297mm", str(document))
                    assert result.returncode == 0, result.stderr
                else:
                    await asyncio.to_thread(stream_print, channel, way, document)
                count += 1
                await arrived(p, count)
                times[way].append(time.perf_counter() - t0)
                await idle(queue)  # CUPS's ipp backend polls the printer until the job completes
        lp, via_queue, straight = (statistics.median(times[k]) for k in ("lp", "queue", "direct"))
        lines.append(report("IPP: 10-page PDF hub→CUPS→printer", via_queue * 1000, lp * 1000, "ms", "≤ 1.2x"))
        lines.append(report("IPP: 10-page PDF hub→printer", straight * 1000, lp * 1000, "ms"))
        big = big_pdf(root / "big.pdf", big_mb)
        assert hub.proc is not None
        idle_rss = psutil.Process(hub.proc.pid).memory_info().rss
        with PeakRss(hub.proc.pid) as rss:
            await asyncio.to_thread(stream_print, channel, "direct", big)
            await arrived(p, count + 1, timeout=120)
        grown = (rss.peak - idle_rss) / MB
        size = big.stat().st_size / MB
        name = f"IPP: hubd RSS over idle, {big_mb} MB PDF"
        line = f"{name:<44} {grown:10.1f} MB  (idle {idle_rss / MB:.0f} MB, document {size:.0f} MB)"
        line += "   (target ≤ +20 MB)"
        print(line, flush=True)
        lines.append(line)
    finally:
        channel.close()
        hub.stop()
        await queue.close()
        stop_all(procs)
    return lines


def main(quick: bool = False) -> list[str]:
    """Print the IPP figures (skipped when CUPS or ippeveprinter is missing)."""
    missing = cups.missing_binaries() + ippeveprinter.missing_binaries()
    if missing:
        print(f"IPP bench skipped: not installed: {', '.join(missing)}")
        return []
    root = Path(tempfile.mkdtemp(prefix="kh-bench-ipp-"))
    os.chmod(root, 0o755)  # CUPS backends run as lp and read the spool by path
    try:
        return asyncio.run(measure(root, 1 if quick else 7, 5 if quick else 50))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
