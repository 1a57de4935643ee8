"""``kioskhub.v1.UpsService``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from hubd.app import Hub
from hubd.classes.ups import convert
from hubd.device import DeviceClass
from hubd.rpc.cache import StatusCache
from kioskhub.v1 import ups_pb2, ups_pb2_grpc

Ctx = Any


class UpsServicer(ups_pb2_grpc.UpsServiceServicer):
    """UPS status, once or as a stream of changes."""

    SERVICE = ups_pb2.DESCRIPTOR.services_by_name["UpsService"]

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._cache = StatusCache(
            lambda sup: ups_pb2.GetUpsStatusResponse(status=convert.ups_status_to_pb(sup))
        )

    async def GetUpsStatus(self, request: ups_pb2.GetUpsStatusRequest, context: Ctx) -> Any:
        """The latest observed status (built once per change, not per call)."""
        return self._cache.wire(self.hub.find(DeviceClass.UPS, request.device_id))

    async def WatchUpsStatus(
        self, request: ups_pb2.WatchUpsStatusRequest, context: Ctx
    ) -> AsyncIterator[ups_pb2.WatchUpsStatusResponse]:
        """The status now and after every change, until the hub stops."""
        sup = self.hub.find(DeviceClass.UPS, request.device_id)
        while True:
            yield ups_pb2.WatchUpsStatusResponse(status=convert.ups_status_to_pb(sup))
            if not await self.hub.wait_changed(sup):
                raise self.hub.stopped_error()
