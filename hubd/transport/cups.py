"""``cups://QUEUE?server=/run/cups/cups.sock``: a raw CUPS queue as a print-job sink.

``write`` collects the bytes of the current job; ``submit(title)`` hands them to the spooler with
``lp -d QUEUE -o raw -t TITLE`` (bytes on stdin, ``CUPS_SERVER`` = ``server``) and returns the
CUPS job id (``QUEUE-12``). ``queue_state`` reads the queue with ``lpstat -r -l -p QUEUE -a
QUEUE``. ``server`` is a unix socket path or ``host:port`` on loopback; without it the CUPS
client default is used. The CLIs run in the C locale, since their messages are parsed. The
spooler, not this transport, talks to the printer: a job that cannot reach it stays queued in
CUPS.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
from dataclasses import dataclass
from urllib.parse import urlsplit

from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.transport.base import Caps, Transport, os_error

log = logging.getLogger(__name__)

MAX_JOB_BYTES = 64 * 1024 * 1024
CLI_TIMEOUT = 10.0
_QUEUE = re.compile(r"[A-Za-z0-9_.-]{1,127}")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
_REQUEST_ID = re.compile(r"request id is (\S+-\d+)")
_PRINTER_LINE = re.compile(r"^printer (\S+) (is idle|now printing|disabled)")
_LONG_KEYS = re.compile(r"^\t(Form mounted|Content types|Printer types|Description|Alerts|Location):")


@dataclass(frozen=True)
class QueueState:
    """A CUPS queue as ``lpstat`` tells it: idle, processing or stopped, and why."""

    state: str
    """``idle``, ``processing`` or ``stopped`` (disabled)."""
    message: str = ""
    """The printer-state-message (a backend's or an admin's words)."""
    reasons: tuple[str, ...] = ()
    """printer-state-reasons (``paused``, ``media-empty-error``...), ``none`` dropped."""
    accepting: bool | None = None
    """Whether the queue accepts new jobs (None if lpstat did not say)."""


def parse_lpstat(queue: str, text: str) -> QueueState:
    """Parse ``lpstat -r -l -p QUEUE -a QUEUE`` output (C locale); ``TransportError`` if unusable."""
    lines = text.splitlines()
    if any(line.strip() == "scheduler is not running" for line in lines):
        raise TransportError("CUPS scheduler is not running", reason="CONNECTION_REFUSED")
    state = message = ""
    reasons: tuple[str, ...] = ()
    accepting: bool | None = None
    for i, line in enumerate(lines):
        match = _PRINTER_LINE.match(line)
        if match and match.group(1).lower() == queue.lower():
            word = match.group(2)
            state = "idle" if word == "is idle" else "processing" if word == "now printing" else "stopped"
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if nxt.startswith("\t") and not _LONG_KEYS.match(nxt):
                message = nxt.strip()
        elif line.startswith("\tAlerts:") and state:
            reasons = tuple(r for r in line.split(":", 1)[1].split() if r != "none")
        elif line.lower().startswith(f"{queue.lower()} not accepting requests"):
            accepting = False
        elif line.lower().startswith(f"{queue.lower()} accepting requests"):
            accepting = True
    if not state:
        raise TransportError(f"lpstat did not report queue {queue!r}", reason="SPOOLER_ERROR")
    return QueueState(state, message, reasons, accepting)


def _cli_message(stderr: bytes, stdout: bytes) -> str:
    """The CLI's first message line without its program-path prefix."""
    text = (stderr or stdout).decode("utf-8", "replace").strip()
    line = text.splitlines()[0] if text else "failed without a message"
    return re.sub(r"^\S*?(lp|lpstat): ", r"\1: ", line)


class CupsTransport(Transport):
    """A raw CUPS queue: job bytes collected here, submitted with ``lp -o raw``."""

    caps = Caps.SPOOLED

    def __init__(self, url: str) -> None:
        super().__init__(url)
        parts = urlsplit(url)
        self.queue = parts.netloc or parts.path.strip("/")
        if not _QUEUE.fullmatch(self.queue):
            raise InvalidArgument("url", f"{url!r}: needs a CUPS queue name, like cups://Receipt")
        server = self.parsed.query.get("server", "")
        if server and not server.startswith("/"):
            host = server.rsplit(":", 1)[0]
            if host not in _LOOPBACK:
                raise InvalidArgument("url", f"{url!r}: server must be a socket path or loopback host:port")
        self.server = server
        self.cli_timeout = max(self.timeout, CLI_TIMEOUT)
        self._job = bytearray()
        self._open = False

    @property
    def is_open(self) -> bool:
        """True between ``open`` and ``close`` (there is no connection of our own)."""
        return self._open

    async def open(self) -> None:
        """Start collecting a job."""
        if not self._open:
            self._open = True
            self._job.clear()
            self._out.clear()

    async def close(self) -> None:
        """Drop bytes not yet submitted."""
        self._open = False
        self._job.clear()

    @property
    def job_size(self) -> int:
        """Bytes collected for the current job."""
        return len(self._job)

    async def _recv(self, timeout: float) -> bytes:
        raise TransportError(f"{self.url}: a CUPS queue is write-only", reason="WRITE_ONLY")

    async def _send_some(self, data: bytes, timeout: float) -> int:
        if len(self._job) + len(data) > MAX_JOB_BYTES:
            raise TransportError(f"{self.url}: job over {MAX_JOB_BYTES} bytes", reason="JOB_TOO_LARGE")
        self._job += data
        return len(data)

    def _env(self) -> dict[str, str]:
        drop = ("CUPS_", "LC_", "LANG", "LPDEST", "PRINTER")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env.update(LC_ALL="C", LANG="C")
        if self.server:
            env["CUPS_SERVER"] = self.server
        return env

    async def _run(self, *argv: str, stdin: bytes = b"") -> tuple[int, bytes, bytes]:
        """Run a CUPS client program; returns (exit code, stdout, stderr)."""
        program = shutil.which(argv[0]) or argv[0]
        try:
            proc = await asyncio.create_subprocess_exec(
                program, *argv[1:], env=self._env(), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise os_error(self.url, f"run {argv[0]}", exc) from exc
        try:
            out, errs = await asyncio.wait_for(proc.communicate(stdin), self.cli_timeout)
        except TimeoutError as exc:
            proc.kill()
            await proc.wait()
            raise TransportTimeout(
                f"{self.url}: {argv[0]} gave no answer in {self.cli_timeout:.0f}s"
            ) from exc
        except OSError as exc:  # e.g. EPIPE when the program exited before reading stdin
            await proc.wait()
            raise os_error(self.url, argv[0], exc) from exc
        return proc.returncode or 0, out, errs

    async def submit(self, title: str) -> str:
        """Spool the collected bytes as one raw job titled ``title``; return the CUPS job id
        (``""`` when nothing was collected)."""
        await self.open()
        data = bytes(self._job)
        if not data:
            return ""
        safe_title = "".join(ch for ch in title if ch.isprintable())[:200] or "kioskhub"
        code, out, err = await self._run(
            "lp", "-d", self.queue, "-o", "raw", "-t", safe_title, stdin=data
        )
        if code != 0:
            raise await self._lp_error(_cli_message(err, out))
        match = _REQUEST_ID.search(out.decode("utf-8", "replace"))
        if match is None:
            raise TransportError(f"{self.url}: lp gave no request id: {out[:200]!r}", reason="SPOOLER_ERROR")
        self._job.clear()
        log.info("%s: spooled %d bytes as %s", self.url, len(data), match.group(1))
        return match.group(1)

    async def _lp_error(self, message: str) -> TransportError:
        """A TransportError for a failed ``lp``, with a reason from the scheduler's state."""
        if "not accepting" in message:
            return TransportError(f"{self.url}: {message}", reason="QUEUE_NOT_ACCEPTING")
        try:
            await self.queue_state()
        except TransportError as err:  # scheduler down or queue unknown: say that
            return TransportError(f"{self.url}: {message} ({err.message})", reason=err.reason)
        return TransportError(f"{self.url}: {message}", reason="SPOOLER_ERROR")

    async def queue_state(self) -> QueueState:
        """The queue's state from ``lpstat``; ``TransportError`` when the scheduler or queue is gone."""
        code, out, err = await self._run("lpstat", "-r", "-l", "-p", self.queue, "-a", self.queue)
        text = out.decode("utf-8", "replace")
        if "scheduler is not running" in text:
            where = self.server or "the default server"
            raise TransportError(f"{self.url}: CUPS scheduler at {where} is not running",
                                 reason="CONNECTION_REFUSED")
        if code != 0:
            message = _cli_message(err, out)
            reason = "NO_SUCH_DEVICE" if "Invalid destination" in message else "SPOOLER_ERROR"
            raise TransportError(f"{self.url}: {message}", reason=reason)
        try:
            return parse_lpstat(self.queue, text)
        except TransportError as exc:
            raise TransportError(f"{self.url}: {exc.message}", reason=exc.reason) from None

