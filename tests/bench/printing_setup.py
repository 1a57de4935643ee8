"""Shared set-up of the printing benchmarks: a hub whose receipt printer is a given URL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc

from kioskhub.v1 import printer_pb2


class PrintingHub:
    """``hubd --config`` with one ESC/P receipt printer at ``url``."""

    def __init__(self, url: str, model: str = "tvs-msp455") -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kh-bench-print-"))
        self.sock = self.dir / "hubd.sock"
        self.target = f"unix://{self.sock}"
        config = self.dir / "hubd.toml"
        config.write_text(
            f'[hub]\nstate_dir = "{self.dir / "state"}"\n'
            f'[devices.receipt]\ndriver = "escp"\nurl = "{url}"\npoll_interval = 1.0\n'
            f'options = {{ model = "{model}" }}\n'
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hubd.cli.hubd",
                "--config",
                str(config),
                "--listen",
                f"unix:{self.sock}",
                "--log-level",
                "WARNING",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ),
        )
        deadline = time.monotonic() + 30
        while not self.sock.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("hubd did not start")
            time.sleep(0.05)
        with grpc.insecure_channel(self.target) as ch:
            grpc.channel_ready_future(ch).result(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(90)


def receipt_pb(i: int) -> printer_pb2.Receipt:
    """The i-th benchmark receipt (about 30 lines, half of them Hindi) as a proto."""
    from hubd.classes.printer.convert import receipt_to_pb
    from tests.bench.bench_render import bench_receipt

    return receipt_to_pb(bench_receipt(i))
