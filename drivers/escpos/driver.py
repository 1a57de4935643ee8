"""An ESC/POS thermal receipt printer reached through python-escpos 3.1 links.

URL schemes (one python-escpos printer class each, protocols.md §2):

    tcp://HOST[:9100]                        escpos.printer.Network (raw TCP, two-way)
    serial:///dev/ttyUSB0?baudrate=9600      escpos.printer.Serial (two-way; also bytesize,
                                             parity=N|E|O, stopbits, xonxoff, dsrdtr)
    usb://VID:PID[?in_ep=0x82&out_ep=0x01]   escpos.printer.Usb (hex ids; two-way)
    file:///dev/usb/lp0                      escpos.printer.File (one-way: status is unknown)

The library opens and closes the links and asks for status (``_raw`` / ``_read``). Job bytes
go to the link's own socket or file descriptor without blocking, so the driver knows exactly
how many the printer took: when it stops taking them (paper out, cover open) the rest stays
queued for ``flush`` - nothing lost, nothing sent twice (USB writes 64-byte packets with the
library's ``_raw``; a packet that timed out counts as not sent). Every call runs in a worker
thread, one at a time; library and OS exceptions become ``hubd.errors`` once, in ``_convert``.

Status: ``DLE EOT`` 1 and 4 (2 and 3 for the cause when off line), each reply validated. No
reply, an empty reply or a byte that is not ``0xx1xx10`` makes the status UNKNOWN, never OK
(python-escpos 3.1's ``paper_status()`` says "paper adequate" on an empty read; not used here).
While a job's bytes are queued the printer is not reading, and a request would land inside the
job's data, so the status is UNKNOWN then too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from drivers.escpos import protocol
from drivers.escpos.encode import GRID_DPI, EscposProfile, encode_program, load_profile
from hubd.device import DeviceState, StatusSource
from hubd.errors import HubError, InvalidArgument, ProtocolError, TransportError, TransportTimeout
from hubd.printer import Geometry, PrinterDevice, PrinterStatus
from hubd.render.program import PrintProgram
from hubd.transport import os_error

log = logging.getLogger(__name__)

DEFAULT_STATUS_TIMEOUT = 1.0
DEFAULT_CONNECT_TIMEOUT = 5.0
GRACE = 2.0
"""Seconds past a call's own timeouts before its worker thread is given up on."""
USB_PACKET = 64
_T = TypeVar("_T")


def number(field: str, raw: object, default: float, low: float, high: float) -> float:
    """A number option within [low, high]; anything else is INVALID_ARGUMENT naming ``field``."""
    if raw is None:
        return default
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise InvalidArgument(field, f"not a number: {raw!r}") from err
    if not low <= value <= high:
        raise InvalidArgument(field, f"must be within {low:g}..{high:g}, got {value:g}")
    return value


def make_link(url: str, profile: str, timeout: float) -> Any:
    """The (unopened) python-escpos printer object for ``url``; a bad URL is INVALID_ARGUMENT."""
    from escpos import printer as lib

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    path = unquote(parts.path)
    if parts.scheme == "tcp":
        try:
            port = parts.port or 9100
        except ValueError as err:
            raise InvalidArgument("url", f"{url!r}: bad port") from err
        if not parts.hostname:
            raise InvalidArgument("url", f"{url!r}: needs a host, like tcp://192.168.1.50:9100")
        return lib.Network(parts.hostname, port, timeout=timeout, profile=profile)
    if parts.scheme == "serial" and path.startswith("/"):
        parity = query.get("parity", "N").upper()
        if parity not in ("N", "E", "O"):
            raise InvalidArgument("url.parity", f"{parity!r} is not N, E or O")
        ints = {key: int(number(f"url.{key}", query.get(key), default, low, high))
                for key, default, low, high in (("baudrate", 9600, 50, 4_000_000),
                                                ("bytesize", 8, 5, 8), ("stopbits", 1, 1, 2))}
        flags = {key: query.get(key, "0").lower() in ("1", "on", "true", "yes")
                 for key in ("xonxoff", "dsrdtr")}
        return lib.Serial(devfile=path, timeout=timeout, parity=parity, profile=profile, **ints, **flags)
    if parts.scheme == "usb":
        try:
            vid, pid = (int(part, 16) for part in parts.netloc.split(":"))
            in_ep, out_ep = (int(query.get(k, d), 0) for k, d in (("in_ep", "0x82"), ("out_ep", "0x01")))
        except ValueError as err:
            raise InvalidArgument("url", f"{url!r}: use usb://VID:PID in hex, like usb://04b8:0202") from err
        return lib.Usb(vid, pid, timeout=int(timeout * 1000), in_ep=in_ep, out_ep=out_ep, profile=profile)
    if parts.scheme == "file" and path.startswith("/"):
        return lib.File(devfile=path, profile=profile)
    raise InvalidArgument(
        "url", f"{url!r}: use tcp://HOST:9100, serial:///dev/ttyX, usb://VID:PID or file:///dev/usb/lpN"
    )


def _convert(url: str, action: str, err: BaseException) -> HubError:
    """The one conversion of a python-escpos / OS / pyserial / pyusb exception into hubd.errors."""
    import serial
    from escpos import exceptions as escpos_errors

    if isinstance(err, HubError):
        return err
    cause = err.__cause__ or err.__context__
    if isinstance(err, escpos_errors.DeviceNotFoundError) and isinstance(cause, OSError):
        return os_error(url, action, cause)
    if type(err).__name__ == "USBTimeoutError" or isinstance(err, serial.SerialTimeoutException):
        return TransportTimeout(f"{url}: {action} timed out")
    if isinstance(err, OSError) and not isinstance(err, serial.SerialException):
        return os_error(url, action, err)
    detail = getattr(err, "msg", "") or str(err) or type(err).__name__
    reason = "NO_SUCH_DEVICE" if isinstance(err, escpos_errors.DeviceNotFoundError) else "IO_ERROR"
    return TransportError(f"{url}: {action} failed: {detail}", reason=reason)


class EscposPrinter(PrinterDevice):
    """An ESC/POS thermal receipt printer (80 mm, 203 dpi, 576 dots unless the profile says so).

    Options: ``profile`` (a python-escpos profile name, default ``default``), ``status_timeout``
    (seconds per DLE EOT reply, default 1), ``connect_timeout`` (default 5) and ``width_dots`` /
    ``dpi`` / ``columns`` / ``cut_feed_lines`` to override the profile's paper.
    """

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(device_id, url, options)
        opts = self.options
        self.status_timeout = number("options.status_timeout", opts.get("status_timeout"),
                                     DEFAULT_STATUS_TIMEOUT, 0.01, 30)
        self.connect_timeout = number("options.connect_timeout", opts.get("connect_timeout"),
                                      DEFAULT_CONNECT_TIMEOUT, 0.1, 60)
        limits = {"width_dots": (8, 4096), "dpi": (60, 600), "columns": (1, 512), "cut_feed_lines": (0, 255)}
        overrides = {k: int(number(f"options.{k}", opts[k], 0, *limits[k])) for k in limits if k in opts}
        self.profile: EscposProfile = load_profile(str(opts.get("profile", "default")), **overrides)
        self.kind = urlsplit(url).scheme
        self._link = make_link(url, self.profile.name, self.connect_timeout)
        self.two_way = self.kind in ("tcp", "serial", "usb")
        self._open = False
        self._fresh = True
        self._queue = bytearray()
        self._lock = asyncio.Lock()
        self._running: asyncio.Future[Any] | None = None

    def geometry(self) -> Geometry:
        """The layout's 10-cpi grid with one grid column = one font A cell (12 dots).

        ``Geometry`` counts columns at 10 cpi; font A is 12 dots wide (16.9 cpi at 203 dpi). So
        the grid's dpi is 120 (``GRID_DPI``) and every grid dot is one head dot: 48 columns =
        576 dots, text and rendered Hindi share one grid, and everything renders at 120/203 of
        its nominal size - Hindi at the height of font A.
        """
        p = self.profile
        return Geometry(columns=p.columns, hdpi=GRID_DPI, vdpi=GRID_DPI, band_dots=24)

    def encode(self, program: PrintProgram) -> bytes:
        """ESC/POS bytes for ``program`` (see ``drivers.escpos.encode``)."""
        return encode_program(program, self.profile)

    def describe(self) -> str:
        """The profile and paper."""
        p = self.profile
        return f"ESC/POS printer, profile {p.name} ({p.width_dots} dots at {p.dpi} dpi)"

    async def send(self, data: bytes, timeout: float) -> None:
        """Queue ``data`` and write; TransportTimeout (rest queued) if no byte goes for ``timeout`` s."""
        async with self._lock:
            self._queue += data
            await self._thread("write", lambda: self._pump(timeout), None)

    async def flush(self, timeout: float) -> None:
        """Carry on writing what a stalled ``send`` left queued."""
        async with self._lock:
            await self._thread("write", lambda: self._pump(timeout), None)

    async def end_job(self) -> None:
        """TCP (AppSocket): close the connection, which ends the job. Other links stay open."""
        if self.kind == "tcp":
            await self.close()

    async def close(self) -> None:
        """Drop anything queued and close the link (errors while closing are only logged)."""
        async with self._lock:
            self._queue.clear()
            try:
                await self._thread("close", self._shut, self.connect_timeout + GRACE)
            except HubError as err:
                log.debug("%s: close: %s", self.id, err)

    async def read_status(self) -> PrinterStatus:
        """DLE EOT 1 / 2 / 3 / 4 through a two-way link; UNKNOWN when a reply is missing or bad."""
        if not self.two_way:
            path = unquote(urlsplit(self.url).path)
            if not os.path.exists(path):
                raise TransportError(f"{self.url}: {path} does not exist", reason="NO_SUCH_DEVICE")
            return _unknown("NO_STATUS_CHANNEL", f"{self.kind}:// links cannot carry status back")
        async with self._lock:
            if self._queue:
                return _unknown("PRINTER_NOT_ACCEPTING", f"{len(self._queue)} bytes of a job are "
                                "waiting: the printer is not reading, a request cannot get through")
            try:
                return await self._thread("status", self._query_all, 4 * self.status_timeout + GRACE)
            except TransportError:
                with contextlib.suppress(HubError):
                    await self._thread("close", self._shut, self.connect_timeout + GRACE)
                raise

    async def _thread(self, action: str, fn: Callable[[], _T], deadline: float | None) -> _T:
        """Run ``fn`` in a worker thread (the lock held), converting its exceptions once.

        The OS-level timeouts end a call first; ``deadline`` is a backstop (None for writes:
        they end when the printer stops taking bytes, however long a slow link takes). A call
        abandoned by the backstop or a cancellation keeps its thread; the next call waits for it.
        """
        if self._running is not None:
            with contextlib.suppress(BaseException):
                await self._running
            self._running = None
        running = asyncio.ensure_future(asyncio.to_thread(fn))
        try:
            return await asyncio.wait_for(asyncio.shield(running), deadline)
        except (asyncio.CancelledError, TimeoutError) as err:
            if not running.done():
                self._running = running
            if isinstance(err, TimeoutError):
                raise TransportTimeout(f"{self.url}: {action} took over {deadline:g} s") from err
            raise
        except HubError:
            raise
        except Exception as err:
            raise _convert(self.url, action, err) from err

    # -- in the worker thread -------------------------------------------------------------------

    def _ensure_open(self) -> None:
        """Open the link; an idle TCP connection the printer closed is reopened first."""
        if self._open and self.kind == "tcp" and self._drain():
            if not self._fresh:  # job bytes went out on it: the printer may be inside a command
                raise TransportError(f"{self.url}: the printer closed the connection mid-job",
                                     reason="DISCONNECTED")
            log.info("%s: the printer closed an idle connection; reconnecting", self.id)
            self._open = False
            self._link.close()
        if not self._open:
            self._link.open()
            self._open, self._fresh = True, True

    def _shut(self) -> None:
        if self._open:
            self._open = False
            if self.kind == "tcp":
                self._drain()  # unread replies would make close() send a reset, losing the job's tail
            if self.kind == "serial":  # the library's close() waits for the output to drain: maybe forever
                self._link.device.close()
                self._link.device = False
            else:
                self._link.close()

    def _pump(self, timeout: float) -> None:
        """Write the queue until empty; TransportTimeout when no byte goes for ``timeout`` s."""
        self._ensure_open()
        last = time.monotonic()
        while self._queue:
            n = self._write_some(max(0.0, last + timeout - time.monotonic()))
            if n:
                del self._queue[:n]
                self._fresh = False
                last = time.monotonic()
            elif time.monotonic() >= last + timeout:
                raise TransportTimeout(f"{self.url}: the printer took no byte for {timeout:g} s "
                                       f"({len(self._queue)} queued)")

    def _write_some(self, wait: float) -> int:
        """Write what the link takes now (waiting up to ``wait`` s for room); return the count."""
        chunk = bytes(self._queue[:65536])
        device: Any = self._link.device
        if self.kind == "usb":
            self._link.timeout = max(1, int(wait * 1000))
            try:
                self._link._raw(chunk[:USB_PACKET])
            except Exception as err:
                if type(err).__name__ == "USBTimeoutError":
                    return 0
                raise
            return len(chunk[:USB_PACKET])
        fd = device.fileno()
        if self.kind == "tcp":
            device.setblocking(False)
        elif self.kind == "file":
            os.set_blocking(fd, False)
        if not select.select([], [fd], [], wait)[1]:
            return 0
        try:
            return device.send(chunk) if self.kind == "tcp" else os.write(fd, chunk)
        except BlockingIOError:
            return 0

    def _read_reply(self) -> bytes:
        """What came back for one request: b"" when nothing came within the timeout."""
        device: Any = self._link.device
        if self.kind == "serial":  # the library's read(16) would always wait out the timeout
            first: bytes = device.read(1)
            return first + (device.read(device.in_waiting) if first and device.in_waiting else b"")
        try:
            reply = bytes(self._link._read())
        except Exception as err:
            if isinstance(err, TimeoutError) or type(err).__name__ == "USBTimeoutError":
                return b""
            raise
        if not reply and self.kind == "tcp":
            raise TransportError(f"{self.url}: connection closed by the printer", reason="DISCONNECTED")
        return reply

    def _drain(self) -> bool:
        """Throw away late replies (to a timed-out request, or 10 04 n inside image data).

        Returns True when the printer has closed a TCP connection (end of stream or reset).
        """
        device: Any = self._link.device
        if self.kind == "serial":
            device.reset_input_buffer()
        elif self.kind == "tcp":
            device.setblocking(False)
            try:
                while device.recv(4096):
                    pass
                return True
            except (BlockingIOError, InterruptedError):
                return False
            except ConnectionError:
                return True
        return False

    def _query(self, n: int) -> protocol.Status | str:
        """One DLE EOT n round trip: the parsed status, or why there is none."""
        self._link._raw(protocol.status_request(n))
        reply = self._read_reply()
        if not reply:
            return f"no reply to DLE EOT {n} within {self.status_timeout:g} s"
        try:
            return protocol.parse_status(n, reply)
        except ProtocolError as err:
            return f"{err} (reply {reply.hex(' ')})"

    def _query_all(self) -> PrinterStatus:
        """Ask 1 (on line?), 2 when off line (why?), 3 on an error, 4 (paper); combine them."""
        self._ensure_open()  # drains a TCP link
        if self.kind != "tcp":
            self._drain()
        device: Any = self._link.device
        if self.kind == "tcp":
            device.settimeout(self.status_timeout)
        elif self.kind == "serial":
            device.timeout = device.write_timeout = self.status_timeout
        got: dict[int, protocol.Status] = {}
        for n in (protocol.STATUS_PRINTER, protocol.STATUS_OFFLINE_CAUSE,
                  protocol.STATUS_ERROR_CAUSE, protocol.STATUS_PAPER):
            state, cause = got.get(1), got.get(2)
            if n == 2 and not (isinstance(state, protocol.PrinterState) and state.offline):
                continue
            if n == 3 and not (isinstance(cause, protocol.OfflineCause) and cause.error):
                continue
            result = self._query(n)
            if isinstance(result, str):
                log.info("%s: status unknown: %s", self.id, result)
                return _unknown("NO_STATUS_REPLY", result)
            got[n] = result
        return protocol.printer_status(got)


def _unknown(reason: str, detail: str) -> PrinterStatus:
    """A status nobody observed."""
    return PrinterStatus(DeviceState.UNKNOWN, reason, detail, source=StatusSource.INFERRED)
