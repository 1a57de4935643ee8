"""Printing III (driver level; stage 2 puts it through the hub): a 10-page A4 PDF sent by the IPP
driver to a driverless CUPS queue until ippeveprinter has it, as a ratio to ``lp`` sending the same
file to the same queue in the same run (target ≤ 1.2×). Also: the driver straight to the printer,
and this process's RSS growth while the driver streams a 50 MB PDF (the document is never held
whole in memory)."""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psutil

from drivers.ipp import IppPrinter
from hubd.classes.printer.document_printer import PrinterState, PrintOptions
from hubd.stacks import cups, ippeveprinter
from hubd.stacks.process import free_port, stop_all
from tests.bench.common import report
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
    """Samples this process's RSS every 5 ms in a thread; ``peak`` once stopped."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
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


async def measure(root: Path, rounds: int) -> list[str]:
    """Start the stacks, time both ways alternately, report medians."""
    printer_port, cups_port = free_port(), free_port()
    procs = ippeveprinter.start(root / "printer", printer_port)
    p = ippeveprinter.paths(root / "printer", printer_port)
    procs += cups.start(root / "cups", cups_port)
    c = cups.paths(root / "cups", cups_port)
    cups.add_everywhere_queue(c, "Laser", p.url)
    document = text_pdf(root / "ten.pdf", 10)
    queue = IppPrinter("laser", f"cups://Laser?server={c.server}")
    direct = IppPrinter("laser", p.url)
    times: dict[str, list[float]] = {"lp": [], "queue": [], "direct": []}
    lines: list[str] = []
    try:
        await queue.read_status()  # connect and learn capabilities before timing
        await direct.read_status()
        count = 0
        for _ in range(rounds):
            for way in ("lp", "queue", "direct"):
                t0 = time.perf_counter()
                if way == "lp":
                    result = await asyncio.to_thread(
                        cups.client, c, "lp", "-d", "Laser", "-o", "media=iso_a4_210x297mm", str(document))
                    assert result.returncode == 0, result.stderr
                else:
                    await (queue if way == "queue" else direct).submit(document, PrintOptions(title="ten"))
                count += 1
                await arrived(p, count)
                times[way].append(time.perf_counter() - t0)
                await idle(queue)  # CUPS's ipp backend polls the printer until the job completes
        lp, hub, straight = (statistics.median(times[k]) for k in ("lp", "queue", "direct"))
        lines.append(report("IPP: 10-page PDF driver→CUPS→printer", hub * 1000, lp * 1000, "ms", "≤ 1.2x"))
        lines.append(report("IPP: 10-page PDF driver→printer", straight * 1000, lp * 1000, "ms"))
        big = big_pdf(root / "big.pdf", 50)
        rss_before = psutil.Process().memory_info().rss
        with PeakRss() as rss:
            await direct.submit(big, PrintOptions(title="big"))
        await arrived(p, count + 1)
        grown = (rss.peak - rss_before) / MB
        size = big.stat().st_size / MB
        line = f"{'IPP: RSS growth streaming a 50 MB PDF':<44} {grown:10.1f} MB  (document {size:.0f} MB)"
        print(line, flush=True)
        lines.append(line)
    finally:
        await queue.close()
        await direct.close()
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
        return asyncio.run(measure(root, 1 if quick else 7))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
