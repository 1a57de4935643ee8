"""``serial:///dev/ttyUSB0?baudrate=2400`` (and ``pty:///dev/pts/N``) over a non-blocking fd.

Line settings in the query: ``baudrate`` (9600), ``bytesize`` (8), ``parity`` (N, E, O),
``stopbits`` (1, 2) and ``flow``: ``none`` (default), ``rtscts`` (hardware) or ``xonxoff``
(software; the kernel holds our output while the device has sent XOFF).

``unacknowledged()`` counts what we still hold plus the driver's output queue (``TIOCOUTQ``,
what ``tcdrain`` waits for): 0 means every byte has left the UART. A serial line says nothing
about what the device did with them. (A pty has no output queue: 0 once the master side could
take the bytes.)
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
import struct
import termios

import serial

from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.transport.base import Caps, Transport, os_error, wake_future

_PARITY = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}
_FLOW = ("none", "rtscts", "xonxoff")


class SerialTransport(Transport):
    """A serial line configured with pyserial (8N1 by default), read and written via asyncio."""

    caps = Caps.READ | Caps.ACKED

    def __init__(self, url: str) -> None:
        super().__init__(url)
        p = self.parsed
        if not p.path.startswith("/"):
            raise InvalidArgument("url", f"{url!r}: needs an absolute device path")
        self.baudrate = int(p.number("baudrate", 9600))
        self.bytesize = int(p.number("bytesize", 8))
        self.stopbits = p.number("stopbits", 1)
        parity = p.query.get("parity", "N").upper()
        self.flow = p.query.get("flow", "none").lower()
        if parity not in _PARITY or self.bytesize not in (5, 6, 7, 8) or self.stopbits not in (1, 2):
            raise InvalidArgument("url", f"{url!r}: bad line settings")
        if self.flow not in _FLOW:
            raise InvalidArgument("url", f"{url!r}: flow must be one of {', '.join(_FLOW)}")
        self.parity = _PARITY[parity]
        self._port: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        """True while the port is open."""
        return self._port is not None

    async def open(self) -> None:
        """Open and configure the port (raw mode, the URL's flow control)."""
        if self._port is not None:
            return
        try:
            port = serial.Serial(
                self.parsed.path,
                baudrate=self.baudrate,
                bytesize=self.bytesize,
                parity=self.parity,
                stopbits=self.stopbits,
                rtscts=self.flow == "rtscts",
                xonxoff=self.flow == "xonxoff",
                timeout=0,
                write_timeout=0,
                exclusive=True,
            )
        except serial.SerialException as err:
            inner = err if isinstance(err, OSError) else OSError(err.errno or 0, str(err))
            raise os_error(self.url, "open", inner) from err
        except OSError as err:
            raise os_error(self.url, "open", err) from err
        os.set_blocking(port.fileno(), False)
        self._port = port
        self._buf.clear()
        self._out.clear()

    async def close(self) -> None:
        """Close the port."""
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (OSError, serial.SerialException):
                pass

    def _fd(self) -> int:
        if self._port is None:
            raise TransportError(f"{self.url}: not open", reason="DISCONNECTED")
        return self._port.fileno()

    async def _recv(self, timeout: float) -> bytes:
        fd = self._fd()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (data := self._read_now(fd)) is None:  # what is there already: a timeout of 0 polls
            ready: asyncio.Future[None] = loop.create_future()
            loop.add_reader(fd, wake_future, ready)
            try:
                await asyncio.wait_for(ready, max(0.0, deadline - loop.time()))
            except TimeoutError as err:
                raise TransportTimeout(f"{self.url}: no reply within {timeout:.1f}s") from err
            finally:
                loop.remove_reader(fd)
        if not data:
            raise TransportError(f"{self.url}: device went away", reason="DISCONNECTED")
        return data

    def _read_now(self, fd: int) -> bytes | None:
        """If ``fd`` polls readable, one read: the bytes (b"" when the device went away); else None.

        (Readable first: in raw mode with VMIN = 0 a read of an idle line returns b"" at once.)
        """
        try:
            if not select.select([fd], [], [], 0)[0]:
                return None
            return os.read(fd, 65536)
        except BlockingIOError:
            return None
        except OSError as err:
            raise os_error(self.url, "read", err) from err

    def unacknowledged(self) -> int:
        """Bytes we still hold plus the UART's output queue (``TIOCOUTQ``)."""
        if self._port is None:
            return len(self._out)
        try:
            raw = fcntl.ioctl(self._port.fileno(), termios.TIOCOUTQ, bytes(4))
        except OSError as err:
            raise os_error(self.url, "TIOCOUTQ", err) from err
        queued: int = struct.unpack("@i", raw)[0]
        return len(self._out) + queued

    async def _send_some(self, data: bytes, timeout: float) -> int:
        fd = self._fd()
        loop = asyncio.get_running_loop()
        while True:
            try:
                return os.write(fd, data)
            except BlockingIOError:
                pass
            except OSError as err:
                raise os_error(self.url, "write", err) from err
            ready: asyncio.Future[None] = loop.create_future()
            loop.add_writer(fd, wake_future, ready)
            try:
                await asyncio.wait_for(ready, timeout)
            except TimeoutError as err:
                raise TransportTimeout(f"{self.url}: the device took no bytes for {timeout:.1f}s") from err
            finally:
                loop.remove_writer(fd)
