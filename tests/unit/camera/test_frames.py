"""Frames: read once, decoded once, encoded once per size; sizes checked with the field named."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from hubd.classes.camera.frames import Frame, FrameSize, ImageFormat, cover, jpeg_size
from hubd.errors import InvalidArgument, ProtocolError
from kioskhub.simulators.camera import scenes


def jpeg(width: int, height: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", scenes.base_image("face", width, height))
    assert ok
    return bytes(buf)


def test_jpeg_size_without_decoding() -> None:
    assert jpeg_size(jpeg(640, 480)) == (640, 480)
    assert jpeg_size(jpeg(123, 77)) == (123, 77)
    for bad in (b"", b"\x89PNG", b"\xff\xd8\xff\xe0\x00"):
        with pytest.raises(ProtocolError):
            jpeg_size(bad)


def test_frame_shares_its_work() -> None:
    data = jpeg(640, 480)
    frame = Frame(1, 0.0, jpeg=data)
    assert frame.encoded() is data  # the camera's own bytes at its own size
    small = frame.encoded(FrameSize(320, 240))
    assert frame.encoded(FrameSize(320, 240)) is small
    assert frame.bgr() is frame.bgr()
    png = frame.encoded(None, ImageFormat.PNG)
    assert png.startswith(b"\x89PNG") and cv2.imdecode(np.frombuffer(png, np.uint8), 1).shape == (480, 640, 3)


def test_cover_crops_without_distortion() -> None:
    image = scenes.base_image("face", 640, 480)
    out = cover(image, FrameSize(200, 230))
    assert out.shape == (230, 200, 3)


@pytest.mark.parametrize(("w", "h", "field"), [(0, 10, "size.width"), (100, 9000, "size.height"),
                                               (True, 100, "size.width")])
def test_sizes_checked(w: int, h: int, field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        FrameSize.checked(w, h)
    assert info.value.field == field
