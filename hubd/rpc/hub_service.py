"""``kioskhub.v1.HubService``: identity, devices, events, leases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from hubd.app import Hub
from hubd.errors import InvalidArgument
from hubd.rpc import convert
from hubd.rpc.cache import StatusCache
from hubd.rpc.paging import Page
from hubd.supervisor import Supervisor
from kioskhub.v1 import hub_pb2, hub_pb2_grpc

Ctx = Any


def _seconds(value: Any, field: str) -> float:
    """A Duration request field in seconds (0 when unset); range checks are the caller's."""
    seconds = value.seconds + value.nanos / 1e9
    if seconds < 0:
        raise InvalidArgument(field, "must not be negative")
    return float(seconds)


class HubServicer(hub_pb2_grpc.HubServiceServicer):
    """Hub identity, devices, events and leases."""

    SERVICE = hub_pb2.DESCRIPTOR.services_by_name["HubService"]

    def __init__(self, hub: Hub, services: list[str] | None = None) -> None:
        self.hub = hub
        self.services = services or []
        self._devices = StatusCache(
            lambda sup: hub_pb2.GetDeviceResponse(device=convert.device_to_pb(sup, self.hub.leases))
        )
        self._listing: tuple[object, bytes] | None = None

    def _lease_key(self, sup: Supervisor) -> object:
        lease = self.hub.leases.holder(sup.id)
        return None if lease is None else (lease.lease_id, lease.expires, lease.release_requested)

    def _device(self, sup: Supervisor) -> Any:
        """A device's GetDevice answer, built once per change of the device or of its lease."""
        return self._devices.get(sup, self._lease_key(sup))

    async def GetHubInfo(self, request: hub_pb2.GetHubInfoRequest, context: Ctx) -> Any:
        """Version, boot id, start time."""
        info = self.hub.info()
        return hub_pb2.GetHubInfoResponse(
            version=info["version"],
            boot_id=info["boot_id"],
            start_time=convert.timestamp(info["started_at"]),
            simulate=info["simulate"],
            services=self.services,
            last_sequence=info["last_sequence"],
        )

    async def ListDevices(self, request: hub_pb2.ListDevicesRequest, context: Ctx) -> Any:
        """Devices (optionally of one class) in configuration order, a page at a time."""
        device_class = convert.device_class_from_pb(request.device_class)
        page = Page.of(request.page_size, request.page_token, ("devices", str(request.device_class)))
        devices = self.hub.list(device_class)
        start = page.after if isinstance(page.after, int) else 0
        chunk = devices[start : start + page.size]
        key = (page, start, tuple((s.id, s.version, self._lease_key(s)) for s in chunk))
        if self._listing is not None and self._listing[0] == key:
            return self._listing[1]  # nothing changed since the last identical listing
        more = start + page.size < len(devices)
        response = hub_pb2.ListDevicesResponse(
            devices=[self._device(s).device for s in chunk],
            next_page_token=page.token(start + page.size if more else None),
        )
        self._listing = (key, response.SerializeToString())
        return self._listing[1]

    async def GetDevice(self, request: hub_pb2.GetDeviceRequest, context: Ctx) -> Any:
        """One device."""
        sup = self.hub.get(request.device_id)
        return self._devices.wire(sup, self._lease_key(sup))

    async def WatchEvents(
        self, request: hub_pb2.WatchEventsRequest, context: Ctx
    ) -> AsyncIterator[hub_pb2.WatchEventsResponse]:
        """Events from the resume point on; UNAVAILABLE HUB_STOPPING when the hub stops."""
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
        lease = self.hub.leases.acquire(request.device_id, request.holder, _seconds(request.ttl, "ttl"))
        return hub_pb2.AcquireLeaseResponse(lease=convert.lease_to_pb(lease))

    async def RenewLease(self, request: hub_pb2.RenewLeaseRequest, context: Ctx) -> Any:
        """Heartbeat a lease."""
        lease = self.hub.leases.renew(request.lease_id, _seconds(request.ttl, "ttl"))
        return hub_pb2.RenewLeaseResponse(lease=convert.lease_to_pb(lease))

    async def ReleaseLease(self, request: hub_pb2.ReleaseLeaseRequest, context: Ctx) -> Any:
        """Give a lease back."""
        self.hub.leases.release(request.lease_id)
        return hub_pb2.ReleaseLeaseResponse()

    async def RequestLeaseRelease(self, request: hub_pb2.RequestLeaseReleaseRequest, context: Ctx) -> Any:
        """Ask the holder to release (cooperative pre-emption with a grace window)."""
        self.hub.get(request.device_id)
        lease = self.hub.leases.request_release(request.device_id, request.requester)
        return hub_pb2.RequestLeaseReleaseResponse(lease=convert.lease_to_pb(lease))
