"""Applicant-photo checks: pure functions on a BGR image, each with a reason in Hindi and English.

Portals reject photos that are dark, blurred, or not one centred face in front of a plain light
background. ``check_photo`` runs every check and returns a ``PhotoReport`` in the order an
applicant should fix things (a missing face first, the background last); checks that need
exactly one face are SKIPPED when there is not one. Faces are found with OpenCV's Haar frontal-face
cascade, which ships inside the ``opencv-python-headless`` 4.x wheel (5.x dropped it), so it works
offline; detection runs on a copy at most ``DETECT_WIDTH`` pixels wide (≈ 10 ms a frame).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from hubd.classes.camera.captures import Box, CheckOutcome, CheckResult, PhotoReport
from hubd.classes.camera.frames import Pixels

DETECT_WIDTH = 320
"""Faces are searched on a copy scaled down to this width (faces are large in applicant photos)."""
CASCADE = "haarcascade_frontalface_default.xml"
SHARPNESS_SPREAD = 50.0
DIM_LUMA = 80.0
"""Below this mean luma a picture is searched for faces a second time, contrast-stretched."""

# Check names, in report order.
FACE_COUNT = "FACE_COUNT"
BRIGHTNESS = "BRIGHTNESS"
CONTRAST = "CONTRAST"
SHARPNESS = "SHARPNESS"
FACE_SIZE = "FACE_SIZE"
FACE_CENTRED = "FACE_CENTRED"
BACKGROUND = "BACKGROUND"
CHECKS = (FACE_COUNT, BRIGHTNESS, CONTRAST, SHARPNESS, FACE_SIZE, FACE_CENTRED, BACKGROUND)

MESSAGES: dict[str, tuple[str, str]] = {
    # reason: (English, Hindi)
    "ONE_FACE": ("One face found.", "एक चेहरा मिला।"),
    "NO_FACE": ("No face found: look straight at the camera.", "कोई चेहरा नहीं मिला: कैमरे की ओर सीधे देखें।"),
    "MULTIPLE_FACES": ("More than one face: only the applicant may be in the photo.",
                       "एक से अधिक चेहरे: फ़ोटो में केवल आवेदक होना चाहिए।"),
    "BRIGHTNESS_OK": ("The light is good.", "रोशनी ठीक है।"),
    "TOO_DARK": ("Too dark: add light in front of the face.", "बहुत अँधेरा है: चेहरे के सामने रोशनी बढ़ाएँ।"),
    "TOO_BRIGHT": ("Too bright: reduce the light on the face.", "बहुत तेज़ रोशनी है: चेहरे पर रोशनी कम करें।"),
    "CONTRAST_OK": ("The face is clear.", "चेहरा साफ़ दिख रहा है।"),
    "LOW_CONTRAST": ("The face looks washed out: even out the light.",
                     "चेहरा फीका दिख रहा है: रोशनी बराबर करें।"),
    "SHARP": ("The photo is sharp.", "फ़ोटो साफ़ है।"),
    "BLURRED": ("The photo is blurred: hold still and check the camera's focus.",
                "फ़ोटो धुंधली है: स्थिर रहें और कैमरे का फ़ोकस जाँचें।"),
    "FACE_SIZE_OK": ("The face is the right size.", "चेहरे का आकार ठीक है।"),
    "FACE_TOO_SMALL": ("The face is too small: come closer to the camera.",
                       "चेहरा बहुत छोटा है: कैमरे के पास आएँ।"),
    "FACE_TOO_LARGE": ("The face is too large: move back from the camera.",
                       "चेहरा बहुत बड़ा है: कैमरे से थोड़ा पीछे हटें।"),
    "CENTRED": ("The face is centred.", "चेहरा बीच में है।"),
    "FACE_OFF_CENTRE": ("The face is not centred: move to the middle of the picture.",
                        "चेहरा बीच में नहीं है: तस्वीर के बीच में आएँ।"),
    "BACKGROUND_OK": ("The background is plain and light.", "पृष्ठभूमि सादी और हल्की है।"),
    "BACKGROUND_DARK": ("The background is too dark: stand in front of a plain light wall.",
                        "पृष्ठभूमि बहुत गहरी है: सादी हल्के रंग की दीवार के सामने खड़े हों।"),
    "BACKGROUND_BUSY": ("The background is not plain: stand in front of a plain light wall.",
                        "पृष्ठभूमि सादी नहीं है: सादी हल्के रंग की दीवार के सामने खड़े हों।"),
    "NO_BACKGROUND_VISIBLE": ("Not checked: no background is visible around the face.",
                              "जाँच नहीं हुई: चेहरे के आसपास पृष्ठभूमि नहीं दिख रही।"),
    "NEEDS_ONE_FACE": ("Not checked: needs exactly one face.", "जाँच नहीं हुई: ठीक एक चेहरा चाहिए।"),
}


@dataclass(frozen=True)
class PhotoLimits:
    """Where each check draws its line (luma is 0..255; sizes are fractions of the image)."""

    brightness: tuple[float, float] = (70.0, 225.0)
    """Mean luma of the face (of the whole image when there is no single face)."""
    min_contrast: float = 25.0
    """Standard deviation of luma over the same region."""
    min_sharpness: float = 20.0
    """Variance of the Laplacian of the face scaled to 160 px high and a luma spread of 50."""
    face_height: tuple[float, float] = (0.22, 0.65)
    """Face box height as a fraction of the image height."""
    max_offset: float = 0.12
    """Face centre's distance from the image's vertical centre line (fraction of the width), and
    from the upper-middle line at 40 % of the height (fraction of the height)."""
    background_min_luma: float = 140.0
    background_max_std: float = 30.0


def result(check: str, outcome: CheckOutcome, reason: str, measured: float | None = None,
           low: float | None = None, high: float | None = None, unit: str = "") -> CheckResult:
    """A ``CheckResult`` with the reason's Hindi and English text from ``MESSAGES``."""
    en, hi = MESSAGES[reason]
    return CheckResult(check, outcome, reason, en, hi, None if measured is None else round(measured, 3),
                       low, high, unit)


def _ok(passed: bool) -> CheckOutcome:
    return CheckOutcome.PASS if passed else CheckOutcome.FAIL


_local = threading.local()


def _cascade() -> Any:
    """This thread's Haar face classifier (detectMultiScale is not shared across threads)."""
    classifier = getattr(_local, "cascade", None)
    if classifier is None:
        import cv2
        from cv2.data import haarcascades

        classifier = cv2.CascadeClassifier(haarcascades + CASCADE)
        if classifier.empty():  # pragma: no cover - a broken OpenCV install
            raise RuntimeError(f"OpenCV has no {CASCADE} (opencv-python-headless>=5 dropped it)")
        _local.cascade = classifier
    return classifier


def detect_faces(gray: Pixels) -> tuple[Box, ...]:
    """Frontal faces in a grayscale image, largest first; when none is found in a dim image, the
    search is repeated on the histogram-equalised image (so a dim face still counts as a face)."""
    import cv2

    h, w = gray.shape[:2]
    scale = min(1.0, DETECT_WIDTH / w)
    small = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    side = max(24, int(0.12 * small.shape[0]))
    found: Any = _cascade().detectMultiScale(small, scaleFactor=1.15, minNeighbors=5, minSize=(side, side))
    if not len(found) and float(small.mean()) < DIM_LUMA:
        found = _cascade().detectMultiScale(cv2.equalizeHist(small), scaleFactor=1.15, minNeighbors=5,
                                            minSize=(side, side))
    boxes = [Box(*(round(v / scale) for v in (x, y, bw, bh))) for (x, y, bw, bh) in found]
    return tuple(sorted(boxes, key=lambda b: b.width * b.height, reverse=True))


def sharpness(gray: Pixels) -> float:
    """Variance of the Laplacian of ``gray`` scaled to 160 px high and to a luma spread of 50:
    a focus measure that does not change with the face's size or the light's strength."""
    import cv2

    h, w = gray.shape[:2]
    interpolation = cv2.INTER_AREA if h > 160 else cv2.INTER_LINEAR
    scaled = cv2.resize(gray, (max(1, round(w * 160 / h)), 160), interpolation=interpolation)
    spread = float(scaled.std())
    if spread < 1.0:
        return 0.0
    return float(cv2.Laplacian(scaled, cv2.CV_64F).var()) * (SHARPNESS_SPREAD / spread) ** 2


def background_pixels(gray: Pixels, face: Box) -> Pixels:
    """Luma beside and above the head: left and right of the face (from the top down to the
    chin) and above the hair; empty when the face fills the picture."""
    import numpy as np

    h, w = gray.shape[:2]
    bottom = min(h, face.y + face.height)
    left = gray[0:bottom, 0 : max(0, int(face.x - 0.6 * face.width))]
    right = gray[0:bottom, min(w, int(face.x + 1.6 * face.width)) : w]
    top = gray[0 : max(0, int(face.y - 0.6 * face.height)),
               max(0, int(face.x - 0.3 * face.width)) : min(w, int(face.x + 1.3 * face.width))]
    parts = [p.reshape(-1) for p in (left, right, top) if p.size]
    out: Pixels = np.concatenate(parts) if parts else np.empty(0, np.uint8)
    return out


def check_photo(image: Pixels, limits: PhotoLimits | None = None) -> PhotoReport:
    """Run every applicant-photo check on a BGR image."""
    import cv2

    lim = limits or PhotoLimits()
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape[:2]
    faces = detect_faces(gray)
    one = faces[0] if len(faces) == 1 else None
    out: list[CheckResult] = []
    count_reason = "ONE_FACE" if one else ("NO_FACE" if not faces else "MULTIPLE_FACES")
    out.append(result(FACE_COUNT, _ok(one is not None), count_reason, len(faces), 1, 1, "faces"))

    region = gray if one is None else gray[one.y : one.y + one.height, one.x : one.x + one.width]
    luma, spread = float(region.mean()), float(region.std())
    low, high = lim.brightness
    reason = "TOO_DARK" if luma < low else "TOO_BRIGHT" if luma > high else "BRIGHTNESS_OK"
    out.append(result(BRIGHTNESS, _ok(reason == "BRIGHTNESS_OK"), reason, luma, low, high, "luma"))
    flat = spread < lim.min_contrast
    out.append(result(CONTRAST, _ok(not flat), "LOW_CONTRAST" if flat else "CONTRAST_OK",
                      spread, lim.min_contrast, None, "luma sd"))
    if one is None:
        out += [result(c, CheckOutcome.SKIPPED, "NEEDS_ONE_FACE") for c in CHECKS[3:]]
        return PhotoReport(tuple(out), faces, w, h)

    focus = sharpness(region)
    out.append(result(SHARPNESS, _ok(focus >= lim.min_sharpness), "SHARP" if focus >= lim.min_sharpness
                      else "BLURRED", focus, lim.min_sharpness, None, "laplacian var"))
    size = one.height / h
    low, high = lim.face_height
    reason = "FACE_TOO_SMALL" if size < low else "FACE_TOO_LARGE" if size > high else "FACE_SIZE_OK"
    out.append(result(FACE_SIZE, _ok(reason == "FACE_SIZE_OK"), reason, size, low, high, "of height"))
    cx, cy = one.centre
    offset = max(abs(cx - w / 2) / w, abs(cy - 0.4 * h) / h)
    out.append(result(FACE_CENTRED, _ok(offset <= lim.max_offset),
                      "CENTRED" if offset <= lim.max_offset else "FACE_OFF_CENTRE",
                      offset, None, lim.max_offset, "of size"))
    out.append(_background(background_pixels(gray, one), gray.size, lim))
    return PhotoReport(tuple(out), faces, w, h)


def _background(pixels: Pixels, total: int, lim: PhotoLimits) -> CheckResult:
    """BACKGROUND: light (mean luma) and plain (luma spread) around the head."""
    if pixels.size < 0.02 * total:
        return result(BACKGROUND, CheckOutcome.SKIPPED, "NO_BACKGROUND_VISIBLE")
    mean, spread = float(pixels.mean()), float(pixels.std())
    if mean < lim.background_min_luma:
        return result(BACKGROUND, CheckOutcome.FAIL, "BACKGROUND_DARK", mean, lim.background_min_luma,
                      None, "luma")
    if spread > lim.background_max_std:
        return result(BACKGROUND, CheckOutcome.FAIL, "BACKGROUND_BUSY", spread, None,
                      lim.background_max_std, "luma sd")
    return result(BACKGROUND, CheckOutcome.PASS, "BACKGROUND_OK", mean, lim.background_min_luma, None, "luma")
