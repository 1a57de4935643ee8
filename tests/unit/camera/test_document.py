"""Document capture on the simulator's angled page: corners within 2 %, and tesseract reads it."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from hubd.classes.camera import document
from hubd.errors import DeviceNotReady, InvalidArgument
from kioskhub.simulators.camera import scenes
from tests.stacks.base import skip_or_fail

A4_150_DPI = 1240


@pytest.mark.parametrize("size", [(640, 480), (1280, 960), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_corners_within_two_percent(size: tuple[int, int]) -> None:
    truth = scenes.truth("document", *size).page_corners
    page = document.capture_page(scenes.base_image("document", *size))
    diagonal = math.dist(truth[0], truth[2])
    for found, true in zip(page.corners, truth, strict=True):
        assert math.dist(found, true) <= 0.02 * diagonal
    # The page's true corners land on the flattened page's corners.
    out = ((0, 0), (page.width, 0), (page.width, page.height), (0, page.height))
    for true, corner in zip(truth, out, strict=True):
        x, y = document.map_point(page.homography, true)
        assert abs(x - corner[0]) <= 0.02 * page.width and abs(y - corner[1]) <= 0.02 * page.height
    assert page.height / page.width == pytest.approx(math.sqrt(2), abs=0.01)  # A4


def test_no_page_in_view() -> None:
    with pytest.raises(DeviceNotReady) as info:
        document.capture_page(scenes.base_image("face", 640, 480))
    assert info.value.reason == "PAGE_NOT_FOUND"


@pytest.mark.parametrize(("kw", "field"), [({"width": 10}, "width"), ({"aspect": 0.0}, "aspect")])
def test_bad_arguments(kw: dict[str, float], field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        document.capture_page(np.zeros((100, 100, 3), np.uint8), **kw)  # type: ignore[arg-type]
    assert info.value.field == field


def test_tesseract_reads_the_flattened_page(tmp_path: Path) -> None:
    if shutil.which("tesseract") is None:
        skip_or_fail("tesseract is not installed (tesseract-ocr, tesseract-ocr-hin)")
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    if not {"hin", "eng"} <= set(langs):
        skip_or_fail(f"tesseract lacks hin or eng (has {' '.join(langs[-5:])})")
    truth = scenes.truth("document", 1280, 960)
    page = document.capture_page(scenes.base_image("document", 1280, 960), width=A4_150_DPI)
    png = tmp_path / "page.png"
    cv2.imwrite(str(png), page.pixels)
    text = subprocess.run(["tesseract", str(png), "-", "-l", "hin+eng"], capture_output=True, text=True,
                          timeout=120, check=True).stdout
    missing = [word for word in truth.words if word not in text]
    assert not missing, text
