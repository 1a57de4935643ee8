"""A private CUPS scheduler: ``cupsd`` on its own config, loopback port and unix socket.

Layout of ``dir``: ``cupsd.conf``, ``cups-files.conf``, ``cupsd.log`` (its stdout/stderr),
``log/error_log`` (LogLevel debug: backends log what they sent), ``spool/``, ``tmp/``, ``state/``,
``cache/``, ``ppd/``, ``printers.conf``, ``printcap`` and ``cups.sock``. Nothing in /etc is written
(without ``Printcap`` here cupsd would rewrite /etc/printcap). Clients (lp, lpadmin, lpstat)
follow ``CUPS_SERVER`` = the socket. cupsd runs in the foreground (``-f``) and is stopped by pid.

Backends run as CUPS's ``User`` (``lp`` when started as root) and read the spool files by path:
every parent of ``dir`` must be searchable by that user (a fresh dir under /tmp is; cupsd itself
re-owns ``dir`` to ``root:lp`` 0755).
"""

from __future__ import annotations

import grp
import logging
import os
import pwd
import re
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hubd.errors import DeviceUnavailable, InvalidArgument
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
CLIENT_TIMEOUT = 10.0
SEARCH_DIRS = ("/usr/sbin", "/sbin", "/usr/bin", "/bin")
BINARIES = ("cupsd", "lpadmin", "lpstat", "lp")
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,127}")
_REQUEST_ID = re.compile(r"request id is (\S+)-(\d+)")
_BIND_FAILED = "Unable to open listen socket"
ADMIN_OPERATIONS = (
    "Pause-Printer", "Resume-Printer", "CUPS-Accept-Jobs", "CUPS-Reject-Jobs", "CUPS-Add-Modify-Printer",
    "CUPS-Delete-Printer", "Set-Printer-Attributes",
)
"""Operations that need an admin (SystemGroup), as in a stock cupsd.conf: over the unix socket
clients authenticate with the socket peer's uid (``PeerCred``)."""


@dataclass(frozen=True)
class CupsPaths:
    """Where one private cupsd keeps its files, and how clients reach it."""

    root: Path
    socket: Path
    port: int

    @property
    def cupsd_conf(self) -> Path:
        """The scheduler config (listeners, policy)."""
        return self.root / "cupsd.conf"

    @property
    def files_conf(self) -> Path:
        """The file-locations config (``cups-files.conf``)."""
        return self.root / "cups-files.conf"

    @property
    def error_log(self) -> Path:
        """cupsd's ErrorLog (debug level: job and backend messages)."""
        return self.root / "log" / "error_log"

    @property
    def server(self) -> str:
        """The ``CUPS_SERVER`` value: the unix socket path."""
        return str(self.socket)

    def env(self) -> dict[str, str]:
        """A client environment pointing at this instance (C locale: messages are parsed)."""
        drop = ("CUPS_", "LPDEST", "PRINTER", "LC_", "LANG")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env.update(CUPS_SERVER=self.server, LC_ALL="C", LANG="C")
        return env

    def remove_socket(self) -> None:
        """Remove a socket that had to live outside ``root`` (long paths), if cupsd left it."""
        if self.root not in self.socket.parents:
            self.socket.unlink(missing_ok=True)


def paths(dir: Path, port: int) -> CupsPaths:
    """The paths of the instance in ``dir``; a too-long socket path moves under the temp dir."""
    root = Path(dir).resolve()
    sock = socket_home(root, root / "cups.sock", root / "cups.sock", "cups")
    return CupsPaths(root, sock, port)


def missing_binaries() -> list[str]:
    """Names of the CUPS programs this machine lacks (packages cups-daemon, cups-client)."""
    return missing(BINARIES, SEARCH_DIRS)


def binaries_present() -> bool:
    """True when cupsd and the lp/lpadmin/lpstat clients are installed."""
    return not missing_binaries()


def _binary(name: str) -> Path:
    return require_binary("CUPS", name, SEARCH_DIRS)


def _identity_lines() -> str:
    """As root: admins are root (+lpadmin). Otherwise cupsd and its backends run as us."""
    if os.geteuid() == 0:
        groups = ["root"] + [g for g in ("lpadmin",) if _group_exists(g)]
        return f"SystemGroup {' '.join(groups)}\n"
    user = pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(os.getegid()).gr_name
    return f"User {user}\nGroup {group}\nSystemGroup {group}\n"


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def _check_searchable(root: Path) -> None:
    """As root, backends run as ``lp`` and open spool files by path: every parent must let them in."""
    if os.geteuid() != 0:
        return
    try:
        lp_gid = grp.getgrnam("lp").gr_gid
    except KeyError:
        lp_gid = -1
    for parent in root.parents:
        st = parent.stat()
        if not (st.st_mode & stat.S_IXOTH or (st.st_gid == lp_gid and st.st_mode & stat.S_IXGRP)):
            raise InvalidArgument(
                "dir", f"{parent} is not searchable by the lp user; CUPS backends could not read {root}"
            )


def write_config(dir: Path, port: int) -> CupsPaths:
    """Write cupsd.conf and cups-files.conf for a private scheduler in ``dir`` on ``port``."""
    p = paths(dir, port)
    _check_searchable(p.root)
    for sub in ("spool", "tmp", "state", "cache", "log", "ppd", "ssl"):
        (p.root / sub).mkdir(parents=True, exist_ok=True)
    r = p.root
    p.cupsd_conf.write_text(
        "LogLevel debug\n"
        f"Listen 127.0.0.1:{port}\n"
        f"Listen {p.socket}\n"
        "Browsing No\nBrowseLocalProtocols none\nWebInterface No\nDefaultShared No\n"
        "DefaultAuthType Basic\nDirtyCleanInterval 0\nPreserveJobHistory Yes\n"
        "<Location />\n  Order allow,deny\n  Allow localhost\n</Location>\n"
        "<Policy default>\n"
        "  JobPrivateAccess all\n  JobPrivateValues none\n"
        "  SubscriptionPrivateAccess all\n  SubscriptionPrivateValues none\n"
        f"  <Limit {' '.join(ADMIN_OPERATIONS)}>\n"
        "    AuthType Default\n    Require user @SYSTEM\n    Order deny,allow\n  </Limit>\n"
        "  <Limit All>\n    Order deny,allow\n  </Limit>\n"
        "</Policy>\n"
    )
    p.files_conf.write_text(
        f"ServerRoot {r}\nRequestRoot {r}/spool\nTempDir {r}/tmp\nStateDir {r}/state\n"
        f"CacheDir {r}/cache\nServerKeychain {r}/ssl\nPrintcap {r}/printcap\n"
        f"AccessLog {r}/log/access_log\nErrorLog {r}/log/error_log\nPageLog {r}/log/page_log\n"
        "FileDevice Yes\n" + _identity_lines()
    )
    return p


def client(p: CupsPaths, *argv: str, input: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run a CUPS client program (lp, lpadmin, lpstat...) against this instance."""
    args = [str(_binary(argv[0])), *argv[1:]]
    try:
        proc = subprocess.run(
            args, env=p.env(), input=input, capture_output=True, timeout=CLIENT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise DeviceUnavailable(
            f"{argv[0]} got no answer from cupsd within {CLIENT_TIMEOUT:.0f}s", reason="SPOOLER_TIMEOUT"
        ) from err
    out = proc.stdout.decode("utf-8", "replace")
    errors = proc.stderr.decode("utf-8", "replace")
    return subprocess.CompletedProcess(args, proc.returncode, out, errors)


def ready(p: CupsPaths) -> bool:
    """True once the scheduler answers on its socket (``lpstat -r``)."""
    try:
        result = client(p, "lpstat", "-r")
    except DeviceUnavailable as err:
        if err.reason != "SPOOLER_TIMEOUT":
            raise
        return False
    return result.returncode == 0 and result.stdout.strip() == "scheduler is running"


def _port_taken(p: CupsPaths) -> bool:
    """cupsd keeps running when a Listen port is taken; only its log says so."""
    try:
        text = p.error_log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return f"{_BIND_FAILED} for address 127.0.0.1:{p.port}" in text


def start(
    dir: Path, port: int, *, timeout: float = START_TIMEOUT, die_with_parent: bool = False
) -> list[subprocess.Popen[bytes]]:
    """Write the config, start cupsd in the foreground, wait until ``lpstat -r`` says running.

    Returns ``[cupsd]``. On failure stops it and raises ``DeviceUnavailable`` (STACK_NOT_INSTALLED
    or STACK_START_FAILED with metadata ``cause``: exited, timeout or port_in_use).
    """
    p = write_config(dir, port)
    p.error_log.unlink(missing_ok=True)
    argv = [str(_binary("cupsd")), "-f", "-c", str(p.cupsd_conf), "-s", str(p.files_conf)]
    procs = [
        start_process(
            argv, env=p.env(), cwd=p.root, log_path=p.root / "cupsd.log", die_with_parent=die_with_parent
        )
    ]
    cause = ""
    try:
        wait_until(lambda: ready(p), timeout, what="cupsd", alive=procs)
        if _port_taken(p):
            cause = "port_in_use"
    except (TimeoutError, ChildProcessError) as err:
        cause = "exited" if isinstance(err, ChildProcessError) else "timeout"
    if cause:
        stop(procs)
        logs = f"--- cupsd.log:\n{log_tail(p.root / 'cupsd.log')}\n--- error_log:\n{log_tail(p.error_log)}"
        raise DeviceUnavailable(
            f"private cupsd on port {port} did not start ({cause})\n{logs}",
            reason="STACK_START_FAILED",
            metadata={"cause": cause},
        )
    log.info("private cupsd %s on 127.0.0.1:%d and %s (pid %d)", p.root, port, p.socket, procs[0].pid)
    return procs


def _check(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise DeviceUnavailable(f"{what} failed: {detail}", reason="SPOOLER_ERROR")


def add_raw_queue(p: CupsPaths, name: str, device_uri: str) -> None:
    """Create and enable a raw queue (no PPD, no filters): ``lpadmin -p NAME -v URI -E``."""
    if not _QUEUE_NAME.fullmatch(name):
        raise InvalidArgument("name", f"not a usable CUPS queue name: {name!r}")
    _check(client(p, "lpadmin", "-p", name, "-v", device_uri, "-E"), f"lpadmin -p {name}")


def add_everywhere_queue(p: CupsPaths, name: str, printer_uri: str, media: str = "iso_a4_210x297mm") -> None:
    """Create and enable a driverless queue for an IPP Everywhere printer: ``lpadmin -p NAME -v
    ipp://… -m everywhere -E`` (lpadmin asks the printer for its attributes and writes the PPD),
    its default media ``media``. Never discovers (no ``lpinfo -v``): the URI is given."""
    if not _QUEUE_NAME.fullmatch(name):
        raise InvalidArgument("name", f"not a usable CUPS queue name: {name!r}")
    if not printer_uri.startswith(("ipp://", "ipps://")):
        raise InvalidArgument("printer_uri", f"needs ipp:// or ipps://, got {printer_uri!r}")
    result = client(p, "lpadmin", "-p", name, "-v", printer_uri, "-m", "everywhere", "-E",
                    "-o", f"media-default={media}")
    _check(result, f"lpadmin -p {name} -m everywhere")
    # cupsd writes the PPD in a thread that then sets the queue idle and accepting: wait for it,
    # or a cupsdisable meanwhile would be undone.
    done, failed = f'Printer "{name}" is now available.', f"{name}: PPD creation failed"

    def ready() -> bool:
        text = p.error_log.read_text(encoding="utf-8", errors="replace") if p.error_log.exists() else ""
        if failed in text:
            raise DeviceUnavailable(f"cupsd could not make a PPD from {printer_uri}", reason="SPOOLER_ERROR")
        return done in text

    try:
        wait_until(ready, CLIENT_TIMEOUT, what=f"the {name} queue's PPD")
    except TimeoutError as err:
        raise DeviceUnavailable(f"cupsd made no PPD for {name} in time", reason="SPOOLER_TIMEOUT") from err


def submit_raw(p: CupsPaths, queue: str, data: bytes, title: str = "kioskhub") -> int:
    """``lp -d QUEUE -o raw`` with ``data`` on stdin; return the CUPS job id."""
    result = client(p, "lp", "-d", queue, "-o", "raw", "-t", title, input=data)
    _check(result, f"lp -d {queue}")
    match = _REQUEST_ID.search(result.stdout)
    if match is None:
        raise DeviceUnavailable(f"lp said no request id: {result.stdout!r}", reason="SPOOLER_ERROR")
    return int(match.group(2))


def job_ids(p: CupsPaths, queue: str, *, completed: bool = False) -> list[int]:
    """Ids of the queue's not-completed jobs (or its completed ones), from ``lpstat -o``."""
    which = "completed" if completed else "not-completed"
    result = client(p, "lpstat", "-W", which, "-o", queue)
    _check(result, f"lpstat -o {queue}")
    found = re.findall(rf"^{re.escape(queue)}-(\d+)\s", result.stdout, flags=re.MULTILINE)
    return [int(n) for n in found]


def printer_status(p: CupsPaths, queue: str) -> str:
    """``lpstat -l -p QUEUE``: state line plus the printer-state-message (backend warnings)."""
    result = client(p, "lpstat", "-l", "-p", queue)
    _check(result, f"lpstat -p {queue}")
    return result.stdout


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop cupsd by pid (it SIGTERMs its running backends before exiting)."""
    stop_all(procs)
