"""Applicant-photo checks per frame (target ≤ 30 ms on a 640×480 frame).

Frames are the camera simulator's scenes at 640×480 (the face that passes, two faces, the
document: no face, so the detector runs twice). Baseline, same run: OpenCV's Haar face detector
alone on the full-size grey frame (``detectMultiScale`` with its defaults), which is what a
straightforward check would spend on finding the face only. Prints p50 and p95 per scene and the
ratio to the baseline. Run: ``.venv/bin/python -m tests.bench.bench_photo_check [--runs 50]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import cv2
from cv2.data import haarcascades

from hubd.classes.camera import checks
from simulators.camera import scenes
from tests.bench.common import median, pct, report

SCENES = ("face", "two_faces", "document")


def timings(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall times of ``runs`` calls, in ms (one warm-up call first)."""
    fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e3)
    return out


def main(quick: bool = False, argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures (``quick``: a few runs, for the smoke test)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv if argv is not None else ([] if quick else None))
    runs = 3 if quick else args.runs
    face = scenes.base_image("face", 640, 480)
    grey = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY)
    cascade = cv2.CascadeClassifier(haarcascades + checks.CASCADE)
    base = median(timings(lambda: cascade.detectMultiScale(grey), runs))
    print(f"OpenCV threads: {cv2.getNumThreads()}; baseline: Haar detectMultiScale on the full 640x480 frame")
    for scene in SCENES:
        image = scenes.base_image(scene, 640, 480)
        times = timings(lambda image=image: checks.check_photo(image), runs)
        report(f"check_photo {scene} p50", median(times), base, "ms", "<= 30 ms")
        print(f"    p95 {pct(times, 95):.1f} ms over {runs} runs", flush=True)


if __name__ == "__main__":
    main()
