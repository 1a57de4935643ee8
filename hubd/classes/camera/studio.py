"""The camera class's runner: what the servicer asks of a camera, with the ``[camera]`` settings.

Stills and the preview come straight from the device; the applicant-photo check adds the crops
(35 × 45 mm, and a portal photo preset through the scanner's output), and document capture
flattens the page at the requested resolution and hands it to the scanner's output for the size
cap (``portal``). Image work runs in worker threads. The caller checked the lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hubd.classes.camera import portal
from hubd.classes.camera.captures import DocumentPage, PhotoReport, PreviewFrame, Still
from hubd.classes.camera.contract import CameraDevice, Frame, FrameSize, ImageFormat
from hubd.classes.camera.frames import encode
from hubd.classes.camera.portal import OutputFile, OutputSpec
from hubd.config import HubConfig
from hubd.errors import DeviceUnavailable

if TYPE_CHECKING:
    from hubd.app import Hub
    from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
PASSPORT_QUALITY = 92
DOCUMENT_TITLE = "Captured by the kiosk camera"


@dataclass(frozen=True)
class CameraConfig:
    """``[camera]``: defaults of camera requests."""

    document_dpi: int = 150

    @classmethod
    def from_config(cls, config: HubConfig) -> CameraConfig:
        """The ``[camera]`` section, checked."""
        return cls(int(config.section("camera")["document_dpi"]))


@dataclass(frozen=True)
class ApplicantPhoto:
    """A checked applicant photo: the frame, its report, and (one face found) its crops."""

    frame: Frame
    jpeg: bytes
    """The frame as JPEG."""
    report: PhotoReport
    preset: str
    spec: OutputSpec
    passport: bytes | None
    """The 35 × 45 mm crop at the camera's resolution (JPEG)."""
    portal: OutputFile | None
    """The preset's upload file."""
    captured_at: datetime


@dataclass(frozen=True)
class CapturedDocument:
    """A page found in a frame, flattened, as the upload file."""

    frame: Frame
    page: DocumentPage
    file: OutputFile
    captured_at: datetime


def runner(hub: Hub) -> Studio:
    """The camera class's runner."""
    return Studio(hub, CameraConfig.from_config(hub.config))


class Studio:
    """Photos, preview, applicant checks and document capture on the hub's cameras."""

    def __init__(self, hub: Hub, config: CameraConfig) -> None:
        self.hub = hub
        self.config = config

    async def start(self, devices: list[Supervisor]) -> None:
        """Nothing runs in the background: the cameras are read on request (and by their polls)."""

    async def stop(self) -> None:
        """Nothing to stop (each camera closes with its supervisor)."""

    @staticmethod
    def camera(sup: Supervisor) -> CameraDevice:
        """``sup``'s camera driver."""
        device = sup.device
        if not isinstance(device, CameraDevice):
            raise DeviceUnavailable(sup.reason_detail or "not a camera",
                                    reason=sup.status.reason or "DEVICE_UNAVAILABLE")
        return device

    async def photo(self, sup: Supervisor, size: FrameSize | None, fmt: ImageFormat, quality: int) -> Still:
        """A fresh still."""
        return await self.camera(sup).capture_still(size, fmt, quality)

    async def preview(self, sup: Supervisor, size: FrameSize | None, fps: float,
                      quality: int) -> AsyncIterator[PreviewFrame]:
        """The shared preview, ending with HUB_STOPPING when the hub stops."""
        async for frame in self.camera(sup).preview(size, fps, quality):
            if self.hub.stopping.is_set():
                raise self.hub.stopped_error()
            yield frame

    async def check_photo(self, sup: Supervisor, preset: str) -> ApplicantPhoto:
        """A fresh frame, every applicant-photo check, and its crops when it shows one face."""
        spec = portal.photo_preset(preset)  # a bad preset takes no photo
        frame, report = await self.camera(sup).check_applicant_photo()
        captured = datetime.now(UTC)
        face = report.faces[0] if len(report.faces) == 1 else None

        def pictures() -> tuple[bytes, bytes | None, OutputFile | None]:
            shown = frame.encoded(None, ImageFormat.JPEG)  # the camera's own JPEG when it sent one
            if face is None:
                return shown, None, None
            image = frame.bgr()
            passport = encode(portal.passport_crop(image, face), ImageFormat.JPEG, PASSPORT_QUALITY)
            return shown, passport, portal.fit_photo(image, spec, face)

        shown, passport, upload = await asyncio.to_thread(pictures)
        return ApplicantPhoto(frame, shown, report, preset or portal.DEFAULT_PHOTO_PRESET, spec, passport,
                              upload, captured)

    async def document(self, sup: Supervisor, preset: str, overrides: Mapping[str, Any],
                       dpi: int | None) -> CapturedDocument:
        """A fresh frame's page, flattened at ``dpi`` (else the preset's, else the setting's) and
        made into the file the preset and ``overrides`` ask for."""
        spec = portal.document_spec(preset, overrides)  # a bad request takes no photo
        dpi = dpi or spec.dpi or self.config.document_dpi
        frame, page = await self.camera(sup).capture_document(width=portal.page_width_px(dpi))
        captured = datetime.now(UTC)
        upload = await asyncio.to_thread(portal.fit_page, page.pixels, dpi, spec, DOCUMENT_TITLE)
        log.info("%s: page captured: %s, %d bytes at %d dpi", sup.id, upload.format.name, len(upload.data),
                 upload.dpi)
        return CapturedDocument(frame, page, upload, captured)
