"""Camera driver against the MJPEG camera simulator over loopback HTTP (or a real camera: --hw).

    pytest tests/contract/test_camera.py --hw camera=http://192.0.2.10/mjpg/video.mjpg

Scenes and faults need the simulator; what each scene should fail comes from its truth.
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from PIL import Image

from hubd.classes.camera.contract import BLACK_FRAMES, FROZEN_FRAMES, Frame, FrameSize, ImageFormat
from hubd.device import DeviceState
from hubd.errors import DeviceUnavailable, InvalidArgument, ProtocolError, TransportError
from hubd.stacks.process import free_port
from kioskhub.drivers.camera import DRIVER, Camera
from kioskhub.simulators.camera import CameraSim
from tests.conftest import hw_url
from tests.unit.camera.scenes import expected_failure

TIMEOUT = 3.0


@dataclass
class Rig:
    cam: Camera
    sim: CameraSim | None

    def need_sim(self) -> CameraSim:
        if self.sim is None:
            pytest.skip("needs the simulator's scenes and faults")
        return self.sim


@pytest.fixture
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    url = hw_url(request.config, "camera")
    sim = None
    if url is None:
        sim = CameraSim()
        url = await sim.start("tcp://127.0.0.1:0")
    cam = DRIVER.factory("cam", url, {"keep_open": 1.0, "frozen_after": 0.5}, timeout=TIMEOUT)
    assert isinstance(cam, Camera)
    try:
        yield Rig(cam, sim)
    finally:
        await cam.close()
        if sim is not None:
            await sim.stop()


async def grab_scene(cam: Camera, scene: str, timeout: float = 5.0) -> Frame:
    """The first frame the simulator labelled with ``scene`` (frames in flight show the old one)."""
    label = f"scene={scene}".encode()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        frame = await cam.grab()
        if frame.jpeg is not None and label in frame.jpeg[:200]:
            return frame
    raise AssertionError(f"no frame of scene {scene} within {timeout} s")


async def test_stills_at_requested_sizes(rig: Rig) -> None:
    native = await rig.cam.capture_still()
    assert Image.open(io.BytesIO(native.data)).format == "JPEG"
    assert Image.open(io.BytesIO(native.data)).size == (native.width, native.height)
    small = await rig.cam.capture_still(FrameSize(200, 230), quality=80)
    assert Image.open(io.BytesIO(small.data)).size == (200, 230)
    png = await rig.cam.capture_still(FrameSize(320, 240), ImageFormat.PNG)
    assert Image.open(io.BytesIO(png.data)).format == "PNG" and (png.width, png.height) == (320, 240)
    assert native.seq < small.seq < png.seq  # each a fresh frame


async def test_status_describes_the_picture(rig: Rig) -> None:
    reading = await rig.cam.read_status()
    if rig.sim is not None:
        assert (reading.width, reading.height) == (rig.sim.state.width, rig.sim.state.height)
    assert reading.mean_luma > 50 and reading.frozen_for < 1.0
    assert rig.cam.assess(reading)[0] is DeviceState.AVAILABLE


async def test_status_read_closes_the_camera(rig: Rig) -> None:
    """A status poll reads a few frames and lets the camera go at once (no ``keep_open`` tail:
    an idle hub does not stream video between polls), measuring the rate between its frames."""
    sim = rig.need_sim()
    reading = await rig.cam.read_status()
    assert reading.fps > 0
    sent = sim.frames_sent
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 0.8  # well inside the rig's keep_open (1 s)
    while sim.snapshot()["streams_open"] and loop.time() < deadline:
        await asyncio.sleep(0.02)
    assert sim.snapshot()["streams_open"] == 0
    assert sim.frames_sent - sent <= 3  # at most what was in flight when it closed
    frame = await rig.cam.grab()  # a still (or preview) still lingers
    await asyncio.sleep(0.5)
    assert sim.snapshot()["streams_open"] == 1 and rig.cam.pump.frame is not None
    assert rig.cam.pump.frame.seq > frame.seq


async def test_preview_size_and_rate(rig: Rig) -> None:
    fps = 8.0
    frames = []
    async for pf in rig.cam.preview(FrameSize(320, 240), fps=fps):
        frames.append(pf)
        if len(frames) == 6:
            break
    assert all((f.width, f.height) == (320, 240) for f in frames)
    assert all(Image.open(io.BytesIO(f.data)).size == (320, 240) for f in frames)
    # Never faster than asked (a loaded machine can only make it slower).
    mean = (frames[-1].timestamp - frames[0].timestamp) / (len(frames) - 1)
    assert mean >= 1 / fps - 0.011
    assert sum(f.dropped for f in frames[1:]) > 0  # the camera runs at 25 fps


async def test_two_clients_share_one_capture(rig: Rig) -> None:
    sim = rig.need_sim()

    async def watch() -> list[int]:
        seqs = []
        async for pf in rig.cam.preview(fps=30):
            seqs.append(pf.seq)
            if len(seqs) == 8:
                break
        return seqs

    a, b = await asyncio.gather(watch(), watch())
    assert set(a) & set(b), (a, b)  # the same frames, read once
    assert sim.streams_opened == 1 and rig.cam.pump.runs == 1


async def test_slow_client_gets_the_newest_frame_not_a_queue(rig: Rig) -> None:
    fast_seqs: list[int] = []
    fast_moved = asyncio.Event()
    stop = asyncio.Event()

    async def fast() -> None:
        async for frame in rig.cam.frames():
            fast_seqs.append(frame.seq)
            fast_moved.set()
            if stop.is_set():
                return

    task = asyncio.create_task(fast())
    slow: list[tuple[int, int]] = []  # (seq got, newest seq the fast client had when the slow one asked)
    asked = 0
    async for pf in rig.cam.preview(fps=30):
        slow.append((pf.seq, asked))
        if len(slow) == 4:
            break
        seen = len(fast_seqs)
        while len(fast_seqs) < seen + 3:  # stay busy while the fast client takes three frames
            fast_moved.clear()
            await asyncio.wait_for(fast_moved.wait(), TIMEOUT)
        asked = fast_seqs[-1]
    stop.set()
    await asyncio.wait_for(task, TIMEOUT)
    for (seq, newest_when_asked), (before, _) in zip(slow[1:], slow, strict=False):
        assert seq >= newest_when_asked  # the newest frame there was when it asked, or a later one
        assert seq - before >= 3  # frames skipped, not queued


async def test_disconnect_mid_preview_then_reconnect(rig: Rig) -> None:
    sim = rig.need_sim()
    got = 0
    with pytest.raises(DeviceUnavailable) as info:
        async for _ in rig.cam.preview(fps=30):
            got += 1
            if got == 3:
                sim.unplug()
    assert isinstance(info.value, TransportError | ProtocolError)
    with pytest.raises(DeviceUnavailable):
        await rig.cam.grab()  # still unplugged: a clear error, no hang
    sim.replug()
    frame = await rig.cam.grab()
    assert frame.width == sim.state.width and sim.streams_opened == 2


async def test_no_camera_at_the_address() -> None:
    cam = Camera("cam", f"http://127.0.0.1:{free_port()}/stream.mjpg", timeout=2.0)
    with pytest.raises(TransportError) as info:
        await cam.grab()
    assert info.value.reason == "CONNECTION_REFUSED"
    await cam.close()


async def test_frozen_then_moving_again(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.frozen = True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while rig.cam.assess(reading := await rig.cam.read_status())[1] != FROZEN_FRAMES:
        assert loop.time() < deadline, reading
    sim.state.frozen = False
    while rig.cam.assess(reading := await rig.cam.read_status())[0] is not DeviceState.AVAILABLE:
        assert loop.time() < deadline + 10, reading


async def test_black_frames(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.black = True
    await grab_scene(rig.cam, "black")
    state, reason, _ = rig.cam.assess(await rig.cam.read_status())
    assert (state, reason) == (DeviceState.UNAVAILABLE, BLACK_FRAMES)


async def test_broken_framing_is_a_protocol_error(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.garbage = True
    with pytest.raises(ProtocolError):
        await rig.cam.grab()


@pytest.mark.parametrize("scene", ["face", "no_face", "two_faces", "too_dark", "blurred"])
async def test_scene_checks_through_the_driver(rig: Rig, scene: str) -> None:
    sim = rig.need_sim()
    sim.set_scene(scene)
    await grab_scene(rig.cam, scene)
    _, report = await rig.cam.check_applicant_photo()
    expected = expected_failure(sim.truth())
    if expected is None:
        assert report.passed, [(c.check, c.reason, c.measured) for c in report.checks]
    else:
        assert report.first_failure is not None
        assert (report.first_failure.check, report.first_failure.reason) == expected


async def test_document_capture_through_the_driver(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.width, sim.state.height = 1280, 960
    sim.set_scene("document")
    await grab_scene(rig.cam, "document")
    frame, page = await rig.cam.capture_document(width=1240)
    truth = sim.truth()["page_corners"]
    assert (frame.width, frame.height) == (1280, 960) and page.width == 1240
    diagonal = math.dist(truth[0], truth[2])
    assert all(math.dist(a, b) <= 0.02 * diagonal for a, b in zip(page.corners, truth, strict=True))


async def test_bad_arguments_change_nothing(rig: Rig) -> None:
    for fps, field in ((0, "fps"), (31, "fps"), (float("nan"), "fps")):
        with pytest.raises(InvalidArgument) as info:
            async for _ in rig.cam.preview(fps=fps):
                pass
        assert info.value.field == field
    with pytest.raises(InvalidArgument) as info:
        await rig.cam.capture_still(quality=0)
    assert info.value.field == "quality"
    if rig.sim is not None:
        assert rig.sim.streams_opened == 0  # refused before the camera was opened
