"""SmartCardService over a real server, through real pcscd with the vpcd reader and our virtual
card: card events (WatchCards and WatchEvents), APDUs in one session per lease, a card pulled
mid-exchange, two clients contending for the reader, and OpenSC kept out while a lease holds the
card. What the tests expect (ATR, serial, FCI) comes from the card simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from hubd.config import DeviceConfig, HubConfig
from kioskhub.simulators.vpcd_applet import AID
from kioskhub.simulators.vpcd_card import VpcdCardSim
from kioskhub.v1 import hub_pb2, hub_pb2_grpc, smartcard_pb2, smartcard_pb2_grpc
from tests.rpc.conftest import Running, error_info, eventually, serving, watch_from_now
from tests.rpc.leasing import Metadata, acquire, next_event, release
from tests.stacks.pcscd import PcscdStack, wait_connected

pytestmark = [pytest.mark.stack, pytest.mark.timeout(60)]
SELECT = bytes.fromhex("00A4040009") + AID + b"\x00"
GET_SERIAL = bytes.fromhex("00CA005A00")
Kind = smartcard_pb2.CardEvent


@pytest.fixture
async def hub(tmp_path: Path, pcscd_stack: PcscdStack) -> AsyncIterator[Running]:
    card = DeviceConfig("card", "pcsc", pcscd_stack.url, poll_interval=0.2, timeout=2.0)
    async with serving(HubConfig(devices={"card": card}), tmp_path, tmp_path / "hubd.sock") as running:
        yield running


def stub(channel: grpc.aio.Channel) -> smartcard_pb2_grpc.SmartCardServiceStub:
    return smartcard_pb2_grpc.SmartCardServiceStub(channel)


async def send(channel: grpc.aio.Channel, md: Metadata, apdu: bytes) -> smartcard_pb2.TransmitApduResponse:
    return await stub(channel).TransmitApdu(smartcard_pb2.TransmitApduRequest(apdu=apdu), metadata=md)


async def refused(call: object) -> tuple[grpc.StatusCode, str, dict[str, str], str]:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call  # type: ignore[misc]
    info = error_info(err.value)
    return err.value.code(), info.reason, dict(info.metadata), err.value.details() or ""


async def card_in(hub: Running, card: VpcdCardSim) -> None:
    """Insert the card and wait for the hub's CARD_INSERTED (pcscd has powered it up)."""
    events = await watch_from_now(hub.channel, ("card",))
    card.insert()
    await next_event(events, "CARD_INSERTED")
    events.cancel()


async def test_card_events_reach_watch_cards_and_watch_events(
    hub: Running, pcscd_stack: PcscdStack, vpcd_card: VpcdCardSim
) -> None:
    _, md = await acquire(hub.channel, "card", "counter-app")
    watch = stub(hub.channel).WatchCards(smartcard_pb2.WatchCardsRequest(), metadata=md)
    first = await asyncio.wait_for(watch.read(), 10)
    assert not first.HasField("event")
    assert [r.card_reader_id for r in first.readers][0] == pcscd_stack.reader
    assert not any(r.card_present for r in first.readers)
    events = await watch_from_now(hub.channel, ("card",))
    vpcd_card.insert()
    got = (await asyncio.wait_for(watch.read(), 10)).event
    atr = bytes.fromhex(vpcd_card.state.atr)
    assert (got.kind, got.reader.card_reader_id, got.reader.card_present, got.reader.atr) == (
        Kind.KIND_CARD_INSERTED, pcscd_stack.reader, True, atr)
    typed = await next_event(events, "CARD_INSERTED")
    assert typed.WhichOneof("payload") == "card_reader" and typed.card_reader.atr == atr
    assert typed.card_reader.device_id == "card" and typed.attributes["reader"] == pcscd_stack.reader
    vpcd_card.remove()
    got = (await asyncio.wait_for(watch.read(), 10)).event
    assert (got.kind, got.reader.card_present, got.reader.atr) == (Kind.KIND_CARD_REMOVED, False, b"")
    assert not (await next_event(events, "CARD_REMOVED")).card_reader.card_present
    lease = (await hub_pb2_grpc.HubServiceStub(hub.channel).GetDevice(
        hub_pb2.GetDeviceRequest(device_id="card"))).device.lease
    await release(hub.channel, lease)
    code, reason, _, _ = await refused(watch.read())  # the watch ends with the lease
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "LEASE_REQUIRED")
    events.cancel()


async def test_select_then_get_data_in_the_lease_session(
    hub: Running, pcscd_stack: PcscdStack, vpcd_card: VpcdCardSim
) -> None:
    _, md = await acquire(hub.channel, "card", "counter-app")
    await card_in(hub, vpcd_card)
    fci = await send(hub.channel, md, SELECT)
    assert (fci.status_word, fci.data, fci.exchanges) == (0x9000, vpcd_card.card.fci(), 2)  # 61xx followed
    assert fci.session_started and fci.atr == bytes.fromhex(vpcd_card.state.atr)
    assert fci.card_reader_id == pcscd_stack.reader
    listed = (await stub(hub.channel).ListReaders(smartcard_pb2.ListReadersRequest(), metadata=md)).readers
    ours = next(r for r in listed if r.card_reader_id == pcscd_stack.reader)
    assert ours.card_present and not ours.exclusive  # held by this lease's session, not another app
    serial = await send(hub.channel, md, GET_SERIAL)  # 6Cxx corrected; the SELECT still holds
    assert (serial.status_word, serial.data, serial.session_started) == (
        0x9000, bytes.fromhex(vpcd_card.state.serial), False)
    code, reason, meta, _ = await refused(send(hub.channel, md, b"\x00\xa4"))
    assert (code, reason, meta["field"]) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT", "apdu")
    assert not (await send(hub.channel, md, GET_SERIAL)).session_started  # a bad APDU ends nothing


async def test_card_pulled_mid_exchange_is_a_clear_error_and_the_hub_carries_on(
    hub: Running, pcscd_stack: PcscdStack, vpcd_card: VpcdCardSim
) -> None:
    _, md = await acquire(hub.channel, "card", "counter-app")
    await card_in(hub, vpcd_card)
    assert (await send(hub.channel, md, SELECT)).status_word == 0x9000
    vpcd_card.delay = 1.0  # the card thinks before answering: pull it meanwhile
    before = vpcd_card.state.apdus
    exchange = asyncio.ensure_future(send(hub.channel, md, GET_SERIAL))

    async def in_flight() -> bool:
        return vpcd_card.state.apdus > before

    await eventually(in_flight)
    vpcd_card.remove()
    code, reason, meta, message = await refused(exchange)
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CARD_REMOVED")
    assert meta["reader"] == pcscd_stack.reader and "removed" in message
    vpcd_card.delay = 0.0
    await wait_connected(vpcd_card, False)
    code, reason, _, _ = await refused(send(hub.channel, md, SELECT))
    assert reason in ("NO_CARD", "CARD_REMOVED")
    await card_in(hub, vpcd_card)
    again = await send(hub.channel, md, SELECT)
    assert again.status_word == 0x9000 and again.session_started  # a new session on the new card


async def test_two_clients_contend_for_the_reader(
    hub: Running, pcscd_stack: PcscdStack, vpcd_card: VpcdCardSim
) -> None:
    other = grpc.aio.insecure_channel(hub.target)
    try:
        for call in (stub(other).ListReaders(smartcard_pb2.ListReadersRequest()),
                     stub(other).TransmitApdu(smartcard_pb2.TransmitApduRequest(apdu=SELECT))):
            assert (await refused(call))[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "LEASE_REQUIRED")
        lease, mine = await acquire(hub.channel, "card", "counter-app")
        await card_in(hub, vpcd_card)
        assert (await send(hub.channel, mine, SELECT)).status_word == 0x9000
        code, reason, meta, _ = await refused(acquire(other, "card", "ekyc-app"))
        assert (reason, meta["holder"]) == ("DEVICE_BUSY", "counter-app")
        assert meta["expireTime"].startswith(lease.expire_time.ToDatetime().isoformat())
        code, reason, meta, _ = await refused(send(other, (), SELECT))
        assert (reason, meta["holder"]) == ("DEVICE_BUSY", "counter-app")
        apdu = ":".join(f"{b:02X}" for b in SELECT)  # a PC/SC application outside the hub
        opensc = await asyncio.to_thread(pcscd_stack.tool, "opensc-tool", "-r", "0", "-s", apdu)
        assert "SW1=0x90" not in opensc  # the lease's session holds the card exclusively
        await release(hub.channel, lease)

        async def opensc_gets_in() -> bool:
            out = await asyncio.to_thread(pcscd_stack.tool, "opensc-tool", "-r", "0", "-s", apdu)
            return "SW1=0x90, SW2=0x00" in out

        await eventually(opensc_gets_in, timeout=10)  # the session ended with the lease
        _, theirs = await acquire(other, "card", "ekyc-app")
        taken = await send(other, theirs, SELECT)
        assert taken.status_word == 0x9000 and taken.session_started
    finally:
        await other.close()


async def test_list_readers_pages_by_name(hub: Running, pcscd_stack: PcscdStack) -> None:
    _, md = await acquire(hub.channel, "card", "counter-app")
    first = await stub(hub.channel).ListReaders(smartcard_pb2.ListReadersRequest(page_size=1), metadata=md)
    assert [r.card_reader_id for r in first.readers] == [pcscd_stack.reader] and first.next_page_token
    rest = await stub(hub.channel).ListReaders(
        smartcard_pb2.ListReadersRequest(page_size=1, page_token=first.next_page_token), metadata=md)
    assert [r.card_reader_id for r in rest.readers] == [f"{pcscd_stack.paths.reader} 00 01"]  # vpcd slot 1
    assert not rest.next_page_token
    for request, field in ((smartcard_pb2.ListReadersRequest(page_size=-1), "page_size"),
                           (smartcard_pb2.ListReadersRequest(page_token="bm9wZQ"), "page_token")):
        code, _, meta, _ = await refused(stub(hub.channel).ListReaders(request, metadata=md))
        assert (code, meta["field"]) == (grpc.StatusCode.INVALID_ARGUMENT, field)
