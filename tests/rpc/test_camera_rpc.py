"""CameraService over a real gRPC server, reading the camera simulator's MJPEG stream over HTTP.

What each test expects comes from the simulator: its scene's truth (faces, lighting, focus, the
page's corners and words), the scene name it writes into every JPEG, and its stream counters.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import cv2
import grpc
import numpy as np
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from hubd.config import DeviceConfig, HubConfig
from kioskhub.simulators.camera import CameraSim
from kioskhub.v1 import camera_pb2, camera_pb2_grpc, hub_pb2
from tests.rpc.conftest import Running, error_info, eventually, serving, watch_from_now
from tests.rpc.leasing import Metadata, acquire, next_event, release
from tests.stacks.base import skip_or_fail

pytestmark = pytest.mark.timeout(90)
Check = camera_pb2.PhotoCheck


def camera_config(url: str, poll_interval: float = 10.0) -> DeviceConfig:
    """The camera as ``hubd --simulate`` configures it (a poll reads a frame: every 10 s)."""
    return DeviceConfig("camera", "camera", url, poll_interval=poll_interval, timeout=3.0, max_backoff=10.0)


@pytest.fixture
async def sim() -> AsyncIterator[CameraSim]:
    camera = CameraSim()
    camera.url = await camera.start("tcp://127.0.0.1:0")  # type: ignore[attr-defined]
    yield camera
    await camera.stop()


@pytest.fixture
async def hub_cam(tmp_path: Path, sim: CameraSim) -> AsyncIterator[Running]:
    """A hub with the simulated camera."""
    config = HubConfig(devices={"camera": camera_config(sim.url)})  # type: ignore[attr-defined]
    async with serving(config, tmp_path, tmp_path / "hubd.sock") as running:
        yield running


@pytest.fixture
async def cam(hub_cam: Running) -> tuple[Running, Metadata]:
    """The hub, and a lease on its camera."""
    _, md = await acquire(hub_cam.channel, "camera", "photo-counter", ttl=120)
    return hub_cam, md


def stub(running: Running) -> camera_pb2_grpc.CameraServiceStub:
    return camera_pb2_grpc.CameraServiceStub(running.channel)


def scene_of(jpeg: bytes) -> str:
    """The scene the simulator named in the JPEG's comment segment."""
    marker = b"kioskhub-sim scene="
    start = jpeg.index(marker) + len(marker)
    return jpeg[start : jpeg.index(b"\xff", start)].decode().strip("\x00")


async def showing(running: Running, md: Metadata, scene: str) -> None:
    """Until the hub's frames show ``scene`` (a frame on its way when the scene changed shows the
    old one); later frames all do."""
    async def shown() -> bool:
        photo = await stub(running).CapturePhoto(camera_pb2.CapturePhotoRequest(), metadata=md)
        return scene_of(photo.photo.data) == scene

    await eventually(shown, timeout=20)


async def refused(call: Any) -> tuple[grpc.StatusCode, str, dict[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    info = error_info(err.value)
    return err.value.code(), info.reason, dict(info.metadata)


async def first_frame(running: Running, md: Metadata, **request: Any) -> camera_pb2.StreamPreviewResponse:
    call = stub(running).StreamPreview(camera_pb2.StreamPreviewRequest(**request), metadata=md)
    try:
        return await call.read()
    finally:
        call.cancel()


# -- stills and applicant checks ---------------------------------------------------------------

async def test_capture_photo_at_the_requested_size_and_format(cam: tuple[Running, Metadata]) -> None:
    running, md = cam
    png = await stub(running).CapturePhoto(camera_pb2.CapturePhotoRequest(
        width_px=320, height_px=320, image_format=camera_pb2.IMAGE_FORMAT_PNG), metadata=md)
    image = cv2.imdecode(np.frombuffer(png.photo.data, np.uint8), cv2.IMREAD_COLOR)
    assert png.photo.data.startswith(b"\x89PNG") and image.shape[:2] == (320, 320)
    full = await stub(running).CapturePhoto(camera_pb2.CapturePhotoRequest(), metadata=md)
    assert (full.photo.width_px, full.photo.height_px) == (640, 480)
    assert scene_of(full.photo.data) == "face"  # the camera's own JPEG, passed through


@pytest.mark.parametrize("scene", ["no_face", "two_faces", "too_dark", "blurred", "document"])
async def test_each_scene_fails_its_own_check(cam: tuple[Running, Metadata], sim: CameraSim,
                                              scene: str) -> None:
    running, md = cam
    sim.set_scene(scene)
    await showing(running, md, scene)
    truth = sim.truth()
    expected = (
        (Check.CHECK_FACE_COUNT, "NO_FACE") if truth["faces"] == 0 else
        (Check.CHECK_FACE_COUNT, "MULTIPLE_FACES") if truth["faces"] > 1 else
        (Check.CHECK_BRIGHTNESS, "TOO_DARK") if truth["lighting"] == "dark" else
        (Check.CHECK_SHARPNESS, "BLURRED") if truth["blurred"] else None
    )
    assert expected is not None, f"the scene {scene} should fail a check: {truth}"
    r = await stub(running).CheckApplicantPhoto(camera_pb2.CheckApplicantPhotoRequest(), metadata=md)
    assert scene_of(r.photo.data) == scene
    assert not r.passed and r.face_count == truth["faces"]
    failed = [(c.check, c.reason) for c in r.checks if c.outcome == Check.OUTCOME_FAIL]
    assert failed[0] == expected, failed  # the first thing to tell the applicant
    first = next(c for c in r.checks if c.outcome == Check.OUTCOME_FAIL)
    assert first.message_hi and first.message_en and first.message_hi != first.message_en
    assert first.HasField("measured_value")
    assert first.HasField("lower_limit") or first.HasField("upper_limit")
    if truth["faces"] != 1:
        assert not r.HasField("portal_photo") and not r.HasField("passport_photo")
        assert all(c.outcome == Check.OUTCOME_SKIPPED for c in r.checks if c.check == Check.CHECK_SHARPNESS)


async def test_the_face_passes_with_its_crops(cam: tuple[Running, Metadata], sim: CameraSim) -> None:
    running, md = cam
    assert sim.truth()["faces"] == 1
    r = await stub(running).CheckApplicantPhoto(camera_pb2.CheckApplicantPhotoRequest(), metadata=md)
    assert r.passed and r.face_count == 1 and len(r.checks) == 7, r.checks
    assert all(c.outcome == Check.OUTCOME_PASS for c in r.checks)
    preset, photo = r.preset, r.portal_photo
    assert (preset.name, preset.width_px, preset.height_px) == ("passport_photo", 200, 230)
    assert preset.min_kb * 1024 <= len(photo.data) <= preset.max_kb * 1000
    decoded = cv2.imdecode(np.frombuffer(photo.data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape[:2] == (230, 200)
    passport = cv2.imdecode(np.frombuffer(r.passport_photo.data, np.uint8), cv2.IMREAD_COLOR)
    assert passport.shape[0] / passport.shape[1] == pytest.approx(45 / 35, abs=0.01)


async def test_another_photo_preset(cam: tuple[Running, Metadata]) -> None:
    running, md = cam
    r = await stub(running).CheckApplicantPhoto(camera_pb2.CheckApplicantPhotoRequest(preset="pan_photo"),
                                                metadata=md)
    assert (r.preset.width_px, r.preset.height_px) == (213, 213)
    assert (r.portal_photo.width_px, r.portal_photo.height_px) == (213, 213)
    assert len(r.portal_photo.data) <= r.preset.max_kb * 1000


@pytest.mark.parametrize(("request_", "field"), [
    (camera_pb2.CapturePhotoRequest(width_px=10, height_px=10), "width_px"),
    (camera_pb2.CapturePhotoRequest(width_px=320), "height_px"),
    (camera_pb2.CapturePhotoRequest(jpeg_quality=101), "jpeg_quality"),
    (camera_pb2.CapturePhotoRequest(image_format=7), "image_format"),  # type: ignore[arg-type]
    (camera_pb2.CheckApplicantPhotoRequest(preset="signature"), "preset"),
    (camera_pb2.CaptureDocumentRequest(max_kb=float("nan")), "max_kb"),
    (camera_pb2.CaptureDocumentRequest(max_kb=10, min_kb=20), "min_kb"),
    (camera_pb2.CaptureDocumentRequest(resolution_dpi=5000), "resolution_dpi"),
    (camera_pb2.CaptureDocumentRequest(preset="no_such_preset"), "preset"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
async def test_bad_requests_name_the_field(cam: tuple[Running, Metadata], sim: CameraSim, request_: Any,
                                           field: str) -> None:
    running, md = cam
    method = {"CapturePhotoRequest": "CapturePhoto", "CheckApplicantPhotoRequest": "CheckApplicantPhoto",
              "CaptureDocumentRequest": "CaptureDocument"}[type(request_).__name__]
    sim.unplug()  # had the hub read the camera, the call would fail UNAVAILABLE instead
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await getattr(stub(running), method)(request_, metadata=md)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(err.value)
    bad = error_details_pb2.BadRequest()
    assert status is not None and any(d.Unpack(bad) for d in status.details if d.Is(bad.DESCRIPTOR))
    assert bad.field_violations[0].field == field


@pytest.mark.parametrize("fps", [-1.0, 31.0, float("inf")])
async def test_bad_preview_rate(cam: tuple[Running, Metadata], fps: float) -> None:
    running, md = cam
    code, reason, _ = await refused(first_frame(running, md, frames_per_second=fps))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


# -- leases --------------------------------------------------------------------------------------

async def test_no_lease_is_lease_required_for_every_operation(hub_cam: Running) -> None:
    running = hub_cam
    s = stub(running)
    forged = (("kioskhub-lease-id", "l-forged"),)
    calls = [s.CapturePhoto(camera_pb2.CapturePhotoRequest()),
             s.CheckApplicantPhoto(camera_pb2.CheckApplicantPhotoRequest(), metadata=forged),
             s.CaptureDocument(camera_pb2.CaptureDocumentRequest()),
             first_frame(running, ())]
    for call in calls:
        code, reason, meta = await refused(call)
        assert (code, reason, meta.get("deviceId")) == (grpc.StatusCode.FAILED_PRECONDITION, "LEASE_REQUIRED",
                                                        "camera")


async def test_another_holder_is_device_busy_with_holder_and_expiry(hub_cam: Running) -> None:
    running = hub_cam
    lease, _ = await acquire(running.channel, "camera", "photo-counter", ttl=60)
    other = grpc.aio.insecure_channel(running.target)
    try:
        code, reason, meta = await refused(acquire(other, "camera", "document-desk"))
        assert (code, reason, meta["holder"]) == (grpc.StatusCode.FAILED_PRECONDITION, "DEVICE_BUSY",
                                                  "photo-counter")
        assert meta["expireTime"].startswith(lease.expire_time.ToDatetime().isoformat())
        theirs = camera_pb2_grpc.CameraServiceStub(other)
        for call in (theirs.CapturePhoto(camera_pb2.CapturePhotoRequest()),
                     theirs.CheckApplicantPhoto(camera_pb2.CheckApplicantPhotoRequest())):
            code, reason, meta = await refused(call)
            assert (reason, meta["holder"]) == ("DEVICE_BUSY", "photo-counter") and "expireTime" in meta
        await release(running.channel, lease)
        _, md = await acquire(other, "camera", "document-desk")
        assert (await theirs.CapturePhoto(camera_pb2.CapturePhotoRequest(), metadata=md)).photo.data
    finally:
        await other.close()


async def test_a_preview_ends_with_its_lease(hub_cam: Running) -> None:
    running = hub_cam
    lease, md = await acquire(running.channel, "camera", "photo-counter", ttl=60)
    call = stub(running).StreamPreview(camera_pb2.StreamPreviewRequest(), metadata=md)
    await call.read()
    await release(running.channel, lease)
    code, reason, _ = await refused(_drain(call))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "LEASE_REQUIRED")


async def _drain(call: Any) -> None:
    while True:
        item = await call.read()
        if item is grpc.aio.EOF:
            return


# -- the preview ---------------------------------------------------------------------------------

async def test_preview_size_and_rate(cam: tuple[Running, Metadata]) -> None:
    running, md = cam
    call = stub(running).StreamPreview(camera_pb2.StreamPreviewRequest(width_px=320, height_px=240,
                                                                       frames_per_second=10), metadata=md)
    frames = [await call.read() for _ in range(8)]
    call.cancel()
    assert all((f.frame.width_px, f.frame.height_px) == (320, 240) for f in frames)
    image = cv2.imdecode(np.frombuffer(frames[-1].frame.data, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (240, 320)
    span = (frames[-1].capture_time.ToDatetime() - frames[0].capture_time.ToDatetime()).total_seconds()
    assert span >= 7 / 10 * 0.9  # at most 10 a second: the camera's 25 are thinned, not sent
    assert sum(f.dropped_frames for f in frames[1:]) >= 7  # ~1.5 camera frames skipped per frame sent


async def test_two_preview_clients_share_one_capture(cam: tuple[Running, Metadata], sim: CameraSim) -> None:
    running, md = cam
    other = grpc.aio.insecure_channel(running.target)
    try:
        request = camera_pb2.StreamPreviewRequest(frames_per_second=30)
        calls = [camera_pb2_grpc.CameraServiceStub(ch).StreamPreview(request, metadata=md)
                 for ch in (running.channel, other)]
        seen: list[set[int]] = [set(), set()]
        for _ in range(15):
            for i, call in enumerate(calls):
                seen[i].add((await call.read()).frame_sequence)
        assert sim.snapshot()["streams_open"] == 1  # one HTTP stream from the camera for both
        assert len(seen[0] & seen[1]) >= 5  # the same frames, read once
        for call in calls:
            call.cancel()
    finally:
        await other.close()


async def test_a_slow_client_gets_dropped_frames_not_a_queue(cam: tuple[Running, Metadata],
                                                            sim: CameraSim) -> None:
    running, md = cam
    sim.state.width, sim.state.height = 1280, 960  # frames larger than the flow-control window
    # Without BDP probing the stream's window stays at 64 KB: what the client does not read stays
    # at the hub, where the newest frame replaces the older ones.
    slow = grpc.aio.insecure_channel(running.target, options=[("grpc.http2.bdp_probe", 0)])
    try:
        call = camera_pb2_grpc.CameraServiceStub(slow).StreamPreview(
            camera_pb2.StreamPreviewRequest(frames_per_second=30), metadata=md)
        first = await call.read()
        for _ in range(50):  # a smaller frame may have been on its way when the size changed
            if first.frame.width_px == 1280:
                break
            first = await call.read()
        assert first.frame.width_px == 1280
        sent = sim.frames_sent
        await eventually(lambda: _true(sim.frames_sent >= sent + 40), timeout=30)  # the client sleeps
        after = [await call.read() for _ in range(4)]
        call.cancel()
    finally:
        await slow.close()
    assert max(f.dropped_frames for f in after) >= 20, [f.dropped_frames for f in after]
    assert after[-1].frame_sequence - first.frame_sequence >= 40


async def _true(value: bool) -> bool:
    return value


async def test_disconnect_mid_preview_ends_the_stream_and_the_next_call_reconnects(
        cam: tuple[Running, Metadata], sim: CameraSim) -> None:
    running, md = cam
    call = stub(running).StreamPreview(camera_pb2.StreamPreviewRequest(), metadata=md)
    await call.read()
    opened = sim.streams_opened
    sim.unplug()
    code, reason, _ = await refused(_drain(call))
    assert code == grpc.StatusCode.UNAVAILABLE and reason in ("DISCONNECTED", "CONNECTION_REFUSED"), reason
    code, _, _ = await refused(stub(running).CapturePhoto(camera_pb2.CapturePhotoRequest(), metadata=md))
    assert code == grpc.StatusCode.UNAVAILABLE  # still unplugged: a clear "try again"
    sim.replug()
    photo = await stub(running).CapturePhoto(camera_pb2.CapturePhotoRequest(), metadata=md)
    assert scene_of(photo.photo.data) == "face" and sim.streams_opened > opened


# -- document capture --------------------------------------------------------------------------

def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        skip_or_fail(f"{tool} is not installed ({package})")
    return path


async def test_document_capture_of_the_angled_page(cam: tuple[Running, Metadata], sim: CameraSim,
                                                   tmp_path: Path) -> None:
    running, md = cam
    sim.state.width, sim.state.height = 1280, 960
    sim.set_scene("document")
    await showing(running, md, "document")
    truth = sim.truth()
    r = await stub(running).CaptureDocument(camera_pb2.CaptureDocumentRequest(max_kb=250), metadata=md)
    # the corners the hub found are the page's true corners (within 2 % of its diagonal)
    true = [tuple(c) for c in truth["page_corners"]]
    diagonal = math.dist(true[0], true[2])
    for found, expected in zip(r.page_corners, true, strict=True):
        assert math.dist((found.x_px, found.y_px), expected) <= 0.02 * diagonal
    assert r.mime_type == "application/pdf" and len(r.document) <= 250_000  # the cap
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(r.document)
    info = subprocess.run([need("pdfinfo", "poppler-utils"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    width_pt, height_pt = (float(v) for v in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert height_pt / width_pt == pytest.approx(math.sqrt(2), abs=0.01)  # flattened to A4
    assert width_pt == pytest.approx(595, abs=6)
    # rendered as a viewer shows it (at 300 dpi: resampling at exactly the page's 150 dpi blurs
    # the Devanagari conjuncts enough to trouble tesseract, whatever made the PDF)
    subprocess.run([need("pdftoppm", "poppler-utils"), "-r", "300", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    tesseract = need("tesseract", "tesseract-ocr, tesseract-ocr-hin")
    text = subprocess.run([tesseract, str(tmp_path / "page.png"), "-", "-l", "hin+eng"], capture_output=True,
                          text=True, timeout=120, check=True).stdout
    assert all(word in text for word in truth["words"]), text


async def test_document_as_a_jpeg_in_a_window(cam: tuple[Running, Metadata], sim: CameraSim) -> None:
    running, md = cam
    sim.set_scene("document")
    await showing(running, md, "document")
    jpeg = camera_pb2.CaptureDocumentRequest.DOCUMENT_FORMAT_JPEG
    request = camera_pb2.CaptureDocumentRequest(document_format=jpeg, max_kb=60, min_kb=40,
                                                resolution_dpi=100)
    r = await stub(running).CaptureDocument(request, metadata=md)
    assert r.mime_type == "image/jpeg" and 40 * 1024 <= len(r.document) <= 60_000
    image = cv2.imdecode(np.frombuffer(r.document, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (r.height_px, r.width_px) and r.width_px <= 827


async def test_no_page_in_view(cam: tuple[Running, Metadata]) -> None:
    running, md = cam
    code, reason, _ = await refused(stub(running).CaptureDocument(camera_pb2.CaptureDocumentRequest(),
                                                                  metadata=md))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PAGE_NOT_FOUND")


# -- events ---------------------------------------------------------------------------------------

async def test_a_new_frame_size_is_an_event(tmp_path: Path, sim: CameraSim) -> None:
    config = HubConfig(devices={"camera": camera_config(sim.url, poll_interval=0.3)})  # type: ignore[attr-defined]
    async with serving(config, tmp_path, tmp_path / "hubd.sock") as running:
        hub = running.hub
        await eventually(lambda: _true(hub.devices["camera"].reading is not None), timeout=20)
        stream = await watch_from_now(running.channel, ("camera",))
        sim.state.width, sim.state.height = 800, 600
        event = await next_event(stream, "CAMERA_FRAME_SIZE_CHANGED", timeout=20)
        stream.cancel()
    assert event.WhichOneof("payload") == "camera_status"
    assert (event.camera_status.width_px, event.camera_status.height_px) == (800, 600)
    assert event.attributes["previous"] == "640x480"
    assert event.type == hub_pb2.EVENT_TYPE_CAMERA_FRAME_SIZE_CHANGED


async def test_concurrent_checks_do_not_block_each_other(cam: tuple[Running, Metadata]) -> None:
    running, md = cam
    s = stub(running)
    results = await asyncio.gather(*(s.CheckApplicantPhoto(camera_pb2.CheckApplicantPhotoRequest(),
                                                           metadata=md) for _ in range(3)))
    assert all(r.passed for r in results)
