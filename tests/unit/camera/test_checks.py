"""Applicant-photo checks on the camera simulator's scenes: each fails what its truth says."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hubd.classes.camera import checks
from hubd.classes.camera.captures import CheckOutcome
from kioskhub.simulators.camera import scenes
from tests.unit.camera.scenes import expected_failure

DEVANAGARI = re.compile("[\u0900-\u097f]")
SIZES = [(640, 480), (1280, 720)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", [s for s in scenes.SCENES if s != "document"])
def test_scene_fails_what_it_shows(scene: str, size: tuple[int, int]) -> None:
    truth = scenes.truth(scene, *size).as_dict()
    report = checks.check_photo(scenes.base_image(scene, *size))
    expected = expected_failure(truth)
    assert len(report.faces) == truth["faces"]
    if expected is None:
        assert report.passed, [(c.check, c.reason, c.measured) for c in report.checks]
        return
    first = report.first_failure
    assert first is not None
    assert (first.check, first.reason) == expected
    assert first.outcome is CheckOutcome.FAIL
    assert first.message_en and DEVANAGARI.search(first.message_hi)


def test_report_order_and_skips() -> None:
    report = checks.check_photo(scenes.base_image("no_face", 640, 480))
    assert tuple(c.check for c in report.checks) == checks.CHECKS
    assert [c.outcome for c in report.checks[3:]] == [CheckOutcome.SKIPPED] * 4
    assert all(c.reason == "NEEDS_ONE_FACE" for c in report.checks[3:])


def test_measured_values_and_limits() -> None:
    dark = checks.check_photo(scenes.base_image("too_dark", 640, 480)).result(checks.BRIGHTNESS)
    assert dark.measured is not None and dark.low is not None and dark.measured < dark.low
    blurred = checks.check_photo(scenes.base_image("blurred", 640, 480)).result(checks.SHARPNESS)
    sharp = checks.check_photo(scenes.base_image("face", 640, 480)).result(checks.SHARPNESS)
    assert blurred.measured is not None and sharp.measured is not None
    assert blurred.measured < checks.PhotoLimits().min_sharpness <= sharp.measured


def test_off_centre_and_too_small_face() -> None:
    face = scenes.base_image("face", 640, 480)
    wall = scenes.wall(1280, 960)
    wall[480:960, 0:640] = face  # the applicant small, in the bottom-left corner
    report = checks.check_photo(wall)
    assert report.result(checks.FACE_SIZE).reason == "FACE_TOO_SMALL"
    assert report.result(checks.FACE_CENTRED).reason == "FACE_OFF_CENTRE"


def test_busy_and_dark_background() -> None:
    face = scenes.base_image("face", 640, 480).copy()
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, (480, 100, 3), dtype=np.uint8)
    face[:, :100] = noise
    face[:, 540:] = noise
    assert checks.check_photo(face).result(checks.BACKGROUND).reason == "BACKGROUND_BUSY"
    face[:, :100] = 30
    face[:, 540:] = 30
    assert checks.check_photo(face).result(checks.BACKGROUND).reason == "BACKGROUND_DARK"


def test_every_reason_has_both_languages() -> None:
    for reason, (en, hi) in checks.MESSAGES.items():
        assert en and DEVANAGARI.search(hi), reason
