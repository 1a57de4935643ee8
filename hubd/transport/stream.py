"""``tcp://host:port`` and ``unix:///path`` transports over asyncio streams.

Besides replies on the same stream (``READ``), a stream can end a job with a half-close and wait
for the peer's close (``HALF_CLOSE``: AppSocket), and can tell how many written bytes the peer
has not acknowledged yet (``ACKED``): ``SIOCOUTQ`` on the socket (TCP: sent but not ACKed by
the peer; a unix socket: not yet read by the peer), plus what is still in our buffers. A cut
cable leaves the count above 0 even after the kernel took every byte.
"""

from __future__ import annotations

import asyncio
import fcntl
import struct
import termios
from typing import Any

from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.transport.base import Caps, Transport, os_error


def outq(fd: int) -> int:
    """``SIOCOUTQ`` (= ``TIOCOUTQ``, linux/sockios.h): bytes in the socket's send queue the peer
    has not acknowledged (TCP) or not read (unix)."""
    raw = fcntl.ioctl(fd, termios.TIOCOUTQ, bytes(4))
    count: int = struct.unpack("@i", raw)[0]
    return count


class StreamTransport(Transport):
    """A TCP or unix-socket byte stream (AppSocket printers, simulators, NUT…)."""

    caps = Caps.READ | Caps.HALF_CLOSE | Caps.ACKED

    def __init__(self, url: str) -> None:
        super().__init__(url)
        p = self.parsed
        if p.scheme == "tcp" and (not p.host or p.port is None):
            raise InvalidArgument("url", f"{url!r}: tcp:// needs host:port")
        if p.scheme == "unix" and not p.path:
            raise InvalidArgument("url", f"{url!r}: unix:// needs an absolute path")
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._sock: Any = None  # asyncio's TransportSocket (fileno -1 once closed)

    @property
    def is_open(self) -> bool:
        """True while connected."""
        return self._writer is not None and not self._writer.is_closing()

    async def open(self) -> None:
        """Connect within the timeout."""
        if self.is_open:
            return
        p = self.parsed
        try:
            if p.scheme == "unix":
                coro = asyncio.open_unix_connection(p.path)
            else:
                coro = asyncio.open_connection(p.host, p.port)
            reader, writer = await asyncio.wait_for(coro, self.timeout)
        except OSError as err:
            raise os_error(self.url, "connect", err) from err
        self._reader, self._writer = reader, writer
        self._sock = writer.get_extra_info("socket")
        self._buf.clear()
        self._out.clear()

    async def close(self) -> None:
        """Close the socket."""
        writer, self._writer, self._reader, self._sock = self._writer, None, None, None
        if writer is not None:
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, TimeoutError):
                pass

    async def _recv(self, timeout: float) -> bytes:
        if self._reader is None:
            raise TransportError(f"{self.url}: not open", reason="DISCONNECTED")
        try:  # asyncio.timeout, not wait_for: with 0 a buffered read still returns (a poll)
            async with asyncio.timeout(timeout):
                data = await self._reader.read(65536)
        except TimeoutError as err:
            raise TransportTimeout(f"{self.url}: no reply within {timeout:.1f}s") from err
        except OSError as err:
            raise os_error(self.url, "read", err) from err
        if not data:
            raise TransportError(f"{self.url}: connection closed by peer", reason="DISCONNECTED")
        return data

    async def _send_some(self, data: bytes, timeout: float) -> int:
        if self._writer is None:
            raise TransportError(f"{self.url}: not open", reason="DISCONNECTED")
        try:
            self._writer.write(bytes(data))
        except OSError as err:
            raise os_error(self.url, "write", err) from err
        return len(data)

    async def _drain(self, timeout: float) -> None:
        if self._writer is None:
            raise TransportError(f"{self.url}: not open", reason="DISCONNECTED")
        transport = self._writer.transport
        if not transport.get_write_buffer_size() and not transport.is_closing():
            return  # all in the kernel already: drain would return at once (skip its timer task)
        try:
            await asyncio.wait_for(self._writer.drain(), timeout)
        except TimeoutError as err:
            raise TransportTimeout(f"{self.url}: the device took no bytes for {timeout:.1f}s") from err
        except OSError as err:
            raise os_error(self.url, "write", err) from err

    async def finish(self, timeout: float) -> None:
        """After ``flush``: end our side (FIN after the last byte) and wait for the peer to close, as
        CUPS's socket backend does: a printer that closes has read the whole job. Anything the
        peer sends meanwhile is discarded. ``TransportTimeout`` if it stays open for
        ``timeout`` seconds (call again to wait on); ``TransportError`` if it resets the
        connection (it did not take the whole job)."""
        if self._writer is None or self._reader is None:
            raise TransportError(f"{self.url}: not open", reason="DISCONNECTED")
        try:
            if self._writer.can_write_eof():
                self._writer.write_eof()  # a no-op the second time
            async with asyncio.timeout(timeout):
                while await self._reader.read(65536):
                    pass
        except TimeoutError as err:
            raise TransportTimeout(f"{self.url}: the peer did not close within {timeout:.1f}s") from err
        except OSError as err:
            raise os_error(self.url, "read", err) from err

    def unacknowledged(self) -> int:
        """Queued bytes, bytes in asyncio's buffer, and the socket's unacknowledged send queue."""
        count = self.pending
        fd = -1 if self._sock is None else self._sock.fileno()
        if fd >= 0:
            try:
                count += outq(fd)
            except OSError as err:
                raise os_error(self.url, "SIOCOUTQ", err) from err
        return count

    @property
    def pending(self) -> int:
        """Queued bytes plus what the socket has not sent yet."""
        buffered = self._writer.transport.get_write_buffer_size() if self._writer else 0
        return len(self._out) + buffered
