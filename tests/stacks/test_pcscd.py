"""The pcsc driver against a real private pcscd with the vpcd reader and our virtual card."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from hubd.classes.smartcard.contract import CARD_INSERTED, CARD_REMOVED, CardEvent, CardEventStream
from hubd.device import DeviceClass, DeviceState
from hubd.errors import DeviceNotReady, InvalidArgument, NotFound
from kioskhub.drivers.pcsc import DRIVER, PcscDevice
from kioskhub.simulators.vpcd_applet import AID
from kioskhub.simulators.vpcd_card import VpcdCardSim
from tests.stacks.pcscd import PcscdStack, wait_connected

pytestmark = [pytest.mark.stack, pytest.mark.timeout(60)]
SELECT = bytes.fromhex("00A4040009") + AID + b"\x00"
GET_SERIAL_LE0 = bytes.fromhex("00CA005A00")


@pytest.fixture
async def dev(pcscd_stack: PcscdStack) -> AsyncIterator[PcscDevice]:
    d = PcscDevice("card", pcscd_stack.url)
    yield d
    await d.close()


async def next_event(stream: CardEventStream, it: AsyncIterator[CardEvent] | None = None) -> CardEvent:
    return await asyncio.wait_for(anext(it or aiter(stream)), 10)


async def inserted(dev: PcscDevice, card: VpcdCardSim, reader: str) -> None:
    """Insert the card and wait until pcscd reports it (through the monitor)."""
    stream = await dev.subscribe()
    it = aiter(stream)
    card.insert()
    while (event := await next_event(stream, it)).kind != CARD_INSERTED:
        pass
    assert event.reader == reader
    stream.close()


async def test_readers_and_card_events(
    pcscd_stack: PcscdStack, dev: PcscDevice, vpcd_card: VpcdCardSim
) -> None:
    assert DRIVER.device_class is DeviceClass.SMART_CARD and DRIVER.stack == "pcscd"
    reading = await dev.read_readers()
    reader = reading.reader(pcscd_stack.reader)
    assert reader is not None and not reader.card_present and not reading.tokens
    assert dev.assess(reading)[0] is DeviceState.AVAILABLE
    stream = await dev.subscribe()
    it = aiter(stream)
    vpcd_card.insert()
    event = await next_event(stream, it)
    assert (event.kind, event.reader, event.atr) == (CARD_INSERTED, pcscd_stack.reader,
                                                     bytes.fromhex(vpcd_card.state.atr))
    assert event.after is not None and event.after.card_present and event.after.atr == event.atr
    after = await dev.read_readers()
    assert after.reader(pcscd_stack.reader).card_present  # type: ignore[union-attr]
    assert dev.events_between(reading, after) == []  # card events come from the monitor only
    vpcd_card.remove()
    event = await next_event(stream, it)
    assert (event.kind, event.reader) == (CARD_REMOVED, pcscd_stack.reader)
    assert event.after is not None and not event.after.card_present and event.after.atr is None
    stream.close()
    assert [e async for e in stream] == []  # closed: iteration ends


async def test_select_and_get_data_with_t0_status_words(
    pcscd_stack: PcscdStack, dev: PcscDevice, vpcd_card: VpcdCardSim
) -> None:
    await inserted(dev, vpcd_card, pcscd_stack.reader)
    async with dev.session(pcscd_stack.reader) as card:
        assert card.protocol == "T0" and card.atr == bytes.fromhex(vpcd_card.state.atr)
        fci = await card.transmit(SELECT)
        assert fci.ok and fci.data == vpcd_card.card.fci() and fci.exchanges == 2  # 61xx → GET RESPONSE
        serial = await card.transmit(GET_SERIAL_LE0)
        assert serial.ok and serial.data == bytes.fromhex(vpcd_card.state.serial) and serial.exchanges == 2
        missing = await card.transmit(bytes.fromhex("00A4040003A0000000"))
        assert (missing.sw, missing.data) == (0x6A82, b"")
        with pytest.raises(InvalidArgument) as info:
            await card.transmit(b"\x00\xa4")
        assert info.value.field == "apdu"
    # One-shot transmit in its own shared session: the selection did not survive the session end.
    assert (await dev.transmit(pcscd_stack.reader, GET_SERIAL_LE0)).sw == 0x6985


async def test_exclusive_session_keeps_other_clients_out(
    pcscd_stack: PcscdStack, dev: PcscDevice, vpcd_card: VpcdCardSim
) -> None:
    await inserted(dev, vpcd_card, pcscd_stack.reader)
    other = PcscDevice("other", pcscd_stack.url)
    try:
        async with dev.session(pcscd_stack.reader):
            with pytest.raises(DeviceNotReady) as info:
                await other.transmit(pcscd_stack.reader, SELECT)
            assert info.value.reason == "CARD_IN_USE"
        assert (await other.transmit(pcscd_stack.reader, SELECT)).ok
    finally:
        await other.close()
    with pytest.raises(NotFound) as missing:
        await dev.transmit("No Such Reader 00 00", SELECT)
    assert missing.value.reason == "READER_NOT_FOUND"


async def test_card_removed_mid_transaction(
    pcscd_stack: PcscdStack, dev: PcscDevice, vpcd_card: VpcdCardSim
) -> None:
    await inserted(dev, vpcd_card, pcscd_stack.reader)
    async with dev.session(pcscd_stack.reader) as card:
        assert (await card.transmit(SELECT)).ok
        vpcd_card.remove()
        with pytest.raises(DeviceNotReady) as info:
            await card.transmit(GET_SERIAL_LE0)
        assert info.value.reason == "CARD_REMOVED" and pcscd_stack.reader in info.value.message
    with pytest.raises(DeviceNotReady) as info:
        await dev.transmit(pcscd_stack.reader, SELECT)
    assert info.value.reason in ("NO_CARD", "CARD_REMOVED")
    await wait_connected(vpcd_card, False)
    await inserted(dev, vpcd_card, pcscd_stack.reader)
    assert (await dev.transmit(pcscd_stack.reader, SELECT)).ok  # the hub carries on


async def test_independent_tools_see_our_card(
    pcscd_stack: PcscdStack, dev: PcscDevice, vpcd_card: VpcdCardSim
) -> None:
    await inserted(dev, vpcd_card, pcscd_stack.reader)
    readers = await asyncio.to_thread(pcscd_stack.tool, "pcsc_scan", "-r")
    assert pcscd_stack.reader in readers
    atr = await asyncio.to_thread(pcscd_stack.tool, "opensc-tool", "-r", "0", "--atr")
    assert vpcd_card.state.atr.lower() in atr.replace(":", "").lower()
    # OpenSC fetches the 61xx remainder itself: its answer to SELECT is the whole FCI.
    apdu = ":".join(f"{b:02X}" for b in SELECT)
    sent = await asyncio.to_thread(pcscd_stack.tool, "opensc-tool", "-r", "0", "-s", apdu)
    assert "SW1=0x90, SW2=0x00" in sent and "KIOSKHUB SIM" in sent
