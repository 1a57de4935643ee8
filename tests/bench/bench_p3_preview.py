"""P3: a 640×480 camera preview through the hub at ≥ 25 fps using ≤ 0.6 of a core.

One ``hubd --simulate`` runs as its own process with its camera simulator (its child, 640×480,
set to 30 fps through its control socket). Measured in the same run, each for the same wall time:

- baseline: OpenCV alone in this process reading the same MJPEG URL (``cv2.VideoCapture``: FFmpeg
  demuxes and decodes every frame), frames per second and cores of this process;
- ``StreamPreview`` through the hub (gRPC client in this process, under a lease) at 640×480,
  30 fps asked: one client, then two clients sharing it, then scaled to 320×240 (each frame
  decoded, scaled and re-encoded once for all); cores are hubd's own (``psutil`` cpu_times of
  the hubd process: every thread, not the simulator);
- the camera driver alone in this process (no hub), for the hub's share.

Prints cores as a ratio to the baseline's and the fps reached (target: ≥ 25 fps, ≤ 0.6 core).
Run: ``.venv/bin/python -m tests.bench.bench_p3_preview [--seconds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import grpc
import psutil
from google.protobuf.duration_pb2 import Duration

from hubd.classes.camera.contract import FrameSize
from kioskhub.drivers.camera import Camera
from kioskhub.v1 import camera_pb2, camera_pb2_grpc, hub_pb2, hub_pb2_grpc
from tests.bench.common import Hubd, report

FPS = 30


def camera_control(hub: Hubd, *command: str) -> None:
    """A command to the hub's camera simulator."""
    where = json.loads((hub.dir / "state" / "simulators.json").read_text())["camera"]["control"]
    subprocess.run([sys.executable, "-m", "kioskhub.simulators.cli", "ctl", where, *command], check=True,
                   capture_output=True, timeout=20)


def opencv_alone(url: str, seconds: float) -> tuple[float, float]:
    """(fps, cores) of cv2.VideoCapture reading ``url`` for ``seconds`` in this process."""
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


@contextmanager
def leased(ch: grpc.Channel) -> Iterator[tuple[tuple[str, str], ...]]:
    """A lease on the camera for the run."""
    hub = hub_pb2_grpc.HubServiceStub(ch)
    take = hub_pb2.AcquireLeaseRequest(device_id="camera", holder="bench", ttl=Duration(seconds=3600))
    lease = hub.AcquireLease(take).lease
    try:
        yield (("kioskhub-lease-id", lease.lease_id),)
    finally:
        hub.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id))


def through_hub(hub: Hubd, seconds: float, clients: int, size: FrameSize | None) -> tuple[float, float]:
    """(fps per client, hubd's cores) of ``clients`` StreamPreview calls for ``seconds``."""
    proc = psutil.Process(hub.proc.pid if hub.proc else 0)
    width, height = (size.width, size.height) if size else (0, 0)
    request = camera_pb2.StreamPreviewRequest(width_px=width, height_px=height, frames_per_second=FPS)
    counts = [0] * clients
    with grpc.insecure_channel(hub.target) as ch, leased(ch) as md:
        stub = camera_pb2_grpc.CameraServiceStub(ch)
        streams = [stub.StreamPreview(request, metadata=md) for _ in range(clients)]
        for s in streams:
            next(s)  # every client streaming before the clock starts
        start = threading.Barrier(clients + 1)

        def watch(i: int) -> None:
            start.wait()
            for _ in streams[i]:
                counts[i] += 1
                if time.perf_counter() - wall0 >= seconds:
                    streams[i].cancel()  # type: ignore[attr-defined]
                    return

        threads = [threading.Thread(target=watch, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        cpu0, wall0 = sum(proc.cpu_times()[:2]), time.perf_counter()
        start.wait()
        for t in threads:
            t.join()
        wall, cpu = time.perf_counter() - wall0, sum(proc.cpu_times()[:2]) - cpu0
    return min(counts) / wall, cpu / wall


async def driver_alone(url: str, seconds: float) -> tuple[float, float]:
    """(fps, cores) of the camera driver's own preview in this process (no hub)."""
    cam = Camera("bench", url, {"keep_open": 5.0}, timeout=5.0)
    await cam.grab()
    count, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    async for _ in cam.preview(None, fps=FPS):
        count += 1
        if time.perf_counter() - wall0 >= seconds:
            break
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    await cam.close()
    return count / wall, cpu / wall


def main(quick: bool = False, argv: list[str] | None = None) -> list[str]:
    """Run the benchmark and print the figures (``quick``: one second each, for the smoke test)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv if argv is not None else ([] if quick else None))
    seconds = 1.0 if quick else args.seconds
    hub = Hubd().start()
    lines = []
    try:
        hub.wait_available("camera")
        camera_control(hub, "set", "fps", str(FPS))
        url = json.loads((hub.dir / "state" / "simulators.json").read_text())["camera"]["url"]
        base_fps, base_cores = opencv_alone(url, seconds)
        print(f"OpenCV alone reading the simulator's MJPEG stream: {base_fps:.1f} fps, "
              f"{base_cores:.3f} cores")
        runs = [("640x480, 1 client", 1, None), ("640x480, 2 clients sharing", 2, None),
                ("320x240 scaled, 1 client", 1, FrameSize(320, 240))]
        for name, clients, size in runs:
            fps, cores = through_hub(hub, seconds, clients, size)
            lines.append(report(f"P3 StreamPreview via hub {name}: hubd cores", cores, base_cores, "cor",
                                "<= 0.6 core"))
            print(f"    {fps:.1f} fps per client (target >= 25)", flush=True)
        fps, cores = asyncio.run(driver_alone(url, seconds))
        lines.append(report("P3 preview 640x480, driver alone: cores", cores, base_cores, "cor"))
        print(f"    {fps:.1f} fps", flush=True)
    finally:
        hub.stop()
    return lines


if __name__ == "__main__":
    main()
