"""RD capture: through the hub (CaptureFingerprint over gRPC) and through the driver alone, each
against the same CAPTURE sent straight to the RD simulator, in the same run.

One ``hubd --simulate`` runs as its own process with its own RD simulator (found by discovery);
the baseline is a bare HTTP client posting the same PidOptions bytes to that simulator. Direct
and through-the-hub captures alternate one for one, so a busy machine slows both alike. The hub
adds the gRPC hop, the lease check, request conversion, the driver (PidOptions, defusedxml of
``Resp``) and the response. Target: overhead <= 5 ms p50 over the baseline.
"""

from __future__ import annotations

import asyncio
import json
import time

import grpc
import httpx
from google.protobuf.duration_pb2 import Duration

from hubd.classes.biometric.contract import CaptureRequest
from kioskhub.drivers.rdservice import RdServiceDevice, protocol
from kioskhub.drivers.rdservice.tables import GENERIC
from kioskhub.v1 import biometric_pb2, biometric_pb2_grpc, hub_pb2, hub_pb2_grpc
from tests.bench.common import Hubd, pct, report

BODY = protocol.build_pid_options(CaptureRequest(), GENERIC)
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


def rd_port(hub: Hubd) -> int:
    """The port hubd's RD simulator serves on: the last of the range its URL names."""
    url = json.loads((hub.dir / "state" / "simulators.json").read_text())["fingerprint"]["url"]
    return int(url.rsplit("-", 1)[1])


def direct_once(client: httpx.Client, port: int) -> float:
    """Milliseconds for one CAPTURE from a bare HTTP client (connection kept alive)."""
    t0 = time.perf_counter()
    reply = client.request("CAPTURE", f"http://127.0.0.1:{port}/rd/capture", content=BODY, headers=HEADERS)
    elapsed = (time.perf_counter() - t0) * 1000
    assert reply.status_code == 200 and b'errCode="0"' in reply.content
    return elapsed


def hub_and_direct(hub: Hubd, port: int, n: int) -> tuple[list[float], list[float]]:
    """Milliseconds per capture through the hub and straight to the simulator, alternating."""
    through, direct = [], []
    request = biometric_pb2.CaptureFingerprintRequest(timeout=Duration(seconds=10))
    with grpc.insecure_channel(hub.target) as ch, httpx.Client(trust_env=False) as client:
        hour = Duration(seconds=3600)
        take = hub_pb2.AcquireLeaseRequest(device_id="fingerprint", holder="bench", ttl=hour)
        lease = hub_pb2_grpc.HubServiceStub(ch).AcquireLease(take).lease
        md = (("kioskhub-lease-id", lease.lease_id),)
        capture = biometric_pb2_grpc.BiometricServiceStub(ch).CaptureFingerprint
        for _ in range(5):  # warm both paths
            capture(request, metadata=md)
            direct_once(client, port)
        for _ in range(n):
            t0 = time.perf_counter()
            assert capture(request, metadata=md).pid_data
            through.append((time.perf_counter() - t0) * 1000)
            direct.append(direct_once(client, port))
    return through, direct


async def through_driver(port: int, n: int) -> list[float]:
    """Milliseconds per ``RdServiceDevice.capture`` (no hub)."""
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
    """Print p50/p99 through the hub and through the driver as ratios to the direct baseline, and
    the hub's p50 overhead in milliseconds (figures printed, never asserted)."""
    n = 30 if quick else 1000
    hub = Hubd().start()
    try:
        hub.wait_available("fingerprint")
        port = rd_port(hub)
        hubbed, base = hub_and_direct(hub, port, n)
        driver = asyncio.run(through_driver(port, n))
    finally:
        hub.stop()
    lines = [report(f"RD capture {how} p{p}", pct(values, p), pct(base, p), "ms")
             for how, values in (("through the hub", hubbed), ("via driver only", driver)) for p in (50, 99)]
    overhead = pct(hubbed, 50) - pct(base, 50)
    lines.append(report("RD capture hub overhead p50", overhead, pct(base, 50), "ms", "<= 5 ms over direct"))
    return lines


if __name__ == "__main__":
    main()
