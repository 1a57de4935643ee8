"""A camera read through ``sources`` (MJPEG over HTTP, or OpenCV for V4L2 and files), one reader shared."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from hubd.classes.camera.contract import CameraDevice, CameraReading, Frame
from hubd.driver_api import Option, StatusSource
from kioskhub.drivers.camera.pump import FramePump
from kioskhub.drivers.camera.sources import open_source, parse_url


def mean_luma(frame: Frame) -> float:
    """Mean brightness (0..255) of a frame, from an 1/8-scale grey decode of its JPEG when it has
    one (≈ 1 ms; Pillow's draft mode, so a status poll does not load OpenCV into an idle hub),
    else from every 8th pixel."""
    if frame.jpeg is not None:
        import io

        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(frame.jpeg)) as image:
                image.draft("L", (max(1, image.width // 8), max(1, image.height // 8)))
                histogram = image.convert("L").histogram()
            return sum(level * count for level, count in enumerate(histogram)) / max(1, sum(histogram))
        except (OSError, UnidentifiedImageError):
            pass  # not a JPEG Pillow can read: measure the pixels
    return float(frame.bgr()[::8, ::8].mean())


STATUS_FRAMES = 3
"""Frames a status read takes: the newest is described, the rate is measured between them."""


class Camera(CameraDevice):
    """A webcam (``v4l2:///dev/video0``), an IP camera's MJPEG stream (``http://…``) or a video
    file (``file:///…``). Frames are read once, in one task, for every watcher."""

    status_source = StatusSource.DEVICE
    OPTIONS = {
        "keep_open": Option(float, 3.0, "seconds the camera stays open after its last use", 0.0, 600.0),
        "frozen_after": Option(float, 5.0, "seconds of an unchanging picture that make it FROZEN_FRAMES",
                               0.5, 3600.0),
    }

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        self.spec = parse_url(url)
        self.frozen_after = float(self.options["frozen_after"])
        self.pump = FramePump(lambda: open_source(self.spec, self.timeout), timeout=self.timeout,
                              keep_open=float(self.options["keep_open"]))

    async def grab(self) -> Frame:
        """A frame read after this call began."""
        return await self.pump.grab()

    def frames(self) -> AsyncGenerator[Frame]:
        """The newest frames, shared with every other watcher."""
        return self.pump.frames()

    async def read_status(self) -> CameraReading:
        """Read a few fresh frames (the rate between them) and describe the newest: size, rate,
        frozen, brightness. The camera closes right after unless someone else is watching."""
        frames = self.pump.frames(linger=False)
        try:
            for _ in range(STATUS_FRAMES):
                frame = await anext(frames)
        finally:
            await frames.aclose()
        luma = await asyncio.to_thread(mean_luma, frame)
        return CameraReading(
            width=frame.width, height=frame.height, fps=round(self.pump.fps, 2),
            frame_age=max(0.0, time.monotonic() - frame.timestamp), frozen_for=self.pump.frozen_for,
            mean_luma=luma, source=self.spec.description,
        )

    async def close(self) -> None:
        """Stop reading; the next use reopens the camera."""
        await self.pump.close()

    def describe(self) -> str:
        """Where the frames come from."""
        return self.spec.description
