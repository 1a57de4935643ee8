"""The connections a simulator serves: a TCP or unix socket, a pty master, a FIFO (usblp).

A ``Port`` is one connection from a host with its protocol session (e.g. a line buffer):
``read()`` returns at least one byte, or b"" when the host went away; ``write()`` sends.
A pty stands in for a serial port (the host opens the slave); a FIFO stands in for a printer's
/dev/usb/lp0 (the host opens it for writing, one job per open).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import os
import socket
import struct
from typing import Any

log = logging.getLogger(__name__)


class Port(abc.ABC):
    """One connection from a host, with its protocol session (e.g. a line buffer)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    @abc.abstractmethod
    async def read(self) -> bytes:
        """At least one byte, or b"" when the host went away."""

    @abc.abstractmethod
    async def write(self, data: bytes) -> None:
        """Send ``data``."""

    async def close(self) -> None:
        """End the connection (nothing to do for a pty: its fds live until ``stop``)."""

    async def abort(self) -> None:
        """End the connection the way a device that lost power does (a stream resets)."""
        await self.close()


class StreamPort(Port):
    """A TCP or unix-socket connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: Any):
        super().__init__(session)
        self.reader, self.writer = reader, writer

    async def read(self) -> bytes:
        """Whatever arrived (b"" at EOF)."""
        return await self.reader.read(4096)

    async def write(self, data: bytes) -> None:
        """Write and drain."""
        self.writer.write(data)
        await self.writer.drain()

    async def close(self) -> None:
        """Close the socket."""
        self.writer.close()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await self.writer.wait_closed()

    async def abort(self) -> None:
        """Reset the connection (RST, not FIN): the host sees that the job did not get through."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()
        await self.close()


async def _readable(fd: int) -> None:
    """Wait until ``fd`` polls readable."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    loop.add_reader(fd, _wake, ready)
    try:
        await ready
    finally:
        loop.remove_reader(fd)


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class PtyPort(Port):
    """The master side of a pty; the host opens the slave like a serial port."""

    def __init__(self, fd: int, session: Any) -> None:
        super().__init__(session)
        self.fd = fd

    async def read(self) -> bytes:
        """Wait until the host wrote something."""
        while True:
            try:
                return os.read(self.fd, 4096)
            except BlockingIOError:
                pass
            await _readable(self.fd)

    def discard_input(self) -> None:
        """Throw away what the host wrote and nobody read yet (a printer that lost power)."""
        try:
            while os.read(self.fd, 65536):
                pass
        except (BlockingIOError, OSError):
            pass

    async def write(self, data: bytes) -> None:
        """Write; like a UART nobody reads, bytes that do not fit are lost."""
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.fd, view) :]
            except BlockingIOError:
                log.debug("pty input queue full: %d bytes dropped", len(view))
                return


class FifoPort(Port):
    """The read end of a FIFO standing in for /dev/usb/lp0; b"" when the writer closed it.

    At that end of a job the read end for the next writer is opened before this one closes
    (``next_fd``), so a writer never finds the FIFO without a reader (ENXIO).
    """

    def __init__(self, path: str, session: object, fd: int | None = None) -> None:
        super().__init__(session)
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK) if fd is None else fd
        self.next_fd = -1

    async def read(self) -> bytes:
        """Wait for bytes; b"" when the writer closed it.

        Readiness comes first: before any writer opened the FIFO, read() would return b"" at
        once, but poll() reports nothing until a writer wrote or came and went.
        """
        while True:
            await _readable(self.fd)
            try:
                data = os.read(self.fd, 4096)
            except BlockingIOError:
                continue
            if not data and self.next_fd < 0:
                self.next_fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            return data

    async def write(self, data: bytes) -> None:
        """A printer sends nothing back on the data channel."""

    async def close(self) -> None:
        """Close the read end (a writer then gets EPIPE)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
