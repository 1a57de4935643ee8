"""The camera device class: stills, a shared preview, applicant-photo checks and document capture.

A camera driver implements three things: ``grab`` (one frame read after the call began),
``frames`` (the newest frames as they are read, one reader shared by every watcher, a slow
watcher skipping frames rather than queueing them) and ``read_status``. Everything else is built
here on those: stills at a requested size and format, a preview at a requested size and rate,
the applicant-photo checks (``checks.check_photo``) and document capture (``document``), the last
two run in a worker thread on the frame's pixels; what they return is in ``captures``. The
camera is an exclusive device (leases are the servicer's business, not the driver's).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from hubd.classes.camera.captures import DocumentPage, PhotoReport, PreviewFrame, Still
from hubd.classes.camera.frames import (
    DEFAULT_QUALITY,
    Frame,
    FrameSize,
    ImageFormat,
    Pixels,
    check_quality,
)
from hubd.device import Device, DeviceClass, DeviceEvent, DeviceState
from hubd.errors import InvalidArgument

if TYPE_CHECKING:
    from hubd.classes.camera.checks import PhotoLimits

FROZEN_FRAMES = "FROZEN_FRAMES"
BLACK_FRAMES = "BLACK_FRAMES"
CAMERA_FRAME_SIZE_CHANGED = "CAMERA_FRAME_SIZE_CHANGED"
MAX_PREVIEW_FPS = 30.0


@dataclass(frozen=True)
class CameraReading:
    """One observation of a camera: what it delivers and whether its picture is alive."""

    width: int
    height: int
    fps: float
    """Frames per second delivered lately (0 until two frames were read)."""
    frame_age: float
    """Seconds since the newest frame arrived."""
    frozen_for: float
    """Seconds the picture has been byte-for-byte the same (a real sensor is never still)."""
    mean_luma: float
    """Mean brightness of the newest frame, 0..255."""
    source: str


class CameraDevice(Device):
    """Base of camera drivers (OpenCV V4L2/file sources, MJPEG over HTTP...)."""

    device_class = DeviceClass.CAMERA
    DEFAULT_TIMEOUT = 5.0
    DEFAULT_POLL_INTERVAL = 10.0
    """A status read opens the camera for a few frames."""
    frozen_after: float = 5.0
    """A picture unchanged this many seconds is FROZEN_FRAMES."""
    BLACK_LUMA: ClassVar[float] = 8.0
    """A picture darker than this is BLACK_FRAMES (lens covered, sensor dead)."""

    @abc.abstractmethod
    async def grab(self) -> Frame:
        """A frame read after this call began (the source is opened if needed);
        ``DeviceUnavailable`` when the camera cannot deliver one within the timeout."""

    @abc.abstractmethod
    def frames(self) -> AsyncGenerator[Frame]:
        """The newest frames as the camera delivers them, read once for every watcher; a slow
        watcher gets the newest frame when it asks again (skipping, never queueing). Ends by
        raising ``DeviceUnavailable`` when the camera goes away; the next call reconnects."""

    @abc.abstractmethod
    async def read_status(self) -> CameraReading:
        """Observe the camera now (reading a frame); ``DeviceUnavailable`` when it cannot."""

    async def poll(self) -> CameraReading:
        """The supervisor's poll reads the status."""
        return await self.read_status()

    def assess(self, reading: object) -> tuple[DeviceState, str, str]:
        """UNAVAILABLE while the picture is frozen or black, else AVAILABLE."""
        assert isinstance(reading, CameraReading)
        if reading.frozen_for >= self.frozen_after:
            return (DeviceState.UNAVAILABLE, FROZEN_FRAMES,
                    f"the picture has not changed for {reading.frozen_for:.0f} s")
        if reading.mean_luma < self.BLACK_LUMA:
            return DeviceState.UNAVAILABLE, BLACK_FRAMES, "the camera sends black frames (lens covered?)"
        return DeviceState.AVAILABLE, "", ""

    def events_between(self, old: object | None, new: object) -> list[DeviceEvent]:
        """CAMERA_FRAME_SIZE_CHANGED when the frames come at another size than last observed
        (another webcam plugged in, or its mode changed)."""
        if not (isinstance(old, CameraReading) and isinstance(new, CameraReading)):
            return []
        if (old.width, old.height) == (new.width, new.height):
            return []
        return [DeviceEvent(CAMERA_FRAME_SIZE_CHANGED, {"size": f"{new.width}x{new.height}",
                                                        "previous": f"{old.width}x{old.height}"})]

    async def capture_still(self, size: FrameSize | None = None, fmt: ImageFormat = ImageFormat.JPEG,
                            quality: int = DEFAULT_QUALITY) -> Still:
        """A fresh frame at ``size`` (cover-cropped; None = the camera's size) as JPEG or PNG."""
        check_quality(quality)
        frame = await self.grab()
        data = await asyncio.to_thread(frame.encoded, size, fmt, quality)
        out = size or frame.size
        return Still(data, fmt, out.width, out.height, datetime.now(UTC), frame.seq)

    async def preview(self, size: FrameSize | None = None, fps: float = 15.0,
                      quality: int = 80) -> AsyncIterator[PreviewFrame]:
        """JPEG frames at ``size`` and at most ``fps`` per second from the shared reader.

        Each frame is encoded once per (size, quality) whoever watches; a client that is slow
        to take frames gets the newest one when it is ready (``dropped`` counts what it missed).
        """
        check_quality(quality)
        if isinstance(fps, bool) or not isinstance(fps, int | float) or not 0 < fps <= MAX_PREVIEW_FPS:
            raise InvalidArgument("fps", f"must be in (0, {MAX_PREVIEW_FPS:g}] frames per second")
        interval = 1.0 / fps
        slack = min(0.01, interval / 4)
        due = 0.0
        last = -1
        async with contextlib.aclosing(self.frames()) as frames:
            async for frame in frames:
                if frame.timestamp + slack < due:
                    continue
                due = max(due + interval, frame.timestamp + interval - slack)
                data = await asyncio.to_thread(frame.encoded, size, ImageFormat.JPEG, quality)
                out = size or frame.size
                dropped = 0 if last < 0 else frame.seq - last - 1
                last = frame.seq
                yield PreviewFrame(frame.seq, data, ImageFormat.JPEG, out.width, out.height,
                                   frame.timestamp, dropped)

    async def check_applicant_photo(self, limits: PhotoLimits | None = None) -> tuple[Frame, PhotoReport]:
        """A fresh frame and its applicant-photo checks (``checks.check_photo``)."""
        from hubd.classes.camera import checks

        frame = await self.grab()
        report = await asyncio.to_thread(lambda: checks.check_photo(frame.bgr(), limits))
        return frame, report

    async def capture_document(self, width: int | None = None) -> tuple[Frame, DocumentPage]:
        """A fresh frame and the page found in it, flattened (``document.capture_page``);
        ``DeviceNotReady`` PAGE_NOT_FOUND when no page is in view."""
        from hubd.classes.camera import document

        frame = await self.grab()
        page = await asyncio.to_thread(lambda: document.capture_page(frame.bgr(), width=width))
        return frame, page


__all__ = [
    "BLACK_FRAMES",
    "CAMERA_FRAME_SIZE_CHANGED",
    "FROZEN_FRAMES",
    "CameraDevice",
    "CameraReading",
    "Frame",
    "FrameSize",
    "ImageFormat",
    "Pixels",
]
