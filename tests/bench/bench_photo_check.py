"""Applicant-photo checks: ``CheckApplicantPhoto`` through the hub, and the check alone (target ≤ 30 ms
per frame).

One ``hubd --simulate`` runs as its own process with its camera simulator (640×480 at 30 fps).
Measured in the same run:

- baseline: the check alone (``checks.check_photo``) in this process on the frame the simulator
  serves (its own JPEG, decoded once), per scene: the face that passes, two faces, the document
  (no face: the detector runs twice);
- ``CheckApplicantPhoto`` through the hub (gRPC, under a lease), per scene: waiting for a frame
  taken after the call began (up to one frame interval, 33 ms), the check, the 35 × 45 mm crop and
  the portal preset's file when there is one face, and the response with the frame and crops.
  Back-to-back calls are paced by the camera (one per frame at most); what the hub spends on
  each is its CPU time per call (``psutil``: hubd's process, every thread);
- OpenCV's Haar detector alone on the full-size grey frame (``detectMultiScale`` defaults): what a
  straightforward check spends on finding the face only.

Prints p50 and p95 in ms as ratios to the check alone (CPU per call against the check's own CPU).
Run: ``.venv/bin/python -m tests.bench.bench_photo_check [--runs 50]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import cv2
import grpc
import httpx
import numpy as np
import psutil
from cv2.data import haarcascades

from hubd.classes.camera import checks
from kioskhub.v1 import camera_pb2, camera_pb2_grpc
from tests.bench.bench_p3_preview import FPS, camera_control, leased
from tests.bench.common import Hubd, median, pct, report

SCENES = ("face", "two_faces", "document")


def timings(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall times of ``runs`` calls, in ms (two warm-up calls first)."""
    fn()
    fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e3)
    return out


def snapshot(hub: Hubd) -> np.ndarray:
    """The frame the hub's camera simulator serves now, decoded."""
    url = json.loads((hub.dir / "state" / "simulators.json").read_text())["camera"]["url"]
    data = httpx.get(url.replace("/stream.mjpg", "/snapshot.jpg"), timeout=10, trust_env=False).content
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def main(quick: bool = False, argv: list[str] | None = None) -> list[str]:
    """Run the benchmark and print the figures (``quick``: a few runs, for the smoke test)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv if argv is not None else ([] if quick else None))
    runs = 3 if quick else args.runs
    print(f"OpenCV threads: {cv2.getNumThreads()}")
    hub = Hubd().start()
    lines, face_alone = [], 0.0
    try:
        hub.wait_available("camera")
        camera_control(hub, "set", "fps", str(FPS))
        proc = psutil.Process(hub.proc.pid if hub.proc else 0)
        with grpc.insecure_channel(hub.target) as ch, leased(ch) as md:
            stub = camera_pb2_grpc.CameraServiceStub(ch)
            request = camera_pb2.CheckApplicantPhotoRequest()
            for scene in SCENES:
                camera_control(hub, "scene", scene)
                image = snapshot(hub)
                cpu_alone = time.process_time()
                alone = timings(lambda image=image: checks.check_photo(image), runs)
                cpu_alone = (time.process_time() - cpu_alone) / (runs + 2) * 1e3
                face_alone = face_alone or median(alone)
                cpu0 = sum(proc.cpu_times()[:2])
                hubbed = timings(lambda: stub.CheckApplicantPhoto(request, metadata=md), runs)
                cpu = (sum(proc.cpu_times()[:2]) - cpu0) / (runs + 2) * 1e3
                base = median(alone)
                lines.append(report(f"check_photo alone, {scene}: p50", base, base, "ms", "<= 30 ms"))
                lines.append(report(f"CheckApplicantPhoto via hub, {scene}: p50", median(hubbed), base, "ms"))
                lines.append(report(f"CheckApplicantPhoto via hub, {scene}: hubd CPU", cpu, cpu_alone, "ms"))
                print(f"    p95 alone {pct(alone, 95):.1f} ms, via hub {pct(hubbed, 95):.1f} ms "
                      f"({runs} runs)", flush=True)
            camera_control(hub, "scene", "face")
            grey = cv2.cvtColor(snapshot(hub), cv2.COLOR_BGR2GRAY)
        cascade = cv2.CascadeClassifier(haarcascades + checks.CASCADE)
        haar = median(timings(lambda: cascade.detectMultiScale(grey), runs))
        lines.append(report("Haar detectMultiScale alone, full 640x480 frame: p50", haar, face_alone, "ms"))
    finally:
        hub.stop()
    return lines


if __name__ == "__main__":
    main()
