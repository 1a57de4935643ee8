"""hubd under Type=notify: READY=1 once it listens, WATCHDOG=1 pings, STOPPING=1 on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path


def test_hubd_notifies_systemd() -> None:
    d = Path(tempfile.mkdtemp(prefix="hubd-sdn-"))  # short: AF_UNIX paths are limited
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind(str(d / "notify"))
    rx.settimeout(30)
    env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_PID")}
    env.update(NOTIFY_SOCKET=str(d / "notify"), WATCHDOG_USEC="1000000")
    hub_sock = d / "hub.sock"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubd.cli.hubd", "--listen", f"unix:{hub_sock}",
         "--state-dir", str(d / "state")],
        env=env, stdin=subprocess.DEVNULL,
    )
    try:
        got = []
        while not got or not got[-1].startswith(b"READY=1"):
            got.append(rx.recv(4096))
        assert hub_sock.exists(), "READY=1 before the server listened"
        assert got[-1].startswith(b"READY=1\nSTATUS=serving ")
        # WATCHDOG_USEC=1 s: pings every 0.5 s; two must arrive within the 30 s timeout.
        assert [rx.recv(4096) for _ in range(2)] == [b"WATCHDOG=1", b"WATCHDOG=1"]
        proc.send_signal(signal.SIGTERM)
        while (msg := rx.recv(4096)) == b"WATCHDOG=1":
            pass
        assert msg.startswith(b"STOPPING=1")
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        rx.close()
        shutil.rmtree(d, ignore_errors=True)


def test_only_hubd_notifies_not_the_daemons_it_starts() -> None:
    """Under --simulate hubd starts dbus-daemon, PulseAudio, pcscd...; some speak sd_notify and
    would send READY=1 to hubd's unit before hubd serves. Every message must come from hubd."""
    d = Path(tempfile.mkdtemp(prefix="hubd-sdn-"))
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind(str(d / "notify"))
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    rx.settimeout(60)
    env = {**os.environ, "NOTIFY_SOCKET": str(d / "notify")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubd.cli.hubd", "--simulate", "--listen", f"unix:{d / 'hub.sock'}",
         "--state-dir", str(d / "state")],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        senders: list[tuple[int, bytes]] = []
        while not senders or not senders[-1][1].startswith(b"READY=1"):
            msg, ancillary, _, _ = rx.recvmsg(4096, socket.CMSG_SPACE(struct.calcsize("iII")))
            [(_, _, creds)] = ancillary
            senders.append((struct.unpack("iII", creds)[0], msg))
        assert {pid for pid, _ in senders} == {proc.pid}, senders
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        rx.close()
        shutil.rmtree(d, ignore_errors=True)
