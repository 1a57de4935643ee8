"""Passport crops and portal presets: exact pixel size, a file size inside the KB window."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from hubd.classes.camera import checks, presets
from hubd.errors import InvalidArgument
from simulators.camera import scenes


@pytest.fixture(scope="module")
def face_scene() -> tuple[np.ndarray, checks.Box]:
    image = scenes.base_image("face", 640, 480)
    return image, checks.check_photo(image).faces[0]


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_preset_size_and_kb_window(name: str, face_scene: tuple[np.ndarray, checks.Box]) -> None:
    p = presets.PRESETS[name]
    data = presets.fit_preset(face_scene[0], p, face_scene[1])
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape[:2] == (p.height, p.width)
    assert p.min_kb * 1024 <= len(data) <= p.max_kb * 1024
    if p.dpi:
        assert Image.open(io.BytesIO(data)).info["dpi"] == (p.dpi, p.dpi)


def test_photo_presets_keep_the_face(face_scene: tuple[np.ndarray, checks.Box]) -> None:
    data = presets.fit_preset(face_scene[0], presets.preset("passport_photo"), face_scene[1])
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert len(checks.detect_faces(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))) == 1


def test_passport_proportions(face_scene: tuple[np.ndarray, checks.Box]) -> None:
    image, face = face_scene
    crop = presets.passport_crop(image, face)
    assert crop.shape[0] / crop.shape[1] == pytest.approx(45 / 35, abs=0.01)
    x, y, w, h = presets.crop_box(image.shape[1], image.shape[0], presets.PASSPORT_ASPECT, face)
    assert x <= face.x and face.x + face.width <= x + w and y <= face.y and face.y + face.height <= y + h


def test_crop_stays_inside_the_image() -> None:
    face = checks.Box(0, 0, 300, 300)  # in the corner and large
    x, y, w, h = presets.crop_box(400, 400, presets.PASSPORT_ASPECT, face)
    assert x >= 0 and y >= 0 and x + w <= 400 and y + h <= 400


def test_padding_changes_no_pixel() -> None:
    ok, buf = cv2.imencode(".jpg", scenes.base_image("face", 140, 60))
    small = bytes(buf)
    padded = presets.pad_jpeg(small, 10 * 1024)
    assert len(padded) == 10 * 1024
    a = cv2.imdecode(np.frombuffer(small, np.uint8), cv2.IMREAD_COLOR)
    b = np.asarray(Image.open(io.BytesIO(padded)).convert("RGB"))[:, :, ::-1]
    assert np.array_equal(a, cv2.imdecode(np.frombuffer(padded, np.uint8), cv2.IMREAD_COLOR))
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 8  # Pillow decodes it too


def test_unknown_preset() -> None:
    with pytest.raises(InvalidArgument) as info:
        presets.preset("aadhaar_photo")
    assert info.value.field == "preset" and "passport_photo" in info.value.message
