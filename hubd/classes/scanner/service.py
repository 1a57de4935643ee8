"""``kioskhub.v1.ScannerService``: thin: convert, check the caller's lease, run, convert.

A scan's file goes to the client in chunks of at most ``CHUNK`` bytes after its header, never
as one message (a multi-page colour PDF can be megabytes).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

from hubd.app import Hub
from hubd.classes.scanner import convert
from hubd.classes.scanner.records import PageInfo, ScanJobInfo
from hubd.classes.scanner.scans import Scans
from hubd.device import DeviceClass
from hubd.errors import InvalidArgument, quote
from hubd.rpc.cache import StatusCache
from hubd.supervisor import Supervisor
from kioskhub.v1 import scanner_pb2, scanner_pb2_grpc

Ctx = Any
SCANNER = DeviceClass.SCANNER
CHUNK = 64 * 1024
SCAN_JOB_ID = re.compile(r"scan-[0-9a-f]{16}")


class ScannerServicer(scanner_pb2_grpc.ScannerServiceServicer):
    """Capabilities, scans and cancels (the caller's lease required)."""

    SERVICE = scanner_pb2.DESCRIPTOR.services_by_name["ScannerService"]

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._caps = StatusCache(self._capabilities)
        self._known: dict[str, Any] = {}

    @property
    def scans(self) -> Scans:
        """The class's runner."""
        return self.hub.runner("scanner", Scans)

    def _leased(self, device_id: str) -> Supervisor:
        return self.hub.use(self.hub.find(SCANNER, device_id))

    def _capabilities(self, sup: Supervisor) -> scanner_pb2.GetScannerCapabilitiesResponse:
        return convert.capabilities_to_pb(sup, self._known[sup.id], self.scans.config.presets)

    async def GetScannerCapabilities(
        self, request: scanner_pb2.GetScannerCapabilitiesRequest, context: Ctx
    ) -> Any:
        """What the scanner can do and how it is (built once per change, not per call)."""
        sup = self._leased(request.device_id)
        caps = self._known[sup.id] = await self.scans.capabilities(sup)
        return self._caps.wire(sup, caps)

    async def Scan(
        self, request: scanner_pb2.ScanRequest, context: Ctx
    ) -> AsyncIterator[scanner_pb2.ScanResponse]:
        """The job, its pages, the file's header and bytes, the job at its end."""
        order = convert.order_from_pb(request, self.scans.config)
        sup = self._leased(request.device_id)
        try:
            async with contextlib.aclosing(self.scans.scan(sup, order)) as progress:
                async for item in progress:
                    if isinstance(item, ScanJobInfo):
                        yield scanner_pb2.ScanResponse(job=convert.job_to_pb(item))
                    elif isinstance(item, PageInfo):
                        yield scanner_pb2.ScanResponse(page=convert.page_to_pb(item))
                    else:
                        yield scanner_pb2.ScanResponse(file=convert.file_to_pb(item, order.output))
                        data = memoryview(item.data)
                        for start in range(0, len(data), CHUNK):
                            yield scanner_pb2.ScanResponse(file_chunk=bytes(data[start : start + CHUNK]))
        except InvalidArgument as err:  # what this scanner cannot do, named as the request names it
            raise convert.field_error(err) from err

    async def CancelScan(self, request: scanner_pb2.CancelScanRequest, context: Ctx) -> Any:
        """Stop a running scan; its stream ends with the job CANCELLED."""
        if not SCAN_JOB_ID.fullmatch(request.scan_job_id):
            raise InvalidArgument("scan_job_id", f"is not a scan job id: {quote(request.scan_job_id)}")
        record = self.scans.get(request.scan_job_id)
        self.hub.use(self.hub.get(record.device_id))
        await self.scans.cancel(record)
        return scanner_pb2.CancelScanResponse(scan_job=convert.job_to_pb(record.info()))
