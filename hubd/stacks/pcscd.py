"""A private pcscd with vpcd virtual readers, beside (not instead of) any system pcscd.

pcscd always creates its socket at the fixed path ``/run/pcscd/pcscd.comm``; clients
(libpcsclite: pyscard, pcsc_scan, opensc-tool) follow ``PCSCLITE_CSOCK_NAME``. So the private
pcscd runs in its own mount namespace with a private directory bound over ``/run``
(``unshare -m --propagation private``; as root, or with ``-r`` a user namespace otherwise), and
its socket appears outside as ``<dir>/run/pcscd/pcscd.comm``. Its reader comes from a private
``reader.conf.d`` (``pcscd -c``): one vpcd entry, ``DEVICENAME /dev/null:PORT``, where vpcd
listens for a virtual card on PORT (slot 0, reader "NAME 00 00") and PORT+1 (slot 1, "NAME 00
01"). One entry only: vpcd keeps its per-slot state in globals indexed by slot, so a second
entry in the same pcscd silently takes over the first one's slots. vpcd binds its ports on all
interfaces (its code, not ours): run it in a private network namespace where that matters.

Layout of ``dir``: ``conf/vpcd`` (the reader.conf entry), ``run/`` (bound over /run),
``pcscd.log``. Stopped by pid (SIGTERM: pcscd removes its socket).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from hubd.errors import DeviceUnavailable
from hubd.stacks.process import log_tail, require_binary, start_process, stop_process, wait_until

log = logging.getLogger(__name__)

SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
SEARCH_DIRS = ("/usr/sbin", "/sbin", "/usr/local/sbin")
VPCD_LIBS = (
    "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
    "/usr/lib/x86_64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so",
    "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so",
)
DEFAULT_READER = "KIOSKHUB SIM Reader"
START_TIMEOUT = 10.0
START_ATTEMPTS = 3


@dataclass(frozen=True)
class PcscdPaths:
    """One private pcscd: its files, socket, reader name and vpcd port (slot 0)."""

    root: Path
    reader: str
    port: int

    @property
    def conf(self) -> Path:
        """The reader.conf.d directory given to ``pcscd -c``."""
        return self.root / "conf"

    @property
    def run(self) -> Path:
        """The directory bound over /run inside pcscd's mount namespace."""
        return self.root / "run"

    @property
    def socket(self) -> Path:
        """The client socket, as seen outside the namespace."""
        return self.run / "pcscd" / "pcscd.comm"

    @property
    def url(self) -> str:
        """The pcsc driver's URL for this instance."""
        return f"pcsc://{self.socket}"

    @property
    def reader_name(self) -> str:
        """The PC/SC name of slot 0 (pcscd appends a per-name index and the slot number)."""
        return f"{self.reader} 00 00"

    @property
    def card_url(self) -> str:
        """Where a vpcd card connects (``kioskhub-sim vpcd_card --listen URL``)."""
        return f"vpcd://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment pointing PC/SC clients (pcsc_scan, opensc-tool) at this pcscd."""
        return {**os.environ, SOCKET_ENV: str(self.socket)}


def vpcd_library() -> Path | None:
    """The vpcd reader driver (package vsmartcard-vpcd), if installed."""
    return next((Path(p) for p in VPCD_LIBS if Path(p).is_file()), None)


def missing() -> list[str]:
    """What this machine lacks to run a private pcscd with vpcd (empty when ready)."""
    from hubd.stacks.process import find_binary

    gaps = [name for name in ("pcscd", "unshare") if find_binary(name, SEARCH_DIRS) is None]
    return gaps + ([] if vpcd_library() else ["libifdvpcd.so (vsmartcard-vpcd)"])


def free_channel() -> int:
    """A port P with P and P+1 free on loopback (vpcd listens on both)."""
    for _ in range(50):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            if port >= 65535:
                continue
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise DeviceUnavailable("no free pair of loopback ports for vpcd", reason="STACK_START_FAILED")


def write_config(dir: Path, name: str = DEFAULT_READER) -> PcscdPaths:
    """Write the vpcd reader.conf entry for reader ``name`` on a free pair of ports."""
    lib = vpcd_library()
    if lib is None:
        raise DeviceUnavailable("vpcd is not installed (vsmartcard-vpcd)", reason="STACK_NOT_INSTALLED")
    root = Path(dir).resolve()
    (root / "conf").mkdir(parents=True, exist_ok=True)
    (root / "run").mkdir(parents=True, exist_ok=True)
    if not name or any(c in name for c in '"\n\r'):
        raise DeviceUnavailable(f"unusable reader name {name!r}", reason="STACK_START_FAILED")
    port = free_channel()
    (root / "conf" / "vpcd").write_text(
        f'FRIENDLYNAME "{name}"\nDEVICENAME /dev/null:0x{port:04X}\n'
        f"LIBPATH {lib}\nCHANNELID 0x{port:04X}\n"
    )
    return PcscdPaths(root, name, port)


def listening_ports(pid: int) -> set[int]:
    """TCP ports in LISTEN state owned by process ``pid`` (from /proc, no tools needed)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _argv(p: PcscdPaths) -> list[str]:
    unshare = ["unshare", "-m", "--propagation", "private"]
    if os.geteuid() != 0:
        unshare.insert(1, "-r")  # a user namespace grants the mount without root
    pcscd = str(require_binary("pcscd", "pcscd", SEARCH_DIRS))
    return [*unshare, "--", "sh", "-c", 'mount --bind "$0" /run && exec "$@"', str(p.run),
            pcscd, "--foreground", "--config", str(p.conf)]


def ready(p: PcscdPaths, proc: subprocess.Popen[bytes]) -> bool:
    """True once pcscd's socket exists and vpcd listens on its slot-0 port."""
    return p.socket.exists() and p.port in listening_ports(proc.pid)


def start(
    dir: Path,
    name: str = DEFAULT_READER,
    *,
    timeout: float = START_TIMEOUT,
    die_with_parent: bool = False,
    abandon: threading.Event | None = None,
) -> tuple[PcscdPaths, subprocess.Popen[bytes]]:
    """Start a private pcscd with one vpcd reader; wait until it serves it.

    A port taken between choosing and binding it (another daemon was quicker) makes the reader
    fail; pcscd is then restarted on fresh ports. Raises ``DeviceUnavailable`` with
    reason STACK_NOT_INSTALLED or STACK_START_FAILED (the message holds the log's tail).
    """
    if gaps := missing():
        raise DeviceUnavailable(f"pcscd stack incomplete: missing {', '.join(gaps)}",
                                reason="STACK_NOT_INSTALLED")
    error: Exception | None = None
    for _ in range(START_ATTEMPTS):
        p = write_config(dir, name)
        p.socket.unlink(missing_ok=True)
        proc = start_process(_argv(p), log_path=p.root / "pcscd.log", die_with_parent=die_with_parent)
        try:
            wait_until(functools.partial(ready, p, proc), timeout, what="pcscd reader", alive=[proc],
                       abandon=abandon)
        except (TimeoutError, ChildProcessError, InterruptedError) as err:
            stop_process(proc)
            error = err
            if isinstance(err, InterruptedError):
                break
            continue
        log.info("private pcscd %s (pid %d) serving %r on vpcd port %d", p.root, proc.pid, name, p.port)
        return p, proc
    raise DeviceUnavailable(
        f"private pcscd did not start: {error}\n{log_tail(Path(dir).resolve() / 'pcscd.log')}",
        reason="STACK_START_FAILED",
        metadata={"cause": "abandoned" if isinstance(error, InterruptedError) else "timeout"},
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop pcscd by pid (it removes its socket on SIGTERM)."""
    stop_process(proc)
