"""``kioskhub.v1.HubService``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from hubd.app import Hub
from hubd.rpc import convert
from kioskhub.v1 import hub_pb2, hub_pb2_grpc

Ctx = Any


class HubServicer(hub_pb2_grpc.HubServiceServicer):
    """Hub identity, devices, events and leases."""

    def __init__(self, hub: Hub, services: list[str]) -> None:
        self.hub = hub
        self.services = services

    async def GetHubInfo(self, request: hub_pb2.GetHubInfoRequest, context: Ctx) -> Any:
        """Version, boot id, start time."""
        info = self.hub.info()
        return hub_pb2.GetHubInfoResponse(
            version=info["version"],
            boot_id=info["boot_id"],
            started_at=convert.timestamp(info["started_at"]),
            simulate=info["simulate"],
            services=self.services,
            last_sequence=info["last_sequence"],
        )

    async def ListDevices(self, request: hub_pb2.ListDevicesRequest, context: Ctx) -> Any:
        """Every device (optionally of one class)."""
        devices = self.hub.list(convert.device_class_from_pb(request.device_class))
        return hub_pb2.ListDevicesResponse(devices=[convert.device_to_pb(s) for s in devices])

    async def GetDevice(self, request: hub_pb2.GetDeviceRequest, context: Ctx) -> Any:
        """One device."""
        return hub_pb2.GetDeviceResponse(
            device=convert.device_to_pb(self.hub.get(request.device_id))
        )

    async def WatchEvents(
        self, request: hub_pb2.WatchEventsRequest, context: Ctx
    ) -> AsyncIterator[hub_pb2.WatchEventsResponse]:
        """Events from the resume point on."""
        for device_id in request.device_ids:
            self.hub.get(device_id, field="device_ids")
        sub = self.hub.bus.subscribe(
            request.resume_boot_id, request.resume_after_sequence, request.device_ids
        )
        try:
            async for event in sub:
                yield hub_pb2.WatchEventsResponse(event=convert.event_to_pb(event))
        finally:
            sub.close()

    async def AcquireLease(self, request: hub_pb2.AcquireLeaseRequest, context: Ctx) -> Any:
        """Take a device exclusively."""
        self.hub.get(request.device_id)
        lease = self.hub.leases.acquire(
            request.device_id, request.holder, request.ttl.ToTimedelta().total_seconds()
        )
        return hub_pb2.AcquireLeaseResponse(lease=convert.lease_to_pb(lease))

    async def RenewLease(self, request: hub_pb2.RenewLeaseRequest, context: Ctx) -> Any:
        """Heartbeat a lease."""
        lease = self.hub.leases.renew(request.lease_id, request.ttl.ToTimedelta().total_seconds())
        return hub_pb2.RenewLeaseResponse(lease=convert.lease_to_pb(lease))

    async def ReleaseLease(self, request: hub_pb2.ReleaseLeaseRequest, context: Ctx) -> Any:
        """Give a lease back."""
        self.hub.leases.release(request.lease_id)
        return hub_pb2.ReleaseLeaseResponse()
