"""Leases on the fingerprint device, exercised through BiometricService: no lease, two clients
contending, expiry, heartbeat, and cooperative pre-emption with and without the holder keeping
its grace window. Lease time runs on a FakeClock (``bio_timed``): no test waits for real seconds.
(The same rules on the smart-card reader, with real pcscd: tests/stacks/test_smartcard_hub.py.)"""

from __future__ import annotations

from datetime import datetime, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from hubd.clock import FakeClock
from kioskhub.v1 import biometric_pb2, biometric_pb2_grpc, hub_pb2, hub_pb2_grpc
from tests.rpc.conftest import Running, error_info, watch_from_now
from tests.rpc.leasing import Metadata, acquire, next_event, release, renew

pytestmark = pytest.mark.timeout(60)
QUICK = biometric_pb2.CaptureFingerprintRequest(timeout=Duration(seconds=1))


async def capture(channel: grpc.aio.Channel, md: Metadata = ()) -> biometric_pb2.CaptureFingerprintResponse:
    return await biometric_pb2_grpc.BiometricServiceStub(channel).CaptureFingerprint(QUICK, metadata=md)


def naive(when: datetime) -> datetime:
    """A UTC time as protobuf's ToDatetime gives it."""
    return when.replace(tzinfo=None)


async def refused(call: object) -> tuple[grpc.StatusCode, str, dict[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call  # type: ignore[misc]
    info = error_info(err.value)
    return err.value.code(), info.reason, dict(info.metadata)


async def test_no_lease_is_lease_required_for_every_operation(bio_timed: tuple[Running, FakeClock]) -> None:
    bio, _ = bio_timed
    stub = biometric_pb2_grpc.BiometricServiceStub(bio.channel)
    forged = (("kioskhub-lease-id", "l-forged"),)
    for call in (stub.GetBiometricInfo(biometric_pb2.GetBiometricInfoRequest()),
                 stub.CaptureFingerprint(QUICK), capture(bio.channel, forged)):
        code, reason, meta = await refused(call)
        assert (code, reason, meta["deviceId"]) == (grpc.StatusCode.FAILED_PRECONDITION, "LEASE_REQUIRED",
                                                    "fingerprint")


async def test_two_clients_contend_for_the_fingerprint_device(bio_timed: tuple[Running, FakeClock]) -> None:
    bio, _ = bio_timed
    other = grpc.aio.insecure_channel(bio.target)
    try:
        lease, mine = await acquire(bio.channel, "fingerprint", "counter-app", ttl=60)
        assert (await capture(bio.channel, mine)).pid_data
        code, reason, meta = await refused(acquire(other, "fingerprint", "ekyc-app"))
        expire = lease.expire_time.ToDatetime().isoformat()
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert (reason, meta["holder"]) == ("DEVICE_BUSY", "counter-app")
        assert meta["expireTime"].startswith(expire)
        code, reason, meta = await refused(capture(other))  # no lease of its own: the device is busy
        assert (reason, meta["holder"]) == ("DEVICE_BUSY", "counter-app")
        hub = hub_pb2_grpc.HubServiceStub(other)  # diagnostics name the holder and the expiry
        device = (await hub.GetDevice(hub_pb2.GetDeviceRequest(device_id="fingerprint"))).device
        assert device.lease_required and device.lease.holder == "counter-app"
        assert device.lease.expire_time == lease.expire_time
        await release(bio.channel, lease)
        _, theirs = await acquire(other, "fingerprint", "ekyc-app")
        assert (await capture(other, theirs)).pid_data
        code, reason, meta = await refused(capture(bio.channel, mine))  # the old lease is gone
        assert (reason, meta["holder"]) == ("DEVICE_BUSY", "ekyc-app")
    finally:
        await other.close()


async def test_heartbeat_holds_a_lease_without_it_expires(bio_timed: tuple[Running, FakeClock]) -> None:
    bio, clock = bio_timed
    hub = hub_pb2_grpc.HubServiceStub(bio.channel)
    lease, md = await acquire(bio.channel, "fingerprint", "counter-app", ttl=5)
    for _ in range(4):  # heartbeat: 4 x 4 s = 16 s, past the 5 s ttl, and still held
        await clock.advance(4)
        renewed = await renew(bio.channel, lease, 5)
        assert renewed.expire_time.ToDatetime() == naive(clock.now() + timedelta(seconds=5))
    assert (await capture(bio.channel, md)).pid_data
    events = await watch_from_now(bio.channel, ("fingerprint",))
    await clock.advance(6)  # no heartbeat
    expired = await next_event(events, "LEASE_EXPIRED")
    assert expired.WhichOneof("payload") == "lease" and expired.lease.lease_id == lease.lease_id
    code, reason, _ = await refused(capture(bio.channel, md))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "LEASE_REQUIRED")
    code, reason, _ = await refused(hub.RenewLease(hub_pb2.RenewLeaseRequest(lease_id=lease.lease_id)))
    assert (code, reason) == (grpc.StatusCode.NOT_FOUND, "LEASE_NOT_FOUND")
    _, theirs = await acquire(bio.channel, "fingerprint", "ekyc-app")
    assert (await capture(bio.channel, theirs)).pid_data
    events.cancel()


async def test_preemption_the_holder_releases_when_asked(bio_timed: tuple[Running, FakeClock]) -> None:
    bio, _ = bio_timed
    hub = hub_pb2_grpc.HubServiceStub(bio.channel)
    lease, mine = await acquire(bio.channel, "fingerprint", "counter-app", ttl=300)
    events = await watch_from_now(bio.channel, ("fingerprint",))
    asked = (await hub.RequestLeaseRelease(
        hub_pb2.RequestLeaseReleaseRequest(device_id="fingerprint", requester="ekyc-app"))).lease
    assert asked.release_requested and asked.requested_by == "ekyc-app"
    heard = await next_event(events, "LEASE_RELEASE_REQUESTED")  # what the holder hears
    assert heard.lease.lease_id == lease.lease_id and heard.lease.requested_by == "ekyc-app"
    assert (await capture(bio.channel, mine)).pid_data  # it may finish what it was doing
    await release(bio.channel, lease)
    _, theirs = await acquire(bio.channel, "fingerprint", "ekyc-app")
    assert (await capture(bio.channel, theirs)).pid_data
    events.cancel()


async def test_preemption_the_holder_keeps_its_grace_window_then_loses_it(
    bio_timed: tuple[Running, FakeClock]
) -> None:
    bio, clock = bio_timed
    hub = hub_pb2_grpc.HubServiceStub(bio.channel)
    lease, mine = await acquire(bio.channel, "fingerprint", "counter-app", ttl=300)
    asked = (await hub.RequestLeaseRelease(
        hub_pb2.RequestLeaseReleaseRequest(device_id="fingerprint", requester="ekyc-app"))).lease
    grace_end = asked.expire_time.ToDatetime()
    assert grace_end == naive(clock.now() + timedelta(seconds=10))  # [hub] lease_release_grace
    await clock.advance(5)
    kept = await renew(bio.channel, lease, 300)
    assert kept.expire_time.ToDatetime() == grace_end  # a heartbeat cannot stretch the grace window
    assert (await capture(bio.channel, mine)).pid_data  # still the holder within it
    code, reason, meta = await refused(acquire(bio.channel, "fingerprint", "ekyc-app"))
    assert (reason, meta["holder"]) == ("DEVICE_BUSY", "counter-app")
    assert meta["expireTime"].startswith(grace_end.isoformat())
    events = await watch_from_now(bio.channel, ("fingerprint",))
    await clock.advance(6)
    assert (await next_event(events, "LEASE_EXPIRED")).lease.lease_id == lease.lease_id
    _, theirs = await acquire(bio.channel, "fingerprint", "ekyc-app")
    assert (await capture(bio.channel, theirs)).pid_data
    code, reason, meta = await refused(capture(bio.channel, mine))
    assert (code, reason, meta["holder"]) == (grpc.StatusCode.FAILED_PRECONDITION, "DEVICE_BUSY", "ekyc-app")
    events.cancel()
