"""P3: a 640×480 camera preview at ≥ 25 fps using ≤ 0.6 of a core (driver level).

The camera simulator runs as its own process (``kioskhub-sim camera``, 640×480 at 30 fps), so only
the reader's CPU is counted (``time.process_time`` of this process: every thread). Measured, in
the same run, each for the same wall time:

- baseline: OpenCV alone reading the same MJPEG URL (``cv2.VideoCapture``: FFmpeg demuxes and
  decodes every frame), frames per second and cores used;
- the camera driver's preview at 640×480, 30 fps asked: one client, then two clients sharing it;
- the same preview scaled to 320×240 (each frame decoded, scaled, re-encoded once for all).

Prints cores as a ratio to the baseline's, and the fps reached (target: ≥ 25 fps, ≤ 0.6 core).
Run: ``.venv/bin/python -m tests.bench.bench_p3_preview [--seconds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator

from drivers.camera import Camera
from hubd.classes.camera.contract import FrameSize
from tests.bench.common import report


@contextlib.contextmanager
def camera_process(fps: float) -> Iterator[str]:
    """``kioskhub-sim camera`` in a child process; yields its stream URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.cli", "camera", "--listen", "tcp://127.0.0.1:0",
         "--set", f"fps={fps}"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        yield str(json.loads(proc.stdout.readline())["url"])
    finally:
        proc.terminate()
        proc.wait(10)


def opencv_alone(url: str, seconds: float) -> tuple[float, float]:
    """(fps, cores) of cv2.VideoCapture reading ``url`` for ``seconds``."""
    import cv2

    cap = cv2.VideoCapture(url)
    assert cap.isOpened(), f"OpenCV cannot open {url}"
    cap.read()  # opened and streaming before the clock starts
    frames, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < seconds:
        ok, _ = cap.read()
        assert ok
        frames += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    cap.release()
    return frames / wall, cpu / wall


async def preview(url: str, seconds: float, clients: int, size: FrameSize | None) -> tuple[float, float]:
    """(fps per client, cores) of ``clients`` driver previews at ``size`` for ``seconds``."""
    cam = Camera("bench", url, {"keep_open": 5.0}, timeout=5.0)
    await cam.grab()  # connected before the clock starts
    counts = [0] * clients
    wall0, cpu0 = time.perf_counter(), time.process_time()

    async def watch(i: int) -> None:
        async for _ in cam.preview(size, fps=30):
            counts[i] += 1
            if time.perf_counter() - wall0 >= seconds:
                return

    await asyncio.gather(*(watch(i) for i in range(clients)))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    await cam.close()
    return min(counts) / wall, cpu / wall


def main(quick: bool = False, argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures (``quick``: one second each, for the smoke test)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv if argv is not None else ([] if quick else None))
    seconds = 1.0 if quick else args.seconds
    with camera_process(30.0) as url:
        base_fps, base_cores = opencv_alone(url, seconds)
        print(f"OpenCV alone reading the MJPEG stream: {base_fps:.1f} fps, {base_cores:.3f} cores")
        runs = [("preview 640x480, 1 client", 1, None), ("preview 640x480, 2 clients shared", 2, None),
                ("preview 320x240 (scaled), 1 client", 1, FrameSize(320, 240))]
        for name, clients, size in runs:
            fps, cores = asyncio.run(preview(url, seconds, clients, size))
            report(f"{name}: cores", cores, base_cores, "cor", "<= 0.6 core")
            print(f"    {fps:.1f} fps per client (target >= 25)", flush=True)


if __name__ == "__main__":
    main()
