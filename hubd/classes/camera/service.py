"""``kioskhub.v1.CameraService``: thin: check the caller's lease, convert, ask the studio, convert."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from hubd.app import Hub
from hubd.classes.camera import convert
from hubd.classes.camera.studio import Studio
from hubd.device import DeviceClass
from hubd.supervisor import Supervisor
from kioskhub.v1 import camera_pb2, camera_pb2_grpc

Ctx = Any
CAMERA = DeviceClass.CAMERA


class CameraServicer(camera_pb2_grpc.CameraServiceServicer):
    """Stills, the preview, applicant-photo checks and document capture (the caller's lease required)."""

    SERVICE = camera_pb2.DESCRIPTOR.services_by_name["CameraService"]

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    @property
    def studio(self) -> Studio:
        """The class's runner."""
        return self.hub.runner("camera", Studio)

    def _leased(self, device_id: str) -> Supervisor:
        return self.hub.use(self.hub.find(CAMERA, device_id))

    async def CapturePhoto(self, request: camera_pb2.CapturePhotoRequest, context: Ctx) -> Any:
        """A fresh still at the requested size and format."""
        sup = self._leased(request.device_id)
        size, fmt, quality = convert.photo_request(request)
        return convert.photo_to_pb(sup.id, await self.studio.photo(sup, size, fmt, quality))

    async def StreamPreview(
        self, request: camera_pb2.StreamPreviewRequest, context: Ctx
    ) -> AsyncIterator[camera_pb2.StreamPreviewResponse]:
        """JPEG frames from the shared reader; ends when the caller's lease does."""
        sup = self._leased(request.device_id)
        size, fps, quality = convert.preview_request(request)
        async for frame in self.studio.preview(sup, size, fps, quality):
            self.hub.use(sup)  # the lease ended (released, expired, taken over): so does the preview
            yield convert.preview_frame_to_pb(frame)

    async def CheckApplicantPhoto(self, request: camera_pb2.CheckApplicantPhotoRequest, context: Ctx) -> Any:
        """A fresh photo, every check, and its crops."""
        sup = self._leased(request.device_id)
        checked = await self.studio.check_photo(sup, request.preset)
        return convert.applicant_photo_to_pb(sup.id, checked)

    async def CaptureDocument(self, request: camera_pb2.CaptureDocumentRequest, context: Ctx) -> Any:
        """A page in view, flattened, as a size-capped PDF or JPEG."""
        sup = self._leased(request.device_id)
        preset, overrides, dpi = convert.document_request(request)
        return convert.document_to_pb(sup.id, await self.studio.document(sup, preset, overrides, dpi))
