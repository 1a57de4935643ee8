"""hubctl's audio commands: ``hubctl audio selftest|say|play|record|levels [DEVICE]``.

``selftest`` plays a tone and records it: PASSED, or FAILED naming the part at fault (the speaker,
the microphone, or unknown) in Hindi and English, and exits 1 when it failed. ``say`` speaks a
voice prompt; ``play`` a WAV file; ``record`` writes a WAV file from the microphone; ``levels`` is
the level meter.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import grpc
from google.protobuf.duration_pb2 import Duration

from hubd.classes.audio.prompts import PROMPTS
from hubd.cli.common import EXIT_FAILED, AddGlobals, Command, UsageError, emit, positive_float
from hubd.cli.hubctl import default_device
from hubd.cli.output import as_dict, enum_name, table
from kioskhub.v1 import audio_pb2, audio_pb2_grpc, common_pb2

SELF_TEST_TIMEOUT = 30.0
MAX_WAV = 4 * 1024 * 1024 - 1024
"""A WAV file must fit in one request (gRPC's default 4 MB message limit)."""


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add_globals: AddGlobals
) -> dict[str, Command]:
    """Add ``audio`` to hubctl."""
    audio = sub.add_parser("audio", help="speaker and microphone: self-test, prompts, recording",
                           epilog="example: hubctl audio selftest")
    what = audio.add_subparsers(dest="action", required=True, metavar="ACTION")
    test = what.add_parser("selftest", help="play a tone and record it; say which part is at fault "
                           "(exit 1 if it fails)", epilog="example: hubctl audio selftest --frequency 440")
    test.add_argument("--frequency", type=positive_float, default=0.0, help="tone in Hz, 100-8000 (1000)")
    test.add_argument("--output", default="", help="speaker (sink) to test (default: the configured one)")
    test.add_argument("--input", default="", help="microphone (source) to test (default: the configured one)")
    say = what.add_parser("say", help="speak a voice prompt", epilog="example: hubctl audio say welcome "
                          "--language en")
    say.add_argument("prompt", choices=sorted(PROMPTS), help="the prompt")
    say.add_argument("--language", choices=("hi", "en"), default="hi", help="Hindi (hi, default) or English")
    play = what.add_parser("play", help="play a WAV file", epilog="example: hubctl audio play chime.wav")
    play.add_argument("file", help="a PCM WAV file")
    rec = what.add_parser("record", help="record the microphone into a WAV file",
                          epilog="example: hubctl audio record -o mic.wav --seconds 3")
    rec.add_argument("-o", "--output", required=True, help="where to write the WAV file")
    rec.add_argument("--seconds", type=positive_float, default=3.0, help="how long, at most 120 (3)")
    lev = what.add_parser("levels", help="the microphone's level meter",
                          epilog="example: hubctl audio levels")
    lev.add_argument("--seconds", type=positive_float, default=0.5, help="how long to listen, at most 10")
    for p in (test, say, play, rec, lev):
        p.add_argument("device_id", nargs="?", default="",
                       help="the audio device (default: the only or default one)")
        add_globals(p)
    add_globals(audio)
    return {"audio": cmd_audio}


def _duration(seconds: float) -> Duration:
    return Duration(seconds=int(seconds), nanos=int(seconds % 1 * 1e9))


def _levels_text(levels: audio_pb2.AudioLevels) -> str:
    flags = [word for word, on in (("CLIPPED", levels.clipped), ("SILENT", levels.silent)) if on]
    return f"RMS {levels.rms_dbfs:.1f} dBFS, peak {levels.peak_dbfs:.1f} dBFS" + (
        f" ({', '.join(flags)})" if flags else "")


def _self_test_text(r: audio_pb2.AudioSelfTestResult) -> str:
    fault = enum_name(audio_pb2.AudioSelfTestResult.Fault.Name(r.fault), "FAULT_")
    head = "PASSED" if r.passed else f"FAILED ({r.reason}; at fault: {fault})"
    rows = [
        ["speaker -> microphone", f"{r.output} -> {r.input}"],
        ["tone played", f"{r.tone_frequency_hz:g} Hz at {r.played_level_dbfs:.1f} dBFS"],
        ["tone heard", f"{r.measured_frequency_hz:g} Hz at {r.level_dbfs:.1f} dBFS"
         if r.measured_frequency_hz else "-"],
        ["noise floor", f"{r.noise_level_dbfs:.1f} dBFS (SNR {r.signal_to_noise_db:.1f} dB)"],
    ]
    return f"audio self-test {head}\n{r.message_hi}\n{r.message_en}\n" + table(["SELF-TEST", ""], rows)


Stub = audio_pb2_grpc.AudioServiceStub


def _selftest(stub: Stub, args: argparse.Namespace, device_id: str) -> int | None:
    request = audio_pb2.RunAudioSelfTestRequest(device_id=device_id, tone_frequency_hz=args.frequency,
                                                output=args.output, input=args.input)
    result = stub.RunAudioSelfTest(request, timeout=SELF_TEST_TIMEOUT).result
    emit(args, result, _self_test_text(result))
    return None if result.passed else EXIT_FAILED


def _say(stub: Stub, args: argparse.Namespace, device_id: str) -> None:
    request = audio_pb2.PlayPromptRequest(device_id=device_id, prompt=args.prompt,
                                          language_code=args.language)
    said = stub.PlayPrompt(request, timeout=SELF_TEST_TIMEOUT)
    emit(args, said, f"said ({said.duration.ToTimedelta().total_seconds():.1f} s): {said.text}")


def _play(stub: Stub, args: argparse.Namespace, device_id: str) -> None:
    try:
        wav = Path(args.file).read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {args.file}: {err.strerror or err}") from err
    if len(wav) > MAX_WAV:
        raise UsageError(f"{args.file}: at most {MAX_WAV // 1024} KB can be sent in one request")
    played = stub.PlaySound(audio_pb2.PlaySoundRequest(device_id=device_id, wav=wav),
                            timeout=len(wav) / 8000 + 30)  # WAV files carry at least 8 kB a second
    emit(args, played, f"played {played.duration.ToTimedelta().total_seconds():.1f} s")


def _record(stub: Stub, args: argparse.Namespace, device_id: str) -> None:
    request = audio_pb2.RecordAudioRequest(device_id=device_id, duration=_duration(args.seconds))
    rec = stub.RecordAudio(request, timeout=args.seconds + 30)
    try:
        Path(args.output).write_bytes(rec.wav)
    except OSError as err:
        raise UsageError(f"cannot write {args.output}: {err.strerror or err}") from err
    shown = as_dict(rec)
    del shown["wav"]
    emit(args, {**shown, "wav_bytes": len(rec.wav)},
         f"recorded {args.seconds:g} s at {rec.sample_rate_hz} Hz: {_levels_text(rec.levels)} "
         f"-> {args.output}")


def _levels(stub: Stub, args: argparse.Namespace, device_id: str) -> None:
    request = audio_pb2.GetAudioLevelsRequest(device_id=device_id, duration=_duration(args.seconds))
    levels = stub.GetAudioLevels(request, timeout=args.seconds + 30).levels
    emit(args, levels, _levels_text(levels))


ACTIONS = {"selftest": _selftest, "say": _say, "play": _play, "record": _record, "levels": _levels}


def cmd_audio(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """One audio command."""
    device_id = args.device_id or default_device(ch, common_pb2.DEVICE_CLASS_AUDIO, "audio device")
    return ACTIONS[args.action](audio_pb2_grpc.AudioServiceStub(ch), args, device_id)
