"""The ESC/P dot-matrix printer device over usblp, AppSocket (TCP 9100), a serial line, USB or CUPS.

Bytes go out on the data channel; status comes out of band, by what the link can do
(``Caps``, protocols.md §1.3; read by ``status_channel.StatusChannel``):

- ``usblp:///dev/usb/lp0`` / ``usb://VID:PID``: the port status byte (``PORT_STATUS``; a file
  without that ioctl, like a FIFO standing in for the device, gives ``unknown``).
- ``tcp://HOST:9100?status=snmp://HOST:161&community=public``: one TCP connection per job,
  ended by our half-close and the printer's close (``HALF_CLOSE``); paper and on-line state,
  busy/idle, uptime and page count from the print server's SNMP agent (HOST-RESOURCES-MIB,
  Printer-MIB). Without ``status=`` AppSocket has no return channel: ``unknown``.
- ``serial:///dev/ttyS0?baudrate=9600``: no return channel: ``unknown``.
- ``cups://QUEUE?server=/path/cups.sock``: the job is spooled raw at ``end_job``; status is the
  queue's, from the spooler (``SPOOLED``).

A job is confirmed (``confirm_job``) once the link holds none of its bytes (``unacknowledged``
0: TCP ACKed, UART drained, usblp transfer done), an AppSocket printer has closed the
connection, and, where a status channel exists, the printer says it is ready and not printing
(SNMP: idle, page counter advanced, uptime not gone back; CUPS: the queue idle again). A status
read that fails leaves the job UNCONFIRMED.

Options: ``model`` (a profile of ``kioskhub.drivers.escp.profiles``), ``columns`` (narrower layout than
the carriage), ``cut`` (``lines`` feeds to the tear-off bar, ``form_feed`` sends FF); the
device timeout bounds connects and status reads.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any, Literal, cast

from hubd.classes.printer.contract import (
    UNCONFIRMED,
    Confirmation,
    Delivery,
    Geometry,
    PrinterDevice,
    PrinterStatus,
    PrintProgram,
)
from hubd.driver_api import (
    Caps,
    DeviceState,
    InvalidArgument,
    Option,
    ParsedUrl,
    TransportError,
    TransportTimeout,
    open_transport,
)
from kioskhub.drivers.escp.encode import CutStyle, encode_program
from kioskhub.drivers.escp.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from kioskhub.drivers.escp.status import NO_STATUS_CHANNEL, snmp_target
from kioskhub.drivers.escp.status_channel import StatusChannel

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0
CLOSE_POLL = 0.05
"""Seconds ``confirm_job`` waits for an AppSocket printer's close per look."""


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
        snmp = snmp_target(ParsedUrl(url))
        self._transport = open_transport(url, timeout=self.timeout)
        self._status = StatusChannel(device_id, url, self._transport, snmp, self.timeout)
        self.status_source = self._status.source
        self.last_spooled = ""
        """The CUPS job id of the last job spooled (cups:// only)."""
        self._in_job = False
        self._interrupted = False
        self._closed = False
        """The AppSocket printer closed the job's connection (it read every byte)."""

    def geometry(self) -> Geometry:
        """Columns at 10 cpi and the dots of the profile's graphics mode."""
        p = self.profile
        return Geometry(columns=p.columns, hdpi=p.hdpi, vdpi=p.row_dpi, band_dots=p.row_band)

    def encode(self, program: PrintProgram) -> bytes:
        """One ESC/P job (starting with ``ESC @``) for the program."""
        return encode_program(program, self.profile, cut=self.cut)

    @property
    def _caps(self) -> Caps:
        return self._transport.caps

    async def start_job(self) -> None:
        """Note the print server's uptime and page count, to tell the job through later."""
        self._closed = False
        await self._status.begin_job()

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
        """CUPS: spool the job. AppSocket: half-close (FIN after the last byte). Else nothing."""
        if Caps.SPOOLED in self._caps:
            self._in_job = False
            self.last_spooled = await self._transport.submit(f"kioskhub {self.id}")
        elif Caps.HALF_CLOSE in self._caps and self._in_job:
            await self._appsocket_closed(0.0)

    async def confirm_job(self) -> Delivery:
        """Every byte taken, the AppSocket printer closed, and the status says done (see the module)."""
        caps = self._caps
        if Caps.SPOOLED in caps:
            return await self._status.confirm_spooled()
        if Caps.HALF_CLOSE in caps and not self._closed and await self._appsocket_closed(CLOSE_POLL):
            self._closed = True
        unacked = 0 if self._closed else self._transport.unacknowledged()
        status, values, why = await self._status.for_job()
        if status is not None and status.blocks_printing:
            return Delivery.waiting(status.why_blocked, status.detail, status)
        if unacked:
            return Delivery.waiting(UNCONFIRMED, f"{unacked} bytes not yet taken by the printer", status)
        if Caps.HALF_CLOSE in caps and not self._closed:
            return Delivery.waiting(UNCONFIRMED, "the printer has not closed the job's connection", status)
        no_channel = status is not None and status.reason == NO_STATUS_CHANNEL  # a FIFO, say
        if not self._status.exists or no_channel:
            return await self._confirmed(Confirmation.BYTES_ONLY, status)
        if status is None:
            return Delivery.waiting(UNCONFIRMED, f"printer status unknown: {why}")
        if status.state is not DeviceState.AVAILABLE:
            return Delivery.waiting(UNCONFIRMED, f"printer not ready: {status.detail}", status)
        if values is not None:
            try:
                busy = self._status.snmp_busy(values)
            except TransportError:  # JOB_LOST: the print server restarted, the job is cut off
                self._in_job, self._interrupted = False, True
                raise
            if busy:
                return Delivery.waiting(UNCONFIRMED, busy, status)
        return await self._confirmed(Confirmation.PRINTER, status)

    async def _confirmed(self, how: Confirmation, status: PrinterStatus | None) -> Delivery:
        self._in_job = False
        if Caps.HALF_CLOSE in self._caps:
            await self._transport.close()
        return Delivery(how, status=status)

    async def _appsocket_closed(self, wait: float) -> bool:
        """Half-close (once) and wait up to ``wait`` s for the printer's close; a reset is
        ``TransportError`` DISCONNECTED (its last bytes may not have been printed)."""
        transport = self._transport
        if not transport.is_open:
            self._in_job, self._interrupted = False, True
            raise TransportError(f"{self.url}: the printer closed the connection during the job",
                                 reason="DISCONNECTED")
        try:
            await transport.finish(wait)
        except TransportTimeout:
            return False
        except TransportError as err:
            self._in_job, self._interrupted = False, True
            await transport.close()
            raise TransportError(f"{self.url}: the printer reset the connection during the job",
                                 reason="DISCONNECTED") from err
        return True

    async def read_status(self) -> PrinterStatus:
        """Observe the printer through the link's status channel, or say there is none."""
        return await self._status.read()

    async def close(self) -> None:
        """Release the link between jobs (a job in flight keeps it: ``abort_job`` gives it up)."""
        if not self._in_job:
            await self._transport.close()

    async def abort_job(self) -> None:
        """Give up the job in flight: close its link (a CUPS job not spooled is dropped); the
        next job starts with ``resync`` NULs."""
        if self._in_job:
            self._in_job, self._interrupted = False, True
        await self._transport.close()

    def describe(self) -> str:
        """The profile's name."""
        return self.profile.name
