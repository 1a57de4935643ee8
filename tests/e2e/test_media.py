"""The camera and audio classes in a real ``hubd --simulate``, driven by hubctl as a technician does:
an applicant photo with its checks, a page by webcam into a capped PDF, a preview written as JPEG
files that ffprobe reads, DEVICE_BUSY naming the holder, and the audio self-test and a prompt on
the private PulseAudio the hub started (no sound server of the user's is used: the environment
names none)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import grpc
import numpy as np
import psutil
import pytest
from google.protobuf.duration_pb2 import Duration

from kioskhub.v1 import hub_pb2, hub_pb2_grpc
from tests.e2e.conftest import HubProcess, wait_for
from tests.stacks.base import skip_or_fail

pytestmark = pytest.mark.timeout(120)
NO_SOUND_SERVER = {"PULSE_SERVER": "", "XDG_RUNTIME_DIR": ""}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One hubd for this module; each test leaves the camera's scene and size as it found them."""
    process = HubProcess(tmp_path_factory.mktemp("media"), env=NO_SOUND_SERVER).start()
    try:
        wait_for(lambda: device(process, "camera")["state"] == "DEVICE_STATE_AVAILABLE", what="the camera")
        yield process
    finally:
        process.stop()


def device(hub: HubProcess, device_id: str) -> dict:
    out = hub.hubctl("device", device_id, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def control(hub: HubProcess, *command: str) -> str:
    where = hub.simulators()["camera"]["control"]
    out = subprocess.run([sys.executable, "-m", "kioskhub.simulators.cli", "ctl", where, *command],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        skip_or_fail(f"{tool} is not installed ({package})")
    return path


def test_the_camera_is_an_mjpeg_camera_on_loopback_and_leased(hub: HubProcess) -> None:
    cam = device(hub, "camera")
    assert cam["simulated"] and cam["lease_required"] and cam["default"] and cam["driver"] == "camera"
    assert cam["url"] == hub.simulators()["camera"]["url"]
    assert cam["url"].startswith("http://127.0.0.1:") and cam["url"].endswith("/stream.mjpg")


def test_an_applicant_photo_with_its_checks(hub: HubProcess, tmp_path: Path) -> None:
    photo, frame = tmp_path / "applicant.jpg", tmp_path / "frame.jpg"
    out = hub.hubctl("camera", "capture", "--check", "-o", str(photo), "--frame", str(frame))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("applicant photo PASSED") and "passport_photo 200x230 px" in out.stdout
    assert "एक चेहरा मिला" in out.stdout and "One face found." in out.stdout
    image = cv2.imread(str(photo))
    assert image.shape[:2] == (230, 200) and 20 * 1024 <= photo.stat().st_size <= 50_000
    assert cv2.imread(str(frame)).shape[:2] == (480, 640)


def test_a_failing_photo_exits_1_and_says_why(hub: HubProcess, tmp_path: Path) -> None:
    control(hub, "scene", "too_dark")
    try:
        out = hub.hubctl("camera", "capture", "--check", "-o", str(tmp_path / "dark.jpg"), "--json")
    finally:
        control(hub, "scene", "face")
    assert out.returncode == 1
    shown = json.loads(out.stdout)
    assert not shown["passed"] and shown["photo"]["data_bytes"] > 1000 and "data" not in shown["photo"]
    failed = [c for c in shown["checks"] if c["outcome"] == "OUTCOME_FAIL"]
    assert failed[0]["reason"] == "TOO_DARK" and failed[0]["message_hi"]


def test_a_page_by_webcam_into_a_capped_pdf(hub: HubProcess, tmp_path: Path) -> None:
    control(hub, "set", "width", "1280")
    control(hub, "set", "height", "960")
    control(hub, "scene", "document")
    try:
        pdf = tmp_path / "form.pdf"
        out = hub.hubctl("camera", "document", "-o", str(pdf), "--max-kb", "150", timeout=60)
    finally:
        control(hub, "scene", "face")
        control(hub, "set", "width", "640")
        control(hub, "set", "height", "480")
    assert out.returncode == 0, out.stderr
    assert pdf.stat().st_size <= 150_000 and "application/pdf" in out.stdout
    info = subprocess.run([need("pdfinfo", "poppler-utils"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in info.splitlines())}
    assert (fields["Pages"], fields["Producer"]) == ("1", "kioskhub")
    assert fields["Page size"].endswith("(A4)")  # the angled page, flattened


def test_ffprobe_reads_a_preview_the_hub_streamed(hub: HubProcess, tmp_path: Path) -> None:
    frames = tmp_path / "preview"
    out = hub.hubctl("camera", "preview", "-o", str(frames), "--frames", "12", "--width", "320",
                     "--height", "240", "--fps", "30")
    assert out.returncode == 0, out.stderr
    entries = "stream=codec_name,width,height,nb_read_frames"
    probe = subprocess.run([need("ffprobe", "ffmpeg"), "-v", "error", "-f", "image2", "-count_frames",
                            "-show_entries", entries, "-of", "json", str(frames / "frame-%04d.jpg")],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    (stream,) = json.loads(probe.stdout)["streams"]
    assert stream == {"codec_name": "mjpeg", "width": 320, "height": 240, "nb_read_frames": "12"}


def test_another_holder_makes_hubctl_say_device_busy(hub: HubProcess, tmp_path: Path) -> None:
    with grpc.insecure_channel(hub.target) as ch:
        stub = hub_pb2_grpc.HubServiceStub(ch)
        lease = stub.AcquireLease(hub_pb2.AcquireLeaseRequest(device_id="camera", holder="photo-booth",
                                                              ttl=Duration(seconds=60))).lease
        try:
            out = hub.hubctl("camera", "capture", "-o", str(tmp_path / "x.jpg"))
        finally:
            stub.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id))
    assert out.returncode == 1 and "DEVICE_BUSY" in out.stderr and "holder=photo-booth" in out.stderr
    assert not (tmp_path / "x.jpg").exists()
    assert hub.hubctl("camera", "capture", "-o", str(tmp_path / "x.jpg")).returncode == 0  # lease returned


def test_the_audio_self_test_on_the_private_pulseaudio(hub: HubProcess) -> None:
    record = hub.simulators()["audio"]
    if device(hub, "audio")["reason"] == "STACK_NOT_INSTALLED":
        skip_or_fail("PulseAudio is not installed (pulseaudio)")
    assert record["server"] == "private" and record["microphone"] == "speaker.monitor"
    wait_for(lambda: device(hub, "audio")["state"] == "DEVICE_STATE_AVAILABLE", what="the private PulseAudio")
    out = hub.hubctl("audio", "selftest", "--json", timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout)
    assert result["passed"] and result["fault"] == "FAULT_NONE"
    assert abs(result["measured_frequency_hz"] - 1000) <= 1
    said = hub.hubctl("audio", "say", "look_at_camera", timeout=60)
    assert said.returncode == 0 and "कृपया कैमरे की ओर देखें" in said.stdout


def test_the_pulseaudio_stops_with_the_hub(tmp_path: Path) -> None:
    process = HubProcess(tmp_path, env=NO_SOUND_SERVER).start()
    try:
        record = process.simulators()["audio"]
        if record.get("server") != "private":
            skip_or_fail("PulseAudio is not installed (pulseaudio)")
        wait_for(lambda: device(process, "audio")["state"] == "DEVICE_STATE_AVAILABLE", what="PulseAudio")
        pulse = [p for p in process.descendants() if psutil.Process(p).name() == "pulseaudio"]
        assert len(pulse) == 1
    finally:
        process.stop()
    wait_for(lambda: not psutil.pid_exists(pulse[0]) or psutil.Process(pulse[0]).status() == "zombie",
             what="PulseAudio to stop")
    sock = Path(record["url"].removeprefix("pulse://"))
    assert not sock.exists()


def test_a_still_as_png_at_a_size(hub: HubProcess, tmp_path: Path) -> None:
    out = hub.hubctl("camera", "capture", "-o", str(tmp_path / "p.png"), "--width", "100", "--height", "80")
    assert out.returncode == 0, out.stderr
    image = cv2.imdecode(np.fromfile(tmp_path / "p.png", np.uint8), cv2.IMREAD_UNCHANGED)
    assert image.shape[:2] == (80, 100) and (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")
