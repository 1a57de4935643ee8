"""The audio driver through a real PulseAudio (null sinks) and ALSA's pulse plugin, via PortAudio.

The loopback self-test plays into ``speaker`` and records ``speaker.monitor``; the microphone is
``mic``, fed by whatever ``paplay`` plays into ``micfeed``. What each test expects comes from the
signal it plays (frequency, amplitude) or from the stack's devices.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from hubd.classes.audio.analysis import dominant_frequency
from hubd.classes.audio.contract import AudioFault, AudioLevels
from hubd.errors import DeviceUnavailable
from kioskhub.drivers.audio import DRIVER, Audio
from tests.stacks.pulseaudio import PulseStack, tone, write_wav

pytestmark = pytest.mark.stack


def device(stack: PulseStack, output: str = "speaker", input: str = "speaker.monitor") -> Audio:
    audio = DRIVER.factory("audio", stack.url, {"output": output, "input": input}, timeout=20.0)
    assert isinstance(audio, Audio)
    return audio


def dbfs_of_sine(amplitude: float) -> float:
    return 20 * math.log10(amplitude / math.sqrt(2))


async def until_heard(audio: Audio, source: str, timeout: float = 20.0) -> AudioLevels:
    """Poll the level meter until ``source`` carries a signal (paplay takes a moment to start)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        meter = await audio.levels(0.2, input=source)
        if not meter.silent and meter.rms_dbfs > -90:
            return meter
        assert loop.time() < deadline, f"{source} stayed silent for {timeout} s"


@pytest.mark.parametrize(("frequency", "amplitude"), [(1000.0, 0.5), (440.0, 0.25)])
async def test_self_test_recovers_frequency_and_level(shared_pulse_stack: PulseStack, frequency: float,
                                                      amplitude: float) -> None:
    result = await device(shared_pulse_stack).self_test(frequency, amplitude)
    assert result.passed and result.fault is AudioFault.NONE, result
    assert result.measured_hz == pytest.approx(frequency, abs=1.0)
    assert result.level_dbfs == pytest.approx(dbfs_of_sine(amplitude), abs=1.0)  # a null sink is unity gain
    assert (result.output, result.input) == ("speaker", "speaker.monitor")


async def test_status_observes_both_sides(shared_pulse_stack: PulseStack) -> None:
    reading = await device(shared_pulse_stack, input="mic").read_status()
    assert (reading.output, reading.input) == ("speaker", "mic")


async def test_the_servers_default_sink(shared_pulse_stack: PulseStack) -> None:
    audio = DRIVER.factory("audio", shared_pulse_stack.url, {}, timeout=20.0)  # no names: the defaults
    assert isinstance(audio, Audio)
    assert (await audio.read_status()).output == "@DEFAULT_SINK@"
    result = await audio.self_test(input="speaker.monitor")  # the stack's default sink is "speaker"
    assert result.passed, result


async def test_virtual_mic_records_the_tone_fed_to_it(shared_pulse_stack: PulseStack, tmp_path: Path) -> None:
    stack = shared_pulse_stack
    player = stack.play_into("micfeed", write_wav(tmp_path / "feed.wav", tone(660.0, 0.3, 20.0)))
    audio = device(stack, input="mic")
    try:
        await until_heard(audio, "mic")
        recording = await audio.record_wav(1.0)
    finally:
        player.kill()
        player.wait()
    path = tmp_path / "recorded.wav"
    path.write_bytes(recording.wav)
    entries = "stream=sample_rate,channels,codec_name"
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", entries, "-of", "json", str(path)],
                           capture_output=True, text=True, check=True)
    assert json.loads(probe.stdout)["streams"][0] == {"codec_name": "pcm_s16le", "sample_rate": "48000",
                                                      "channels": 1}
    with wave.open(str(path), "rb") as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768
    assert dominant_frequency(samples, 48000) == pytest.approx(660.0, abs=1.0)
    assert recording.levels.rms_dbfs == pytest.approx(dbfs_of_sine(0.3), abs=1.5)


async def test_silent_microphone_is_blamed(shared_pulse_stack: PulseStack) -> None:
    result = await device(shared_pulse_stack, input="mic").self_test()  # nothing feeds the mic
    assert (result.passed, result.fault, result.reason) == (False, AudioFault.MICROPHONE, "MIC_SILENT")
    assert result.message_en and result.message_hi


async def test_mic_hearing_the_room_but_no_tone_blames_the_speaker(shared_pulse_stack: PulseStack,
                                                                  tmp_path: Path) -> None:
    stack = shared_pulse_stack
    room = np.random.default_rng(3).normal(0, 0.003, 48000 * 20)  # about -50 dBFS of room noise
    player = stack.play_into("micfeed", write_wav(tmp_path / "room.wav", room))
    audio = device(stack, input="mic")  # the speaker's sound never reaches this mic: a dead speaker
    try:
        await until_heard(audio, "mic")
        result = await audio.self_test()
    finally:
        player.kill()
        player.wait()
    assert (result.fault, result.reason) == (AudioFault.SPEAKER, "NO_TONE"), result
    assert -60 < result.noise_dbfs < -40


async def test_missing_sink_is_the_speakers_fault(shared_pulse_stack: PulseStack) -> None:
    audio = device(shared_pulse_stack, output="nosuchsink")
    result = await audio.self_test()
    assert (result.fault, result.reason) == (AudioFault.SPEAKER, "SPEAKER_UNAVAILABLE")
    with pytest.raises(DeviceUnavailable) as info:
        await audio.read_status()
    assert info.value.reason == "AUDIO_DEVICE_FAILED" and info.value.metadata["side"] == "output"


async def test_prompt_reaches_the_speaker(shared_pulse_stack: PulseStack) -> None:
    stack = shared_pulse_stack
    recorder = stack.record_from("speaker.monitor")
    try:
        recorder.wait_for(0.1)  # parec is connected: everything from here on is heard
        seconds = await device(stack).play_prompt("look_at_camera", "hi")
        recorder.wait_for(0.3)  # and what was still on its way
    finally:
        heard = recorder.stop()
    blocks = heard[: len(heard) // 4800 * 4800].reshape(-1, 4800)  # 0.1 s blocks
    voiced = np.sqrt(np.mean(blocks**2, axis=1)) > 10 ** (-40 / 20)
    assert 1.0 < seconds < 6.0
    assert voiced.sum() * 0.1 >= 0.5 * seconds  # the voice was heard for most of the prompt


@pytest.fixture
async def stopped_stack(pulse_stack: PulseStack) -> AsyncIterator[PulseStack]:
    pulse_stack.stop()
    yield pulse_stack


async def test_no_audio_server_is_unavailable_then_recovers(stopped_stack: PulseStack) -> None:
    audio = device(stopped_stack)
    for call in (audio.read_status(), audio.self_test(), audio.levels(0.2), audio.play_prompt("welcome")):
        with pytest.raises(DeviceUnavailable) as info:
            await call
        assert info.value.reason == "AUDIO_SERVER_UNAVAILABLE"
    stopped_stack.start()
    assert (await audio.read_status()).output == "speaker"


async def test_a_cancelled_recording_frees_the_device_at_once(shared_pulse_stack: PulseStack) -> None:
    """A caller that goes away mid-recording (a client's deadline) does not hold the device for
    the rest of what it asked for: the next caller is served now, not in a minute."""
    from kioskhub.drivers.audio import portaudio

    audio = device(shared_pulse_stack)
    long = asyncio.ensure_future(audio.record_wav(60.0))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while portaudio._state.capture is None:  # the recording is running
        assert loop.time() < deadline, "the recording never started"
        await asyncio.sleep(0.01)
    long.cancel()
    meter = await asyncio.wait_for(audio.levels(0.2), 10)  # not after the cancelled 60 s
    assert meter.seconds == pytest.approx(0.2, abs=0.01)
    with pytest.raises(asyncio.CancelledError):
        await long
