"""The smart-card class's runner: card events onto the hub's bus, and one card session per lease.

For every smart-card device a supervised task follows the driver's monitor (``subscribe``) and
publishes CARD_INSERTED / CARD_REMOVED / READER_ADDED / READER_REMOVED with the reader as it is
after the event (``ReaderChange``, the ``card_reader`` arm of ``Event.payload``).

APDUs of one lease run in one card session: the first APDU connects to the card (exclusively,
unless ``[smartcard] exclusive = false``) and the session stays open for the lease's next APDUs,
so a SELECT holds for what follows. It ends when the lease is released or expires, when the card
or reader goes, when an exchange fails, or when another lease (or reader) is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from hubd.classes.smartcard.contract import (
    CARD_REMOVED,
    READER_REMOVED,
    ApduResponse,
    CardEvent,
    CardReader,
    CardSession,
    SmartCardDevice,
    SmartCardReading,
)
from hubd.config import HubConfig
from hubd.device import DeviceState
from hubd.errors import DeviceNotReady, DeviceUnavailable, HubError, InvalidArgument
from hubd.leases import Lease
from hubd.tasks import supervise

if TYPE_CHECKING:
    from hubd.app import Hub
    from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
LEASE_ENDS = frozenset({"LEASE_RELEASED", "LEASE_EXPIRED"})


@dataclass(frozen=True)
class SmartCardConfig:
    """``[smartcard]``: how a lease holds the card."""

    exclusive: bool = True

    @classmethod
    def from_config(cls, config: HubConfig) -> SmartCardConfig:
        """The ``[smartcard]`` section, checked."""
        return cls(bool(config.section("smartcard")["exclusive"]))


@dataclass(frozen=True)
class ReaderChange:
    """The payload of a card event: the reader as the event left it."""

    kind: str
    device_id: str
    reader: CardReader
    time: datetime


@dataclass(frozen=True)
class Transmitted:
    """An APDU's complete response, and the session it went through."""

    reader: str
    response: ApduResponse
    session_started: bool
    atr: bytes


@dataclass
class _Open:
    lease_id: str
    reader: str
    session: CardSession
    stack: contextlib.AsyncExitStack


def runner(hub: Hub) -> CardSessions:
    """The smart-card class's runner."""
    return CardSessions(hub, SmartCardConfig.from_config(hub.config))


def device_of(sup: Supervisor) -> SmartCardDevice:
    """``sup``'s driver, or UNAVAILABLE with the reason it is missing (pcscd not installed)."""
    if not isinstance(sup.device, SmartCardDevice):
        raise DeviceUnavailable(sup.reason_detail or "not a smart-card device",
                                reason=sup.status.reason or "DEVICE_UNAVAILABLE")
    return sup.device


class CardSessions:
    """Publishes card events and keeps each lease's card session."""

    def __init__(self, hub: Hub, config: SmartCardConfig) -> None:
        self.hub = hub
        self.config = config
        self._open: dict[str, _Open] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: list[asyncio.Task[None]] = []

    # -- life ----------------------------------------------------------------------------------

    async def start(self, devices: list[Supervisor]) -> None:
        """Follow every smart-card device's monitor, and the leases (supervised tasks)."""
        for sup in devices:
            if isinstance(sup.device, SmartCardDevice):
                follow = functools.partial(self._follow_cards, sup)
                task, _ = supervise(f"card-events:{sup.id}", follow, self.hub.clock)
                self._tasks.append(task)
        task, _ = supervise("card-sessions", self._follow_leases, self.hub.clock)
        self._tasks.append(task)

    async def stop(self) -> None:
        """Stop following and end every open session."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for device_id in list(self._open):
            await self._close(device_id)

    async def _follow_cards(self, sup: Supervisor) -> None:
        """Publish the monitor's events while the device is observed working; when its stream
        ends (the supervisor closed the driver after a failed poll), wait until it works again.
        A failure to subscribe restarts this with backoff."""
        device = device_of(sup)
        while True:
            if sup.status.state is not DeviceState.AVAILABLE:
                if not await self.hub.wait_changed(sup):
                    return  # the hub is stopping
                continue
            stream = await device.subscribe()
            try:
                async for event in stream:
                    await self._card_event(sup.id, event)
            finally:
                stream.close()

    async def _card_event(self, device_id: str, event: CardEvent) -> None:
        after = event.after or CardReader(event.reader)
        change = ReaderChange(event.kind, device_id, after, self.hub.clock.now())
        attributes = {"reader": event.reader}
        if event.atr:
            attributes["atr"] = event.atr.hex()
        self.hub.bus.publish(event.kind, device_id, attributes=attributes, payload=change)
        current = self._open.get(device_id)
        if current is not None and current.reader == event.reader and event.kind in (CARD_REMOVED,
                                                                                     READER_REMOVED):
            async with self._lock(device_id):
                await self._close(device_id)

    async def _follow_leases(self) -> None:
        """End a lease's card session as soon as the lease ends."""
        try:
            async for event in self.hub.bus.subscribe():
                if event.type in LEASE_ENDS and isinstance(event.payload, Lease):
                    current = self._open.get(event.device_id)
                    if current is not None and current.lease_id == event.payload.lease_id:
                        async with self._lock(event.device_id):
                            await self._close(event.device_id)
        except DeviceUnavailable:
            if not self.hub.bus.closed:
                raise

    # -- sessions ------------------------------------------------------------------------------

    def _lock(self, device_id: str) -> asyncio.Lock:
        return self._locks.setdefault(device_id, asyncio.Lock())

    async def _close(self, device_id: str) -> None:
        """End a device's open session (the caller holds its lock); never raises."""
        current = self._open.pop(device_id, None)
        if current is None:
            return
        try:
            await current.stack.aclose()
        except HubError as err:  # the card or pcscd is gone: nothing left to end
            log.debug("%s: ending the card session: %s", device_id, err.reason)

    async def _reader_for(self, device: SmartCardDevice, device_id: str, wanted: str) -> str:
        if wanted:
            return wanted
        current = self._open.get(device_id)
        if current is not None:
            return current.reader
        return pick_reader(await device.read_readers())

    async def transmit(self, sup: Supervisor, lease_id: str, reader: str, apdu: bytes) -> Transmitted:
        """Send ``apdu`` in the lease's session (opened now if it has none); a failed exchange
        ends the session. The caller checked the lease."""
        device = device_of(sup)
        async with self._lock(sup.id):
            name = await self._reader_for(device, sup.id, reader)
            current = self._open.get(sup.id)
            if current is not None and (current.lease_id != lease_id or current.reader != name):
                await self._close(sup.id)
                current = None
            started = current is None
            if current is None:
                stack = contextlib.AsyncExitStack()
                session = await stack.enter_async_context(
                    device.session(name, exclusive=self.config.exclusive))
                current = self._open[sup.id] = _Open(lease_id, name, session, stack)
            try:
                response = await current.session.transmit(apdu)
            except InvalidArgument:
                raise  # a malformed APDU never reached the card: the session goes on
            except Exception:
                await self._close(sup.id)
                raise
            return Transmitted(name, response, started, current.session.atr)

    async def readers(self, sup: Supervisor) -> SmartCardReading:
        """The device's readers, read now; the card in the lease's own session is not shown as
        held by another application (PC/SC sees the hub's exclusive hold)."""
        reading = await device_of(sup).read_readers()
        current = self._open.get(sup.id)
        if current is None:
            return reading
        return replace(reading, readers=tuple(
            replace(r, exclusive=False) if r.name == current.reader else r for r in reading.readers))


def pick_reader(reading: SmartCardReading) -> str:
    """The only reader, else the only reader holding a card."""
    if not reading.readers:
        raise DeviceNotReady("no smart-card reader is connected", reason="NO_READER")
    if len(reading.readers) == 1:
        return reading.readers[0].name
    with_card = [r.name for r in reading.readers if r.card_present]
    if len(with_card) == 1:
        return with_card[0]
    if not with_card:
        raise DeviceNotReady("no reader holds a card", reason="NO_CARD")
    raise InvalidArgument("card_reader_id", f"required: several readers hold cards ({', '.join(with_card)})")
