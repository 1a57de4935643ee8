"""The demo session: a running ``hubd --simulate`` and helpers the steps use."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


class DemoError(RuntimeError):
    """A step could not do what it shows."""


class Session:
    """hubd under simulation plus a transcript; ``out`` holds everything a person can look at."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.state = out / "state"
        self.sock = out / "hubd.sock"
        self.target = f"unix://{self.sock}"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.transcript = (out / "session.txt").open("w", encoding="utf-8")
        self.summary: list[tuple[str, str, str]] = []

    def say(self, text: str = "") -> None:
        """Print to the terminal and the transcript."""
        print(text, flush=True)
        self.transcript.write(text + "\n")
        self.transcript.flush()

    def record(self, step: str, outcome: str, artifact: Path | str = "") -> None:
        """One row of the table printed at the end: what a step did and what it left to look at."""
        where = str(artifact.relative_to(self.out)) if isinstance(artifact, Path) else artifact
        self.summary.append((step, outcome, where))

    def say_summary(self) -> None:
        """The session's summary table."""
        if not self.summary:
            return
        from hubd.cli.output import table

        self.say("\n== Summary ==")
        self.say(table(["STEP", "OUTCOME", "LOOK AT"], [list(row) for row in self.summary]))

    def start(self) -> None:
        """Start the daemon and wait until it serves."""
        self._log = (self.out / "hubd.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hubd.cli.hubd", "--simulate", "--listen", f"unix:{self.sock}",
             "--state-dir", str(self.state)],
            stdout=self._log, stderr=self._log,
        )
        self.wait_for(self._serving, 30, "hubd to start")

    def _serving(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise DemoError(f"hubd exited with {self.proc.returncode}; see {self.out / 'hubd.log'}")
        try:
            with grpc.insecure_channel(self.target) as ch:
                resp = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=1)
            return bool(resp.status == health_pb2.HealthCheckResponse.SERVING)
        except grpc.RpcError:
            return False

    def wait_for(self, check: object, timeout: float, what: str) -> None:
        """Poll ``check()`` until true."""
        deadline = time.monotonic() + timeout
        while not check():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise DemoError(f"timed out waiting for {what}")
            time.sleep(0.1)

    def hubctl(self, *args: str, show: bool = True) -> str:
        """Run hubctl, echo the command and its output, return stdout."""
        if show:
            self.say(f"$ hubctl {' '.join(args)}")
        res = subprocess.run(
            [sys.executable, "-m", "hubd.cli.hubctl", "--target", self.target, *args],
            capture_output=True, text=True, timeout=60,
        )
        if res.returncode != 0:
            raise DemoError(f"hubctl {' '.join(args)} failed: {res.stderr.strip()}")
        if show:
            self.say(res.stdout.rstrip())
        return res.stdout

    def hubctl_stream(self, *args: str) -> subprocess.Popen[str]:
        """Start a streaming hubctl command (events) in the background."""
        self.say(f"$ hubctl {' '.join(args)} &")
        return subprocess.Popen(
            [sys.executable, "-m", "hubd.cli.hubctl", "--target", self.target, *args],
            stdout=subprocess.PIPE, text=True,
        )

    def simulator(self, device_id: str) -> dict[str, str]:
        """What hubd recorded about a device's simulator (its control socket)."""
        sims: dict[str, dict[str, str]] = json.loads((self.state / "simulators.json").read_text())
        return sims[device_id]

    def sim_control(self, device_id: str, *command: str) -> str:
        """Send a command to a simulator's control socket (faults, paper, power)."""
        control = self.simulator(device_id)["control"]
        self.say(f"$ kioskhub-sim ctl {control} {' '.join(command)}")
        res = subprocess.run(
            [sys.executable, "-m", "kioskhub.simulators.cli", "ctl", control, *command],
            capture_output=True, text=True, timeout=30,
        )
        if res.returncode != 0:
            raise DemoError(f"simulator control failed: {res.stderr.strip() or res.stdout.strip()}")
        self.say(res.stdout.rstrip())
        return res.stdout

    def stop(self) -> list[int]:
        """SIGTERM hubd; return simulator pids still alive afterwards (should be none)."""
        pids: list[int] = []
        if self.proc is not None and self.proc.poll() is None:
            pids = descendants(self.proc.pid)
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        if self._log is not None:
            self._log.close()
        self.transcript.close()
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        return [p for p in pids if _alive(p)]


def descendants(root: int) -> list[int]:
    """Pids of every process below ``root`` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(") ", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        kids = [pid for pid, ppid in parents.items() if ppid == parent]
        found += kids
        frontier += kids
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
