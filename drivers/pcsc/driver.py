"""Smart-card readers and USB tokens through pcscd (pyscard's ``smartcard.scard``, imported lazily).

URL: ``pcsc://`` (the system pcscd) or ``pcsc:///path/to/pcscd.comm`` (a private pcscd). libpcsclite
reads the socket path from ``PCSCLITE_CSOCK_NAME`` once per process, so one process talks to one
pcscd: a second, different path is refused. Card commands run on one worker thread with its own
PC/SC context; card events come from a monitor thread blocked in SCardGetStatusChange (see
``monitor.py``), never from a polling loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, TypeVar

from hubd.classes.smartcard.contract import (
    ApduResponse,
    CardEventStream,
    CardReader,
    CardSession,
    SmartCardDevice,
    SmartCardReading,
)
from hubd.driver_api import (
    DeviceNotReady,
    DeviceUnavailable,
    HubError,
    InvalidArgument,
    ParsedUrl,
    ProtocolError,
)
from kioskhub.drivers.pcsc import protocol
from kioskhub.drivers.pcsc.monitor import CardMonitor, EventStream, scard_module

log = logging.getLogger(__name__)
T = TypeVar("T")
SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
REMOVAL_WAIT_MS = 2000
"""How long a failed exchange waits to learn whether the card was pulled (pcscd polls ~0.4 s)."""
_socket_lock = threading.Lock()
_socket_in_use: str | None = None


def use_socket(path: str) -> None:
    """Point this process's libpcsclite at ``path`` (before its first context); refuse a second one."""
    global _socket_in_use
    with _socket_lock:
        current = _socket_in_use or os.environ.get(SOCKET_ENV, "")
        if _socket_in_use is not None and path != current:
            raise InvalidArgument("url", f"this process already uses pcscd at {current!r}")
        if path:
            os.environ[SOCKET_ENV] = path
        _socket_in_use = path or current


class PcscSession(CardSession):
    """A connected card inside a PC/SC transaction; APDUs run on the device's worker thread."""

    def __init__(self, device: PcscDevice, handle: Any, proto: int, reader: str, atr: bytes) -> None:
        self._device, self._handle, self._proto = device, handle, proto
        self.reader, self.atr = reader, atr
        self.protocol = "T0" if proto == 1 else "T1"

    async def transmit(self, apdu: bytes) -> ApduResponse:
        """Send ``apdu``; follow 61xx with GET RESPONSE and 6Cxx with the corrected Le."""
        exchange = protocol.Exchange(apdu)
        command: bytes | None = exchange.first()
        while command is not None:
            reply = await self._device.run(self._device.transmit_raw, self._handle, self._proto, command,
                                           self.reader)
            command = exchange.feed(reply)
        assert exchange.result is not None
        return exchange.result


class PcscDevice(SmartCardDevice):
    """Every reader of one pcscd: cards, USB crypto tokens, APDUs, card events."""

    OPTIONS: ClassVar = {}
    DEFAULT_TIMEOUT: ClassVar[float] = 3.0

    def __init__(self, device_id: str, url: str, options: dict[str, object] | None = None, *,
                 timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        parsed = ParsedUrl(url)
        if parsed.scheme != "pcsc" or parsed.host:
            raise InvalidArgument("url", f"{url!r}: use pcsc:// or pcsc:///path/to/pcscd.comm")
        use_socket(parsed.path)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"pcsc-{device_id}")
        self._ctx: Any = None
        self._monitor: CardMonitor | None = None

    # ------------------------------------------------------------------ worker thread
    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the worker thread (the only thread using the worker's context)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _context(self) -> Any:
        scard = scard_module()
        if self._ctx is None:
            hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hr != protocol.SCARD_S_SUCCESS:
                raise protocol.pcsc_error(hr, "connecting to pcscd")
            self._ctx = ctx
        return self._ctx

    def _check(self, hr: int, doing: str, reader: str = "") -> None:
        if hr == protocol.SCARD_S_SUCCESS:
            return
        err = protocol.pcsc_error(hr, doing, reader)
        if err.reason == "PCSC_UNAVAILABLE" or hr == 0x80100003:  # invalid handle: pcscd restarted
            self._drop_context()
        raise err

    def _drop_context(self) -> None:
        if self._ctx is not None:
            with contextlib.suppress(Exception):
                scard_module().SCardReleaseContext(self._ctx)
            self._ctx = None

    def _read(self) -> SmartCardReading:
        scard = scard_module()
        ctx = self._context()
        hr, names = scard.SCardListReaders(ctx, [])
        if hr == protocol.SCARD_E_NO_READERS_AVAILABLE:
            names = []
        else:
            self._check(hr, "listing readers")
        readers: tuple[CardReader, ...] = ()
        if names:
            hr, states = scard.SCardGetStatusChange(ctx, 0, [(n, scard.SCARD_STATE_UNAWARE) for n in names])
            self._check(hr, "reading reader states")
            readers = tuple(protocol.reader_from_state(n, s, bytes(a)) for n, s, a in states)
        problem = self._monitor.problem if self._monitor else ""
        return SmartCardReading(readers, monitor=problem)

    def _connect(self, reader: str, exclusive: bool) -> tuple[Any, int, bytes]:
        scard = scard_module()
        share = scard.SCARD_SHARE_EXCLUSIVE if exclusive else scard.SCARD_SHARE_SHARED
        hr, handle, proto = scard.SCardConnect(self._context(), reader, share,
                                               scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        self._check(hr, "connecting to the card", reader)
        try:
            hr, _, _, _, atr = scard.SCardStatus(handle)
            self._check(hr, "reading the card status", reader)
            self._check(scard.SCardBeginTransaction(handle), "beginning a transaction", reader)
        except HubError:
            scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
            raise
        return handle, proto, bytes(atr)

    def _disconnect(self, handle: Any) -> None:
        scard = scard_module()
        hr = scard.SCardEndTransaction(handle, scard.SCARD_LEAVE_CARD)
        if hr != protocol.SCARD_S_SUCCESS:
            log.debug("%s: end of transaction: 0x%08X", self.id, hr & 0xFFFFFFFF)
        scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)

    def transmit_raw(self, handle: Any, proto: int, command: bytes, reader: str) -> bytes:
        """One SCardTransmit (worker thread); a card gone meanwhile is DeviceNotReady(CARD_REMOVED)."""
        scard = scard_module()
        hr, reply = scard.SCardTransmit(handle, proto, list(command))
        if hr == protocol.SCARD_S_SUCCESS and len(reply) >= 2:
            return bytes(reply)
        # vpcd (and some readers) report success with no bytes when the card vanished mid-exchange.
        broken = hr in protocol.LINK_FAILED or hr == protocol.SCARD_S_SUCCESS
        if hr in protocol.CARD_GONE or (broken and self._card_gone(reader)):
            raise DeviceNotReady(f"the card was removed from {reader!r} during the transaction",
                                 reason="CARD_REMOVED", metadata={"reader": reader})
        self._check(hr, "sending an APDU", reader)
        raise ProtocolError(f"the card in {reader!r} answered {len(reply)} byte(s), not a response APDU")

    def _card_gone(self, reader: str) -> bool:
        """After a failed exchange: is the card out? pcscd notices a removal on its next presence
        check, so wait (bounded, event-driven) for the reader's state to change from present."""
        scard = scard_module()
        hr, states = scard.SCardGetStatusChange(self._context(), 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        if hr != protocol.SCARD_S_SUCCESS:
            return False
        state = states[0][1] & ~protocol.STATE_CHANGED
        if state & protocol.STATE_PRESENT:
            hr, states = scard.SCardGetStatusChange(self._context(), REMOVAL_WAIT_MS, [(reader, state)])
            if hr != protocol.SCARD_S_SUCCESS:
                return False
            state = states[0][1]
        return not state & protocol.STATE_PRESENT

    # ------------------------------------------------------------------ contract
    async def read_readers(self) -> SmartCardReading:
        """Readers and their cards as pcscd reports them now."""
        return await self.run(self._read)

    async def subscribe(self) -> CardEventStream:
        """Start the monitor (once) and wait until it has its baseline; then events flow."""
        if self._monitor is None or not self._monitor.is_alive():
            self._monitor = CardMonitor(self.id)
            self._monitor.start()
        stream = EventStream(self._monitor, asyncio.get_running_loop())
        ok = await asyncio.get_running_loop().run_in_executor(None, self._monitor.baseline.wait, self.timeout)
        if not ok:
            stream.close()
            raise DeviceUnavailable(f"card monitor not running: {self._monitor.problem or 'starting'}",
                                    reason="PCSC_UNAVAILABLE")
        return stream

    @contextlib.asynccontextmanager
    async def session(self, reader: str, *, exclusive: bool = True) -> AsyncIterator[CardSession]:
        """Connect (exclusively by default) and hold a transaction while the block runs."""
        handle, proto, atr = await self.run(self._connect, reader, exclusive)
        try:
            yield PcscSession(self, handle, proto, reader, atr)
        finally:
            await self.run(self._disconnect, handle)

    async def close(self) -> None:
        """Stop the monitor, release the context, end the worker thread."""
        if self._monitor is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._monitor.stop)
            self._monitor = None
        await self.run(self._drop_context)
        self._executor.shutdown(wait=False)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"pcsc-{self.id}")
