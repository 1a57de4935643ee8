"""P1: UpsService.GetUpsStatus over the unix socket from a separate client process, sequential and
8 concurrent, against a bare grpc.aio echo server measured in the same run (target ≤ 1.25× echo at
p50 and p99)."""

from __future__ import annotations

import json
import subprocess
import sys

import grpc

from kioskhub.v1 import ups_pb2, ups_pb2_grpc
from tests.bench.common import Hubd, pct, report


def client(target: str, mode: str, n: int, conc: int, size: int) -> list[float]:
    """Run the client process and return its latencies (ms)."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.rpc_client", target, mode, str(n), str(conc), str(size)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    return list(json.loads(out.stdout))


def main(quick: bool = False) -> list[str]:
    """Print P1 figures."""
    n = 80 if quick else 2000
    hub = Hubd().start()
    echo_sock = hub.dir / "echo.sock"
    echo = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.echo_server", f"unix:{echo_sock}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    lines = []
    try:
        assert echo.stdout is not None and echo.stdout.readline().strip() == "READY"
        hub.wait_available()
        with grpc.insecure_channel(hub.target) as ch:
            size = ups_pb2_grpc.UpsServiceStub(ch).GetUpsStatus(
                ups_pb2.GetUpsStatusRequest(device_id="ups")
            ).ByteSize()
        for conc in (1, 8):
            base = client(f"unix://{echo_sock}", "echo", n, conc, size)
            ours = client(hub.target, "ups", n, conc, size)
            label = "sequential" if conc == 1 else f"{conc} concurrent"
            for p in (50, 99):
                lines.append(report(f"P1 GetUpsStatus {label} p{p}", pct(ours, p), pct(base, p),
                                    "ms", "<= 1.25x echo"))
    finally:
        if echo.stdin:
            echo.stdin.close()
        echo.wait(10)
        hub.stop()
    return lines


if __name__ == "__main__":
    main()
