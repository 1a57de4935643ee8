"""``usblp:///dev/usb/lp0``: a USB printer through the Linux usblp character device.

The data channel is write-only: bytes written to the device file go to the printer's bulk OUT
endpoint. Writes are non-blocking and wait for the device to become writable through the event
loop, so a printer that stops taking bytes (paper out, off line) gives ``TransportTimeout``
while the unsent rest stays queued (see ``Transport.flush``). Paper-out and off-line are read
out of band with the ``LPGETSTATUS`` ioctl (0x060b, protocols.md §1.3), which returns the USB
printer class port status byte (bit5 PaperEmpty, bit4 Select, bit3 NotError). A file that is
not a usblp device (a FIFO or pty standing in for one in tests) answers ENOTTY: no status.

usblp lets one process open the device at a time (EBUSY otherwise), so the fd stays open
across jobs and status reads until ``close``.

``unacknowledged()``: usblp has one write in flight at a time and polls writable once the
printer has taken it (its bulk transfer completed), so 0 means the printer holds every byte;
otherwise 1 stands for "some" (the driver does not say how many). A FIFO standing in for the
device answers ``FIONREAD``: the bytes its reader has not taken yet.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import select
import struct
import termios

from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.transport.base import Caps, Transport, os_error, wake_future

log = logging.getLogger(__name__)

LPGETSTATUS = 0x060B
_NO_IOCTL = frozenset({errno.ENOTTY, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOSYS})


class UsblpTransport(Transport):
    """A write-only printer device file with out-of-band port status."""

    caps = Caps.PORT_STATUS | Caps.ACKED

    def __init__(self, url: str) -> None:
        super().__init__(url)
        if self.parsed.host or not self.parsed.path.startswith("/"):
            raise InvalidArgument("url", f"{url!r}: usblp:// needs an absolute path, like usblp:///dev/usb/lp0")
        self.path = self.parsed.path
        self._fd = -1

    @property
    def is_open(self) -> bool:
        """True while the device file is open."""
        return self._fd >= 0

    async def open(self) -> None:
        """Open the device file write-only and non-blocking (a FIFO with no reader: ENXIO)."""
        if self._fd >= 0:
            return
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        except OSError as err:
            raise os_error(self.url, "open", err) from err
        self._buf.clear()
        self._out.clear()

    async def close(self) -> None:
        """Close the device file."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError as err:
                log.debug("%s: close: %s", self.url, err)

    async def _recv(self, timeout: float) -> bytes:
        raise TransportError(f"{self.url}: the printer data channel is write-only", reason="WRITE_ONLY")

    async def _send_some(self, data: bytes, timeout: float) -> int:
        if self._fd < 0:
            raise TransportError(f"{self.url}: not open", reason="DISCONNECTED")
        fd = self._fd
        loop = asyncio.get_running_loop()
        failure: TransportError | None = None
        while failure is None:
            try:
                return os.write(fd, data)
            except BlockingIOError:
                pass
            except OSError as err:
                failure = os_error(self.url, "write", err)
                failure.__cause__ = err
                break
            ready: asyncio.Future[None] = loop.create_future()
            loop.add_writer(fd, wake_future, ready)
            try:
                await asyncio.wait_for(ready, timeout)
            except TimeoutError:
                failure = TransportTimeout(f"{self.url}: the printer took no bytes for {timeout:.1f}s")
            finally:
                loop.remove_writer(fd)
        # The traceback keeps this frame alive: drop the view of the caller's buffer first, or
        # the caller could not resize it (BufferError) while it handles the error.
        del data
        raise failure

    async def port_status(self) -> int | None:
        """The port status byte from ``LPGETSTATUS``; None when the file has no such ioctl.

        Opens the device if needed; a device that is gone raises ``TransportError``.
        """
        await self.open()
        try:  # usblp asks the printer over USB (up to 5 s when it hangs): not on the event loop
            raw = await asyncio.to_thread(fcntl.ioctl, self._fd, LPGETSTATUS, bytes(4))
        except OSError as err:
            if err.errno in _NO_IOCTL:
                return None
            await self.close()
            raise os_error(self.url, "LPGETSTATUS", err) from err
        status: int = struct.unpack("@i", raw)[0]
        return status & 0xFF

    def unacknowledged(self) -> int:
        """Bytes we hold, plus what the device has not taken: a FIFO's unread count, or 1 while a
        usblp write is still in flight (its fd not yet writable)."""
        held = len(self._out)
        if self._fd < 0:
            return held
        try:
            raw = fcntl.ioctl(self._fd, termios.FIONREAD, bytes(4))
        except OSError as err:
            if err.errno not in _NO_IOCTL:
                raise os_error(self.url, "FIONREAD", err) from err
        else:
            unread: int = struct.unpack("@i", raw)[0]
            return held + unread
        try:
            _, writable, _ = select.select([], [self._fd], [], 0)
        except (OSError, ValueError) as err:
            raise TransportError(f"{self.url}: poll failed: {err}", reason="IO_ERROR") from err
        return held + (0 if writable else 1)
