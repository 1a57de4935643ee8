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

import contextlib
import http.client
import logging
import os
import socket
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from hubd.errors import DeviceUnavailable
from hubd.stacks.process import (
    log_tail,
    missing,
    require_binary,
    socket_home,
    start_process,
    stop_all,
    wait_until,
)

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

    @property
    def url(self) -> str:
        """The printer's IPP URL (what a driver or a CUPS queue is given)."""
        return f"ipp://127.0.0.1:{self.port}/ipp/print"

    @property
    def printouts(self) -> Path:
        """Where received documents land."""
        return self.root / "printouts"

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


def paths(dir: Path, port: int) -> IppEvePaths:
    """The paths of the instance in ``dir``; a too-long bus socket path moves under the temp dir."""
    root = Path(dir).resolve()
    bus = socket_home(root, root / "dbus", root / "dbus" / "bus.sock", "dbus") / "bus.sock"
    return IppEvePaths(root, port, bus)


def missing_binaries() -> list[str]:
    """Programs this machine lacks (packages cups-ipp-utils, dbus-daemon)."""
    return missing(BINARIES, SEARCH_DIRS)


def write_config(p: IppEvePaths, *, render: bool = False) -> None:
    """Write printer.conf, print-command and dbus.conf; make the directories."""
    for sub in ("spool", "printouts", "keys"):
        (p.root / sub).mkdir(parents=True, exist_ok=True)
    p.bus_socket.parent.mkdir(parents=True, exist_ok=True)
    (p.root / "printer.ppd").write_text(PRINTER_PPD)
    command = p.root / "print-command"
    script = PRINT_COMMAND.replace("@OUT@", str(p.printouts))
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
          timeout: float = START_TIMEOUT, die_with_parent: bool = False) -> list[subprocess.Popen[bytes]]:
    """Start dbus-daemon and ippeveprinter on ``port``; wait until the printer answers HTTP.

    Returns ``[dbus-daemon, ippeveprinter]``. On failure stops both and raises
    ``DeviceUnavailable`` (STACK_NOT_INSTALLED, or STACK_START_FAILED with metadata ``cause``:
    exited or timeout).
    """
    p = paths(dir, port)
    write_config(p, render=render)
    p.bus_socket.unlink(missing_ok=True)
    e = env(p)
    dbus = require_binary("D-Bus", "dbus-daemon", SEARCH_DIRS)
    ippeve = require_binary("ippeveprinter", "ippeveprinter", SEARCH_DIRS)
    procs = [start_process([dbus, f"--config-file={p.root / 'dbus.conf'}", "--nofork", "--nopidfile"],
                           env=e, log_path=p.root / "dbus.log", die_with_parent=die_with_parent)]
    try:
        wait_until(p.bus_socket.exists, timeout, what="dbus-daemon", alive=procs)
        argv: list[str | Path] = [
            ippeve, "-v", "-r", "off", "-n", "localhost", "-p", str(port), "-P", p.root / "printer.ppd",
            "-d", p.root / "spool", "-K", p.root / "keys", "-c", p.root / "print-command", name,
        ]
        procs.append(start_process(argv, env=e, cwd=p.root, log_path=p.log_file,
                                   die_with_parent=die_with_parent))
        wait_until(lambda: _http_get(p, "/") == 200, timeout, what="ippeveprinter", alive=procs)
    except (TimeoutError, ChildProcessError) as err:
        stop_all(procs)
        cause = "exited" if isinstance(err, ChildProcessError) else "timeout"
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


def set_media(p: IppEvePaths, sheets: int, size: str = A4) -> None:
    """Load the main tray with ``sheets`` of ``size`` (0 empties it: media-empty) via its web form."""
    query = urlencode({f"size{MAIN_TRAY}": size, f"type{MAIN_TRAY}": "", f"level{MAIN_TRAY}": sheets})
    _form(p, f"/media?{query}")


def set_toner(p: IppEvePaths, percent: int) -> None:
    """Set the black toner level (below 10 %: toner-low, 0: toner-empty) via its web form."""
    _form(p, f"/supplies?{urlencode({'supply0': 10, 'supply1': percent})}")


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


PRINT_COMMAND = """#!/bin/sh
# Run by ippeveprinter for each document: $1 is the spooled file, IPP_* the job's attributes.
set -e
base="@OUT@/$(date +%s%N)-$(basename "$1" .pdf)"
env | grep '^IPP_' | sort > "$base.env" || true
pages=$(pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p')
if [ -n "$pages" ]; then
  n=$((pages * ${IPP_COPIES:-1}))
  echo "ATTR: job-impressions=$n job-impressions-completed=$n" >&2
fi
if [ -n "@RENDER@" ]; then pdftoppm -r 50 -png "$1" "$base" || true; fi
cp "$1" "$base.tmp"
mv "$base.tmp" "$base.pdf"
"""

DBUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=@SOCKET@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
"""

PRINTER_PPD = """*PPD-Adobe: "4.3"
*% An A4 monochrome duplex laser, 600 dpi, 30 ppm: ippeveprinter derives its IPP attributes from it.
*% Sizes in exact points: A4 must come out as 21000 x 29700 (1/100 mm) or CUPS's media-col is refused.
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "KLASER.PPD"
*Manufacturer: "KIOSKHUB"
*Product: "(Laser A4)"
*ModelName: "KIOSKHUB Laser A4"
*ShortNickName: "KIOSKHUB Laser A4"
*NickName: "KIOSKHUB Laser A4"
*1284DeviceID: "MFG:KIOSKHUB;MDL:Laser A4;CMD:PDF;"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: False
*DefaultColorSpace: Gray
*FileSystem: False
*Throughput: "30"
*LandscapeOrientation: Plus90
*TTRasterizer: Type42
*DefaultResolution: 600dpi
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595.28 841.89]/ImagingBBox null>>setpagedevice"
*PageSize A5/A5: "<</PageSize[419.53 595.28]/ImagingBBox null>>setpagedevice"
*PageSize Letter/US Letter: "<</PageSize[612 792]/ImagingBBox null>>setpagedevice"
*PageSize Legal/US Legal: "<</PageSize[612 1008]/ImagingBBox null>>setpagedevice"
*CloseUI: *PageSize
*OpenUI *PageRegion: PickOne
*OrderDependency: 10 AnySetup *PageRegion
*DefaultPageRegion: A4
*PageRegion A4/A4: "<</PageSize[595.28 841.89]/ImagingBBox null>>setpagedevice"
*PageRegion A5/A5: "<</PageSize[419.53 595.28]/ImagingBBox null>>setpagedevice"
*PageRegion Letter/US Letter: "<</PageSize[612 792]/ImagingBBox null>>setpagedevice"
*PageRegion Legal/US Legal: "<</PageSize[612 1008]/ImagingBBox null>>setpagedevice"
*CloseUI: *PageRegion
*DefaultImageableArea: A4
*ImageableArea A4/A4: "12 12 583.28 829.89"
*ImageableArea A5/A5: "12 12 407.53 583.28"
*ImageableArea Letter/US Letter: "12 12 600 780"
*ImageableArea Legal/US Legal: "12 12 600 996"
*DefaultPaperDimension: A4
*PaperDimension A4/A4: "595.28 841.89"
*PaperDimension A5/A5: "419.53 595.28"
*PaperDimension Letter/US Letter: "612 792"
*PaperDimension Legal/US Legal: "612 1008"
*OpenUI *InputSlot/Paper Source: PickOne
*OrderDependency: 20 AnySetup *InputSlot
*DefaultInputSlot: Main
*InputSlot Main/Main Tray: "<</MediaPosition 0>>setpagedevice"
*CloseUI: *InputSlot
*OpenUI *Duplex/2-Sided Printing: PickOne
*OrderDependency: 30 AnySetup *Duplex
*DefaultDuplex: None
*Duplex None/Off: "<</Duplex false>>setpagedevice"
*Duplex DuplexNoTumble/Long Edge: "<</Duplex true/Tumble false>>setpagedevice"
*Duplex DuplexTumble/Short Edge: "<</Duplex true/Tumble true>>setpagedevice"
*CloseUI: *Duplex
*DefaultFont: Courier
*Font Courier: Standard "(002.004S)" Standard ROM
"""
