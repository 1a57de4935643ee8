"""A private NUT instance: ``dummy-ups`` reading a ``.dev`` file, served by ``upsd`` on loopback.

Layout of ``dir``: ``ups.conf``, ``upsd.conf``, ``upsd.users`` (0640), ``password`` (0600, the
``kioskhub`` user's), ``<ups>.dev`` (the UPS variables), ``*.log``, and ``state/`` (driver socket;
``NUT_STATEPATH`` and ``NUT_ALTPIDPATH`` point there, which is how upsd finds the driver).
Both daemons run in the foreground (``-F``); they are stopped by pid.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubd.config import DeviceConfig
from hubd.errors import DeviceUnavailable, InvalidArgument
from hubd.stacks.process import (
    free_port,
    log_tail,
    missing,
    require_binary,
    socket_home,
    start_process,
    stop_all,
    wait_until,
)

if TYPE_CHECKING:
    from hubd.classes.spec import SimulatedDevice
    from hubd.stacks.simulated import StackResult

log = logging.getLogger(__name__)

UPS_NAME = "ups"
USERNAME = "kioskhub"
START_TIMEOUT = 15.0
DEFAULT_MAXAGE = 15
SEARCH_DIRS = ("/lib/nut", "/usr/lib/nut", "/usr/libexec/nut", "/usr/sbin", "/sbin")
BINARIES = ("dummy-ups", "upsd")
DEFAULT_VARIABLES: Mapping[str, str] = {
    "ups.status": "OL",
    "ups.model": "Kiosk UPS 600",
    "ups.load": "23",
    "ups.temperature": "30.5",
    "battery.charge": "100",
    "battery.runtime": "1800",
    "battery.voltage": "13.5",
    "input.voltage": "230.0",
    "output.voltage": "230.0",
    "input.frequency": "50.0",
}


@dataclass(frozen=True)
class NutPaths:
    """Where one private NUT instance keeps its files, and how to reach it."""

    root: Path
    state: Path
    port: int
    ups: str = UPS_NAME

    @property
    def dev(self) -> Path:
        """The dummy-ups data file (``varname: value`` lines)."""
        return self.root / f"{self.ups}.dev"

    @property
    def password_file(self) -> Path:
        """The ``kioskhub`` user's password (mode 0600)."""
        return self.root / "password"

    @property
    def driver_socket(self) -> Path:
        """The unix socket dummy-ups serves and upsd connects to."""
        return self.state / f"dummy-ups-{self.ups}"

    @property
    def url(self) -> str:
        """The device URL for the nut driver."""
        return f"nut://{self.ups}@127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The process environment pointing NUT at this instance's config and state."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NUT_")}
        env.update(
            NUT_CONFPATH=str(self.root),
            NUT_STATEPATH=str(self.state),
            NUT_ALTPIDPATH=str(self.state),
        )
        return env

    def remove_state(self) -> None:
        """Remove a state directory that had to live outside ``root`` (long paths)."""
        if self.root not in self.state.parents:
            shutil.rmtree(self.state, ignore_errors=True)


def paths(dir: Path, port: int, ups: str = UPS_NAME) -> NutPaths:
    """The paths of the instance in ``dir``; a too-long socket path moves state under the temp dir."""
    root = Path(dir).resolve()
    state = socket_home(root, root / "state", root / "state" / f"dummy-ups-{ups}", "nut")
    return NutPaths(root, state, port, ups)


def missing_binaries() -> list[str]:
    """Names of the NUT programs this machine lacks (nut-server package)."""
    return missing(BINARIES, SEARCH_DIRS)


def binaries_present() -> bool:
    """True when upsd and dummy-ups are installed."""
    return not missing_binaries()


def _binary(name: str) -> Path:
    return require_binary("NUT", name, SEARCH_DIRS)


def _user_args() -> list[str]:
    """As root, stay root (``-u root``) so the private files need no ``nut`` user."""
    return ["-u", "root"] if os.geteuid() == 0 else []


def write_dev(p: NutPaths, variables: Mapping[str, str]) -> None:
    """Atomically replace the ``.dev`` file; its mtime always moves on by whole seconds.

    dummy-ups (mode dummy-once) re-reads the file only when ``st_mtime`` (seconds) changes.
    Values may hold spaces but not quotes, backslashes or line breaks (dummy-ups mangles them).
    """
    lines = []
    for name, value in variables.items():
        if not name or any(c in name for c in ' :"\\\n\r') or any(c in value for c in '"\\\n\r'):
            raise InvalidArgument("variables", f"unusable in a .dev file: {name!r}: {value!r}")
        lines.append(f'{name}: "{value}"' if " " in value else f"{name}: {value}")
    try:
        previous = int(p.dev.stat().st_mtime)
    except FileNotFoundError:
        previous = 0
    mtime = max(int(time.time()), previous + 1)
    tmp = p.dev.with_name(p.dev.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.utime(tmp, (mtime, mtime))
    os.replace(tmp, p.dev)


def write_config(
    dir: Path,
    port: int,
    *,
    ups: str = UPS_NAME,
    variables: Mapping[str, str] | None = None,
    maxage: int = DEFAULT_MAXAGE,
) -> NutPaths:
    """Write ups.conf, upsd.conf, upsd.users, the password file and the ``.dev`` file."""
    p = paths(dir, port, ups)
    p.root.mkdir(parents=True, exist_ok=True)
    p.state.mkdir(mode=0o700, parents=True, exist_ok=True)
    (p.root / "ups.conf").write_text(
        f"[{ups}]\n\tdriver = dummy-ups\n\tport = {p.dev.name}\n"
        f'\tdesc = "kioskhub private NUT instance"\n\tpollinterval = 1\n'
    )
    (p.root / "upsd.conf").write_text(f"LISTEN 127.0.0.1 {port}\nMAXAGE {maxage}\n")
    if not p.password_file.exists():
        fd = os.open(p.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(12) + "\n")
    password = p.password_file.read_text().strip()
    users = p.root / "upsd.users"
    users.write_text(f"[{USERNAME}]\n\tpassword = {password}\n\tactions = SET\n\tupsmon primary\n")
    users.chmod(0o640)
    write_dev(p, variables if variables is not None else DEFAULT_VARIABLES)
    return p


def start_driver(p: NutPaths, die_with_parent: bool = False) -> subprocess.Popen[bytes]:
    """Start dummy-ups for ``p`` (a stale socket from a killed driver is removed first)."""
    p.driver_socket.unlink(missing_ok=True)
    argv = [str(_binary("dummy-ups")), "-a", p.ups, "-F", *_user_args()]
    return start_process(
        argv, env=p.env(), cwd=p.root, log_path=p.root / "dummy-ups.log", die_with_parent=die_with_parent
    )


def start_upsd(p: NutPaths, die_with_parent: bool = False) -> subprocess.Popen[bytes]:
    """Start upsd for ``p`` in the foreground."""
    argv = [str(_binary("upsd")), "-F", *_user_args()]
    return start_process(
        argv, env=p.env(), cwd=p.root, log_path=p.root / "upsd.log", die_with_parent=die_with_parent
    )


def status(port: int, ups: str = UPS_NAME, timeout: float = 1.0) -> str | None:
    """``ups.status`` as upsd reports it now (``None`` on ERR or no connection); a tiny client."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(f"GET VAR {ups} ups.status\n".encode())
            reply = sock.makefile("rb").readline().decode("utf-8", "replace")
    except OSError:
        return None
    prefix = f"VAR {ups} ups.status "
    return reply.strip()[len(prefix) :].strip('"') if reply.startswith(prefix) else None


def ready(p: NutPaths) -> bool:
    """True once upsd serves a real status (not WAIT) for the UPS."""
    value = status(p.port, p.ups)
    return value is not None and value != "WAIT"


def start(
    dir: Path,
    port: int,
    *,
    ups: str = UPS_NAME,
    timeout: float = START_TIMEOUT,
    maxage: int = DEFAULT_MAXAGE,
    die_with_parent: bool = False,
    abandon: threading.Event | None = None,
) -> list[subprocess.Popen[bytes]]:
    """Write the config, start dummy-ups then upsd, and wait until upsd serves a status
    (or until ``abandon`` is set: both are stopped and STACK_START_FAILED raised).

    Returns ``[driver, upsd]``; on failure stops both and raises ``DeviceUnavailable`` with reason
    STACK_NOT_INSTALLED or STACK_START_FAILED (the message holds the logs' tails).
    """
    p = write_config(dir, port, ups=ups, maxage=maxage)
    procs = [start_driver(p, die_with_parent)]
    try:
        wait_until(p.driver_socket.exists, timeout, what="dummy-ups socket", alive=procs, abandon=abandon)
        procs.append(start_upsd(p, die_with_parent))
        wait_until(lambda: ready(p), timeout, what="upsd status", alive=procs, abandon=abandon)
    except (TimeoutError, ChildProcessError, InterruptedError, DeviceUnavailable) as err:
        stop(procs)
        logs = "\n".join(f"--- {name}:\n{log_tail(p.root / name)}" for name in ("dummy-ups.log", "upsd.log"))
        if isinstance(err, DeviceUnavailable):
            raise
        raise DeviceUnavailable(
            f"private NUT on port {port} did not start: {err}\n{logs}",
            reason="STACK_START_FAILED",
            metadata={"cause": _cause(err)},
        ) from err
    log.info("private NUT %s serving %s (pids %s)", p.root, p.url, [pr.pid for pr in procs])
    return procs


def _cause(err: Exception) -> str:
    if isinstance(err, ChildProcessError):
        return "exited"
    return "abandoned" if isinstance(err, InterruptedError) else "timeout"


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop upsd and the driver by pid (reverse start order)."""
    stop_all(procs)


async def simulate(state_dir: Path, device: SimulatedDevice) -> StackResult:
    """``hubd --simulate``: start upsd + dummy-ups in the background (the hub's start is not
    delayed); the device polls it through ``nut://``. Absent NUT: the device is listed
    UNAVAILABLE STACK_NOT_INSTALLED."""
    from hubd.stacks.simulated import StackResult

    if not binaries_present():
        detail = f"NUT is not installed (missing {', '.join(missing_binaries())})"
        return StackResult(DeviceConfig(device.device_id, device.driver), missing=detail)
    port = free_port()
    root = state_dir / "nut"
    p = paths(root, port)
    # The executor thread lives as long as the daemon, so the parent-death signal set from it
    # stops upsd and the driver even if hubd is killed with SIGKILL.
    abandon = threading.Event()
    begin = functools.partial(start, root, port, die_with_parent=True, abandon=abandon)
    task = asyncio.create_task(asyncio.to_thread(begin), name="stack:nut")
    options = {"password_file": str(p.password_file), "username": USERNAME, **device.options}
    cfg = DeviceConfig(device.device_id, device.driver, p.url, options=options,
                       poll_interval=device.poll_interval, default=device.default)
    record: dict[str, object] = {"stack": "nut", "url": p.url, "dev": str(p.dev)}
    return StackResult(cfg, record=record, task=task, abandon=abandon, stop=stop)
