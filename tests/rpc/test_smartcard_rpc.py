"""SmartCardService where no pcscd is installed (the real stack's tests: tests/stacks/
test_smartcard_hub.py): the device is listed UNAVAILABLE STACK_NOT_INSTALLED and every call says
so, never INTERNAL; ``hubd --simulate`` lists it that way; and the choice of reader when a
request names none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from hubd.app import Hub
from hubd.classes.smartcard.contract import CardReader, SmartCardReading
from hubd.classes.smartcard.sessions import pick_reader
from hubd.classes.spec import SimulatedDevice
from hubd.config import DeviceConfig, HubConfig
from hubd.errors import DeviceNotReady, InvalidArgument
from hubd.rpc.server import HubServer
from hubd.stacks import pcscd
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc, smartcard_pb2, smartcard_pb2_grpc
from tests.rpc.conftest import error_info
from tests.rpc.leasing import acquire
from tests.stacks.base import eventually

pytestmark = pytest.mark.timeout(30)
WHY = "pcscd is not installed (missing pcscd)"


@pytest.fixture
async def channel(tmp_path: Path) -> AsyncIterator[grpc.aio.Channel]:
    hub = Hub(HubConfig(), tmp_path)
    hub.add_missing(DeviceConfig("card", "pcsc"), "STACK_NOT_INSTALLED", WHY)
    await hub.start()
    server = HubServer(hub, [f"unix:{tmp_path / 'hubd.sock'}"])
    await server.start()
    ch = grpc.aio.insecure_channel(f"unix://{tmp_path / 'hubd.sock'}")
    try:
        yield ch
    finally:
        await ch.close()
        await server.stop(1)
        await hub.stop()


async def test_without_pcscd_every_call_is_unavailable_stack_not_installed(channel: grpc.aio.Channel) -> None:
    hub = hub_pb2_grpc.HubServiceStub(channel)

    async def polled() -> common_pb2.Device:
        return (await hub.GetDevice(hub_pb2.GetDeviceRequest(device_id="card"))).device

    device = await eventually(polled, lambda d: d.state == common_pb2.DEVICE_STATE_UNAVAILABLE, timeout=5,
                              interval=0.05, what="the card device polled")
    assert (device.reason, device.reason_detail) == ("STACK_NOT_INSTALLED", WHY)
    _, md = await acquire(channel, "card", "counter-app")
    stub = smartcard_pb2_grpc.SmartCardServiceStub(channel)
    calls = [
        stub.ListReaders(smartcard_pb2.ListReadersRequest(), metadata=md),
        stub.TransmitApdu(smartcard_pb2.TransmitApduRequest(apdu=b"\x00\xa4\x04\x00"), metadata=md),
        stub.WatchCards(smartcard_pb2.WatchCardsRequest(), metadata=md).read(),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await call
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
        assert error_info(err.value).reason == "STACK_NOT_INSTALLED" and WHY in (err.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.TransmitApdu(smartcard_pb2.TransmitApduRequest(card_reader_id="r\x00", apdu=b"\x00" * 4),
                                metadata=md)
    assert error_info(err.value).metadata["field"] == "card_reader_id"


async def test_simulate_lists_the_card_as_missing_when_pcscd_is_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pcscd, "find_binary", lambda name, dirs=(): None)
    result = await pcscd.simulate(tmp_path, SimulatedDevice("card", "pcsc", default=True))
    assert result.task is None and result.config.id == "card"
    assert result.missing.startswith("pcscd is not installed") and "pcscd" in result.missing


def _reading(*readers: CardReader) -> SmartCardReading:
    return SmartCardReading(readers)


def test_the_reader_a_request_names_none_of() -> None:
    empty, card = CardReader("A 00 00"), CardReader("B 00 00", card_present=True, atr=b";\x00")
    assert pick_reader(_reading(empty)) == "A 00 00"  # the only reader, card or not
    assert pick_reader(_reading(empty, card)) == "B 00 00"  # the only one holding a card
    with pytest.raises(DeviceNotReady) as not_ready:
        pick_reader(_reading())
    assert not_ready.value.reason == "NO_READER"
    with pytest.raises(DeviceNotReady) as no_card:
        pick_reader(_reading(empty, CardReader("C 00 00")))
    assert no_card.value.reason == "NO_CARD"
    with pytest.raises(InvalidArgument) as several:
        pick_reader(_reading(card, CardReader("C 00 00", card_present=True)))
    assert several.value.field == "card_reader_id"
