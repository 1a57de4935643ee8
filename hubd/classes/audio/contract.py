"""The audio device class: a kiosk's speaker and microphone, voice prompts and a loopback self-test.

An audio driver implements four primitives on float32 samples: ``play``, ``record``,
``play_and_record`` (both at once, for the self-test) and ``read_status``; outputs and inputs are
chosen by name per call (None = the device's configured ones). Everything else is built here:
WAV playback and recording, the level meter, voice prompts (``prompts``) and the self-test
(``analysis``). A failure to open one side raises ``DeviceUnavailable`` with metadata
``side`` = ``output`` or ``input``, so the self-test can name the part at fault.
"""

from __future__ import annotations

import abc
import asyncio
import enum
import math
from dataclasses import dataclass

from hubd.classes.audio.wav import Samples, decode_wav, encode_wav
from hubd.device import Device, DeviceClass
from hubd.errors import DeviceUnavailable, InvalidArgument

DEFAULT_RATE = 48000
MAX_RECORD_SECONDS = 120.0
SIDE = "side"
"""Metadata key of a DeviceUnavailable naming the side that failed: ``output`` or ``input``."""


class AudioFault(enum.Enum):
    """Which part the self-test blames."""

    NONE = "none"
    SPEAKER = "speaker"
    MICROPHONE = "microphone"
    UNKNOWN = "unknown"
    """Something is wrong, but the test cannot tell which part (a quiet or distorted tone)."""


@dataclass(frozen=True)
class AudioLevels:
    """Level meter reading of a recording (dB relative to full scale)."""

    rms_dbfs: float
    peak_dbfs: float
    clipped: bool
    """Some sample reached full scale (the input gain is too high)."""
    silent: bool
    """Every sample was exactly zero: no signal at all (a live microphone always hears noise)."""
    seconds: float


@dataclass(frozen=True)
class Recording:
    """A recording from the microphone, as a 16-bit PCM WAV file, with its levels."""

    wav: bytes
    samplerate: int
    channels: int
    seconds: float
    levels: AudioLevels


@dataclass(frozen=True)
class SelfTestResult:
    """The loopback self-test: pass/fail, the part at fault, why (Hindi and English), and the
    measurements: played and measured frequency, tone level against the level played, noise floor."""

    passed: bool
    fault: AudioFault
    reason: str
    message_en: str
    message_hi: str
    frequency_hz: float
    measured_hz: float
    level_dbfs: float
    played_dbfs: float
    noise_dbfs: float
    snr_db: float
    output: str = ""
    input: str = ""


@dataclass(frozen=True)
class AudioReading:
    """One observation of the audio device: which output and input, through what."""

    output: str
    input: str
    samplerate: int
    server: str


def check_seconds(seconds: float, field: str = "seconds", high: float = MAX_RECORD_SECONDS) -> float:
    """A duration in (0, high] seconds; INVALID_ARGUMENT naming ``field`` otherwise."""
    number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if not number or not math.isfinite(seconds) or not 0 < seconds <= high:
        raise InvalidArgument(field, f"must be a number of seconds in (0, {high:g}]")
    return float(seconds)


class AudioDevice(Device):
    """Base of audio drivers (PortAudio through ALSA / PulseAudio...)."""

    device_class = DeviceClass.AUDIO
    DEFAULT_TIMEOUT = 10.0
    DEFAULT_POLL_INTERVAL = 5.0
    """A status read opens the speaker and the microphone."""
    prompt_dir: str | None = None
    """A directory of recorded prompts (``NAME.LANG.wav``) preferred to synthesised ones."""
    output_name = "default"
    """The configured speaker's name (drivers set it)."""
    input_name = "default"
    """The configured microphone's name (drivers set it)."""

    @abc.abstractmethod
    async def play(self, samples: Samples, samplerate: int, *, output: str | None = None) -> None:
        """Play float32 samples (frames,) or (frames, channels) to the end."""

    @abc.abstractmethod
    async def record(self, seconds: float, samplerate: int = DEFAULT_RATE, *,
                     input: str | None = None) -> Samples:
        """Record ``seconds`` of mono float32 samples from the microphone."""

    @abc.abstractmethod
    async def play_and_record(self, samples: Samples, samplerate: int, *, output: str | None = None,
                              input: str | None = None) -> Samples:
        """Play ``samples`` and record as many mono frames at the same time."""

    @abc.abstractmethod
    async def read_status(self) -> AudioReading:
        """Observe the output and the input now; ``DeviceUnavailable`` when they cannot be."""

    async def poll(self) -> AudioReading:
        """The supervisor's poll reads the status."""
        return await self.read_status()

    async def play_wav(self, data: bytes, *, output: str | None = None) -> float:
        """Play a PCM WAV file (INVALID_ARGUMENT ``wav`` when it is not one); its length in seconds."""
        samples, rate = await asyncio.to_thread(decode_wav, data)
        await self.play(samples, rate, output=output)
        return len(samples) / rate

    async def play_prompt(self, name: str, language: str = "hi", *, output: str | None = None) -> float:
        """Speak a prompt of the table (``prompts.PROMPTS``) in ``hi`` or ``en``; its length in s."""
        from hubd.classes.audio import prompts

        data = await asyncio.to_thread(prompts.load, name, language, self.prompt_dir)
        return await self.play_wav(data, output=output)

    async def record_wav(self, seconds: float, samplerate: int = DEFAULT_RATE, *,
                         input: str | None = None) -> Recording:
        """Record from the microphone into a 16-bit mono WAV file, with its levels."""
        from hubd.classes.audio import analysis

        samples = await self.record(check_seconds(seconds), samplerate, input=input)
        wav = await asyncio.to_thread(encode_wav, samples, samplerate)
        return Recording(wav, samplerate, 1, len(samples) / samplerate, analysis.levels(samples, samplerate))

    async def levels(self, seconds: float = 0.5, *, input: str | None = None) -> AudioLevels:
        """The level meter: RMS and peak of ``seconds`` from the microphone."""
        from hubd.classes.audio import analysis

        samples = await self.record(check_seconds(seconds, high=10.0), DEFAULT_RATE, input=input)
        return analysis.levels(samples, DEFAULT_RATE)

    async def self_test(self, frequency: float = 1000.0, amplitude: float = 0.5, *,
                        output: str | None = None, input: str | None = None) -> SelfTestResult:
        """Play a tone, record it, and judge frequency and level (``analysis.verdict``); a side
        that cannot be opened is reported as the part at fault."""
        from hubd.classes.audio import analysis

        if not (isinstance(frequency, int | float) and 100 <= frequency <= 8000):
            raise InvalidArgument("frequency", "must be within 100..8000 Hz")
        if not (isinstance(amplitude, int | float) and 0.01 <= amplitude <= 0.9):
            raise InvalidArgument("amplitude", "must be within 0.01..0.9 of full scale")
        signal = analysis.tone_signal(frequency, amplitude, DEFAULT_RATE)
        names = (output or self.output_name, input or self.input_name)
        try:
            recording = await self.play_and_record(signal, DEFAULT_RATE, output=output, input=input)
        except DeviceUnavailable as err:
            side = err.metadata.get(SIDE)
            if side not in ("output", "input"):
                raise
            reason = "SPEAKER_UNAVAILABLE" if side == "output" else "MIC_UNAVAILABLE"
            en, hi = analysis.MESSAGES[reason]
            played = round(analysis.dbfs(amplitude / math.sqrt(2)), 2)
            floor = analysis.FLOOR_DBFS
            return SelfTestResult(False, analysis.FAULTS[reason], reason, f"{en} ({err.message})"[:400], hi,
                                  float(frequency), 0.0, floor, played, floor, 0.0, *names)
        return await asyncio.to_thread(analysis.verdict, recording, DEFAULT_RATE, float(frequency),
                                       float(amplitude), *names)


__all__ = [
    "DEFAULT_RATE",
    "SIDE",
    "AudioDevice",
    "AudioFault",
    "AudioLevels",
    "AudioReading",
    "Recording",
    "Samples",
    "SelfTestResult",
    "check_seconds",
]
