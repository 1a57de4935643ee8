"""Conversions for ``kioskhub.v1.AudioService`` (and the ``audio_status`` arm of ``Event.payload``).

Requests are checked here with the proto's field names before any sound is made.
"""

from __future__ import annotations

import math
from datetime import timedelta

from google.protobuf.duration_pb2 import Duration

from hubd.classes.audio.contract import DEFAULT_RATE, MAX_RECORD_SECONDS, AudioFault, AudioLevels, Recording
from hubd.classes.audio.sound import SelfTestReport
from hubd.errors import InvalidArgument, quote
from hubd.rpc.convert import timestamp
from kioskhub.v1 import audio_pb2

Result = audio_pb2.AudioSelfTestResult
DEFAULT_LANGUAGE = "hi"
DEFAULT_FREQUENCY = 1000.0
DEFAULT_AMPLITUDE = 0.5
DEFAULT_LEVELS_SECONDS = 0.5
MAX_LEVELS_SECONDS = 10.0
RATES = (8000, 192000)
MAX_NAME = 128
_FAULT = {AudioFault.NONE: Result.FAULT_NONE, AudioFault.SPEAKER: Result.FAULT_SPEAKER,
          AudioFault.MICROPHONE: Result.FAULT_MICROPHONE, AudioFault.UNKNOWN: Result.FAULT_UNKNOWN}


def device_name(value: str, field: str) -> str | None:
    """A sink/source name from a request; empty is None (the configured one)."""
    if not value:
        return None
    if len(value) > MAX_NAME or not value.isprintable():
        raise InvalidArgument(field, f"is not a device name: {quote(value)}")
    return value


def seconds_from_pb(value: Duration, field: str, high: float, default: float | None = None) -> float:
    """A Duration as seconds in (0, high]; unset is ``default`` (required when None)."""
    if not value.seconds and not value.nanos:
        if default is None:
            raise InvalidArgument(field, f"required: (0, {high:g}] seconds")
        return default
    if not 0 <= value.seconds <= high or not 0 <= value.nanos < 1_000_000_000:
        raise InvalidArgument(field, f"must be within (0, {high:g}] seconds")
    seconds = value.seconds + value.nanos / 1e9
    if not 0 < seconds <= high:
        raise InvalidArgument(field, f"must be within (0, {high:g}] seconds")
    return seconds


def record_request(r: audio_pb2.RecordAudioRequest) -> tuple[float, int, str | None]:
    """(seconds, sample rate, input) of a RecordAudio request."""
    rate = r.sample_rate_hz or DEFAULT_RATE
    if not RATES[0] <= rate <= RATES[1]:
        raise InvalidArgument("sample_rate_hz", f"must be {RATES[0]}-{RATES[1]} (0: {DEFAULT_RATE})")
    return seconds_from_pb(r.duration, "duration", MAX_RECORD_SECONDS), rate, device_name(r.input, "input")


def self_test_request(r: audio_pb2.RunAudioSelfTestRequest) -> tuple[float, float, str | None, str | None]:
    """(frequency, amplitude, output, input) of a RunAudioSelfTest request."""
    frequency = r.tone_frequency_hz or DEFAULT_FREQUENCY
    if not (math.isfinite(frequency) and 100 <= frequency <= 8000):
        raise InvalidArgument("tone_frequency_hz", "must be 100-8000 Hz (0: 1000)")
    amplitude = r.tone_amplitude_fraction or DEFAULT_AMPLITUDE
    if not (math.isfinite(amplitude) and 0.01 <= amplitude <= 0.9):
        raise InvalidArgument("tone_amplitude_fraction", "must be 0.01-0.9 of full scale (0: 0.5)")
    return frequency, amplitude, device_name(r.output, "output"), device_name(r.input, "input")


def duration_pb(seconds: float) -> Duration:
    """Seconds as a Duration (millisecond precision)."""
    d = Duration()
    d.FromTimedelta(timedelta(seconds=round(seconds, 3)))
    return d


def levels_to_pb(levels: AudioLevels) -> audio_pb2.AudioLevels:
    """A level meter reading."""
    return audio_pb2.AudioLevels(rms_dbfs=levels.rms_dbfs, peak_dbfs=levels.peak_dbfs, clipped=levels.clipped,
                                 silent=levels.silent, duration=duration_pb(levels.seconds))


def recording_to_pb(device_id: str, rec: Recording) -> audio_pb2.RecordAudioResponse:
    """A RecordAudio response."""
    return audio_pb2.RecordAudioResponse(device_id=device_id, wav=rec.wav, sample_rate_hz=rec.samplerate,
                                         levels=levels_to_pb(rec.levels))


def self_test_to_pb(report: SelfTestReport) -> audio_pb2.AudioSelfTestResult:
    """One self-test's outcome."""
    r = report.result
    return Result(
        passed=r.passed, fault=_FAULT[r.fault], reason=r.reason, message_hi=r.message_hi,
        message_en=r.message_en,
        tone_frequency_hz=r.frequency_hz, measured_frequency_hz=r.measured_hz, level_dbfs=r.level_dbfs,
        played_level_dbfs=r.played_dbfs, noise_level_dbfs=r.noise_dbfs, signal_to_noise_db=r.snr_db,
        output=r.output, input=r.input, test_time=timestamp(report.tested_at),
    )


def event_payload(payload: object) -> tuple[str, audio_pb2.AudioStatus] | None:
    """The ``audio_status`` arm for a self-test published as an event."""
    if isinstance(payload, SelfTestReport):
        status = audio_pb2.AudioStatus(output=payload.output, input=payload.input,
                                       last_self_test=self_test_to_pb(payload))
        return "audio_status", status
    return None
