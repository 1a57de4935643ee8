"""Camera URLs, OpenCV sources (a video file; a missing V4L2 device), and an MJPEG stream served
by ffmpeg (a server that is not ours)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import cv2
import pytest

from hubd.errors import DeviceUnavailable, InvalidArgument, TransportError
from hubd.stacks.process import free_port
from kioskhub.drivers.camera import Camera
from kioskhub.drivers.camera.sources import SourceSpec, parse_url
from kioskhub.simulators.camera import scenes
from tests.stacks.base import skip_or_fail


@pytest.mark.parametrize(
    ("url", "kind", "target"),
    [
        ("v4l2:///dev/video0", "v4l2", "/dev/video0"),
        ("v4l2:2", "v4l2", 2),
        ("v4l2://1", "v4l2", 1),
        ("file:///srv/cam/demo.avi", "file", "/srv/cam/demo.avi"),
        ("http://127.0.0.1:8080/video.mjpg", "mjpeg", "http://127.0.0.1:8080/video.mjpg"),
    ],
)
def test_urls(url: str, kind: str, target: str | int) -> None:
    spec = parse_url(url)
    assert (spec.kind, spec.target) == (kind, target)


def test_v4l2_settings() -> None:
    spec = parse_url("v4l2:///dev/video0?width=1280&height=720&fourcc=MJPG")
    assert spec.settings["width"] == 1280
    assert spec.settings["fourcc"] == float(int.from_bytes(b"MJPG", "little"))


@pytest.mark.parametrize("url", ["v4l2:///tmp/x", "v4l2:///dev/video0?fourcc=MJ", "file://host/x.avi",
                                 "file:relative.avi", "rtsp://127.0.0.1/x", "http:///nohost"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        parse_url(url)
    assert info.value.field == "url"


async def test_missing_v4l2_device() -> None:
    cam = Camera("cam", "v4l2:///dev/video63")
    with pytest.raises(DeviceUnavailable) as info:
        await cam.grab()
    assert info.value.reason == "CAMERA_NOT_FOUND"
    await cam.close()


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25, (320, 240))
    for scene in ("face", "no_face", "two_faces"):
        writer.write(scenes.base_image(scene, 320, 240))
    writer.release()
    return path


async def test_video_file_plays_and_loops(video: Path) -> None:
    cam = Camera("cam", f"file://{video}")
    seqs = []
    async for frame in cam.frames():
        assert (frame.width, frame.height) == (320, 240)
        seqs.append(frame.seq)
        if len(seqs) == 7:  # past the file's three frames: it loops
            break
    assert seqs == sorted(seqs) and len(set(seqs)) == 7
    await cam.close()


async def test_video_file_without_loop_ends_unavailable(video: Path) -> None:
    cam = Camera("cam", f"file://{video}?loop=0")
    with pytest.raises(DeviceUnavailable) as info:
        async for _ in cam.frames():
            pass
    assert info.value.reason == "DISCONNECTED"
    await cam.close()


@contextlib.asynccontextmanager
async def ffmpeg_camera() -> AsyncIterator[str]:
    """ffmpeg serving a test pattern as MJPEG over HTTP (its mpjpeg muxer, listen mode, one client)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        skip_or_fail("ffmpeg is not installed")
    url = f"http://127.0.0.1:{free_port()}/feed.mjpg"
    proc = await asyncio.create_subprocess_exec(
        ffmpeg, "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-f", "mpjpeg",
        "-content_type", "multipart/x-mixed-replace;boundary=ffmpeg", "-listen", "1", url,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        yield url
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def test_reads_an_mjpeg_stream_served_by_ffmpeg() -> None:
    async with ffmpeg_camera() as url:
        cam = Camera("cam", url, timeout=10.0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while True:  # until ffmpeg listens (it serves exactly one client, so no separate probe)
            try:
                first = await cam.grab()
                break
            except TransportError as err:
                assert err.reason == "CONNECTION_REFUSED" and loop.time() < deadline, err
                await asyncio.sleep(0.05)
        frames = [first]
        async for frame in cam.frames():
            frames.append(frame)
            if len(frames) == 5:
                break
        assert all((f.width, f.height) == (320, 240) for f in frames)
        assert frames[-1].bgr().shape == (240, 320, 3)
        await cam.close()


def test_spec_descriptions() -> None:
    assert "V4L2" in SourceSpec("v4l2", "/dev/video0").description

