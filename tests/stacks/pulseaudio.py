"""A real PulseAudio for tests: a private daemon with a ``speaker`` null sink, a ``micfeed`` null
sink and the ``mic`` source fed by it; ``paplay`` plays into it, ``parec`` records from it."""

from __future__ import annotations

import math
import os
import subprocess
import threading
import wave
from collections.abc import Generator, Iterator
from pathlib import Path

import numpy as np
import pytest

from hubd.stacks import pulseaudio
from tests.stacks.base import find_binary, private_dir, remove_dir, skip_or_fail, stop_process

CLIENTS = ("paplay", "parec", "pactl")


def write_wav(path: Path, samples: np.ndarray, rate: int = 48000) -> Path:
    """A 16-bit mono WAV file, written with the standard library (not the hub's encoder)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def tone(frequency: float, amplitude: float, seconds: float, rate: int = 48000) -> np.ndarray:
    """A sine wave."""
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * np.sin(2 * math.pi * frequency * t)


class Recorder:
    """``parec -d SOURCE`` as raw s16le mono 48 kHz, its output read by a thread as it comes (a
    full pipe would make PulseAudio drop what the source hears)."""

    RATE_BYTES = 96000

    def __init__(self, env: dict[str, str], source: str) -> None:
        self.proc = subprocess.Popen(
            ["parec", "-d", source, "--raw", "--format=s16le", "--rate=48000", "--channels=1",
             "--latency-msec=50"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.data = bytearray()
        self._grew = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read1(8192):
            with self._grew:
                self.data += chunk
                self._grew.notify_all()

    def wait_for(self, seconds: float, timeout: float = 20.0) -> None:
        """Until ``seconds`` more of sound have arrived (parec takes a moment to connect)."""
        with self._grew:
            target = len(self.data) + int(seconds * self.RATE_BYTES)
            assert self._grew.wait_for(lambda: len(self.data) >= target, timeout), "parec delivers nothing"

    def stop(self) -> np.ndarray:
        """Stop parec; everything it heard, as float samples."""
        self.proc.kill()
        self.proc.wait()
        self._thread.join(10)
        raw = bytes(self.data[: len(self.data) // 2 * 2])
        return np.frombuffer(raw, "<i2").astype(np.float64) / 32768


class PulseStack:
    """A running private PulseAudio; ``url`` for the hub's audio driver, ``env`` for its clients."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen[bytes] | None = None
        self.paths: pulseaudio.PulsePaths | None = None
        self._players: list[subprocess.Popen[bytes]] = []

    def start(self) -> PulseStack:
        """Start the daemon (again, on the same socket, after ``stop``)."""
        self.proc, self.paths = pulseaudio.start(self.root)
        return self

    def stop(self) -> None:
        """Stop every player started here, then the daemon."""
        for player in self._players:
            stop_process(player)
        self._players.clear()
        if self.proc is not None:
            pulseaudio.stop(self.proc, self.paths)
            self.proc = None

    @property
    def p(self) -> pulseaudio.PulsePaths:
        """The instance's paths (after ``start``)."""
        assert self.paths is not None, "PulseStack not started"
        return self.paths

    @property
    def url(self) -> str:
        """``pulse:///…/native``."""
        return self.p.url

    @property
    def env(self) -> dict[str, str]:
        """The environment for PulseAudio's own clients."""
        return {**os.environ, **self.p.env()}

    def play_into(self, sink: str, wav: Path) -> subprocess.Popen[bytes]:
        """``paplay -d SINK FILE`` in the background (stopped with the stack)."""
        player = subprocess.Popen(["paplay", "-d", sink, str(wav)], env=self.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._players.append(player)
        return player

    def record_from(self, source: str) -> Recorder:
        """``parec`` of ``source``, read continuously (see ``Recorder``)."""
        return Recorder(self.env, source)

    def pactl(self, *args: str) -> str:
        """Run ``pactl`` against this server; its output."""
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              check=True, timeout=20).stdout


def start_pulse(root: Path) -> PulseStack:
    """Start a private PulseAudio in ``root`` (skip-or-fail when it or its clients are missing)."""
    missing = pulseaudio.missing_binaries() + [c for c in CLIENTS if find_binary(c) is None]
    if missing:
        skip_or_fail(f"PulseAudio: not installed: {', '.join(missing)} (pulseaudio, pulseaudio-utils)")
    return PulseStack(root).start()


def pulse_stack_at(root: Path) -> Generator[PulseStack]:
    """Generator for fixtures: a started stack in ``root``; stopped and removed afterwards."""
    stack: PulseStack | None = None
    try:
        stack = start_pulse(root)
        yield stack
    finally:
        if stack is not None:
            stack.stop()
            stack.p.remove_runtime()
        remove_dir(root)


@pytest.fixture
def pulse_stack() -> Iterator[PulseStack]:
    """A fresh PulseAudio for one test (tests may stop and restart it)."""
    yield from pulse_stack_at(private_dir("pulse"))


@pytest.fixture(scope="module")
def shared_pulse_stack() -> Iterator[PulseStack]:
    """One PulseAudio per module (per xdist worker) for tests that leave its state alone."""
    yield from pulse_stack_at(private_dir("pulse"))
