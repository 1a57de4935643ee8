"""python-escpos 3.1 links for an ESC/POS printer: URL -> printer object, raw I/O, DLE EOT status.

URL schemes (one python-escpos printer class each, protocols.md §2):

    tcp://HOST[:9100]                        escpos.printer.Network (raw TCP, two-way)
    serial:///dev/ttyUSB0?baudrate=9600      escpos.printer.Serial (two-way; also bytesize,
                                             parity=N|E|O, stopbits, xonxoff, dsrdtr)
    usb://VID:PID[?in_ep=0x82&out_ep=0x01]   escpos.printer.Usb (hex ids; two-way)
    file:///dev/usb/lp0                      escpos.printer.File (one-way: status is unknown)

The library opens and closes the links and asks for status (``_raw`` / ``_read``). Job bytes go
to the link's own socket or file descriptor without blocking (``EscposLink.write_some``), so the
caller knows exactly how many the printer took (USB writes 64-byte packets with the library's
``_raw``; a packet that timed out counts as not sent). ``EscposLink`` is blocking: the driver
calls it from one worker thread at a time and turns what it raises into ``hubd.errors`` once,
with ``convert_error``.

Status: ``DLE EOT`` 1 and 4 (2 and 3 for the cause when off line), each reply validated. No
reply, an empty reply or a byte that is not ``0xx1xx10`` makes the status UNKNOWN, never OK
(python-escpos 3.1's ``paper_status()`` says "paper adequate" on an empty read; not used here).
"""

from __future__ import annotations

import logging
import os
import select
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from drivers.common.status import unknown
from drivers.escpos import protocol
from hubd.classes.printer.contract import PrinterStatus
from hubd.driver_api import (
    HubError,
    InvalidArgument,
    ProtocolError,
    TransportError,
    TransportTimeout,
    os_error,
)

log = logging.getLogger(__name__)

USB_PACKET = 64
WRITE_CHUNK = 65536
"""Bytes offered to the link per write."""


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


def convert_error(url: str, action: str, err: BaseException) -> HubError:
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


class EscposLink:
    """One python-escpos printer object and its connection state (blocking; one thread at a time)."""

    def __init__(self, device_id: str, url: str, profile: str, connect_timeout: float,
                 status_timeout: float) -> None:
        self.id = device_id
        self.url = url
        self.kind = urlsplit(url).scheme
        self.status_timeout = status_timeout
        self.lib: Any = make_link(url, profile, connect_timeout)
        self.is_open = False
        self.fresh = True
        """No job byte has gone out since the link was opened."""

    def ensure_open(self) -> None:
        """Open the link; an idle TCP connection the printer closed is reopened first."""
        if self.is_open and self.kind == "tcp" and self.drain():
            if not self.fresh:  # job bytes went out on it: the printer may be inside a command
                raise TransportError(f"{self.url}: the printer closed the connection mid-job",
                                     reason="DISCONNECTED")
            log.info("%s: the printer closed an idle connection; reconnecting", self.id)
            self.is_open = False
            self.lib.close()
        if not self.is_open:
            self.lib.open()
            self.is_open, self.fresh = True, True

    def shut(self) -> None:
        """Close the link if open."""
        if self.is_open:
            self.is_open = False
            if self.kind == "tcp":
                self.drain()  # unread replies would make close() send a reset, losing the job's tail
            if self.kind == "serial":  # the library's close() waits for the output to drain: maybe forever
                self.lib.device.close()
                self.lib.device = False
            else:
                self.lib.close()

    def write_some(self, data: bytes | bytearray, wait: float) -> int:
        """Write what the link takes of ``data`` now (waiting up to ``wait`` s for room); return the count."""
        n = self._write(bytes(data[:WRITE_CHUNK]), wait)
        if n:
            self.fresh = False
        return n

    def _write(self, chunk: bytes, wait: float) -> int:
        """One non-blocking write (USB: one packet) of the start of ``chunk``."""
        device: Any = self.lib.device
        if self.kind == "usb":
            self.lib.timeout = max(1, int(wait * 1000))
            try:
                self.lib._raw(chunk[:USB_PACKET])
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

    def read_reply(self) -> bytes:
        """What came back for one request: b"" when nothing came within the timeout."""
        device: Any = self.lib.device
        if self.kind == "serial":  # the library's read(16) would always wait out the timeout
            first: bytes = device.read(1)
            return first + (device.read(device.in_waiting) if first and device.in_waiting else b"")
        try:
            reply = bytes(self.lib._read())
        except Exception as err:
            if isinstance(err, TimeoutError) or type(err).__name__ == "USBTimeoutError":
                return b""
            raise
        if not reply and self.kind == "tcp":
            raise TransportError(f"{self.url}: connection closed by the printer", reason="DISCONNECTED")
        return reply

    def drain(self) -> bool:
        """Throw away late replies (to a timed-out request, or 10 04 n inside image data).

        Returns True when the printer has closed a TCP connection (end of stream or reset).
        """
        device: Any = self.lib.device
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

    def query(self, n: int) -> protocol.Status | str:
        """One DLE EOT n round trip: the parsed status, or why there is none."""
        self.lib._raw(protocol.status_request(n))
        reply = self.read_reply()
        if not reply:
            return f"no reply to DLE EOT {n} within {self.status_timeout:g} s"
        try:
            return protocol.parse_status(n, reply)
        except ProtocolError as err:
            return f"{err} (reply {reply.hex(' ')})"

    def query_all(self) -> PrinterStatus:
        """Ask 1 (on line?), 2 when off line (why?), 3 on an error, 4 (paper); combine them."""
        self.ensure_open()  # drains a TCP link
        if self.kind != "tcp":
            self.drain()
        device: Any = self.lib.device
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
            result = self.query(n)
            if isinstance(result, str):
                log.info("%s: status unknown: %s", self.id, result)
                return unknown("NO_STATUS_REPLY", result)
            got[n] = result
        return protocol.printer_status(got)
