"""A private IPP Everywhere printer: CUPS's ``ippeveprinter`` on a loopback port, own directory.

Layout of ``dir``: ``printer.ppd`` (the model: an A4 monochrome duplex laser, 600 dpi, from which
ippeveprinter derives its IPP attributes; its legacy flags only make US-Letter printers),
``print-command`` (run for each document), ``spool/`` (ippeveprinter's own job files),
``printouts/`` (each document received: ``<ns>-<job>-<name>.pdf`` beside ``….env`` holding the
job's ``IPP_*`` attributes as the printer got them, and page PNGs when ``render``), ``keys/``
(its TLS key and self-signed certificate for ipps://), ``dbus.conf`` and the logs.

ippeveprinter 2.4 opens an Avahi client when it starts and exits ("Unable to initialize DNS-SD")
without a D-Bus system bus. With a bus but no avahi-daemon it runs (the client waits to
connect) and ``-r off`` advertises nothing. So the stack is a private ``dbus-daemon`` (its own
socket, passed in ``DBUS_SYSTEM_BUS_ADDRESS``) and ippeveprinter; no avahi, nothing sent to
multicast, no fixed path under /run: several instances run side by side.

Faults are the printer's own: ``set_media`` and ``set_toner`` use its web forms (as a person
would), ``stop`` turns it off; a new ``start`` on the same dir and port turns it back on.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.client
import logging
import os
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from hubd.config import DeviceConfig
from hubd.errors import DeviceUnavailable
from hubd.stacks.ippeveprinter_files import DBUS_CONF, PRINT_COMMAND, PRINTER_PPD
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

START_TIMEOUT = 10.0
SEARCH_DIRS = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")
BINARIES = ("ippeveprinter", "dbus-daemon")
NAME = "KioskLaser"
MAIN_TRAY = 0
"""Index of the ``main`` tray in media-source-supported (the PPD's only InputSlot)."""
A4 = "iso_a4_210x297mm"


@dataclass(frozen=True)
class IppEvePaths:
    """Where one private ippeveprinter keeps its files, and where it listens."""

    root: Path
    port: int
    bus_socket: Path
    out: Path | None = None
    """Where documents land, if not ``root/printouts``."""

    @property
    def url(self) -> str:
        """The printer's IPP URL (what a driver or a CUPS queue is given)."""
        return f"ipp://127.0.0.1:{self.port}/ipp/print"

    @property
    def printouts(self) -> Path:
        """Where received documents land."""
        return self.out or self.root / "printouts"

    @property
    def certificate(self) -> Path:
        """Where its self-signed TLS certificate is (``certificate()`` makes it)."""
        return self.root / "keys" / "localhost.crt"

    @property
    def log_file(self) -> Path:
        """ippeveprinter's stderr (one line per request with -v)."""
        return self.root / "ippeveprinter.log"


@dataclass(frozen=True)
class Printout:
    """One document the printer received: the PDF and its job attributes (``IPP_COPIES``…)."""

    pdf: Path
    attributes: dict[str, str]


def paths(dir: Path, port: int, printouts: Path | None = None) -> IppEvePaths:
    """The paths of the instance in ``dir``; a too-long bus socket path moves under the temp dir."""
    root = Path(dir).resolve()
    bus = socket_home(root, root / "dbus", root / "dbus" / "bus.sock", "dbus") / "bus.sock"
    return IppEvePaths(root, port, bus, printouts)


def missing_binaries() -> list[str]:
    """Programs this machine lacks (packages cups-ipp-utils, dbus-daemon)."""
    return missing(BINARIES, SEARCH_DIRS)


def write_config(p: IppEvePaths, *, render: bool = False) -> None:
    """Write printer.conf, print-command and dbus.conf; make the directories."""
    for folder in (p.root / "spool", p.printouts, p.root / "keys"):
        folder.mkdir(parents=True, exist_ok=True)
    p.bus_socket.parent.mkdir(parents=True, exist_ok=True)
    (p.root / "printer.ppd").write_text(PRINTER_PPD)
    command = p.root / "print-command"
    script = PRINT_COMMAND.replace("@OUT@", str(p.printouts)).replace("@ROOT@", str(p.root))
    command.write_text(script.replace("@RENDER@", "1" if render else ""))
    command.chmod(0o755)
    (p.root / "dbus.conf").write_text(DBUS_CONF.replace("@SOCKET@", str(p.bus_socket)))


def env(p: IppEvePaths) -> dict[str, str]:
    """The environment of the stack's processes (its private system bus, C locale)."""
    drop = ("DBUS_", "LC_", "LANG", "CUPS_")
    out = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    out.update(DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={p.bus_socket}", LC_ALL="C", LANG="C")
    return out


def _http_get(p: IppEvePaths, path: str) -> int:
    """GET a page of the printer's web interface; its HTTP status (0 when it does not answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", p.port, timeout=2.0)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


def start(dir: Path, port: int, *, name: str = NAME, render: bool = False,
          timeout: float = START_TIMEOUT, die_with_parent: bool = False, printouts: Path | None = None,
          abandon: threading.Event | None = None) -> list[subprocess.Popen[bytes]]:
    """Start dbus-daemon and ippeveprinter on ``port``; wait until the printer answers HTTP.

    Returns ``[dbus-daemon, ippeveprinter]``. On failure stops both and raises
    ``DeviceUnavailable`` (STACK_NOT_INSTALLED, or STACK_START_FAILED with metadata ``cause``:
    exited or timeout).
    """
    p = paths(dir, port, printouts)
    write_config(p, render=render)
    p.bus_socket.unlink(missing_ok=True)
    e = env(p)
    dbus = require_binary("D-Bus", "dbus-daemon", SEARCH_DIRS)
    ippeve = require_binary("ippeveprinter", "ippeveprinter", SEARCH_DIRS)
    procs = [start_process([dbus, f"--config-file={p.root / 'dbus.conf'}", "--nofork", "--nopidfile"],
                           env=e, log_path=p.root / "dbus.log", die_with_parent=die_with_parent)]
    try:
        wait_until(p.bus_socket.exists, timeout, what="dbus-daemon", alive=procs, abandon=abandon)
        argv: list[str | Path] = [
            ippeve, "-v", "-r", "off", "-n", "localhost", "-p", str(port), "-P", p.root / "printer.ppd",
            "-d", p.root / "spool", "-K", p.root / "keys", "-c", p.root / "print-command", name,
        ]
        procs.append(start_process(argv, env=e, cwd=p.root, log_path=p.log_file,
                                   die_with_parent=die_with_parent))
        wait_until(lambda: _http_get(p, "/") == 200, timeout, what="ippeveprinter", alive=procs,
                   abandon=abandon)
    except (TimeoutError, ChildProcessError, InterruptedError) as err:
        stop_all(procs)
        cause = {ChildProcessError: "exited", InterruptedError: "abandoned"}.get(type(err), "timeout")
        raise DeviceUnavailable(
            f"private ippeveprinter on port {port} did not start ({cause})\n"
            f"--- ippeveprinter.log:\n{log_tail(p.log_file)}\n--- dbus.log:\n{log_tail(p.root / 'dbus.log')}",
            reason="STACK_START_FAILED", metadata={"cause": cause},
        ) from err
    log.info("private ippeveprinter %s at %s (pid %d)", p.root, p.url, procs[-1].pid)
    return procs


def certificate(p: IppEvePaths) -> Path:
    """The printer's self-signed TLS certificate (for ipps://localhost:PORT), made if need be:
    ippeveprinter makes it at the first TLS handshake, so shake hands once."""
    if not p.certificate.exists():
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", p.port), 5.0) as raw, \
                context.wrap_socket(raw, server_hostname="localhost"):
            pass
    if not p.certificate.exists():
        raise DeviceUnavailable(f"ippeveprinter at {p.url} made no TLS certificate", reason="STACK_ERROR")
    return p.certificate


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop ippeveprinter, then its bus, by pid."""
    stop_all(procs)


async def simulate(state_dir: Path, device: SimulatedDevice) -> StackResult:
    """``hubd --simulate``: a private ippeveprinter (an A4 duplex laser) started in the background;
    documents it prints land in ``state/printouts/<device>/`` with a PNG per page. Absent
    ippeveprinter or dbus-daemon: the device is listed UNAVAILABLE STACK_NOT_INSTALLED."""
    from hubd.stacks.simulated import StackResult

    absent = missing_binaries()
    if absent:
        detail = f"ippeveprinter is not installed (missing {', '.join(absent)})"
        return StackResult(DeviceConfig(device.device_id, device.driver), missing=detail)
    port = free_port()
    root, out = state_dir / "stacks" / device.device_id, state_dir / "printouts" / device.device_id
    p = paths(root, port, out)
    abandon = threading.Event()
    begin = functools.partial(start, root, port, render=True, die_with_parent=True, printouts=out,
                              abandon=abandon)
    task = asyncio.create_task(asyncio.to_thread(begin), name=f"stack:ippeveprinter:{device.device_id}")
    cfg = DeviceConfig(device.device_id, device.driver, p.url, options=dict(device.options),
                       poll_interval=device.poll_interval, default=device.default)
    record: dict[str, object] = {"stack": "ippeveprinter", "url": p.url, "output": str(out),
                                 "web": f"http://127.0.0.1:{port}/"}
    return StackResult(cfg, record=record, task=task, abandon=abandon, stop=stop)


def set_media(p: IppEvePaths, sheets: int, size: str = A4) -> None:
    """Load the main tray with ``sheets`` of ``size`` (0 empties it: media-empty) via its web form."""
    query = urlencode({f"size{MAIN_TRAY}": size, f"type{MAIN_TRAY}": "", f"level{MAIN_TRAY}": sheets})
    _form(p, f"/media?{query}")


def set_toner(p: IppEvePaths, percent: int) -> None:
    """Set the black toner level (below 10 %: toner-low, 0: toner-empty) via its web form."""
    _form(p, f"/supplies?{urlencode({'supply0': 10, 'supply1': percent})}")


def set_delay(p: IppEvePaths, seconds: float) -> None:
    """Make the printer take ``seconds`` over each document from now on (0: at once)."""
    (p.root / "delay").write_text(f"{seconds:g}" if seconds > 0 else "")


def _form(p: IppEvePaths, path: str) -> None:
    if _http_get(p, path) != 200:
        raise DeviceUnavailable(f"ippeveprinter at {p.url} did not take {path}", reason="STACK_ERROR")


def printouts(p: IppEvePaths) -> list[Printout]:
    """Documents received so far, oldest first (a document shows up once wholly written)."""
    found = []
    for pdf in sorted(p.printouts.glob("*.pdf")):
        env_file = pdf.with_suffix(".env")
        text = env_file.read_text(encoding="utf-8", errors="replace") if env_file.exists() else ""
        lines = text.splitlines()
        found.append(Printout(pdf, dict(line.split("=", 1) for line in lines if "=" in line)))
    return found
