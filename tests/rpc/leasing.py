"""A client's side of a lease in tests: acquire it and the metadata that presents it."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from google.protobuf.duration_pb2 import Duration

from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc

LEASE_METADATA = "kioskhub-lease-id"
Metadata = tuple[tuple[str, str], ...]


def presenting(lease: common_pb2.Lease) -> Metadata:
    """Request metadata that presents ``lease``."""
    return ((LEASE_METADATA, lease.lease_id),)


async def acquire(
    channel: grpc.aio.Channel, device_id: str, holder: str, ttl: float = 30
) -> tuple[common_pb2.Lease, Metadata]:
    """Take a lease on ``device_id``; the lease and the metadata presenting it."""
    stub = hub_pb2_grpc.HubServiceStub(channel)
    whole = int(ttl)
    request = hub_pb2.AcquireLeaseRequest(
        device_id=device_id, holder=holder, ttl=Duration(seconds=whole, nanos=int((ttl - whole) * 1e9))
    )
    lease = (await stub.AcquireLease(request)).lease
    return lease, presenting(lease)


async def release(channel: grpc.aio.Channel, lease: common_pb2.Lease) -> None:
    """Give ``lease`` back."""
    request = hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id)
    await hub_pb2_grpc.HubServiceStub(channel).ReleaseLease(request)


async def renew(channel: grpc.aio.Channel, lease: common_pb2.Lease, ttl: int) -> common_pb2.Lease:
    """A heartbeat: the renewed lease."""
    request = hub_pb2.RenewLeaseRequest(lease_id=lease.lease_id, ttl=Duration(seconds=ttl))
    return (await hub_pb2_grpc.HubServiceStub(channel).RenewLease(request)).lease


async def next_event(stream: Any, kind: str, timeout: float = 10.0) -> hub_pb2.Event:
    """Read WatchEvents until an event of ``kind`` (earlier ones are skipped)."""
    async def find() -> hub_pb2.Event:
        while True:
            event = (await stream.read()).event
            if hub_pb2.EventType.Name(event.type) == f"EVENT_TYPE_{kind}":
                return event

    return await asyncio.wait_for(find(), timeout)
