"""RD capture: the rdservice driver vs the same CAPTURE sent straight to the RD simulator.

Both talk to one ``kioskhub-sim rdservice`` process over loopback HTTP in the same run. The
baseline is a bare httpx client posting the same PidOptions bytes; the driver adds PidOptions
building, reply parsing (defusedxml, Resp only) and the quality summary. Stage 2 adds the figure
through the hub (CaptureFingerprint over gRPC, target: overhead <= 5 ms p50 over the baseline).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import httpx

from drivers.rdservice import RdServiceDevice, protocol
from drivers.rdservice.tables import GENERIC
from hubd.classes.biometric.contract import CaptureRequest
from tests.bench.common import pct, report


def start_sim() -> tuple[subprocess.Popen[str], int]:
    """The simulator in its own process; its port."""
    sim = subprocess.Popen(
        [sys.executable, "-m", "simulators.cli", "rdservice", "--listen", "tcp://127.0.0.1:0"],
        stdout=subprocess.PIPE, text=True,
    )
    assert sim.stdout is not None
    url = json.loads(sim.stdout.readline())["url"]
    return sim, int(url.rsplit(":", 1)[1])


async def direct(port: int, n: int) -> list[float]:
    """Milliseconds per CAPTURE from a bare httpx client (connection kept alive)."""
    body = protocol.build_pid_options(CaptureRequest(), GENERIC)
    out = []
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(n):
            t0 = time.perf_counter()
            reply = await client.request("CAPTURE", f"http://127.0.0.1:{port}/rd/capture", content=body,
                                         headers={"Content-Type": "text/xml; charset=utf-8"})
            assert reply.status_code == 200 and b'errCode="0"' in reply.content
            out.append((time.perf_counter() - t0) * 1000)
    return out


async def through_driver(port: int, n: int) -> list[float]:
    """Milliseconds per ``RdServiceDevice.capture``."""
    dev = RdServiceDevice("bench", f"rdservice://127.0.0.1:{port}")
    out = []
    try:
        await dev.read_info()
        for _ in range(n):
            t0 = time.perf_counter()
            await dev.capture(CaptureRequest())
            out.append((time.perf_counter() - t0) * 1000)
    finally:
        await dev.close()
    return out


def main(quick: bool = False) -> list[str]:
    """Print the p50/p99 of both, as ratios (figures printed, never asserted)."""
    n = 30 if quick else 1000
    sim, port = start_sim()
    try:
        asyncio.run(direct(port, 5))  # warm both paths
        base = asyncio.run(direct(port, n))
        ours = asyncio.run(through_driver(port, n))
    finally:
        sim.terminate()
        sim.wait(10)
    target = "stage 2: hub <= +5 ms p50"
    return [report(f"RD capture via driver p{p}", pct(ours, p), pct(base, p), "ms", target) for p in (50, 99)]


if __name__ == "__main__":
    main()
