"""The camera simulator, read by standard clients (ffprobe, ffmpeg, httpx) and driven by its control."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator

import httpx
import pytest

from kioskhub.simulators.camera import CameraSim
from kioskhub.simulators.control import execute
from tests.stacks.base import skip_or_fail


@pytest.fixture
async def sim() -> AsyncIterator[tuple[CameraSim, str]]:
    camera = CameraSim()
    url = await camera.start("tcp://127.0.0.1:0")
    try:
        yield camera, url
    finally:
        await camera.stop()


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        skip_or_fail(f"{tool} is not installed (Debian package ffmpeg)")
    return path


async def run(*argv: str, timeout: float = 60) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_ffprobe_reads_the_stream(sim: tuple[CameraSim, str]) -> None:
    camera, url = sim
    camera.state.width, camera.state.height = 800, 600
    entries = "stream=codec_name,width,height"
    code, out, err = await run(need("ffprobe"), "-v", "error", "-show_entries", entries, "-of", "json", url)
    assert code == 0, err
    (stream,) = json.loads(out)["streams"]
    assert stream == {"codec_name": "mjpeg", "width": 800, "height": 600}


async def test_ffmpeg_decodes_frames(sim: tuple[CameraSim, str]) -> None:
    camera, url = sim
    code, _, err = await run(need("ffmpeg"), "-v", "error", "-i", url, "-frames:v", "10", "-f", "null", "-")
    assert code == 0, err
    assert camera.frames_sent >= 10 and camera.streams_opened >= 1


async def test_snapshot_and_unknown_paths(sim: tuple[CameraSim, str]) -> None:
    _, url = sim
    base = url.removesuffix("/stream.mjpg")
    async with httpx.AsyncClient(timeout=5) as client:
        snap = await client.get(base + "/snapshot.jpg")
        assert snap.status_code == 200 and snap.headers["content-type"] == "image/jpeg"
        assert snap.content.startswith(b"\xff\xd8")
        assert (await client.get(base + "/nope")).status_code == 404
        assert (await client.post(base + "/stream.mjpg")).status_code == 405


async def test_unplugged_camera_resets_connections(sim: tuple[CameraSim, str]) -> None:
    camera, url = sim
    camera.unplug()
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(httpx.TransportError):
            await client.get(url)
    camera.replug()
    async with httpx.AsyncClient(timeout=5) as client:
        assert (await client.get(url.removesuffix("/stream.mjpg") + "/snapshot.jpg")).status_code == 200


def test_control_commands() -> None:
    camera = CameraSim()
    assert execute(camera, "scene two_faces") == "OK scene two_faces"
    assert json.loads(execute(camera, "truth").removeprefix("OK "))["faces"] == 2
    assert execute(camera, "scene nope").startswith("ERR unknown scene")
    assert execute(camera, "set scene nope").startswith("ERR unknown scene")
    assert execute(camera, "set width 5").startswith("ERR width must be")
    assert execute(camera, "set frozen on") == "OK frozen=true"
    assert json.loads(execute(camera, "get faults").removeprefix("OK "))["frozen"] is True
    assert execute(camera, "disconnect") == "OK disconnected" and camera.unplugged
    assert execute(camera, "reconnect") == "OK reconnected" and not camera.unplugged
    assert "document" in execute(camera, "scenes")


def test_document_truth_follows_the_frame_size() -> None:
    camera = CameraSim()
    camera.set_scene("document")
    small = json.loads(execute(camera, "truth").removeprefix("OK "))
    execute(camera, "set width 1280")
    execute(camera, "set height 960")
    big = json.loads(execute(camera, "truth").removeprefix("OK "))
    assert big["page_corners"][2][1] == pytest.approx(2 * small["page_corners"][2][1])
    assert "आवेदन" in big["words"]
