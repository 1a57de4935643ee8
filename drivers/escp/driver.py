"""The ESC/P dot-matrix printer device over usblp, AppSocket (TCP 9100), a serial line or CUPS.

Bytes go out on the data channel; status comes out of band, by link (protocols.md §1.3):

- ``usblp:///dev/usb/lp0``: the ``LPGETSTATUS`` port status byte (a file without that ioctl,
  like a FIFO standing in for the device, gives ``unknown``).
- ``tcp://HOST:9100?status=snmp://HOST:161&community=public``: one TCP connection per job
  (closing it ends the job); paper and on-line state from the print server's SNMP agent
  (HOST-RESOURCES-MIB). Without ``status=`` AppSocket has no return channel: ``unknown``.
- ``serial:///dev/ttyS0?baudrate=9600``: no return channel: ``unknown``.
- ``cups://QUEUE?server=/path/cups.sock``: the job is spooled raw at ``end_job``; status is the
  queue's, from the spooler.

Options: ``model`` (a profile of ``drivers.escp.profiles``), ``columns`` (narrower layout than
the carriage), ``timeout`` (connect and status reads, seconds), ``cut`` (``lines`` feeds to the
tear-off bar, ``form_feed`` sends FF).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from drivers.escp.encode import CutStyle, encode_program
from drivers.escp.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from drivers.escp.status import (
    NO_STATUS_CHANNEL,
    printer_status_from_port_byte,
    printer_status_from_snmp,
    unknown,
)
from drivers.snmp import printer_mib as mib
from drivers.snmp.client import DEFAULT_PORT as SNMP_PORT
from drivers.snmp.client import snmp_get
from hubd.classes.printer.contract import (
    PAPER_OUT,
    PRINTER_OFFLINE,
    Geometry,
    Paper,
    PrinterDevice,
    PrinterStatus,
    PrintProgram,
)
from hubd.driver_api import (
    DeviceState,
    InvalidArgument,
    Option,
    ParsedUrl,
    StatusSource,
    Transport,
    TransportError,
    TransportTimeout,
    open_transport,
)
from hubd.transport.cups import CupsTransport, QueueState
from hubd.transport.stream import StreamTransport
from hubd.transport.usblp import UsblpTransport

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0
SNMP_TIMEOUT = 1.0
END_WAIT = 2.0
"""Seconds ``end_job`` waits for an AppSocket printer to close after our last byte."""


@dataclasses.dataclass(frozen=True)
class SnmpTarget:
    """Where a print server's SNMP agent answers."""

    host: str
    port: int
    community: str



def _snmp_target(parsed: ParsedUrl) -> SnmpTarget | None:
    """The ``status=snmp://HOST[:PORT]`` query option (``community=`` beside it)."""
    raw = parsed.query.get("status")
    if raw is None:
        return None
    parts = urlsplit(raw)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme != "snmp" or not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise InvalidArgument("url", f"status={raw!r}: expected snmp://HOST[:PORT]")
    if parsed.scheme != "tcp":
        raise InvalidArgument("url", "status=snmp:// applies to tcp:// (AppSocket) printers only")
    return SnmpTarget(parts.hostname, port or SNMP_PORT, parsed.query.get("community", "public"))


class EscpPrinter(PrinterDevice):
    """An Epson ESC/P 9-pin or 24-pin printer; the link decides where status comes from."""

    DEFAULT_TIMEOUT = DEFAULT_TIMEOUT
    OPTIONS = {
        "model": Option(str, DEFAULT_PROFILE, "printer profile", choices=tuple(sorted(PROFILES))),
        "columns": Option(int, None, "a narrower layout than the carriage (columns at 10 cpi)", 1, 136),
        "cut": Option(str, "lines", "end of receipt: feed to the tear-off bar, or form feed",
                      choices=("lines", "form_feed")),
    }

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        profile = get_profile(str(self.options["model"]))
        # NULs enough to finish the longest bit-image pass a job of ours could have been cut in.
        self.resync = bytes(profile.width_dots * profile.bytes_per_column)
        columns = self.options["columns"]
        if columns is not None:
            if columns > profile.columns:
                raise InvalidArgument("options.columns", f"must be 1..{profile.columns}, got {columns!r}")
            profile = dataclasses.replace(profile, columns=cast(Literal[80, 136], columns))
        self.profile = profile
        self.cut: CutStyle = self.options["cut"]
        parsed = ParsedUrl(url)
        self.scheme = parsed.scheme
        self.snmp = _snmp_target(parsed)
        self._transport: Transport
        if self.scheme == "usblp":
            self._transport = UsblpTransport(url)
        elif self.scheme == "cups":
            self._transport = CupsTransport(url)
        else:
            self._transport = open_transport(url)
        if "timeout" not in parsed.query:
            self._transport.timeout = self.timeout
        self.status_source = {
            "usblp": StatusSource.DEVICE, "cups": StatusSource.SPOOLER,
        }.get(self.scheme, StatusSource.DEVICE if self.snmp else StatusSource.INFERRED)
        self.last_spooled = ""
        """The CUPS job id of the last job spooled (cups:// only)."""
        self._in_job = False
        self._interrupted = False

    def geometry(self) -> Geometry:
        """Columns at 10 cpi and the dots of the profile's graphics mode."""
        p = self.profile
        return Geometry(columns=p.columns, hdpi=p.hdpi, vdpi=p.vdpi, band_dots=p.band_dots)

    def encode(self, program: PrintProgram) -> bytes:
        """One ESC/P job (starting with ``ESC @``) for the program."""
        return encode_program(program, self.profile, cut=self.cut)

    async def send(self, data: bytes, timeout: float) -> None:
        """Write ``data`` (opening the link: one AppSocket connection per job).

        ``TransportTimeout`` when the printer takes no byte for ``timeout`` seconds; the unsent
        rest stays queued on the open link for ``flush``. A link that closed since the job's
        first bytes is ``TransportError`` (DISCONNECTED), never silently reopened: the rest of
        a job on a new AppSocket connection would print as a separate job.

        The first job after one was cut off (closed mid-job) starts with ``resync`` NULs: the
        printer may still be inside a bit image and would take our ``ESC @`` as dot data; NUL
        is ignored in text and blank as dots.
        """
        if self._in_job and not self._transport.is_open:
            self._in_job, self._interrupted = False, True
            raise TransportError(f"{self.url}: the link closed in the middle of a job", reason="DISCONNECTED")
        if not self._in_job and self._interrupted:
            log.info("%s: the last job was cut off: %d NULs first", self.id, len(self.resync))
            data = self.resync + data
            self._interrupted = False
        self._in_job = True
        await self._transport.write(data, timeout)

    async def flush(self, timeout: float) -> None:
        """Carry on sending what a stalled ``send`` left queued."""
        await self._transport.flush(timeout)

    async def end_job(self) -> None:
        """AppSocket: end the connection (the job ends); CUPS: spool the job; else nothing.

        On AppSocket we half-close and wait for the printer to close too (it then has every
        byte). A printer that resets the connection instead is ``TransportError``: its last
        bytes may not have been printed. One that keeps the connection open (stopped, or a model
        that never closes) is closed after ``END_WAIT``: the kernel still delivers the rest,
        and the worker asks the printer's status next.
        """
        in_job, self._in_job = self._in_job, False
        if isinstance(self._transport, CupsTransport):
            self.last_spooled = await self._transport.submit(f"kioskhub {self.id}")
        elif self.scheme == "tcp":
            if in_job:
                try:
                    await self._finish_appsocket()
                except TransportError:
                    self._interrupted = True
                    raise
            await self._transport.close()

    async def _finish_appsocket(self) -> None:
        transport = self._transport
        assert isinstance(transport, StreamTransport)
        if not transport.is_open:
            raise TransportError(f"{self.url}: the printer closed the connection during the job",
                                 reason="DISCONNECTED")
        try:
            await transport.finish(END_WAIT)
        except TransportTimeout:
            log.debug("%s: printer still connected %.1fs after the job; closing", self.id, END_WAIT)
        except TransportError as err:
            raise TransportError(f"{self.url}: the printer reset the connection during the job",
                                 reason="DISCONNECTED") from err

    async def read_status(self) -> PrinterStatus:
        """Observe the printer through the link's status channel, or say there is none."""
        if isinstance(self._transport, UsblpTransport):
            byte = await self._transport.port_status()
            if byte is None:
                return unknown(
                    NO_STATUS_CHANNEL,
                    f"{self._transport.path} gives no port status (not a usblp device)",
                    StatusSource.DEVICE,
                )
            return printer_status_from_port_byte(byte)
        if isinstance(self._transport, CupsTransport):
            return _from_queue(self._transport.queue, await self._transport.queue_state())
        if self.snmp is not None:
            values = await snmp_get(
                self.snmp.host, self.snmp.port, mib.PRINTER_OIDS, self.snmp.community,
                timeout=min(self.timeout, SNMP_TIMEOUT), retries=1,
            )
            return printer_status_from_snmp(values)
        if self.scheme == "tcp":
            return unknown(NO_STATUS_CHANNEL, "AppSocket has no return channel (add status=snmp://)")
        await self._transport.open()  # the port exists; what the printer does is not visible
        return unknown(NO_STATUS_CHANNEL, "a serial ESC/P printer sends no status")

    async def close(self) -> None:
        """Close the link (a CUPS job not yet spooled is dropped)."""
        if self._in_job:
            self._in_job, self._interrupted = False, True
        await self._transport.close()

    def describe(self) -> str:
        """The printer profile's name."""
        return self.profile.name


def _from_queue(queue: str, q: QueueState) -> PrinterStatus:
    """A CUPS queue state as a printer status (source SPOOLER)."""
    detail = f"CUPS queue {queue} {q.state}" + (f": {q.message}" if q.message else "")
    if q.reasons:
        detail += f" [{' '.join(q.reasons)}]"
    paper = Paper.OUT if any(r.startswith("media-empty") for r in q.reasons) else Paper.UNKNOWN
    offline = any(r.startswith("offline") for r in q.reasons)
    jam = any(r.startswith("media-jam") for r in q.reasons)
    if q.state == "stopped":
        state, reason = DeviceState.UNAVAILABLE, "QUEUE_STOPPED"
    elif q.accepting is False:
        state, reason = DeviceState.UNAVAILABLE, "QUEUE_NOT_ACCEPTING"
    elif paper is Paper.OUT or offline or jam:
        state = DeviceState.UNAVAILABLE
        reason = PAPER_OUT if paper is Paper.OUT else PRINTER_OFFLINE if offline else "PRINTER_ERROR"
    else:
        state, reason = DeviceState.AVAILABLE, ""
    return PrinterStatus(
        state=state, reason=reason, detail=detail, paper=paper,
        online=False if offline else None, error=True if jam else None, source=StatusSource.SPOOLER,
    )
