"""``kioskhub.v1.SmartCardService``: thin: check the caller's lease, convert, call the runner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from hubd.app import Hub
from hubd.classes.smartcard import convert
from hubd.classes.smartcard.sessions import CardSessions, ReaderChange
from hubd.device import DeviceClass
from hubd.errors import InvalidArgument, quote
from hubd.rpc.paging import Page
from hubd.supervisor import Supervisor
from kioskhub.v1 import smartcard_pb2, smartcard_pb2_grpc

Ctx = Any
SMART_CARD = DeviceClass.SMART_CARD
MAX_APDU = 65544
"""An extended command APDU: 4 header bytes, 3 of Lc, 65535 of data, 2 of Le."""
MAX_READER_NAME = 128
"""pcsc-lite's MAX_READERNAME."""


class SmartCardServicer(smartcard_pb2_grpc.SmartCardServiceServicer):
    """Readers, card events and APDUs (the caller's lease required)."""

    SERVICE = smartcard_pb2.DESCRIPTOR.services_by_name["SmartCardService"]

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    @property
    def sessions(self) -> CardSessions:
        """The class's runner."""
        return self.hub.runner("smartcard", CardSessions)

    def _leased(self, device_id: str) -> Supervisor:
        return self.hub.use(self.hub.find(SMART_CARD, device_id))

    def _lease_id(self, sup: Supervisor) -> str:
        """The caller's lease: ``use`` passed, so the device's live lease is the caller's."""
        lease = self.hub.leases.holder(sup.id)
        return lease.lease_id if lease is not None else ""

    async def ListReaders(self, request: smartcard_pb2.ListReadersRequest, context: Ctx) -> Any:
        """Readers read now, in name order, a page at a time (keyset: after the last name)."""
        sup = self._leased(request.device_id)
        page = Page.of(request.page_size, request.page_token, ("readers", sup.id))
        after = page.after if isinstance(page.after, str) else ""
        readers = sorted((r for r in (await self.sessions.readers(sup)).readers if r.name > after),
                         key=lambda r: r.name)
        chunk = readers[: page.size]
        more = len(readers) > page.size
        return smartcard_pb2.ListReadersResponse(
            readers=[convert.reader_to_pb(sup.id, r) for r in chunk],
            next_page_token=page.token(chunk[-1].name if more else None),
        )

    async def WatchCards(
        self, request: smartcard_pb2.WatchCardsRequest, context: Ctx
    ) -> AsyncIterator[smartcard_pb2.WatchCardsResponse]:
        """Every reader now, then each card event; ends when the caller's lease does."""
        sup = self._leased(request.device_id)
        events = self.hub.bus.subscribe(device_ids=[sup.id])  # before reading: nothing falls between
        try:
            readers = sorted((await self.sessions.readers(sup)).readers, key=lambda r: r.name)
            yield smartcard_pb2.WatchCardsResponse(readers=[convert.reader_to_pb(sup.id, r) for r in readers])
            async for event in events:
                self.hub.use(sup)  # the lease ended (released, expired, taken over): so does the watch
                if isinstance(event.payload, ReaderChange):
                    yield smartcard_pb2.WatchCardsResponse(event=convert.card_event_to_pb(event.payload))
        finally:
            events.close()

    async def TransmitApdu(self, request: smartcard_pb2.TransmitApduRequest, context: Ctx) -> Any:
        """One command APDU in the lease's card session."""
        sup = self._leased(request.device_id)
        if len(request.apdu) > MAX_APDU:
            raise InvalidArgument("apdu", f"at most {MAX_APDU} bytes, got {len(request.apdu)}")
        name = request.card_reader_id
        if len(name) > MAX_READER_NAME or not name.isprintable():
            raise InvalidArgument("card_reader_id", f"is not a reader name: {quote(name)}")
        sent = await self.sessions.transmit(sup, self._lease_id(sup), request.card_reader_id, request.apdu)
        return convert.transmitted_to_pb(sent)
