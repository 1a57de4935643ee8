"""A private pcscd with vpcd virtual readers, beside (not instead of) any system pcscd.

pcscd always creates its socket at the fixed path ``/run/pcscd/pcscd.comm``; clients
(libpcsclite: pyscard, pcsc_scan, opensc-tool) follow ``PCSCLITE_CSOCK_NAME``. So the private
pcscd runs in its own mount namespace with a private directory bound over ``/run``
(``unshare -m --propagation private``; as root, or with ``-r`` a user namespace otherwise), and
its socket appears outside as ``<dir>/run/pcscd/pcscd.comm``. Its reader comes from a private
``reader.conf.d`` (``pcscd -c``): one vpcd entry, ``DEVICENAME /dev/null:PORT``, where vpcd
listens for a virtual card on PORT (slot 0, reader "NAME 00 00") and PORT+1 (slot 1, "NAME 00
01"). One entry only: vpcd keeps its per-slot state in globals indexed by slot, so a second
entry in the same pcscd silently takes over the first one's slots.

vpcd binds its card port on *all* interfaces (``INADDR_ANY`` in its own code; the mode where it
connects out to the card instead crashed pcscd), so on a kiosk's LAN anyone could plug a card
into the reader. ``start(..., isolate=True)`` (what ``hubd --simulate`` uses) therefore gives
pcscd its own network namespace as well (``unshare -n``; only its loopback, brought up inside),
and ``start_card`` runs the virtual card in that same namespace (``nsenter``): the port exists
only there. Clients still reach pcscd through its unix socket, which a network namespace does not
hide, and the card's control socket is a unix socket too. Tests run inside a loopback-only
namespace already and connect their in-process card from there (``isolate=False``).

Layout of ``dir``: ``conf/vpcd`` (the reader.conf entry), ``run/`` (bound over /run; under the
temp dir when ``dir`` is too deep for a socket path), ``pcscd.log``, ``card.log``. Stopped by pid
(SIGTERM: pcscd removes its socket).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubd.config import DeviceConfig
from hubd.errors import DeviceUnavailable
from hubd.stacks.process import (
    find_binary,
    log_tail,
    require_binary,
    socket_home,
    start_process,
    stop_all,
    stop_process,
    wait_until,
)

if TYPE_CHECKING:
    from hubd.classes.spec import SimulatedDevice
    from hubd.stacks.simulated import StackResult

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
    run_home: Path | None = None
    """Where ``run`` lives when ``root/run`` is too deep for a socket path."""

    @property
    def conf(self) -> Path:
        """The reader.conf.d directory given to ``pcscd -c``."""
        return self.root / "conf"

    @property
    def run(self) -> Path:
        """The directory bound over /run inside pcscd's mount namespace."""
        return self.run_home or self.root / "run"

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


def missing(isolate: bool = False) -> list[str]:
    """What this machine lacks to run a private pcscd with vpcd (empty when ready); ``isolate``:
    in its own network namespace, with the card (``ip``, ``nsenter``)."""
    tools = ("pcscd", "unshare", *(("ip", "nsenter") if isolate else ()))
    gaps = [name for name in tools if find_binary(name, SEARCH_DIRS) is None]
    return gaps + ([] if vpcd_library() else ["libifdvpcd.so (vsmartcard-vpcd)"])


def run_dir(root: Path) -> Path | None:
    """None when ``root/run`` can hold pcscd's socket path, else a short directory for it."""
    wanted = root / "run"
    home = socket_home(root, wanted, wanted / "pcscd" / "pcscd.comm", "pcscd")
    return None if home == wanted else home


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
    paths = PcscdPaths(root, name, free_channel(), run_dir(root))
    paths.conf.mkdir(parents=True, exist_ok=True)
    paths.run.mkdir(parents=True, exist_ok=True)
    if not name or any(c in name for c in '"\n\r'):
        raise DeviceUnavailable(f"unusable reader name {name!r}", reason="STACK_START_FAILED")
    (paths.conf / "vpcd").write_text(
        f'FRIENDLYNAME "{name}"\nDEVICENAME /dev/null:0x{paths.port:04X}\n'
        f"LIBPATH {lib}\nCHANNELID 0x{paths.port:04X}\n"
    )
    return paths


def listening_ports(pid: int) -> set[int]:
    """TCP ports in LISTEN state owned by process ``pid`` (from /proc, no tools needed; read in
    the process's own network namespace)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    ports = set()
    for table in (f"/proc/{pid}/net/tcp", f"/proc/{pid}/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _argv(p: PcscdPaths, isolate: bool) -> list[str]:
    unshare = ["unshare", "-m", *(["-n"] if isolate else []), "--propagation", "private"]
    if os.geteuid() != 0:
        unshare.insert(1, "-r")  # a user namespace grants the mount (and network) without root
    script = ('ip link set lo up && ' if isolate else "") + 'mount --bind "$0" /run && exec "$@"'
    pcscd = str(require_binary("pcscd", "pcscd", SEARCH_DIRS))
    return [*unshare, "--", "sh", "-c", script, str(p.run), pcscd, "--foreground", "--config", str(p.conf)]


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
    isolate: bool = False,
) -> tuple[PcscdPaths, subprocess.Popen[bytes]]:
    """Start a private pcscd with one vpcd reader; wait until it serves it (``isolate``: in its
    own network namespace, where vpcd's port cannot be reached from any network).

    A port taken between choosing and binding it (another daemon was quicker) makes the reader
    fail; pcscd is then restarted on fresh ports. Raises ``DeviceUnavailable`` with
    reason STACK_NOT_INSTALLED or STACK_START_FAILED (the message holds the log's tail).
    """
    if gaps := missing(isolate):
        raise DeviceUnavailable(f"pcscd stack incomplete: missing {', '.join(gaps)}",
                                reason="STACK_NOT_INSTALLED")
    error: Exception | None = None
    for _ in range(START_ATTEMPTS):
        p = write_config(dir, name)
        p.socket.unlink(missing_ok=True)
        proc = start_process(_argv(p, isolate), log_path=p.root / "pcscd.log",
                             die_with_parent=die_with_parent)
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


def start_card(
    p: PcscdPaths,
    pcscd: subprocess.Popen[bytes],
    control: Path,
    *,
    timeout: float = START_TIMEOUT,
    die_with_parent: bool = False,
    abandon: threading.Event | None = None,
) -> subprocess.Popen[bytes]:
    """Start the virtual card (``kioskhub-sim vpcd_card``, inserted) in pcscd's network namespace
    with its control socket at ``control``; wait until the socket is there."""
    entry = ["--target", str(pcscd.pid), "--net"]
    if os.geteuid() != 0:
        entry = ["--target", str(pcscd.pid), "--user", "--net", "--preserve-credentials"]
    nsenter = str(require_binary("pcscd", "nsenter", SEARCH_DIRS))
    argv = [nsenter, *entry, "--", sys.executable, "-c", "from kioskhub.simulators.cli import main; main()",
            "vpcd_card", "--listen", p.card_url, "--control", f"unix://{control}"]
    control.unlink(missing_ok=True)
    card = start_process(argv, log_path=p.root / "card.log", die_with_parent=die_with_parent)
    try:
        wait_until(control.exists, timeout, what="virtual card", alive=[card, pcscd], abandon=abandon)
    except (TimeoutError, ChildProcessError, InterruptedError) as err:
        stop_process(card)
        raise DeviceUnavailable(
            f"the virtual card did not start: {err}\n{log_tail(p.root / 'card.log')}",
            reason="STACK_START_FAILED",
            metadata={"cause": "abandoned" if isinstance(err, InterruptedError) else "timeout"},
        ) from err
    return card


def _start_with_card(
    root: Path, control: Path, abandon: threading.Event
) -> list[subprocess.Popen[bytes]]:
    """pcscd in its own network namespace and the card beside it: ``[pcscd, card]``."""
    p, proc = start(root, die_with_parent=True, abandon=abandon, isolate=True)
    try:
        card = start_card(p, proc, control, die_with_parent=True, abandon=abandon)
    except DeviceUnavailable:
        stop(proc)
        raise
    return [proc, card]


def _stopper(root: Path) -> Callable[[list[subprocess.Popen[bytes]]], None]:
    def stop_stack(procs: list[subprocess.Popen[bytes]]) -> None:
        stop_all(procs)  # the card first, then pcscd
        home = run_dir(root)
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)

    return stop_stack


async def simulate(state_dir: Path, device: SimulatedDevice) -> StackResult:
    """``hubd --simulate``: a private pcscd with the vpcd reader, in its own network namespace,
    and the virtual card in the reader (its control socket in simulators.json: ``insert``,
    ``remove``), started in the background. Absent pcscd or vpcd: the device is listed
    UNAVAILABLE STACK_NOT_INSTALLED."""
    from hubd.stacks.simulated import StackResult

    if gaps := missing(isolate=True):
        detail = f"pcscd is not installed (missing {', '.join(gaps)})"
        return StackResult(DeviceConfig(device.device_id, device.driver), missing=detail)
    root = (state_dir / "pcscd").resolve()
    paths = PcscdPaths(root, DEFAULT_READER, 0, run_dir(root))
    control = state_dir.resolve() / f"sim-{device.device_id}.ctl"
    # The executor thread lives as long as the daemon, so the parent-death signal set from it
    # stops pcscd and the card even if hubd is killed with SIGKILL.
    abandon = threading.Event()
    begin = functools.partial(_start_with_card, root, control, abandon)
    task = asyncio.create_task(asyncio.to_thread(begin), name="stack:pcscd")
    cfg = DeviceConfig(device.device_id, device.driver, paths.url, options=dict(device.options),
                       poll_interval=device.poll_interval, default=device.default)
    record: dict[str, object] = {
        "stack": "pcscd", "url": paths.url, "reader": paths.reader_name, "simulator": "vpcd_card",
        "control": f"unix://{control}", "network": "private namespace: vpcd's card port is not on any LAN",
    }
    return StackResult(cfg, record=record, task=task, abandon=abandon, stop=_stopper(root))
