"""HubService and UpsService over a real server, against the Megatec simulator on a pty."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from grpc_health.v1 import health_pb2, health_pb2_grpc

from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc, ups_pb2, ups_pb2_grpc
from tests.rpc.conftest import error_info, eventually, watch_from_now

AVAILABLE = common_pb2.DEVICE_STATE_AVAILABLE
UNAVAILABLE = common_pb2.DEVICE_STATE_UNAVAILABLE


async def device_state(hub_stub, device_id="ups"):
    resp = await hub_stub.GetDevice(hub_pb2.GetDeviceRequest(device_id=device_id))
    return resp.device


async def test_list_devices_shows_the_ups_available(hub):
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)

    async def available():
        return (await device_state(stub)).state == AVAILABLE

    await eventually(available)
    resp = await stub.ListDevices(hub_pb2.ListDevicesRequest())
    (dev,) = resp.devices
    assert dev.device_id == "ups" and dev.driver == "megatec_ups"
    assert dev.device_class == common_pb2.DEVICE_CLASS_UPS
    assert dev.source == common_pb2.STATUS_SOURCE_DEVICE
    assert dev.url.startswith("serial:///dev/pts/")
    assert dev.last_seen_time.seconds > 0


async def test_unknown_device_is_not_found(hub):
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetDevice(hub_pb2.GetDeviceRequest(device_id="printer9"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_info(err.value).reason == "DEVICE_NOT_FOUND"


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda s: s.GetDevice(hub_pb2.GetDeviceRequest(device_id="../etc")), "device_id"),
        (lambda s: s.ListDevices(hub_pb2.ListDevicesRequest(device_class=99)), "device_class"),
        (
            lambda s: s.AcquireLease(
                hub_pb2.AcquireLeaseRequest(device_id="ups", holder="a", ttl=Duration(seconds=99999))
            ),
            "ttl",
        ),
    ],
)
async def test_bad_input_is_invalid_argument_naming_the_field(hub, call, field):
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call(stub)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(err.value)
    assert info.metadata["field"] == field and info.domain == "kioskhub"
    assert field in err.value.details()


async def test_bad_watch_resume_is_invalid_argument(hub):
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    call = stub.WatchEvents(hub_pb2.WatchEventsRequest(resume_after_sequence=5))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call.read()
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(err.value).metadata["field"] == "resume_boot_id"


async def test_silent_ups_goes_unavailable_hub_stays_up_replug_recovers(hub, ups_sim):
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    ups = ups_pb2_grpc.UpsServiceStub(hub.channel)

    async def state_is(state):
        return (await device_state(stub)).state == state

    await eventually(lambda: state_is(AVAILABLE))
    events = await watch_from_now(hub.channel, ("ups",))
    ups_sim.unplug()
    await eventually(lambda: state_is(UNAVAILABLE))
    dev = await device_state(stub)
    assert dev.reason == "TIMEOUT" and dev.reason_detail
    status = (await ups.GetUpsStatus(ups_pb2.GetUpsStatusRequest())).status
    assert status.state == UNAVAILABLE and status.reason == "TIMEOUT"
    assert (await stub.GetHubInfo(hub_pb2.GetHubInfoRequest())).boot_id  # the hub is fine
    ups_sim.replug()
    await eventually(lambda: state_is(AVAILABLE))
    seen = []
    while "DEVICE_AVAILABLE" not in seen:
        ev = (await asyncio.wait_for(events.read(), 5)).event
        seen.append(hub_pb2.EventType.Name(ev.type).removeprefix("EVENT_TYPE_"))
    assert seen[-2:] == ["DEVICE_UNAVAILABLE", "DEVICE_AVAILABLE"]
    events.cancel()


async def test_on_battery_reaches_events_and_status_stream(hub, ups_sim):
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    ups = ups_pb2_grpc.UpsServiceStub(hub.channel)
    await eventually(lambda: _available(stub))
    events = await watch_from_now(hub.channel)
    watch = ups.WatchUpsStatus(ups_pb2.WatchUpsStatusRequest(device_id="ups"))
    first = (await watch.read()).status
    assert not first.on_battery and "OL" in first.status
    ups_sim.set_on_battery(True)
    ev = (await asyncio.wait_for(events.read(), 5)).event
    assert ev.type == hub_pb2.EVENT_TYPE_ON_BATTERY and ev.device_id == "ups"
    assert ev.WhichOneof("payload") == "ups_status" and ev.ups_status.on_battery
    assert ev.boot_id and ev.sequence > 0
    while not (st := (await asyncio.wait_for(watch.read(), 5)).status).on_battery:
        pass
    assert "OB" in st.status
    ups_sim.set_low_battery(True)
    ev = (await asyncio.wait_for(events.read(), 5)).event
    assert ev.type == hub_pb2.EVENT_TYPE_LOW_BATTERY
    ups_sim.set_low_battery(False)
    ups_sim.set_on_battery(False)
    ev = (await asyncio.wait_for(events.read(), 5)).event
    assert ev.type == hub_pb2.EVENT_TYPE_ON_LINE
    events.cancel()
    watch.cancel()


async def _available(stub):
    return (await device_state(stub)).state == AVAILABLE


async def test_lease_contention_between_two_clients(hub):
    other = grpc.aio.insecure_channel(hub.target)
    a = hub_pb2_grpc.HubServiceStub(hub.channel)
    b = hub_pb2_grpc.HubServiceStub(other)
    lease = (
        await a.AcquireLease(
            hub_pb2.AcquireLeaseRequest(device_id="ups", holder="counter-app", ttl=Duration(seconds=30))
        )
    ).lease
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await b.AcquireLease(hub_pb2.AcquireLeaseRequest(device_id="ups", holder="other-app"))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    info = error_info(err.value)
    assert info.reason == "DEVICE_BUSY" and info.metadata["holder"] == "counter-app"
    assert info.metadata["expireTime"].startswith(lease.expire_time.ToDatetime().date().isoformat())
    renewed = (await a.RenewLease(hub_pb2.RenewLeaseRequest(lease_id=lease.lease_id))).lease
    assert renewed.lease_id == lease.lease_id
    await a.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id))
    got = (await b.AcquireLease(hub_pb2.AcquireLeaseRequest(device_id="ups", holder="other-app"))).lease
    assert got.holder == "other-app"
    await other.close()


async def test_health_per_service_and_reflection(hub):
    health = health_pb2_grpc.HealthStub(hub.channel)
    for service in ["", "kioskhub.v1.HubService", "kioskhub.v1.UpsService"]:
        resp = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert resp.status == health_pb2.HealthCheckResponse.SERVING
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    refl = reflection_pb2_grpc.ServerReflectionStub(hub.channel)
    call = refl.ServerReflectionInfo()
    await call.write(reflection_pb2.ServerReflectionRequest(list_services=""))
    resp = await call.read()
    names = {s.name for s in resp.list_services_response.service}
    assert {"kioskhub.v1.HubService", "kioskhub.v1.UpsService", "grpc.health.v1.Health"} <= names
    await call.done_writing()


async def test_resume_after_restart_gets_gap(hub, tmp_path):
    from hubd.app import Hub
    from hubd.config import HubConfig

    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    await eventually(lambda: _available(stub))
    info = await stub.GetHubInfo(hub_pb2.GetHubInfoRequest())
    old_boot, last = info.boot_id, info.last_sequence
    restarted = Hub(HubConfig(), tmp_path)  # a new hub process has a new boot id
    from hubd.rpc.server import HubServer

    server = HubServer(restarted, [f"unix:{tmp_path / 'second.sock'}"])
    await server.start()
    restarted.bus.publish("DEVICE_AVAILABLE", "ups")
    ch = grpc.aio.insecure_channel(f"unix://{tmp_path / 'second.sock'}")
    call = hub_pb2_grpc.HubServiceStub(ch).WatchEvents(
        hub_pb2.WatchEventsRequest(resume_boot_id=old_boot, resume_after_sequence=last)
    )
    gap = (await call.read()).event
    assert gap.type == hub_pb2.EVENT_TYPE_GAP and gap.reason == "HUB_RESTARTED"
    assert gap.WhichOneof("payload") == "gap" and gap.gap.resume_boot_id == old_boot
    assert gap.gap.resume_after_sequence == last
    assert gap.boot_id == restarted.bus.boot_id != old_boot
    nxt = (await call.read()).event
    assert nxt.sequence == 1 and nxt.type == hub_pb2.EVENT_TYPE_DEVICE_AVAILABLE
    call.cancel()
    await ch.close()
    restarted.bus.close()
    await server.stop(0)


async def test_device_shows_its_lease_and_preemption_over_rpc(hub):
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    lease = (await stub.AcquireLease(hub_pb2.AcquireLeaseRequest(device_id="ups", holder="counter-1"))).lease
    dev = (await stub.GetDevice(hub_pb2.GetDeviceRequest(device_id="ups"))).device
    assert dev.lease.holder == "counter-1" and dev.lease.lease_id == lease.lease_id
    events = await watch_from_now(hub.channel, ("ups",))
    asked = (await stub.RequestLeaseRelease(
        hub_pb2.RequestLeaseReleaseRequest(device_id="ups", requester="counter-2"))).lease
    assert asked.release_requested and asked.requested_by == "counter-2"
    ev = (await asyncio.wait_for(events.read(), 5)).event
    assert ev.type == hub_pb2.EVENT_TYPE_LEASE_RELEASE_REQUESTED and ev.lease.holder == "counter-1"
    events.cancel()
    await stub.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.RequestLeaseRelease(hub_pb2.RequestLeaseReleaseRequest(device_id="ups", requester="x"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND and error_info(err.value).reason == "LEASE_NOT_FOUND"


async def test_hub_stopping_ends_streams_with_unavailable(hub):
    events = await watch_from_now(hub.channel)
    hub.hub.bus.close()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        for _ in range(100):  # events queued before the stop are delivered first
            await asyncio.wait_for(events.read(), 5)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_info(err.value).reason == "HUB_STOPPING"


async def test_a_ups_that_stopped_answering_shows_unknown_values_not_stale_ones(hub, ups_sim):
    """Unavailable means unknown: the last reading's 'on line' is not shown as if current."""
    stub = hub_pb2_grpc.HubServiceStub(hub.channel)
    ups = ups_pb2_grpc.UpsServiceStub(hub.channel)
    await eventually(lambda: _available(stub))
    before = (await ups.GetUpsStatus(ups_pb2.GetUpsStatusRequest(device_id="ups"))).status
    assert before.HasField("on_battery") and before.status and before.HasField("input_voltage_volts")
    ups_sim.unplug()

    async def unknown() -> bool:
        st = (await ups.GetUpsStatus(ups_pb2.GetUpsStatusRequest(device_id="ups"))).status
        return st.state == UNAVAILABLE

    await eventually(unknown)
    st = (await ups.GetUpsStatus(ups_pb2.GetUpsStatusRequest(device_id="ups"))).status
    assert not st.HasField("on_battery") and not st.status and not st.HasField("input_voltage_volts")
    assert st.last_seen_time.seconds > 0  # when it was last seen is still told
    ups_sim.replug()
    await eventually(lambda: _available(stub))
