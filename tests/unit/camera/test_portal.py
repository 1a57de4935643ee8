"""Applicant photos and pages into the scanner's portal-ready output: the scanner's preset table
(the only one), cut around the face, exact pixel size, a file size inside the KB window."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from hubd.classes.camera import checks, portal
from hubd.classes.scanner.output import PRESETS, OutputFormat
from hubd.errors import InvalidArgument
from kioskhub.simulators.camera import scenes


@pytest.fixture(scope="module")
def face_scene() -> tuple[np.ndarray, checks.Box]:
    image = scenes.base_image("face", 640, 480)
    return image, checks.check_photo(image).faces[0]


def test_photo_presets_are_the_scanners_photo_presets() -> None:
    names = portal.photo_presets()
    assert portal.DEFAULT_PHOTO_PRESET in names and "pan_photo" in names
    assert all(PRESETS[n].format is OutputFormat.JPEG and PRESETS[n].width_px for n in names)
    assert "signature" not in names and "pan_application" not in names  # padded / a PDF: not a face


@pytest.mark.parametrize("name", portal.photo_presets())
def test_photo_preset_size_and_kb_window(name: str, face_scene: tuple[np.ndarray, checks.Box]) -> None:
    spec = PRESETS[name]
    out = portal.fit_photo(face_scene[0], portal.photo_preset(name), face_scene[1])
    decoded = cv2.imdecode(np.frombuffer(out.data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape[:2] == (spec.height_px, spec.width_px)
    # the scanner's strict reading of a KB window: >= min_kb x 1024 and <= max_kb x 1000 bytes
    assert (spec.min_kb or 0) * 1024 <= len(out.data) <= spec.max_kb * 1000
    if spec.dpi:
        assert Image.open(io.BytesIO(out.data)).info["dpi"] == (spec.dpi, spec.dpi)


def test_photo_presets_keep_the_face(face_scene: tuple[np.ndarray, checks.Box]) -> None:
    out = portal.fit_photo(face_scene[0], portal.photo_preset(""), face_scene[1])
    image = cv2.imdecode(np.frombuffer(out.data, np.uint8), cv2.IMREAD_COLOR)
    assert len(checks.detect_faces(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))) == 1


def test_passport_proportions(face_scene: tuple[np.ndarray, checks.Box]) -> None:
    image, face = face_scene
    crop = portal.passport_crop(image, face)
    assert crop.shape[0] / crop.shape[1] == pytest.approx(45 / 35, abs=0.01)
    x, y, w, h = portal.crop_box(image.shape[1], image.shape[0], portal.PASSPORT_ASPECT, face)
    assert x <= face.x and face.x + face.width <= x + w and y <= face.y and face.y + face.height <= y + h


def test_crop_stays_inside_the_image() -> None:
    face = checks.Box(0, 0, 300, 300)  # in the corner and large
    x, y, w, h = portal.crop_box(400, 400, portal.PASSPORT_ASPECT, face)
    assert x >= 0 and y >= 0 and x + w <= 400 and y + h <= 400


@pytest.mark.parametrize("name", ["aadhaar_photo", "signature", "pan_application"])
def test_not_a_photo_preset(name: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        portal.photo_preset(name)
    assert info.value.field == "preset" and "passport_photo" in info.value.message


def test_page_into_a_capped_pdf() -> None:
    page = np.full((1754, 1240, 3), 250, np.uint8)  # A4 at 150 dpi
    cv2.putText(page, "APPLICATION", (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 4, (0, 0, 0), 8)
    assert portal.page_width_px(150) == 1240
    out = portal.fit_page(page, 150, portal.document_spec("", {"format": OutputFormat.PDF, "max_kb": 60}))
    assert out.data.startswith(b"%PDF") and len(out.data) <= 60_000 and out.dpi <= 150


def test_document_spec_names_the_bad_field() -> None:
    with pytest.raises(InvalidArgument) as info:
        portal.document_spec("", {"max_kb": -1.0})
    assert info.value.field == "max_kb"
    with pytest.raises(InvalidArgument) as info:
        portal.document_spec("no_such_preset", {})
    assert info.value.field == "preset"
