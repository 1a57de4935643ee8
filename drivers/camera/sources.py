"""Where frames come from: an MJPEG stream over HTTP (IP cameras), or OpenCV (a V4L2 device, a file).

URLs: ``http://HOST:PORT/PATH`` (or https) an MJPEG stream; ``v4l2:///dev/video0`` or ``v4l2:0``
a V4L2 device by path or index (query ``width``, ``height``, ``fps``, ``fourcc=MJPG``);
``file:///path/video.avi`` a video file or an image sequence (``img_%04d.png``), played at its own
frame rate and looped (``?loop=0`` ends it). A source is opened, read frame by frame and closed by
one reader (``pump.FramePump``); every failure is a ``DeviceUnavailable`` subclass.
"""

from __future__ import annotations

import abc
import asyncio
import concurrent.futures
import functools
import logging
import os
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from hubd.classes.camera.contract import Pixels
from hubd.driver_api import (
    DeviceUnavailable,
    InvalidArgument,
    ParsedUrl,
    ProtocolError,
    TransportError,
    TransportTimeout,
)
from kioskhub.drivers.camera.protocol import MjpegParser, boundary_from

log = logging.getLogger(__name__)

Raw = tuple[bytes | None, Pixels | None]
"""What a source read gives: the camera's JPEG bytes, or BGR pixels."""


@dataclass(frozen=True)
class SourceSpec:
    """A parsed camera URL."""

    kind: str
    """``mjpeg``, ``v4l2`` or ``file``."""
    target: str | int
    """The URL (mjpeg), a device path or index (v4l2), a file path (file)."""
    settings: dict[str, float] = field(default_factory=dict)
    loop: bool = True

    @property
    def description(self) -> str:
        """Where the frames come from, for people."""
        if self.kind == "v4l2":
            return f"V4L2 camera {self.target}"
        return f"MJPEG camera {self.target}" if self.kind == "mjpeg" else f"video file {self.target}"


def parse_url(url: str) -> SourceSpec:
    """A ``SourceSpec`` for a camera URL; INVALID_ARGUMENT naming ``url`` otherwise."""
    parsed = ParsedUrl(url)
    if parsed.scheme in ("http", "https"):
        if not parsed.host:
            raise InvalidArgument("url", f"{url[:60]!r}: needs a host")
        return SourceSpec("mjpeg", url)
    if parsed.scheme == "v4l2":
        settings = {k: parsed.number(k, 0) for k in ("width", "height", "fps") if k in parsed.query}
        fourcc = parsed.query.get("fourcc", "")
        if fourcc and len(fourcc) != 4:
            raise InvalidArgument("url", f"{url[:60]!r}: fourcc must be 4 characters (MJPG, YUYV)")
        if fourcc:
            settings["fourcc"] = float(int.from_bytes(fourcc.encode("ascii"), "little"))
        where = parsed.path or parsed.host or url.removeprefix("v4l2:").split("?")[0]
        if where.isdigit():
            return SourceSpec("v4l2", int(where), settings)
        if not where.startswith("/dev/"):
            raise InvalidArgument("url", f"{url[:60]!r}: use v4l2:///dev/videoN or v4l2:N")
        return SourceSpec("v4l2", where, settings)
    if parsed.scheme == "file":
        if not parsed.path.startswith("/") or parsed.host:
            raise InvalidArgument("url", f"{url[:60]!r}: use file:///absolute/path")
        return SourceSpec("file", parsed.path, loop=parsed.query.get("loop", "1") != "0")
    raise InvalidArgument("url", f"{url[:60]!r}: the camera driver takes http(s)://, v4l2:// or file:// URLs")


class FrameSource(abc.ABC):
    """One open camera: ``open``, then ``read`` frame after frame, then ``close``."""

    def __init__(self, spec: SourceSpec, timeout: float) -> None:
        self.spec = spec
        self.timeout = timeout

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect / open the device; ``DeviceUnavailable`` when it cannot be."""

    @abc.abstractmethod
    async def read(self) -> Raw:
        """The next frame (the newest, when several arrived at once)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the camera (idempotent)."""


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every opening (building one loads the CA bundle: ~10 ms
    of CPU, at every status poll otherwise)."""
    import httpx

    return httpx.create_ssl_context()


class MjpegSource(FrameSource):
    """An MJPEG stream over HTTP, read with httpx and ``protocol.MjpegParser``."""

    def __init__(self, spec: SourceSpec, timeout: float) -> None:
        super().__init__(spec, timeout)
        self._client: Any = None
        self._response: Any = None
        self._chunks: AsyncIterator[bytes] | None = None
        self._parser: MjpegParser | None = None

    async def open(self) -> None:
        """GET the stream; a non-200 answer or a non-multipart body is an error."""
        import httpx

        url = str(self.spec.target)
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), follow_redirects=False,
                                         trust_env=False, verify=_tls_context())
        try:
            request = self._client.build_request("GET", url, headers={"Accept": "multipart/x-mixed-replace"})
            self._response = await self._client.send(request, stream=True)
            status = self._response.status_code
            if status != 200:
                raise DeviceUnavailable(f"camera at {url} answered HTTP {status}", reason="HTTP_ERROR",
                                        metadata={"status": str(status)})
            delimiter = boundary_from(self._response.headers.get("content-type", ""))
        except httpx.HTTPError as err:
            await self.close()
            raise _converted(err, url) from err
        except DeviceUnavailable:
            await self.close()
            raise
        self._parser = MjpegParser(delimiter)
        self._chunks = self._response.aiter_raw()

    async def read(self) -> Raw:
        """Bytes until a part completes; the newest complete JPEG."""
        import httpx

        assert self._parser is not None and self._chunks is not None, "read before open"
        url = str(self.spec.target)
        while True:
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                raise TransportError(f"camera at {url} ended its stream", reason="DISCONNECTED") from None
            except httpx.HTTPError as err:
                raise _converted(err, url) from err
            parts = self._parser.feed(chunk)
            if parts:
                return parts[-1], None
            if self._parser.closed:
                raise TransportError(f"camera at {url} closed its stream", reason="DISCONNECTED")

    async def close(self) -> None:
        """Close the response and the client (a link that already broke closes quietly)."""
        import httpx

        response, client = self._response, self._client
        self._response = self._client = self._chunks = None
        try:
            if response is not None:
                await response.aclose()
        except httpx.HTTPError as err:
            log.debug("closing the camera stream: %s", err)
        finally:
            if client is not None:
                await client.aclose()


def _converted(err: Exception, url: str) -> DeviceUnavailable:
    """An httpx error as the hub's error (once)."""
    import httpx

    if isinstance(err, httpx.TimeoutException):
        return TransportTimeout(f"camera at {url} did not answer in time", reason="TIMEOUT")
    if isinstance(err, httpx.ConnectError):
        return TransportError(f"cannot connect to the camera at {url}: {err}", reason="CONNECTION_REFUSED")
    if isinstance(err, httpx.RemoteProtocolError | httpx.DecodingError):
        return ProtocolError(f"camera at {url} broke HTTP: {err}", reason="PROTOCOL_ERROR")
    return TransportError(f"camera at {url}: {str(err) or type(err).__name__}", reason="DISCONNECTED")


class OpenCvSource(FrameSource):
    """A V4L2 device or a video file through ``cv2.VideoCapture``, every call on one thread of its own."""

    def __init__(self, spec: SourceSpec, timeout: float) -> None:
        super().__init__(spec, timeout)
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="camera")
        self._cap: Any = None
        self._period = 0.0
        self._due = 0.0

    async def _call(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def open(self) -> None:
        """Open the capture; CAMERA_NOT_FOUND when there is no such device or file."""
        target = self.spec.target
        if isinstance(target, str) and "%" not in target and not os.path.exists(target):
            what = "device" if self.spec.kind == "v4l2" else "file"
            raise DeviceUnavailable(f"no camera {what} {target}", reason="CAMERA_NOT_FOUND")
        self._cap = await self._call(self._open)
        if self._cap is None:
            raise DeviceUnavailable(f"OpenCV cannot open {self.spec.description}", reason="CAMERA_NOT_FOUND")

    def _open(self) -> Any:
        import cv2

        msec = int(self.timeout * 1000)
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, msec, cv2.CAP_PROP_READ_TIMEOUT_MSEC, msec]
        api = cv2.CAP_V4L2 if self.spec.kind == "v4l2" else cv2.CAP_ANY
        cap = cv2.VideoCapture(self.spec.target, api, params)
        if not cap.isOpened():
            cap.release()
            return None
        props = {"width": cv2.CAP_PROP_FRAME_WIDTH, "height": cv2.CAP_PROP_FRAME_HEIGHT,
                 "fps": cv2.CAP_PROP_FPS, "fourcc": cv2.CAP_PROP_FOURCC}
        for key, value in self.spec.settings.items():
            if not cap.set(props[key], value):
                log.info("%s: the camera did not take %s=%g", self.spec.description, key, value)
        if self.spec.kind == "file":  # a file plays at its own rate, not as fast as it decodes
            fps = cap.get(cv2.CAP_PROP_FPS)
            self._period = 1.0 / fps if 0 < fps <= 240 else 0.04
        return cap

    def _read(self) -> Pixels | None:
        import cv2

        ok, pixels = self._cap.read()
        if not ok and self.spec.kind == "file" and self.spec.loop:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, pixels = self._cap.read()
        return pixels if ok else None

    async def read(self) -> Raw:
        """The next frame; the capture failing (unplugged, end of file) is DISCONNECTED."""
        if self._period:
            now = time.monotonic()
            self._due = max(self._due + self._period, now)
            await asyncio.sleep(self._due - now)
        pixels = await self._call(self._read)
        if pixels is None:
            raise TransportError(f"{self.spec.description} stopped delivering frames", reason="DISCONNECTED")
        return None, pixels

    async def close(self) -> None:
        """Release the capture on its thread, then end the thread."""
        cap, self._cap = self._cap, None
        if cap is not None:
            await self._call(cap.release)
        self._pool.shutdown(wait=False)


def open_source(spec: SourceSpec, timeout: float) -> FrameSource:
    """A (not yet opened) source for ``spec``."""
    return MjpegSource(spec, timeout) if spec.kind == "mjpeg" else OpenCvSource(spec, timeout)
