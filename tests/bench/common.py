"""Shared pieces of the benchmarks: start hubd, percentiles, printing ratios."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def report(name: str, value: float, baseline: float, unit: str, target: str = "") -> str:
    """One line: value, baseline, ratio and the target (figures are printed, never asserted)."""
    ratio = value / baseline if baseline else float("inf")
    line = f"{name:<44} {value:10.3f} {unit:<3} baseline {baseline:10.3f} {unit:<3} ratio {ratio:6.2f}x"
    if target:
        line += f"   (target {target})"
    print(line, flush=True)
    return line


def median(values: list[float]) -> float:
    """statistics.median, named for symmetry with pct."""
    return statistics.median(values)


class Hubd:
    """``hubd --simulate`` (or ``hubd --config CONFIG``, a TOML text) on a private socket, with
    NOTIFY_SOCKET to time READY."""

    def __init__(self, *extra: str, config: str | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kh-bench-"))
        self.sock = self.dir / "hubd.sock"
        self.target = f"unix://{self.sock}"
        self.extra = extra
        self.devices = ["--simulate"]
        if config is not None:
            (self.dir / "hubd.toml").write_text(config)
            self.devices = ["--config", str(self.dir / "hubd.toml")]
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_after = 0.0

    def start(self) -> Hubd:
        """Start and wait for READY=1 on a notify socket; records the time it took."""
        notify = self.dir / "notify"
        rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        rx.bind(str(notify))
        rx.settimeout(60)
        env = {**os.environ, "NOTIFY_SOCKET": str(notify)}
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hubd.cli.hubd", *self.devices, "--listen", f"unix:{self.sock}",
             "--state-dir", str(self.dir / "state"), "--log-level", "WARNING", *self.extra],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        while not rx.recv(4096).startswith(b"READY=1"):
            pass
        self.ready_after = time.perf_counter() - t0
        rx.close()
        return self

    def wait_available(self, device_id: str = "ups", timeout: float = 30) -> None:
        """Until the device has been observed."""
        from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc

        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.target) as ch:
            stub = hub_pb2_grpc.HubServiceStub(ch)
            while time.monotonic() < deadline:
                dev = stub.GetDevice(hub_pb2.GetDeviceRequest(device_id=device_id)).device
                if dev.state == common_pb2.DEVICE_STATE_AVAILABLE:
                    return
                time.sleep(0.05)
        raise TimeoutError(f"{device_id} never became available")

    def serving(self) -> bool:
        """Health check."""
        with grpc.insecure_channel(self.target) as ch:
            resp = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=2)
        return resp.status == health_pb2.HealthCheckResponse.SERVING

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(90)
