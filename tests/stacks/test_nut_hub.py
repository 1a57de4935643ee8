"""Real upsd + dummy-ups behind the hub: NUT status changes arrive as WatchEvents, and a killed
driver shows as UNAVAILABLE with NUT's reason; the hub reports it the same way as a serial UPS."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hubd.config import DeviceConfig, HubConfig
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc, ups_pb2, ups_pb2_grpc
from tests.rpc.conftest import Running, eventually, serving, watch_from_now
from tests.stacks.nut import NutStack

pytestmark = pytest.mark.stack


@pytest.fixture
async def hub(tmp_path: Path, nut_stack: NutStack) -> AsyncIterator[Running]:
    cfg = DeviceConfig(
        "ups-nut", "nut", nut_stack.url, poll_interval=0.2, timeout=1.0, stale_after=1, max_backoff=0.5,
        options={"username": nut_stack.username, "password_file": str(nut_stack.password_file)},
    )
    async with serving(HubConfig(devices={"ups-nut": cfg}), tmp_path, tmp_path / "hubd.sock") as running:
        yield running


async def next_event(call, wanted: int, timeout: float = 15.0):
    while True:
        ev = (await asyncio.wait_for(call.read(), timeout)).event
        if ev.type == wanted:
            return ev


async def test_nut_status_changes_and_driver_loss_through_the_hub(hub, nut_stack):
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    ups = ups_pb2_grpc.UpsServiceStub(hub.channel)

    async def state(wanted) -> bool:
        dev = (await stub.GetDevice(hub_pb2.GetDeviceRequest(device_id="ups-nut"))).device
        return dev.state == wanted

    await eventually(lambda: state(common_pb2.DEVICE_STATE_AVAILABLE), 15)
    st = (await ups.GetUpsStatus(ups_pb2.GetUpsStatusRequest(device_id="ups-nut"))).status
    assert "OL" in st.status and st.source == common_pb2.STATUS_SOURCE_SPOOLER
    assert st.variables["ups.status"].startswith("OL")

    events = await watch_from_now(hub.channel, ("ups-nut",))
    nut_stack.set_status("OB LB")
    assert (await next_event(events, hub_pb2.EVENT_TYPE_ON_BATTERY)).device_id == "ups-nut"
    await next_event(events, hub_pb2.EVENT_TYPE_LOW_BATTERY)
    st = (await ups.GetUpsStatus(ups_pb2.GetUpsStatusRequest(device_id="ups-nut"))).status
    assert st.on_battery and st.low_battery

    nut_stack.kill_driver()
    # upsd may first show WAIT for a moment (it re-reads the dying driver's socket): the hub then
    # says STATUS_UNKNOWN, and moves to NUT's DRIVER-NOT-CONNECTED as soon as upsd says so.
    reasons = []
    while "DRIVER_NOT_CONNECTED" not in reasons:
        reasons.append((await next_event(events, hub_pb2.EVENT_TYPE_DEVICE_UNAVAILABLE)).reason)
    assert set(reasons) <= {"STATUS_UNKNOWN", "DRIVER_NOT_CONNECTED"}, reasons
    dev = (await stub.GetDevice(hub_pb2.GetDeviceRequest(device_id="ups-nut"))).device
    assert dev.reason == "DRIVER_NOT_CONNECTED" and dev.state == common_pb2.DEVICE_STATE_UNAVAILABLE

    nut_stack.start_driver()
    await next_event(events, hub_pb2.EVENT_TYPE_DEVICE_AVAILABLE, timeout=30)
    events.cancel()
