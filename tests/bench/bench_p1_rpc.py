"""P1: every status read (GetUpsStatus, GetPrinterStatus, GetDevice, ListDevices) over the unix
socket from a separate client process, sequential and 8 concurrent, against a bare grpc.aio echo
server returning as many bytes, measured in the same run (target ≤ 1.15× echo at p50 and
≤ 1.25× at p99). A status read touches no thread, no database and no I/O: its answer is built
when the device changes, not when it is asked."""

from __future__ import annotations

import json
import subprocess
import sys

import grpc

from tests.bench.common import Hubd, pct, report
from tests.bench.rpc_client import READS


def client(target: str, mode: str, n: int, conc: int, size: int) -> list[float]:
    """Run the client process and return its latencies (ms)."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.rpc_client", target, mode, str(n), str(conc), str(size)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return list(json.loads(out.stdout))


def main(quick: bool = False) -> list[str]:
    """Print P1 figures."""
    n = 80 if quick else 2000
    hub = Hubd().start()
    echo_sock = hub.dir / "echo.sock"
    echo = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.echo_server", f"unix:{echo_sock}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        assert echo.stdout is not None and echo.stdout.readline().strip() == "READY"
        hub.wait_available()
        with grpc.insecure_channel(hub.target) as ch:
            sizes = {
                mode: getattr(stub(ch), method)(req).ByteSize() for mode, (stub, method, req) in READS.items()
            }
        for mode, (_stub, method, _req) in READS.items():
            for conc in (1, 8):
                base = client(f"unix://{echo_sock}", "echo", n, conc, sizes[mode])
                ours = client(hub.target, mode, n, conc, sizes[mode])
                label = "sequential" if conc == 1 else f"{conc} concurrent"
                for p, target in ((50, "<= 1.15x echo"), (99, "<= 1.25x echo")):
                    lines.append(
                        report(f"P1 {method} {label} p{p}", pct(ours, p), pct(base, p), "ms", target)
                    )
    finally:
        if echo.stdin:
            echo.stdin.close()
        echo.wait(10)
        hub.stop()
    return lines


if __name__ == "__main__":
    main()
