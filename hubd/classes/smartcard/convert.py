"""Conversions for ``kioskhub.v1.SmartCardService`` (and the ``card_reader`` arm of
``Event.payload``)."""

from __future__ import annotations

from hubd.classes.smartcard.contract import (
    CARD_INSERTED,
    CARD_REMOVED,
    READER_ADDED,
    READER_REMOVED,
    CardReader,
    ReaderKind,
)
from hubd.classes.smartcard.sessions import ReaderChange, Transmitted
from hubd.rpc.convert import timestamp
from kioskhub.v1 import smartcard_pb2

_KIND = {ReaderKind.READER: smartcard_pb2.CardReader.KIND_READER,
         ReaderKind.TOKEN: smartcard_pb2.CardReader.KIND_TOKEN}
_EVENT = {
    CARD_INSERTED: smartcard_pb2.CardEvent.KIND_CARD_INSERTED,
    CARD_REMOVED: smartcard_pb2.CardEvent.KIND_CARD_REMOVED,
    READER_ADDED: smartcard_pb2.CardEvent.KIND_READER_ADDED,
    READER_REMOVED: smartcard_pb2.CardEvent.KIND_READER_REMOVED,
}


def reader_to_pb(device_id: str, reader: CardReader) -> smartcard_pb2.CardReader:
    """One reader."""
    return smartcard_pb2.CardReader(
        card_reader_id=reader.name, device_id=device_id, kind=_KIND[reader.kind],
        card_present=reader.card_present, atr=reader.atr or b"", exclusive=reader.exclusive,
        mute=reader.mute,
    )


def card_event_to_pb(change: ReaderChange) -> smartcard_pb2.CardEvent:
    """A card event with the reader as it left it."""
    return smartcard_pb2.CardEvent(
        kind=_EVENT.get(change.kind, smartcard_pb2.CardEvent.KIND_UNSPECIFIED),
        reader=reader_to_pb(change.device_id, change.reader), event_time=timestamp(change.time),
    )


def transmitted_to_pb(sent: Transmitted) -> smartcard_pb2.TransmitApduResponse:
    """An APDU's complete response."""
    r = sent.response
    return smartcard_pb2.TransmitApduResponse(
        card_reader_id=sent.reader, data=r.data, status_word=r.sw, exchanges=r.exchanges,
        session_started=sent.session_started, atr=sent.atr,
    )


def event_payload(payload: object) -> tuple[str, smartcard_pb2.CardReader] | None:
    """The ``card_reader`` arm for a card event's payload."""
    if isinstance(payload, ReaderChange):
        return "card_reader", reader_to_pb(payload.device_id, payload.reader)
    return None
