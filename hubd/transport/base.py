"""Transport base: a byte link with timeouts, opened by URL; OS errors are converted here, once."""

from __future__ import annotations

import abc
import asyncio
import enum
import errno
import logging
from collections.abc import Mapping
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from hubd.errors import InvalidArgument, TransportError, TransportTimeout

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0
_ERRNO_REASONS = {
    errno.ECONNREFUSED: "CONNECTION_REFUSED",
    errno.ENOENT: "NO_SUCH_DEVICE",
    errno.ENODEV: "NO_SUCH_DEVICE",
    errno.ENXIO: "NO_SUCH_DEVICE",
    errno.EACCES: "PERMISSION_DENIED",
    errno.EPERM: "PERMISSION_DENIED",
    errno.EBUSY: "DEVICE_BUSY",
    errno.EAGAIN: "DEVICE_BUSY",
    errno.EIO: "IO_ERROR",
    errno.EPIPE: "DISCONNECTED",
    errno.ECONNRESET: "DISCONNECTED",
    errno.EHOSTUNREACH: "HOST_UNREACHABLE",
    errno.ENETUNREACH: "HOST_UNREACHABLE",
}


def wake_future(fut: asyncio.Future[None]) -> None:
    """An fd-readiness callback: resolve ``fut`` once."""
    if not fut.done():
        fut.set_result(None)


def os_error(url: str, action: str, err: OSError) -> TransportError:
    """The one conversion of an ``OSError`` into a ``TransportError`` with a reason."""
    if isinstance(err, TimeoutError):
        return TransportTimeout(f"{url}: {action} timed out")
    reason = _ERRNO_REASONS.get(err.errno or 0, "IO_ERROR")
    detail = err.strerror or str(err) or type(err).__name__
    return TransportError(f"{url}: {action} failed: {detail}", reason=reason)


class ParsedUrl:
    """A transport URL split into scheme, host, port, path and query options."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if not parts.scheme:
            raise InvalidArgument("url", f"{url!r} has no scheme (like serial:// or tcp://)")
        self.url = url
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        try:
            self.port = parts.port
        except ValueError as err:
            raise InvalidArgument("url", f"{url!r}: bad port") from err
        self.username = unquote(parts.username) if parts.username else ""
        self.path = unquote(parts.path)
        self.query: Mapping[str, str] = dict(parse_qsl(parts.query))

    def number(self, key: str, default: float) -> float:
        """A numeric query option, or ``default``; a non-number is INVALID_ARGUMENT."""
        raw = self.query.get(key)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError as err:
            raise InvalidArgument("url", f"{self.url!r}: {key}={raw!r} is not a number") from err


class Caps(enum.Flag):
    """What a transport can do beyond carrying bytes out; drivers ask these, never ``isinstance``."""

    NONE = 0
    READ = enum.auto()
    """Replies come back on the same link (DLE EOT, Q1, NUT)."""
    PORT_STATUS = enum.auto()
    """An out-of-band status byte (usblp ``LPGETSTATUS``, USB ``GET_PORT_STATUS``): ``port_status()``."""
    SPOOLED = enum.auto()
    """A spooler takes whole jobs and owns delivery (``cups://``): ``submit()``, ``queue_state()``."""
    HALF_CLOSE = enum.auto()
    """End of job is our FIN after the last byte, then the peer's close (AppSocket): ``finish()``."""
    ACKED = enum.auto()
    """Can tell how many written bytes the peer has not yet taken (``SIOCOUTQ``, ``TIOCOUTQ``, a
    completed USB transfer): ``unacknowledged()``."""


class SpoolerState(Protocol):
    """A spooler queue as ``queue_state()`` reports it (``cups.QueueState`` is one)."""

    @property
    def state(self) -> str:
        """``idle``, ``processing`` or ``stopped``."""

    @property
    def message(self) -> str:
        """The queue's state message (a backend's or an admin's words)."""

    @property
    def reasons(self) -> tuple[str, ...]:
        """printer-state-reasons (``paused``, ``media-empty-error``...)."""

    @property
    def accepting(self) -> bool | None:
        """Whether the queue accepts new jobs (None if unknown)."""


def not_supported(url: str, what: str) -> TransportError:
    """The error a transport raises for a capability it does not declare."""
    return TransportError(f"{url}: this link has no {what}", reason="NOT_SUPPORTED")


class Transport(abc.ABC):
    """A byte stream to a device. ``open`` is idempotent; every read and write has a timeout.

    ``caps`` says what else it can do (``Caps``); the optional methods below raise
    ``TransportError`` NOT_SUPPORTED on a transport without the capability.
    """

    caps: Caps = Caps.NONE

    def __init__(self, url: str) -> None:
        self.url = url
        self.parsed = ParsedUrl(url)
        self.timeout = self.parsed.number("timeout", DEFAULT_TIMEOUT)
        self._buf = bytearray()
        self._out = bytearray()
        self._lock = asyncio.Lock()

    @property
    @abc.abstractmethod
    def is_open(self) -> bool:
        """True while the link is open."""

    @abc.abstractmethod
    async def open(self) -> None:
        """Open the link (no-op when open); raise ``TransportError``."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the link; never raises."""

    @abc.abstractmethod
    async def _recv(self, timeout: float) -> bytes:
        """Return at least one byte; raise ``TransportTimeout`` or ``TransportError`` (EOF)."""

    @abc.abstractmethod
    async def _send_some(self, data: bytes, timeout: float) -> int:
        """Write at least one byte of ``data`` and return how many; ``TransportTimeout`` if the
        device takes none within ``timeout``; ``TransportError`` if the link failed."""

    async def _drain(self, timeout: float) -> None:
        """Wait until bytes accepted by ``_send_some`` have left our buffers (streams)."""

    @property
    def pending(self) -> int:
        """Bytes accepted by ``write`` but not yet taken by the device."""
        return len(self._out)

    async def write(self, data: bytes, timeout: float | None = None) -> None:
        """Open if needed, queue ``data`` and flush it.

        ``TransportTimeout`` means the device stopped taking bytes (paper out, offline): the rest
        stays queued, in order, and the link stays open, so a later ``flush`` carries on where it
        stopped — nothing lost, nothing sent twice. ``TransportError`` closes the link and drops
        what was queued.
        """
        await self.open()
        self._out += data
        await self.flush(timeout)

    async def flush(self, timeout: float | None = None) -> None:
        """Send what ``write`` queued; each wait for the device is bounded by ``timeout``."""
        limit = self.timeout if timeout is None else timeout
        try:
            while self._out:
                # a copy: a view kept alive by an exception traceback would pin the buffer
                sent = await self._send_some(bytes(self._out[:65536]), limit)
                del self._out[:sent]
            await self._drain(limit)
        except TransportTimeout:
            raise
        except TransportError:
            self._out.clear()
            await self.close()
            raise

    async def read(self, max_bytes: int = 4096, timeout: float | None = None) -> bytes:
        """Read what is available (at least one byte) up to ``max_bytes``."""
        if not self._buf:
            self._buf += await self._recv_or_close(self.timeout if timeout is None else timeout)
        out = bytes(self._buf[:max_bytes])
        del self._buf[:max_bytes]
        return out

    async def read_until(
        self, terminator: bytes, timeout: float | None = None, limit: int = 4096
    ) -> bytes:
        """Read up to and including ``terminator`` within ``timeout`` seconds in total."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        while (idx := self._buf.find(terminator)) < 0:
            if len(self._buf) > limit:
                self._buf.clear()
                raise TransportError(f"{self.url}: no terminator in {limit} bytes", reason="OVERRUN")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TransportTimeout(f"{self.url}: no reply within the timeout")
            self._buf += await self._recv_or_close(remaining)
        end = idx + len(terminator)
        out = bytes(self._buf[:end])
        del self._buf[:end]
        return out

    async def request(self, data: bytes, until: bytes, timeout: float | None = None) -> bytes:
        """Discard stale input, send ``data`` and read the reply up to ``until`` (serialised)."""
        async with self._lock:
            await self.open()
            self._buf.clear()
            await self.write(data, timeout)
            try:
                return await self.read_until(until, timeout)
            except (TransportTimeout, asyncio.CancelledError):
                # A late reply would otherwise be read as the answer to the next request.
                await self.close()
                raise

    async def _recv_or_close(self, timeout: float) -> bytes:
        """Receive; on a hard error close the link so the next call reopens it."""
        try:
            return await self._recv(timeout)
        except TransportTimeout:
            raise
        except TransportError:
            await self.close()
            raise

    def use_default_timeout(self, timeout: float | None) -> None:
        """Take ``timeout`` (the device's) unless the URL sets its own ``timeout=``."""
        if timeout is not None and "timeout" not in self.parsed.query:
            self.timeout = float(timeout)

    # -- what a capability flag promises (NOT_SUPPORTED without it) -----------------------------

    async def port_status(self) -> int | None:
        """``PORT_STATUS``: the printer's port status byte now; None when the device file has none."""
        raise not_supported(self.url, "port status")

    async def finish(self, timeout: float) -> None:
        """``HALF_CLOSE``: end our side after the last byte and wait up to ``timeout`` for the peer
        to close (it then has read everything); ``TransportTimeout`` if it stays open,
        ``TransportError`` if it resets. Safe to call again after a timeout."""
        raise not_supported(self.url, "half-close")

    def unacknowledged(self) -> int:
        """``ACKED``: bytes written that the peer has not yet taken (ours still queued included);
        0 means the device, not a buffer of ours or the kernel's, holds every byte."""
        raise not_supported(self.url, "acknowledgement count")

    async def submit(self, title: str) -> str:
        """``SPOOLED``: hand the bytes written since ``open`` to the spooler as one job; its id."""
        raise not_supported(self.url, "spooler")

    async def queue_state(self) -> SpoolerState:
        """``SPOOLED``: the spooler queue's state."""
        raise not_supported(self.url, "spooler")

    async def __aenter__(self) -> Transport:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
