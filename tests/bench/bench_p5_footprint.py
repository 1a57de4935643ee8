"""P5: ``hubd --simulate`` idle RSS (target ≤ 80 MB), time to READY (≤ 2 s), idle CPU (≤ 1 %).

Baseline, same run: a bare grpc.aio server process (the floor any gRPC daemon in Python pays).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from tests.bench.common import Hubd, report

BARE = """
import asyncio, sys, grpc
async def main():
    s = grpc.aio.server(); s.add_insecure_port(sys.argv[1]); await s.start()
    print("READY", flush=True); await asyncio.sleep(3600)
asyncio.run(main())
"""


def idle(proc: psutil.Process, seconds: float) -> tuple[float, float]:
    """(RSS in MB, CPU percent) of a process over ``seconds`` of idling."""
    t0 = proc.cpu_times()
    time.sleep(seconds)
    t1 = proc.cpu_times()
    cpu = (t1.user + t1.system - t0.user - t0.system) / seconds * 100
    return proc.memory_info().rss / 2**20, cpu


def main(quick: bool = False) -> list[str]:
    """Print P5 figures."""
    window = 2.0 if quick else 10.0
    sock = Path(tempfile.mkdtemp(prefix="kh-bare-")) / "bare.sock"
    t0 = time.perf_counter()
    bare = subprocess.Popen([sys.executable, "-c", BARE, f"unix:{sock}"], stdout=subprocess.PIPE, text=True)
    assert bare.stdout is not None and bare.stdout.readline().strip() == "READY"
    bare_ready = time.perf_counter() - t0
    bare_rss, bare_cpu = idle(psutil.Process(bare.pid), window)
    bare.terminate()
    bare.wait(10)

    hub = Hubd().start()
    try:
        hub.wait_available()
        proc = psutil.Process(hub.proc.pid if hub.proc else 0)
        time.sleep(0.5 if quick else 2.0)
        rss, cpu = idle(proc, window)
        children = proc.children(recursive=True)
        child_rss = sum(c.memory_info().rss for c in children) / 2**20
    finally:
        hub.stop()
    lines = [
        report("P5 hubd --simulate idle RSS", rss, bare_rss, "MB", "<= 80 MB"),
        report("P5 time to READY=1", hub.ready_after, bare_ready, "s", "<= 2 s"),
        report("P5 idle CPU (1 s UPS poll)", cpu, max(bare_cpu, 0.01), "%", "<= 1 %"),
    ]
    print(f"    (plus {len(children)} simulator/stack processes, {child_rss:.1f} MB together)")
    return lines


if __name__ == "__main__":
    main()
