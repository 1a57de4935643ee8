"""What each simulated camera scene should fail, derived from the scene's truth (the simulator's)."""

from __future__ import annotations

from typing import Any

from hubd.classes.camera.checks import BRIGHTNESS, FACE_COUNT, SHARPNESS


def expected_failure(truth: dict[str, Any]) -> tuple[str, str] | None:
    """(check, reason) the applicant should be told first for a scene, or None when it passes."""
    if truth["faces"] == 0:
        return FACE_COUNT, "NO_FACE"
    if truth["faces"] > 1:
        return FACE_COUNT, "MULTIPLE_FACES"
    if truth["lighting"] == "dark":
        return BRIGHTNESS, "TOO_DARK"
    if truth["blurred"]:
        return SHARPNESS, "BLURRED"
    return None
