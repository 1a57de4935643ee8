"""What the camera class's operations hand back: stills, preview frames, applicant-photo reports
and flattened document pages.

``contract.CameraDevice`` makes them from the frames a driver delivers (``capture_still``,
``preview``, ``check_applicant_photo``, ``capture_document``); ``checks`` and ``document`` fill in
the report and the page. Drivers never build them.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime

from hubd.classes.camera.frames import ImageFormat, Pixels

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Still:
    """One captured picture, encoded."""

    data: bytes
    format: ImageFormat
    width: int
    height: int
    captured_at: datetime
    seq: int
    """The frame's position in the camera's stream (``Frame.seq``)."""


@dataclass(frozen=True)
class PreviewFrame:
    """One frame of a preview stream as one client receives it."""

    seq: int
    data: bytes
    format: ImageFormat
    width: int
    height: int
    timestamp: float
    """``time.monotonic()`` when the camera delivered it."""
    dropped: int
    """Frames the camera delivered since this client's previous frame that it did not get
    (skipped for its rate, or because it was still busy with the previous one)."""


class CheckOutcome(enum.Enum):
    """The result of one applicant-photo check."""

    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"
    """Not run: it needs exactly one face and the photo does not have one."""


@dataclass(frozen=True)
class CheckResult:
    """One applicant-photo check: outcome, an UPPER_SNAKE reason, text for the applicant in
    Hindi and English, and the measured value against its limits (``low``..``high``)."""

    check: str
    outcome: CheckOutcome
    reason: str
    message_en: str
    message_hi: str
    measured: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""

    @property
    def passed(self) -> bool:
        """True when the check ran and passed."""
        return self.outcome is CheckOutcome.PASS


@dataclass(frozen=True)
class Box:
    """A rectangle in image pixels (a detected face)."""

    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self) -> tuple[float, float]:
        """The box's centre point."""
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass(frozen=True)
class PhotoReport:
    """Every applicant-photo check of one image, in the order an applicant should fix them."""

    checks: tuple[CheckResult, ...]
    faces: tuple[Box, ...]
    width: int
    height: int

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The checks that failed, most important first."""
        return tuple(c for c in self.checks if c.outcome is CheckOutcome.FAIL)

    @property
    def first_failure(self) -> CheckResult | None:
        """What to tell the applicant first (None when the photo passes)."""
        return self.failures[0] if self.failures else None

    def result(self, check: str) -> CheckResult:
        """The result of the check named ``check`` (KeyError if it is not in the report)."""
        for c in self.checks:
            if c.check == check:
                return c
        raise KeyError(check)


Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]
"""Four corners: top-left, top-right, bottom-right, bottom-left (image pixels)."""


@dataclass(frozen=True)
class DocumentPage:
    """A page found in a camera frame and flattened to a rectangle (BGR pixels)."""

    pixels: Pixels = field(repr=False)
    corners: Quad
    """Where the page's corners were found in the frame."""
    homography: tuple[tuple[float, float, float], ...]
    """The 3×3 matrix mapping frame points to flattened-page points."""
    width: int
    height: int

