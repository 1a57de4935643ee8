"""What the simulated camera sees: applicant scenes built from a real face photo, and a page on a desk.

Each scene is drawn at any frame size, in a few variants (a slightly different exposure each, as a
real sensor never repeats a frame byte for byte), and comes with its truth: how many faces, the
lighting, and for the document the page's corners in the frame and the words printed on it. Tests
read the truth from here, so a changed scene changes what they expect.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kioskhub.simulators.camera.page import PAGE_WORDS, render_page

Image = npt.NDArray[Any]
"""A BGR picture (rows × columns × 3, uint8)."""
PORTRAIT = Path(__file__).with_name("portrait.jpg")
WALL_BGR = (214, 219, 222)
"""A plain, light studio wall (the portrait's own backdrop is a mottled light grey)."""
DARK_GAIN = 0.22
BLUR_SIGMA = 0.012
"""Blur of the 'blurred' scene, as a fraction of the frame width."""
PAGE_CORNERS = ((-0.20, 0.08), (0.19, 0.12), (0.27, 0.92), (-0.26, 0.89))
"""The page's corners (top-left, top-right, bottom-right, bottom-left): x from the frame's centre
and y from its top, in frame heights (so the page looks the same in a 4:3 or a 16:9 frame)."""


@dataclass(frozen=True)
class Truth:
    """What a scene shows, for tests to compare against."""

    faces: int
    lighting: str = "normal"
    blurred: bool = False
    page_corners: tuple[tuple[float, float], ...] = ()
    words: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (the control socket's ``truth`` reply)."""
        corners = [[round(x, 2), round(y, 2)] for x, y in self.page_corners]
        return {"faces": self.faces, "lighting": self.lighting, "blurred": self.blurred,
                "page_corners": corners, "words": list(self.words)}


@functools.cache
def portrait() -> Image:
    """The head-and-shoulders photo (see PROVENANCE.txt)."""
    image = cv2.imread(str(PORTRAIT), cv2.IMREAD_COLOR)
    if image is None:  # pragma: no cover - a broken install
        raise FileNotFoundError(PORTRAIT)
    return image


def wall(width: int, height: int) -> Image:
    """A plain light wall, a little darker towards the bottom (studio light from above)."""
    shade = np.linspace(1.0, 0.93, height, dtype=np.float32)[:, None, None]
    out = np.ones((height, width, 3), np.float32) * np.array(WALL_BGR, np.float32) * shade
    return out.astype(np.uint8)


def place_portrait(canvas: Image, centre_x: float, height: int) -> None:
    """Draw the portrait ``height`` pixels tall, bottom-aligned at ``centre_x``, its edges
    feathered into the wall."""
    src = portrait()
    width = round(src.shape[1] * height / src.shape[0])
    person = cv2.resize(src, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32)
    ramp = np.clip(np.minimum(np.arange(width), np.arange(width)[::-1]) / (0.12 * width), 0, 1)
    alpha = np.tile(ramp[None, :, None], (height, 1, 1)).astype(np.float32)
    ch, cw = canvas.shape[:2]
    x0, y0 = round(centre_x - width / 2), ch - height
    cx0, cx1 = max(0, x0), min(cw, x0 + width)
    if cx1 <= cx0:
        return
    area = canvas[y0:ch, cx0:cx1].astype(np.float32)
    part, a = person[:, cx0 - x0 : cx1 - x0], alpha[:, cx0 - x0 : cx1 - x0]
    canvas[y0:ch, cx0:cx1] = (part * a + area * (1 - a)).astype(np.uint8)


def face_scene(width: int, height: int) -> Image:
    """One applicant, centred, in front of a plain light wall."""
    canvas = wall(width, height)
    place_portrait(canvas, width / 2, height)
    return canvas


def two_faces(width: int, height: int) -> Image:
    """Two people side by side."""
    canvas = wall(width, height)
    for centre in (0.27, 0.73):
        place_portrait(canvas, centre * width, round(0.75 * height))
    return canvas


def desk(width: int, height: int) -> Image:
    """A wooden desk top: brown with grain."""
    rng = np.random.default_rng(7)
    y = np.arange(height, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    grain = np.sin(y / height * 60 + np.sin(x / width * 6) * 3) * 10
    noise = cv2.GaussianBlur(rng.normal(0, 6, (height, width)).astype(np.float32), (0, 0), 2)
    tone: Image = np.asarray(grain + noise, np.float32)[:, :, None]
    base = np.array((45, 85, 130), np.float32)  # BGR brown
    return np.clip(base + tone, 0, 255).astype(np.uint8)


def corners(width: int, height: int) -> tuple[tuple[float, float], ...]:
    """The page's corners in a frame of this size (pixels)."""
    return tuple((width / 2 + fx * height, fy * height) for fx, fy in PAGE_CORNERS)


def document(width: int, height: int) -> Image:
    """A printed A4 page lying at an angle on a desk, lit a little unevenly."""
    page = render_page()
    ph, pw = page.shape[:2]
    src = np.array([(0, 0), (pw, 0), (pw, ph), (0, ph)], np.float32)
    dst = np.array(corners(width, height), np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, (width, height),
                               flags=cv2.INTER_LINEAR).astype(np.float32)[:, :, None] / 255
    light = np.linspace(1.0, 0.9, width, dtype=np.float32)[None, :, None]
    out = warped.astype(np.float32) * light * mask + desk(width, height).astype(np.float32) * (1 - mask)
    return np.clip(out, 0, 255).astype(np.uint8)


def _dark(width: int, height: int) -> Image:
    return (face_scene(width, height).astype(np.float32) * DARK_GAIN).astype(np.uint8)


def _blurred(width: int, height: int) -> Image:
    return cv2.GaussianBlur(face_scene(width, height), (0, 0), BLUR_SIGMA * width)


SCENES: dict[str, tuple[Any, Truth, str]] = {
    "face": (face_scene, Truth(1), "one applicant, centred, plain light wall (passes every check)"),
    "no_face": (wall, Truth(0), "the empty wall: nobody in front of the camera"),
    "two_faces": (two_faces, Truth(2), "two people in the picture"),
    "too_dark": (_dark, Truth(1, lighting="dark"), "the applicant with the light off"),
    "blurred": (_blurred, Truth(1, blurred=True), "the applicant, out of focus"),
    "document": (document, Truth(0, page_corners=PAGE_CORNERS, words=PAGE_WORDS),
                 "an A4 page (Hindi and English) lying at an angle on a desk"),
}


@functools.lru_cache(maxsize=8)
def base_image(scene: str, width: int, height: int) -> Image:
    """The scene drawn once at this size (shared by its variants)."""
    draw, _, _ = SCENES[scene]
    image: Image = draw(width, height)
    image.setflags(write=False)
    return image


def truth(scene: str, width: int, height: int) -> Truth:
    """The scene's truth, with page corners in pixels of this frame size."""
    t = SCENES[scene][1]
    if t.page_corners:
        return Truth(t.faces, t.lighting, t.blurred, corners(width, height), t.words)
    return t


def variant(scene: str, width: int, height: int, k: int) -> Image:
    """Variant ``k`` of a scene: the exposure moves by a level or two, as a sensor's would."""
    offset = (k % 5) - 2
    image = base_image(scene, width, height)
    if offset == 0:
        return image
    return cv2.add(image, np.full_like(image, abs(offset))) if offset > 0 else \
        cv2.subtract(image, np.full_like(image, -offset))


def encode_jpeg(image: Image, quality: int, comment: str = "") -> bytes:
    """JPEG bytes of a BGR image, with ``comment`` in a COM segment after SOI (as cameras label
    frames; decoders ignore it): the simulator names each frame's scene there for tests."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    data = bytes(buf.tobytes())
    if not comment:
        return data
    text = comment.encode()[:65000]
    return data[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + data[2:]
