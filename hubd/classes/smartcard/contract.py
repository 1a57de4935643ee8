"""The smart-card device class: PC/SC readers, the cards and USB crypto tokens in them, APDUs.

A driver (today: ``drivers/pcsc`` through pcscd) reports its readers (``read_readers``), delivers
card and reader events as they happen (``subscribe``: an async iterator fed by a monitor, not by
polling), and exchanges APDUs inside a session that holds the card (``session``; exclusive by
default: no other application can talk to the card meanwhile). T=0 status words (61xx: more data,
GET RESPONSE; 6Cxx: wrong Le, resend) are handled by the driver: an ``ApduResponse`` is the
complete answer.

Errors: a card missing or removed is ``DeviceNotReady`` (reason NO_CARD / CARD_REMOVED), a card
held exclusively by another application ``DeviceNotReady`` (CARD_IN_USE), an unknown reader
``NotFound`` (READER_NOT_FOUND), pcscd down ``DeviceUnavailable`` (PCSC_UNAVAILABLE), a malformed
APDU ``InvalidArgument`` naming ``apdu``.
"""

from __future__ import annotations

import abc
import contextlib
import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass

from hubd.device import Device, DeviceClass, DeviceEvent, DeviceState

CARD_INSERTED = "CARD_INSERTED"
CARD_REMOVED = "CARD_REMOVED"
READER_ADDED = "READER_ADDED"
READER_REMOVED = "READER_REMOVED"


class ReaderKind(enum.Enum):
    """A card reader, or a USB crypto token (a reader with its card built in)."""

    READER = "reader"
    TOKEN = "token"


@dataclass(frozen=True)
class CardReader:
    """One reader as last observed."""

    name: str
    kind: ReaderKind = ReaderKind.READER
    card_present: bool = False
    atr: bytes | None = None
    exclusive: bool = False
    """Another application holds the card exclusively."""
    mute: bool = False
    """A card is in the reader but does not answer (no ATR)."""


@dataclass(frozen=True)
class SmartCardReading:
    """All readers of the PC/SC service, and whether the event monitor is running."""

    readers: tuple[CardReader, ...]
    monitor: str = ""
    """Why the event monitor is not running ("" while it runs or was never started)."""

    @property
    def tokens(self) -> tuple[CardReader, ...]:
        """The USB crypto tokens present (shown in diagnostics)."""
        return tuple(r for r in self.readers if r.kind is ReaderKind.TOKEN)

    def reader(self, name: str) -> CardReader | None:
        """The reader named ``name``, if present."""
        return next((r for r in self.readers if r.name == name), None)


@dataclass(frozen=True)
class CardEvent:
    """A card or reader came or went; ``atr`` is the inserted card's ATR."""

    kind: str
    reader: str
    atr: bytes | None = None
    after: CardReader | None = None
    """The reader as the event left it (None when it is gone, or the driver cannot tell)."""


@dataclass(frozen=True)
class ApduResponse:
    """A complete response APDU: data (all GET RESPONSE parts joined) and the final status word."""

    data: bytes
    sw1: int
    sw2: int
    exchanges: int = 1
    """How many command APDUs it took (GET RESPONSE / Le corrections included)."""

    @property
    def sw(self) -> int:
        """SW1SW2 as one number (0x9000 = success)."""
        return self.sw1 << 8 | self.sw2

    @property
    def ok(self) -> bool:
        """True for 9000."""
        return self.sw == 0x9000

    def to_bytes(self) -> bytes:
        """Data followed by SW1 SW2, as a reader returns it."""
        return self.data + bytes((self.sw1, self.sw2))


class CardSession(abc.ABC):
    """A connection to the card in one reader, inside a PC/SC transaction."""

    reader: str
    atr: bytes
    protocol: str
    """``T0`` or ``T1``, as negotiated."""

    @abc.abstractmethod
    async def transmit(self, apdu: bytes) -> ApduResponse:
        """Send one command APDU; raise DeviceNotReady(CARD_REMOVED) if the card is gone."""


class CardEventStream(abc.ABC):
    """Card events from the moment of subscription; iterate, then ``close``."""

    @abc.abstractmethod
    def __aiter__(self) -> AsyncIterator[CardEvent]:
        """Events in the order they happened."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop receiving (iteration ends)."""


class SmartCardDevice(Device):
    """Base of smart-card drivers."""

    device_class = DeviceClass.SMART_CARD

    @abc.abstractmethod
    async def read_readers(self) -> SmartCardReading:
        """The readers and their cards now (a fresh observation, not the monitor's memory)."""

    @abc.abstractmethod
    async def subscribe(self) -> CardEventStream:
        """Start the event monitor if needed; events after this call are delivered."""

    @abc.abstractmethod
    def session(
        self, reader: str, *, exclusive: bool = True
    ) -> contextlib.AbstractAsyncContextManager[CardSession]:
        """Connect to the card in ``reader`` and begin a transaction; end both on exit."""

    async def transmit(self, reader: str, apdu: bytes) -> ApduResponse:
        """One APDU in its own shared session (a transaction for just this exchange)."""
        async with self.session(reader, exclusive=False) as card:
            return await card.transmit(apdu)

    async def poll(self) -> SmartCardReading:
        """The supervisor's poll reads the readers."""
        return await self.read_readers()

    def assess(self, reading: object) -> tuple[DeviceState, str, str]:
        """Available with at least one reader; the detail names cards and tokens present."""
        assert isinstance(reading, SmartCardReading)
        if not reading.readers:
            return DeviceState.UNAVAILABLE, "NO_READER", "no smart-card reader is connected"
        cards = sum(r.card_present for r in reading.readers if r.kind is ReaderKind.READER)
        detail = f"{len(reading.readers)} reader(s), {cards} card(s), {len(reading.tokens)} token(s)"
        return DeviceState.AVAILABLE, "", detail

    def events_between(self, old: object | None, new: object) -> list[DeviceEvent]:
        """None: card and reader events come from the driver's monitor as they happen
        (``subscribe``; the class's runner publishes them), not from comparing polls, which would
        miss a card swapped between two polls and repeat what the monitor already said."""
        return []
