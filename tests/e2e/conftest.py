"""Run the real ``hubd`` and ``hubctl`` as processes, the way a kiosk and a technician do."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc


def pid_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def wait_for(check, timeout: float = 20.0, what: str = "condition") -> None:
    """Poll ``check`` until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class HubProcess:
    """``hubd --simulate`` (or ``hubd --config CONFIG``) on a private socket and state dir."""

    def __init__(
        self, tmp: Path, *extra: str, env: dict[str, str] | None = None, config: Path | None = None
    ) -> None:
        self.tmp = tmp
        self.sock = tmp / "hubd.sock"
        self.state = tmp / "state"
        self.target = f"unix://{self.sock}"
        self.extra = extra
        self.env = {**os.environ, **(env or {})}
        self.log = tmp / "hubd.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.devices = ["--config", str(config)] if config is not None else ["--simulate"]

    def start(self) -> HubProcess:
        """Start hubd and wait until its health service says SERVING."""
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hubd.cli.hubd", *self.devices, "--listen", f"unix:{self.sock}",
                 "--state-dir", str(self.state), *self.extra],
                stdout=log, stderr=log, env=self.env,
            )
        wait_for(self.serving, what=f"hubd to serve (log: {self.log.read_text()[-2000:]})")
        return self

    def serving(self) -> bool:
        """One health check."""
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"hubd exited {self.proc.returncode}: {self.log.read_text()[-3000:]}")
        try:
            with grpc.insecure_channel(self.target) as ch:
                resp = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=1)
                return resp.status == health_pb2.HealthCheckResponse.SERVING
        except grpc.RpcError:
            return False

    def descendants(self) -> list[int]:
        """Pids of every process hubd started (simulators, stack daemons)."""
        import psutil

        assert self.proc is not None
        return [c.pid for c in psutil.Process(self.proc.pid).children(recursive=True)]

    def simulators(self) -> dict[str, dict]:
        """What hubd recorded about its simulator children."""
        return json.loads((self.state / "simulators.json").read_text())

    def hubctl(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        """Run hubctl against this hub."""
        return subprocess.run(
            [sys.executable, "-m", "hubd.cli.hubctl", "--target", self.target, *args],
            capture_output=True, text=True, timeout=timeout,
        )

    def signal(self, sig: int) -> None:
        """Send a signal to hubd."""
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 15) -> int:
        """Wait for hubd to exit."""
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if needed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def hubd(tmp_path: Path) -> Iterator[HubProcess]:
    hub = HubProcess(tmp_path).start()
    yield hub
    hub.stop()
