"""A network camera serving MJPEG over HTTP on loopback, the way IP cameras and mjpg-streamer do.

Wire format (the de-facto "server push" of Netscape, a multipart body per RFC 2046 §5.1): one
HTTP response ``Content-Type: multipart/x-mixed-replace; boundary=B`` whose body is a run of
parts ``--B CRLF Content-Type: image/jpeg CRLF Content-Length: N CRLF CRLF <N bytes> CRLF``, one
JPEG per frame, never ending. Paths: ``/stream.mjpg`` (also ``/`` and ``/video``) the stream,
``/snapshot.jpg`` one JPEG. Any standard client reads it (ffmpeg/ffprobe, OpenCV, a browser).

State (``get`` / ``set KEY VALUE``): ``scene`` (see ``scene NAME`` / ``scenes``), ``width``,
``height``, ``fps``, ``quality``, and the faults ``black`` (all-black frames) and ``frozen`` (the
same frame, byte for byte, again and again). ``unplug`` (alias ``disconnect``) resets every open
stream and every new connection until ``replug``; ``fault garbage on`` breaks the multipart
framing; ``fault delay S`` delays each response. ``truth`` answers what the scene shows (faces,
lighting, the page's corners and words) as JSON. Each JPEG names its scene in a comment segment
(``kioskhub-sim scene=NAME``, ``scene=black``), as cameras label frames; decoders ignore it.

    sim = CameraSim(); url = await sim.start("tcp://127.0.0.1:0")   # http://127.0.0.1:PORT/stream.mjpg
    sim.set_scene("two_faces"); sim.state.frozen = True; sim.unplug()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from kioskhub.simulators.base import Simulator, SimulatorError
from kioskhub.simulators.control import CommandError, one_arg

log = logging.getLogger(__name__)

BOUNDARY = "kioskhubframe"
VARIANTS = 5
STREAM_PATHS = ("/", "/stream.mjpg", "/video")
SNAPSHOT_PATH = "/snapshot.jpg"
MAX_REQUEST = 8192
_LIMITS = {"width": (16, 4096), "height": (16, 4096), "fps": (0.5, 60.0), "quality": (10, 100)}


def scene_names() -> tuple[str, ...]:
    """The scenes the camera can show."""
    from kioskhub.simulators.camera.scenes import SCENES

    return tuple(SCENES)


@dataclass
class CameraState:
    """What the camera shows and how; settable from Python or ``set KEY VALUE``."""

    scene: str = "face"
    width: int = 640
    height: int = 480
    fps: float = 25.0
    quality: int = 85
    black: bool = False
    frozen: bool = False

    def __setattr__(self, key: str, value: Any) -> None:
        if key == "scene" and value not in scene_names():
            raise CommandError(f"unknown scene {value!r} (scenes: {', '.join(scene_names())})")
        if key in _LIMITS:
            low, high = _LIMITS[key]
            if not low <= value <= high:
                raise CommandError(f"{key} must be within {low}..{high}")
        super().__setattr__(key, value)


class CameraSim(Simulator):
    """An MJPEG-over-HTTP camera with applicant and document scenes and picture faults."""

    name: ClassVar[str] = "camera"
    description: ClassVar[str] = "network camera, MJPEG over HTTP (applicant and document scenes)"
    state: CameraState

    def __init__(self, state: CameraState | None = None, *, seed: int | None = None) -> None:
        super().__init__(state, seed=seed)
        self.streams_opened = 0
        """Stream (not snapshot) responses begun: one per client reading the camera."""
        self.frames_sent = 0
        self._streams: set[asyncio.StreamWriter] = set()
        self._cache: dict[tuple[Any, ...], bytes] = {}
        self._frozen_frame: bytes | None = None
        self._t0 = time.monotonic()

    @classmethod
    def default_state(cls) -> CameraState:
        """The applicant scene at 640x480, 25 fps."""
        return CameraState()

    # ------------------------------------------------------------------ picture
    def set_scene(self, name: str) -> None:
        """Show scene ``name`` (CommandError naming the scenes when unknown)."""
        self.state.scene = name

    def truth(self) -> dict[str, Any]:
        """What the current scene shows, at the current size (JSON-able)."""
        from kioskhub.simulators.camera.scenes import truth

        return truth(self.state.scene, self.state.width, self.state.height).as_dict()

    def current_frame(self) -> bytes:
        """The JPEG the camera delivers now (same for every client at one instant)."""
        s = self.state
        if s.frozen:
            if self._frozen_frame is None:
                self._frozen_frame = self._last_frame()
            return self._frozen_frame
        self._frozen_frame = None
        return self._last_frame()

    def _last_frame(self) -> bytes:
        from kioskhub.simulators.camera.scenes import encode_jpeg, variant

        s = self.state
        k = int((time.monotonic() - self._t0) * s.fps) % VARIANTS
        key = ("black" if s.black else s.scene, s.width, s.height, s.quality, 0 if s.black else k)
        data = self._cache.get(key)
        if data is None:
            if s.black:
                import numpy as np

                image = np.zeros((s.height, s.width, 3), np.uint8)
            else:
                image = variant(s.scene, s.width, s.height, k)
            data = encode_jpeg(image, s.quality, f"kioskhub-sim scene={key[0]}")
            if len(self._cache) >= 4 * VARIANTS:
                self._cache.clear()
            self._cache[key] = data
        return data

    # ------------------------------------------------------------------ faults
    def unplug(self) -> None:
        """Reset every open stream; new connections are reset too until ``replug``."""
        super().unplug()
        for writer in list(self._streams):
            _reset(writer)

    def faults(self) -> dict[str, Any]:
        """The fault switches, with the picture faults."""
        return {**super().faults(), "black": self.state.black, "frozen": self.state.frozen}

    def snapshot(self) -> dict[str, Any]:
        """The state, with the stream counters."""
        return {**super().snapshot(), "streams_opened": self.streams_opened, "frames_sent": self.frames_sent,
                "streams_open": len(self._streams)}

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """scene NAME, scenes, truth, disconnect, reconnect."""

        def scene(args: list[str]) -> str:
            self.set_scene(one_arg(args))
            return f"scene {self.state.scene}"

        def disconnect(args: list[str]) -> str:
            self.unplug()
            return "disconnected"

        def reconnect(args: list[str]) -> str:
            self.replug()
            return "reconnected"

        return {
            "scene": ("scene NAME", scene),
            "scenes": ("scenes", lambda args: " ".join(scene_names())),
            "truth": ("truth", lambda args: json.dumps(self.truth(), ensure_ascii=False)),
            "disconnect": ("disconnect (= unplug)", disconnect),
            "reconnect": ("reconnect (= replug)", reconnect),
        }

    # ------------------------------------------------------------------ HTTP
    def on_bytes(self, session: Any, data: bytes) -> list[bytes]:
        """Unused: the HTTP exchange is served by ``_http``."""
        return []

    async def _listen(self, listen: str) -> str:
        if urlsplit(listen).scheme != "tcp":
            raise SimulatorError(f"{listen!r}: the camera serves HTTP on tcp://127.0.0.1:PORT")
        url = await self._serve_stream(listen, self._http)
        return "http://" + url.removeprefix("tcp://") + "/stream.mjpg"

    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one HTTP/1.0-style request (the connection closes after the response)."""
        try:
            if self.unplugged:
                _reset(writer)
                return
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                return
            method, path = _request_line(head)
            if self.delay > 0:
                await asyncio.sleep(self.delay)
            if self.unplugged:
                _reset(writer)
            elif method not in ("GET", "HEAD"):
                await _respond(writer, "405 Method Not Allowed", b"only GET\n", "text/plain")
            elif path == SNAPSHOT_PATH:
                body = self.current_frame()
                await _respond(writer, "200 OK", b"" if method == "HEAD" else body, "image/jpeg", len(body))
            elif path in STREAM_PATHS:
                await self._stream(writer, method == "HEAD")
            else:
                await _respond(writer, "404 Not Found", b"no such path\n", "text/plain")
        except (ConnectionError, OSError) as err:
            log.debug("camera client went away: %s", err)
        finally:
            self._streams.discard(writer)
            if not writer.is_closing():
                writer.close()

    async def _stream(self, writer: asyncio.StreamWriter, head_only: bool) -> None:
        """The multipart stream: one part per frame at ``fps``; a slow reader skips frames."""
        writer.write(
            b"HTTP/1.0 200 OK\r\nServer: kioskhub-sim camera\r\nConnection: close\r\n"
            b"Cache-Control: no-cache\r\nPragma: no-cache\r\n"
            + f"Content-Type: multipart/x-mixed-replace; boundary={BOUNDARY}\r\n\r\n".encode()
        )
        await writer.drain()
        if head_only:
            return
        self.streams_opened += 1
        self._streams.add(writer)
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not self.unplugged:
            frame = self.current_frame()
            if self.garbage:
                writer.write(self.junk(frame[:512]))
            else:
                head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(frame)}\r\n\r\n"
                writer.write(head.encode() + frame + b"\r\n")
            await writer.drain()
            self.frames_sent += 1
            period = 1.0 / self.state.fps
            due += period
            now = loop.time()
            if due < now - period:  # the reader was slow: carry on from now, frames skipped
                due = now
            await asyncio.sleep(max(0.0, due - now))


def _request_line(head: bytes) -> tuple[str, str]:
    """(method, path) of an HTTP request head."""
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return "", ""
    return parts[0], urlsplit(parts[1]).path or "/"


async def _respond(writer: asyncio.StreamWriter, status: str, body: bytes, content_type: str,
                   length: int | None = None) -> None:
    size = len(body) if length is None else length
    writer.write(f"HTTP/1.0 {status}\r\nServer: kioskhub-sim camera\r\nConnection: close\r\n"
                 f"Content-Type: {content_type}\r\nContent-Length: {size}\r\n\r\n".encode() + body)
    await writer.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Drop the connection the way an unplugged camera does (RST, not a clean close)."""
    import socket
    import struct

    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


__all__ = ["BOUNDARY", "CameraSim", "CameraState", "scene_names"]
