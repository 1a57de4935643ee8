"""An ESC/POS thermal receipt printer on any ``hubd.transport`` link.

URLs (the hub's own grammar): ``tcp://HOST:9100`` (one connection, kept open across jobs),
``serial:///dev/ttyUSB0?baudrate=38400``, ``usb://VID:PID[/SERIAL]`` (two-way), and
``usblp:///dev/usb/lp0`` (one-way: status unknown, jobs confirmed by bytes only).

Job bytes are written through the transport, which knows exactly how many the printer took:
when it stops taking them (paper out, cover open) the rest stays queued for ``flush`` - nothing
lost, nothing sent twice.

Status: ``DLE EOT`` 1 and 4 (2 and 3 for the cause when off line), each reply validated; UNKNOWN,
never OK, when a reply is missing or bad. Status is never asked while a job's bytes are going
out: the request would land inside a command's bytes.

A job ends with a process ID request (``GS ( H`` <Function 48>, a fresh random ID): the printer
answers it once everything before it is printed, and that answer is the confirmation. Until it
comes the job is UNCONFIRMED (PAPER_OUT etc. when DLE EOT says so); when the printer is ready
again a new ID is asked for, and an answer to a later ID without the job's own means the printer
lost the job (restarted, buffer cleared) - ``JOB_LOST``, printed again marked DUPLICATE. A TCP
connection that resets or closes mid-job says the same. ``confirm = "status"`` is for models
without ``GS ( H`` (TM-T88III, TM-U220): a job is confirmed when every byte is acknowledged and
DLE EOT says ready, which cannot tell whether its last lines are printed yet.

Options: ``profile`` (a python-escpos capability-database name, default ``default``),
``status_timeout`` (seconds per DLE EOT reply), ``confirm``, and ``width_dots`` / ``dpi`` /
``columns`` / ``cut_feed_lines`` to override the profile's paper.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import string
import time
from collections.abc import Mapping
from typing import Any

from hubd.classes.printer.contract import (
    JOB_LOST,
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
    Option,
    TransportError,
    TransportTimeout,
    open_transport,
)
from kioskhub.drivers.common.status import NO_STATUS_CHANNEL, unknown
from kioskhub.drivers.escpos import protocol
from kioskhub.drivers.escpos.encode import FONT_A_DOTS, GRID_DPI, EscposProfile, encode_program, load_profile
from kioskhub.drivers.escpos.replies import Replies

log = logging.getLogger(__name__)

DEFAULT_STATUS_TIMEOUT = 1.0
REPROBE_AFTER = 1.0
"""Seconds of a ready printer without the job's answer before a new process ID is asked for."""
FLUSH_WAIT = 0.05
"""Seconds ``confirm_job`` lets queued bytes go per look."""
_ID_CHARS = string.ascii_uppercase + string.digits


def _new_id() -> str:
    """A random 4-character process ID (unique enough to never meet an old answer)."""
    return "".join(secrets.choice(_ID_CHARS) for _ in range(4))


class EscposPrinter(PrinterDevice):
    """An ESC/POS thermal receipt printer (80 mm, 203 dpi, 576 dots unless the profile says so)."""

    OPTIONS = {
        "profile": Option(str, "default", "python-escpos capability profile name"),
        "status_timeout": Option(float, DEFAULT_STATUS_TIMEOUT, "seconds per DLE EOT reply", 0.01, 30),
        "confirm": Option(str, "process_id", "how a job is confirmed: the printer's process ID "
                          "response once printed (GS ( H), or only DLE EOT ready after every byte",
                          choices=("process_id", "status")),
        "width_dots": Option(int, None, "printable width in dots (overrides the profile)", 8, 4096),
        "dpi": Option(int, None, "head resolution (overrides the profile)", 60, 600),
        "columns": Option(int, None, "font A columns (overrides the profile)", 1, 512),
        "cut_feed_lines": Option(int, None, "lines fed before the cut", 0, 255),
    }

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        opts = self.options
        self.status_timeout = float(opts["status_timeout"])
        limits = ("width_dots", "dpi", "columns", "cut_feed_lines")
        overrides = {k: int(opts[k]) for k in limits if opts[k] is not None}
        self.profile: EscposProfile = load_profile(str(opts["profile"]), **overrides)
        self._transport = open_transport(url, timeout=self.timeout)
        self.two_way = Caps.READ in self._transport.caps
        self.by_process_id = self.two_way and opts["confirm"] == "process_id"
        self._lock = asyncio.Lock()
        self._replies = Replies(self._transport, self.status_timeout, device_id)
        self._probes: list[str] = []
        """Process IDs asked for since the job's last byte (the first is the job's own)."""
        self._probed_at = 0.0
        self._sending = False
        """A job's bytes are going out: no status request may be put between them."""
        self._in_job = False
        """From the job's first byte until it is confirmed or abandoned."""

    def geometry(self) -> Geometry:
        """The head as it is: ``dpi`` dots per inch each way, 24-dot raster bands, and font A as the
        native font (12 dots a cell: ``dpi``/12 cpi). Rasterized text is sized to font A's cell
        (``points`` = 12 pt x 120/dpi: what a 12 pt, 10 cpi cell is at 120 dpi), so a column is
        12 dots and Hindi sits at the height of font A."""
        p = self.profile
        return Geometry(hdpi=p.dpi, vdpi=p.dpi, band_dots=24, columns=p.columns,
                        cpi=p.dpi / FONT_A_DOTS, points=12.0 * GRID_DPI / p.dpi)

    def encode(self, program: PrintProgram) -> bytes:
        """ESC/POS bytes for ``program`` (see ``kioskhub.drivers.escpos.encode``)."""
        return encode_program(program, self.profile)

    def describe(self) -> str:
        """The profile and paper."""
        p = self.profile
        return f"ESC/POS printer, profile {p.name} ({p.width_dots} dots at {p.dpi} dpi)"

    async def start_job(self) -> None:
        """Reopen a connection the printer closed while idle; forget the last job's probes."""
        async with self._lock:
            await self._revive()
            self._probes = []
            self._replies.answered.clear()
            self._sending = True

    async def send(self, data: bytes, timeout: float) -> None:
        """Write ``data``; TransportTimeout (rest queued) if no byte goes for ``timeout`` s.

        A link that closed since the job's first byte is DISCONNECTED, never silently reopened:
        the printer dropped the rest of a command cut short, and the job with it.
        """
        async with self._lock:
            self._check_link()
            self._sending = self._in_job = True
            await self._transport.write(data, timeout)

    async def flush(self, timeout: float) -> None:
        """Carry on writing what a stalled ``send`` left queued."""
        async with self._lock:
            self._check_link()
            await self._transport.flush(timeout)

    def _check_link(self) -> None:
        if self._in_job and not self._transport.is_open:
            self._in_job = self._sending = False
            self._probes = []
            raise TransportError(f"{self.url}: the link closed in the middle of a job",
                                 reason="DISCONNECTED")

    async def end_job(self) -> None:
        """Ask for the job's process ID response (two-way links); it may stay queued behind a
        stalled printer, ``confirm_job`` sends it on."""
        async with self._lock:
            self._sending = False
            if self.by_process_id:
                await self._probe()

    async def confirm_job(self) -> Delivery:
        """The job's process ID answered (or, by option or link, bytes acknowledged and ready)."""
        async with self._lock:
            self._check_link()
            if self._transport.pending:
                try:
                    await self._transport.flush(FLUSH_WAIT)
                except TransportTimeout:
                    n = self._transport.pending
                    return Delivery.waiting(UNCONFIRMED, f"{n} bytes of the job not yet taken by the printer")
            unacked = self._transport.unacknowledged() if Caps.ACKED in self._transport.caps else 0
            if not self.two_way:
                if unacked:
                    return Delivery.waiting(UNCONFIRMED, f"{unacked} bytes not yet taken by the printer")
                return self._done(Confirmation.BYTES_ONLY)
            if self.by_process_id:
                await self._replies.drain()
                if done := self._job_answered():
                    return done
            status = await self._replies.status()
            if status.blocks_printing:
                return Delivery.waiting(status.why_blocked, status.detail, status)
            ready = status.state is DeviceState.AVAILABLE
            if not self.by_process_id:
                if ready and not unacked:
                    return self._done(Confirmation.PRINTER, status)
                return Delivery.waiting(UNCONFIRMED, f"printer not confirmed ready: {status.detail}", status)
            if done := self._job_answered():
                return done
            if ready and not unacked and time.monotonic() - self._probed_at >= REPROBE_AFTER:
                await self._probe()  # answered after the job's own, unless the printer lost it
            why = f"waiting for the printer to finish (process ID {self._probes[0]})"
            return Delivery.waiting(UNCONFIRMED, why if ready else status.detail, status)

    def _job_answered(self) -> Delivery | None:
        """Confirmed when the job's own process ID came back; JOB_LOST when a later one did alone."""
        if not self._probes:
            return None
        if self._probes[0] in self._replies.answered:
            return self._done(Confirmation.PRINTER)
        later = [p for p in self._probes[1:] if p in self._replies.answered]
        if later:
            self._probes, self._in_job = [], False
            raise TransportError(f"{self.url}: the printer answered process ID {later[0]} but never "
                                 "the job's own: it lost the job (restarted or cleared its buffer)",
                                 reason=JOB_LOST)
        return None

    def _done(self, how: Confirmation, status: PrinterStatus | None = None) -> Delivery:
        self._probes, self._in_job = [], False
        return Delivery(how, status=status)

    async def _probe(self) -> None:
        """Queue a process ID request (it stays queued if the printer is not taking bytes)."""
        process_id = _new_id()
        self._probes.append(process_id)
        self._probed_at = time.monotonic()
        try:
            await self._transport.write(protocol.process_id_request(process_id), FLUSH_WAIT)
        except TransportTimeout:
            pass

    async def close(self) -> None:
        """Release the link between jobs (a job in flight keeps it: ``abort_job`` gives it up)."""
        async with self._lock:
            if not self._in_job:
                await self._transport.close()

    async def abort_job(self) -> None:
        """Give up the job in flight: drop what is queued and close the link."""
        async with self._lock:
            self._sending = self._in_job = False
            self._probes = []
            await self._transport.close()

    async def read_status(self) -> PrinterStatus:
        """DLE EOT 1 / 2 / 3 / 4 through a two-way link; UNKNOWN when a reply is missing or bad."""
        if not self.two_way:
            await self._transport.open()  # the device exists; what it does is not visible
            scheme = self._transport.parsed.scheme
            return unknown(NO_STATUS_CHANNEL, f"{scheme}:// links carry no status back")
        try:
            await asyncio.wait_for(self._lock.acquire(), self.status_timeout)
        except TimeoutError:
            return unknown("LINK_BUSY", "a job is being sent; the printer cannot be asked now")
        try:
            if self._sending or self._transport.pending:
                return unknown("PRINTER_NOT_ACCEPTING", "a job's bytes are going out: a status "
                               "request would land inside them")
            await self._revive()
            return await self._replies.status()
        finally:
            self._lock.release()

    async def _revive(self) -> None:
        """Between jobs: take in stray bytes; a connection the printer closed is reopened next use."""
        if self._in_job or not self._transport.is_open:
            return
        try:
            await self._replies.drain()
        except TransportError:
            log.debug("%s: the printer closed an idle connection; reconnecting", self.id)
