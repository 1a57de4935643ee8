"""Document capture by webcam: find a page's four corners in a frame and flatten its perspective.

Pure functions on a BGR image (OpenCV imported inside them). The page is the largest convex
four-sided outline in the picture: edges (Canny) are closed into outlines, each outline is
simplified to a polygon, and each side of a four-sided one is refitted to its outline points so a
corner is where two fitted sides cross (sub-pixel, not a polygon vertex). Flattening maps the
corners onto a rectangle; a page whose outline is near A4's proportions comes out exactly A4.
"""

from __future__ import annotations

import math
from typing import Any

from hubd.classes.camera.captures import DocumentPage, Point, Quad
from hubd.classes.camera.frames import Pixels
from hubd.errors import DeviceNotReady, InvalidArgument

FIND_WIDTH = 960
"""Corners are searched on a copy at most this wide (then scaled back)."""
MIN_AREA = 0.10
"""A page covers at least this fraction of the frame."""
A4 = math.sqrt(2)
A4_TOLERANCE = 0.2
PAGE_NOT_FOUND = "PAGE_NOT_FOUND"


def order_corners(points: Any) -> Quad:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    pts = [(float(x), float(y)) for x, y in points]
    by_sum = sorted(pts, key=lambda p: p[0] + p[1])
    by_diff = sorted(pts, key=lambda p: p[1] - p[0])
    return by_sum[0], by_diff[0], by_sum[-1], by_diff[-1]


def _intersect(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> Point | None:
    """Where two lines (vx, vy, x0, y0) cross; None when they are parallel."""
    (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = a, b
    det = vx1 * vy2 - vy1 * vx2
    if abs(det) < 1e-9:
        return None
    t = ((x2 - x1) * vy2 - (y2 - y1) * vx2) / det
    return x1 + t * vx1, y1 + t * vy1


def _refine(contour: Any, quad: Quad) -> Quad:
    """Fit a line to the outline points along each side; corners where neighbouring lines cross."""
    import cv2
    import numpy as np

    pts = contour.reshape(-1, 2).astype(np.float32)
    lines = []
    for i in range(4):
        (ax, ay), (bx, by) = quad[i], quad[(i + 1) % 4]
        length = math.hypot(bx - ax, by - ay)
        if length < 1:
            return quad
        # distance of each point from the side, and its position along it
        nx, ny = (by - ay) / length, -(bx - ax) / length
        along = ((pts[:, 0] - ax) * (bx - ax) + (pts[:, 1] - ay) * (by - ay)) / length**2
        near = (np.abs((pts[:, 0] - ax) * nx + (pts[:, 1] - ay) * ny) < 0.02 * length) & \
            (along > 0.1) & (along < 0.9)
        if near.sum() < 5:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(pts[near], cv2.DIST_HUBER, 0, 0.01, 0.01).reshape(-1)
        lines.append((float(vx), float(vy), float(x0), float(y0)))
    corners = [_intersect(lines[(i - 1) % 4], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return quad
    refined = [c for c in corners if c is not None]
    if max(math.dist(a, b) for a, b in zip(refined, quad, strict=True)) > 0.05 * math.dist(quad[0], quad[2]):
        return quad  # the fit wandered off: keep the polygon's corners
    return refined[0], refined[1], refined[2], refined[3]


def find_page(image: Pixels) -> Quad:
    """The page's corners in a BGR frame; ``DeviceNotReady`` PAGE_NOT_FOUND when no page is in view."""
    import cv2
    import numpy as np

    h, w = image.shape[:2]
    scale = min(1.0, FIND_WIDTH / w)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    min_area = MIN_AREA * small.shape[0] * small.shape[1]
    for contour in sorted(contours, key=cv2.contourArea, reverse=True):
        if cv2.contourArea(contour) < min_area:
            break
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            quad = _refine(contour, order_corners(approx.reshape(4, 2)))
            tl, tr, br, bl = quad
            return ((tl[0] / scale, tl[1] / scale), (tr[0] / scale, tr[1] / scale),
                    (br[0] / scale, br[1] / scale), (bl[0] / scale, bl[1] / scale))
    raise DeviceNotReady("no page found in the picture: lay the whole page flat in view of the camera",
                         reason=PAGE_NOT_FOUND)


def page_size(corners: Quad, width: int | None = None, aspect: float | None = None) -> tuple[int, int]:
    """(width, height) of the flattened page: ``width`` or the longer of the page's top and bottom
    edges; height by ``aspect`` (height/width), A4 when the outline is near it, else as seen."""
    tl, tr, br, bl = corners
    seen_w = max(math.dist(tl, tr), math.dist(bl, br))
    seen_h = max(math.dist(tl, bl), math.dist(tr, br))
    out_w = width if width is not None else round(seen_w)
    if aspect is None:
        seen = seen_h / max(seen_w, 1.0)
        aspect = A4 if abs(seen - A4) / A4 <= A4_TOLERANCE else seen
    return out_w, max(1, round(out_w * aspect))


def flatten(image: Pixels, corners: Quad, width: int | None = None,
            aspect: float | None = None) -> DocumentPage:
    """The page inside ``corners`` warped flat onto a rectangle (see ``page_size``)."""
    import cv2
    import numpy as np

    out_w, out_h = page_size(corners, width, aspect)
    src = np.array(corners, np.float32)
    dst = np.array([(0, 0), (out_w, 0), (out_w, out_h), (0, out_h)], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    pixels = cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC,
                                 borderMode=cv2.BORDER_REPLICATE)
    rows = tuple((float(r[0]), float(r[1]), float(r[2])) for r in matrix)
    return DocumentPage(pixels, corners, rows, out_w, out_h)


def capture_page(image: Pixels, width: int | None = None, aspect: float | None = None) -> DocumentPage:
    """Find the page in a frame and flatten it (``width``: 64..8192 px, default as seen)."""
    bad_width = isinstance(width, bool) or not isinstance(width, int) or not 64 <= width <= 8192
    if width is not None and bad_width:
        raise InvalidArgument("width", "must be an integer in 64..8192")
    if aspect is not None and not (isinstance(aspect, int | float) and 0.1 <= aspect <= 10):
        raise InvalidArgument("aspect", "must be a number in 0.1..10 (height / width)")
    return flatten(image, find_page(image), width, aspect)


def map_point(homography: tuple[tuple[float, float, float], ...], point: Point) -> Point:
    """Where ``homography`` (a ``DocumentPage.homography``) takes a frame point."""
    x, y = point
    (a, b, c), (d, e, f), (g, k, m) = homography
    z = g * x + k * y + m
    return (a * x + b * y + c) / z, (d * x + e * y + f) / z
