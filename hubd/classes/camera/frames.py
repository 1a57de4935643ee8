"""Camera frames as the camera class passes them around: read once, decoded and encoded at most once.

A ``Frame`` holds what the source gave (the camera's own JPEG bytes, as an MJPEG or IP camera sends
them, or BGR pixels, as OpenCV reads a V4L2 device or a file) and makes the other form on first use,
once, whoever asks: every preview client and check shares the frame's decode and each encoding.
OpenCV and numpy are imported inside the functions that need them (the daemon's idle footprint).
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hubd.errors import InvalidArgument, ProtocolError

if TYPE_CHECKING:
    import numpy.typing as npt

    Pixels = npt.NDArray[Any]
    """An image as OpenCV holds it: rows × columns × BGR (uint8)."""
else:
    Pixels = Any

MIN_SIDE = 16
MAX_SIDE = 8192
DEFAULT_QUALITY = 90


class ImageFormat(enum.Enum):
    """How a still or a preview frame is encoded."""

    JPEG = "jpeg"
    PNG = "png"


@dataclass(frozen=True)
class FrameSize:
    """A width and height in pixels (16..8192 each)."""

    width: int
    height: int

    @classmethod
    def checked(cls, width: int, height: int, field: str = "size") -> FrameSize:
        """A size from a caller's numbers; INVALID_ARGUMENT naming ``field.width``/``field.height``."""
        for name, value in (("width", width), ("height", height)):
            if isinstance(value, bool) or not isinstance(value, int) or not MIN_SIDE <= value <= MAX_SIDE:
                raise InvalidArgument(f"{field}.{name}", f"must be an integer in {MIN_SIDE}..{MAX_SIDE}")
        return cls(width, height)


def check_quality(quality: int, field: str = "quality") -> int:
    """A JPEG quality in 1..100; INVALID_ARGUMENT naming ``field`` otherwise."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise InvalidArgument(field, "must be an integer in 1..100")
    return quality


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's first SOFn marker segment (ITU T.81 B.2.2), without decoding."""
    if data[:2] != b"\xff\xd8":
        raise ProtocolError("not a JPEG image (no SOI marker)", reason="BAD_FRAME")
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ProtocolError(f"JPEG marker expected at byte {i}", reason="BAD_FRAME")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > len(data):
                break
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        if length < 2:
            break
        i += 2 + length
    raise ProtocolError("JPEG image without a frame header (SOF)", reason="BAD_FRAME")


REDUCED = {1: "IMREAD_COLOR", 2: "IMREAD_REDUCED_COLOR_2", 4: "IMREAD_REDUCED_COLOR_4",
           8: "IMREAD_REDUCED_COLOR_8"}
"""Scale-down factors the JPEG decoder does itself (skipping DCT work), and OpenCV's flags."""


def decode_jpeg(data: bytes, reduce: int = 1) -> Pixels:
    """BGR pixels of a JPEG, decoded at 1/``reduce`` size; ProtocolError BAD_FRAME when it does
    not decode."""
    import cv2
    import numpy as np

    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), getattr(cv2, REDUCED[reduce]))
    if pixels is None:
        raise ProtocolError("the camera sent a frame that does not decode as JPEG", reason="BAD_FRAME")
    result: Pixels = pixels
    return result


def cover(pixels: Pixels, size: FrameSize) -> Pixels:
    """``pixels`` scaled to cover ``size`` and centre-cropped to it (no distortion, no bars)."""
    import cv2

    h, w = pixels.shape[:2]
    if (w, h) == (size.width, size.height):
        return pixels
    scale = max(size.width / w, size.height / h)
    sw, sh = max(size.width, round(w * scale)), max(size.height, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(pixels, (sw, sh), interpolation=interpolation)
    x, y = (sw - size.width) // 2, (sh - size.height) // 2
    out: Pixels = scaled[y : y + size.height, x : x + size.width]
    return out


def encode(pixels: Pixels, fmt: ImageFormat, quality: int = DEFAULT_QUALITY) -> bytes:
    """``pixels`` (BGR) as JPEG at ``quality`` or as PNG."""
    import cv2

    if fmt is ImageFormat.JPEG:
        ok, buf = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
    else:
        ok, buf = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise ValueError(f"OpenCV could not encode a {pixels.shape} image as {fmt.value}")
    return bytes(buf.tobytes())


class Frame:
    """One frame from a camera, shared by every reader: the BGR decode and each encoding are
    made at most once (thread-safe; callers run them in worker threads)."""

    def __init__(self, seq: int, timestamp: float, *, jpeg: bytes | None = None,
                 pixels: Pixels | None = None) -> None:
        if jpeg is None and pixels is None:
            raise ValueError("a frame needs JPEG bytes or pixels")
        self.seq = seq
        """Position in the source's stream since the hub opened it (1, 2, ...)."""
        self.timestamp = timestamp
        """``time.monotonic()`` when the frame arrived."""
        self.jpeg = jpeg
        """The camera's own JPEG bytes (MJPEG sources), or None."""
        if pixels is not None:
            self.height, self.width = int(pixels.shape[0]), int(pixels.shape[1])
        else:
            assert jpeg is not None
            self.width, self.height = jpeg_size(jpeg)
        self._pixels = pixels
        self._encoded: dict[tuple[FrameSize | None, ImageFormat, int], bytes] = {}
        self._reduced: dict[int, Pixels] = {}
        self._lock = threading.Lock()

    @property
    def size(self) -> FrameSize:
        """The frame's size as the camera sent it."""
        return FrameSize(self.width, self.height)

    def bgr(self) -> Pixels:
        """The frame as BGR pixels (decoded on first use, then shared; do not modify)."""
        with self._lock:
            if self._pixels is None:
                assert self.jpeg is not None
                self._pixels = decode_jpeg(self.jpeg)
            return self._pixels

    def _at_least(self, size: FrameSize) -> Pixels:
        """The pixels at the smallest size the JPEG decoder can give that still covers ``size``
        (a quarter-size preview decodes a quarter of the pixels), else the full frame."""
        if self.jpeg is None or self._pixels is not None:
            return self.bgr()
        fits = [r for r in REDUCED if self.width // r >= size.width and self.height // r >= size.height]
        reduce = max(fits, default=1)
        if reduce == 1:
            return self.bgr()
        with self._lock:
            pixels = self._reduced.get(reduce)
            if pixels is None:
                pixels = self._reduced[reduce] = decode_jpeg(self.jpeg, reduce)
            return pixels

    def encoded(self, size: FrameSize | None = None, fmt: ImageFormat = ImageFormat.JPEG,
                quality: int = DEFAULT_QUALITY) -> bytes:
        """The frame at ``size`` (cover-cropped; None = as sent) in ``fmt``, made once per
        (size, format, quality). A JPEG frame wanted at its own size is the camera's bytes."""
        if size == self.size:
            size = None
        if size is None and fmt is ImageFormat.JPEG and self.jpeg is not None:
            return self.jpeg
        key = (size, fmt, quality if fmt is ImageFormat.JPEG else 0)
        cached = self._encoded.get(key)
        if cached is not None:
            return cached
        pixels = self.bgr() if size is None else self._at_least(size)
        with self._lock:
            cached = self._encoded.get(key)
            if cached is None:
                cached = encode(pixels if size is None else cover(pixels, size), fmt, quality)
                self._encoded[key] = cached
            return cached

    def __repr__(self) -> str:
        kind = "jpeg" if self.jpeg is not None else "pixels"
        return f"Frame(seq={self.seq}, {self.width}x{self.height}, {kind})"
