"""AudioService through the hub over a real private PulseAudio (null sinks, ALSA's pulse plugin):
the self-test recovers the tone and is published as an event, a virtual microphone fed a known
tone is recorded back, and a missing sound server is a clear UNAVAILABLE, never a crash.

What each test expects comes from the signal it plays (frequency, amplitude) or from the stack.
"""

from __future__ import annotations

import asyncio
import io
import math
import os
import socket
import subprocess
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import numpy as np
import pytest
from google.protobuf.duration_pb2 import Duration
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from hubd.classes.audio.analysis import dominant_frequency
from hubd.classes.spec import SimulatedDevice
from hubd.config import DeviceConfig, HubConfig
from hubd.stacks import pulseaudio
from kioskhub.v1 import audio_pb2, audio_pb2_grpc, common_pb2, hub_pb2, hub_pb2_grpc
from tests.rpc.conftest import Running, error_info, eventually, serving, watch_from_now
from tests.rpc.leasing import next_event
from tests.stacks.base import skip_or_fail
from tests.stacks.pulseaudio import PulseStack, tone, write_wav

pytestmark = [pytest.mark.stack, pytest.mark.timeout(120)]
Result = audio_pb2.AudioSelfTestResult


def audio_config(url: str, **options: str) -> DeviceConfig:
    """The audio device as ``hubd --simulate`` configures it on its private PulseAudio."""
    options = {"output": "speaker", "input": "speaker.monitor", **options}
    return DeviceConfig("audio", "audio", url, options=options, poll_interval=5.0, timeout=10.0)


@pytest.fixture
async def hub(tmp_path: Path, shared_pulse_stack: PulseStack) -> AsyncIterator[Running]:
    config = HubConfig(devices={"audio": audio_config(shared_pulse_stack.url)})
    async with serving(config, tmp_path, tmp_path / "hubd.sock") as running:
        yield running


def stub(running: Running) -> audio_pb2_grpc.AudioServiceStub:
    return audio_pb2_grpc.AudioServiceStub(running.channel)


def dbfs_of_sine(amplitude: float) -> float:
    return 20 * math.log10(amplitude / math.sqrt(2))


def samples_of(wav: bytes) -> tuple[np.ndarray, int]:
    """Samples of a WAV file, read with the standard library (not the hub's decoder)."""
    with wave.open(io.BytesIO(wav), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768, w.getframerate()


async def refused(call: object) -> tuple[grpc.StatusCode, str, dict[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call  # type: ignore[misc]
    info = error_info(err.value)
    return err.value.code(), info.reason, dict(info.metadata)


async def test_self_test_through_the_hub_recovers_the_tone(hub: Running) -> None:
    events = await watch_from_now(hub.channel, ("audio",))
    request = audio_pb2.RunAudioSelfTestRequest(tone_frequency_hz=440.0, tone_amplitude_fraction=0.25)
    r = (await stub(hub).RunAudioSelfTest(request)).result
    assert r.passed and r.fault == Result.FAULT_NONE and r.reason == "TONE_OK", r
    assert r.measured_frequency_hz == pytest.approx(440.0, abs=1.0)
    assert r.level_dbfs == pytest.approx(dbfs_of_sine(0.25), abs=1.0)  # a null sink is unity gain
    assert (r.output, r.input) == ("speaker", "speaker.monitor") and r.message_hi and r.message_en
    event = await next_event(events, "AUDIO_SELF_TEST_PASSED")
    assert event.WhichOneof("payload") == "audio_status"
    assert event.audio_status.last_self_test.measured_frequency_hz == r.measured_frequency_hz


async def test_a_missing_speaker_is_its_fault_and_an_event(hub: Running) -> None:
    events = await watch_from_now(hub.channel, ("audio",))
    r = (await stub(hub).RunAudioSelfTest(audio_pb2.RunAudioSelfTestRequest(output="nosuchsink"))).result
    assert (r.passed, r.fault, r.reason) == (False, Result.FAULT_SPEAKER, "SPEAKER_UNAVAILABLE")
    event = await next_event(events, "AUDIO_SELF_TEST_FAILED")
    assert (event.reason, event.attributes["fault"]) == ("SPEAKER_UNAVAILABLE", "speaker")


async def test_a_virtual_mic_fed_a_tone_is_recorded_back(hub: Running, shared_pulse_stack: PulseStack,
                                                         tmp_path: Path) -> None:
    feed = write_wav(tmp_path / "feed.wav", tone(660.0, 0.3, 30.0))
    player = shared_pulse_stack.play_into("micfeed", feed)
    try:
        async def heard() -> bool:
            levels = (await stub(hub).GetAudioLevels(audio_pb2.GetAudioLevelsRequest(
                input="mic", duration=Duration(nanos=200_000_000)))).levels
            return not levels.silent and levels.rms_dbfs > -60

        await eventually(heard, timeout=20)  # paplay takes a moment to start
        request = audio_pb2.RecordAudioRequest(duration=Duration(seconds=1), input="mic")
        rec = await stub(hub).RecordAudio(request)
    finally:
        player.kill()
        player.wait()
    samples, rate = samples_of(rec.wav)
    assert rate == rec.sample_rate_hz == 48000 and len(samples) == 48000
    assert dominant_frequency(samples, rate) == pytest.approx(660.0, abs=1.0)
    assert rec.levels.rms_dbfs == pytest.approx(dbfs_of_sine(0.3), abs=1.5)


async def test_a_prompt_and_a_sound_reach_the_speaker(hub: Running, shared_pulse_stack: PulseStack,
                                                      tmp_path: Path) -> None:
    recorder = shared_pulse_stack.record_from("speaker.monitor")
    try:
        recorder.wait_for(0.1)
        said = await stub(hub).PlayPrompt(audio_pb2.PlayPromptRequest(prompt="welcome", language_code="en"))
        chime = write_wav(tmp_path / "chime.wav", tone(880.0, 0.4, 0.5)).read_bytes()
        played = await stub(hub).PlaySound(audio_pb2.PlaySoundRequest(wav=chime))
        recorder.wait_for(0.3)
    finally:
        heard = recorder.stop()
    assert said.text == "Welcome to the e-Mitra kiosk." and said.duration.ToTimedelta().total_seconds() > 0.5
    assert played.duration.ToTimedelta().total_seconds() == pytest.approx(0.5, abs=0.01)
    assert dominant_frequency(heard[-int(0.9 * 48000):], 48000) == pytest.approx(880.0, abs=2.0)


@pytest.mark.parametrize(("method", "request_", "field"), [
    ("PlaySound", audio_pb2.PlaySoundRequest(wav=b"RIFF\x00\x00not a wav"), "wav"),
    ("PlayPrompt", audio_pb2.PlayPromptRequest(prompt="sing_a_song"), "prompt"),
    ("PlayPrompt", audio_pb2.PlayPromptRequest(prompt="welcome", language_code="fr"), "language"),
    ("RecordAudio", audio_pb2.RecordAudioRequest(duration=Duration(seconds=121)), "duration"),
    ("RecordAudio", audio_pb2.RecordAudioRequest(), "duration"),
    ("RecordAudio", audio_pb2.RecordAudioRequest(duration=Duration(seconds=1), sample_rate_hz=7),
     "sample_rate_hz"),
    ("RunAudioSelfTest", audio_pb2.RunAudioSelfTestRequest(tone_frequency_hz=float("nan")),
     "tone_frequency_hz"),
    ("RunAudioSelfTest", audio_pb2.RunAudioSelfTestRequest(tone_amplitude_fraction=2.0),
     "tone_amplitude_fraction"),
    ("GetAudioLevels", audio_pb2.GetAudioLevelsRequest(duration=Duration(seconds=-1)), "duration"),
    ("GetAudioLevels", audio_pb2.GetAudioLevelsRequest(input="bad\nname"), "input"),
], ids=lambda v: v if isinstance(v, str) else "")
async def test_bad_requests_name_the_field(hub: Running, method: str, request_: object, field: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await getattr(stub(hub), method)(request_)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, err.value.details()
    status = rpc_status.from_call(err.value)
    bad = error_details_pb2.BadRequest()
    assert status is not None and any(d.Unpack(bad) for d in status.details if d.Is(bad.DESCRIPTOR))
    assert bad.field_violations[0].field == field


async def test_no_sound_server_is_a_clear_unavailable(tmp_path: Path, pulse_stack: PulseStack) -> None:
    config = HubConfig(devices={"audio": audio_config(pulse_stack.url)})
    async with serving(config, tmp_path, tmp_path / "hubd.sock") as running:
        assert (await stub(running).RunAudioSelfTest(audio_pb2.RunAudioSelfTestRequest())).result.passed
        pulse_stack.stop()  # the sound server goes away
        for call in (stub(running).GetAudioLevels(audio_pb2.GetAudioLevelsRequest()),
                     stub(running).PlayPrompt(audio_pb2.PlayPromptRequest(prompt="welcome")),
                     stub(running).RunAudioSelfTest(audio_pb2.RunAudioSelfTestRequest())):
            code, reason, _ = await refused(call)  # neither the speaker nor the mic is blamed
            assert (code, reason) == (grpc.StatusCode.UNAVAILABLE, "AUDIO_SERVER_UNAVAILABLE")
        pulse_stack.start()  # back: the next call works again
        assert (await stub(running).RunAudioSelfTest(audio_pb2.RunAudioSelfTestRequest())).result.passed


async def test_without_pulseaudio_the_device_is_listed_stack_not_installed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``hubd --simulate`` on a machine without PulseAudio (and no sound server running)."""
    monkeypatch.setattr(pulseaudio, "missing_binaries", lambda: ["pulseaudio"])
    monkeypatch.setattr(pulseaudio, "running_server", lambda: None)
    device = SimulatedDevice("audio", "audio", options={"output": "speaker"}, default=True)
    result = await pulseaudio.simulate(tmp_path, device)
    assert result.missing and result.task is None
    async with serving(HubConfig(), tmp_path, tmp_path / "hubd.sock") as running:
        sup = running.hub.add_missing(result.config, "STACK_NOT_INSTALLED", result.missing)
        sup.start()
        hubs = hub_pb2_grpc.HubServiceStub(running.channel)

        async def listed() -> bool:
            d = (await hubs.GetDevice(hub_pb2.GetDeviceRequest(device_id="audio"))).device
            return d.state == common_pb2.DEVICE_STATE_UNAVAILABLE and d.reason == "STACK_NOT_INSTALLED"

        await eventually(listed, timeout=10)
        code, reason, _ = await refused(stub(running).RunAudioSelfTest(audio_pb2.RunAudioSelfTestRequest()))
        assert (code, reason) == (grpc.StatusCode.UNAVAILABLE, "STACK_NOT_INSTALLED")


async def test_simulate_starts_a_private_server_when_none_runs(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if pulseaudio.missing_binaries():
        skip_or_fail("PulseAudio is not installed (pulseaudio)")
    monkeypatch.setattr(pulseaudio, "running_server", lambda: None)
    device = SimulatedDevice("audio", "audio", options={"output": "speaker", "input": "speaker.monitor"})
    result = await pulseaudio.simulate(tmp_path, device)
    assert result.task is not None and result.record["server"] == "private"
    procs = await asyncio.wait_for(result.task, 30)
    try:
        assert pulseaudio.answers(pulseaudio.paths(tmp_path / "pulseaudio").socket)
        assert result.config.url == pulseaudio.paths(tmp_path / "pulseaudio").url
    finally:
        result.stop(procs)
    assert not pulseaudio.answers(pulseaudio.paths(tmp_path / "pulseaudio").socket)


def test_pulseaudio_does_not_speak_for_hubds_systemd_unit(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """PulseAudio speaks sd_notify: started by a hubd running under systemd it must not send the
    unit's READY=1 (hubd says that itself, once it serves). Checked after it has also served a
    client, so its start-up is over."""
    if pulseaudio.missing_binaries():
        skip_or_fail("PulseAudio is not installed (pulseaudio)")
    notify = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as rx:
        rx.bind(str(notify))
        monkeypatch.setenv("NOTIFY_SOCKET", str(notify))
        proc, p = pulseaudio.start(tmp_path / "pulse")
        try:
            subprocess.run(["pactl", "info"], env={**os.environ, **p.env()}, check=True, capture_output=True,
                           timeout=20)
        finally:
            pulseaudio.stop(proc, p)
        rx.setblocking(False)
        with pytest.raises(BlockingIOError):
            rx.recv(4096)
