"""Speaker and microphone through PortAudio: PulseAudio sinks/sources (``pulse://``) or ALSA devices.

``pulse:///run/user/1000/pulse/native`` (or ``pulse://`` for the default server): options
``output`` and ``input`` are sink and source names (default: the server's defaults); each becomes
an ALSA PCM of the pulse plugin naming that server and device (``protocol``), which PortAudio
opens. ``alsa://``: ``output``/``input`` are PortAudio device names, matched exactly or by a
unique part (``"USB Audio"``). Every PortAudio call runs in a worker thread under one lock.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from hubd.classes.audio.contract import DEFAULT_RATE, SIDE, AudioDevice, AudioReading, Samples, check_seconds
from hubd.driver_api import (
    DeviceUnavailable,
    InvalidArgument,
    Option,
    ParsedUrl,
    StatusSource,
    TransportTimeout,
)
from kioskhub.drivers.audio import portaudio, protocol

log = logging.getLogger(__name__)
T = TypeVar("T")
TAIL = 0.3
"""Seconds recorded after playing ends (the output's latency)."""
DEFAULTS = {"output": ("@DEFAULT_SINK@", "default"), "input": ("@DEFAULT_SOURCE@", "default")}
"""The configured device when none is named: PulseAudio's names for its default sink and
source, PortAudio's default device."""

atexit.register(portaudio.cleanup)


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Take an abandoned job's outcome (its caller went away), so nothing logs it as lost."""
    if not future.cancelled():
        future.exception()


class Audio(AudioDevice):
    """A kiosk's speaker and microphone."""

    status_source = StatusSource.SPOOLER
    OPTIONS = {
        "output": Option(str, None, "speaker: PulseAudio sink (pulse://) or PortAudio device name (alsa://)"),
        "input": Option(str, None, "microphone: PulseAudio source (pulse://) or PortAudio device name"),
        "prompt_dir": Option(str, None, "directory of recorded prompts NAME.LANG.wav (before espeak-ng)"),
    }

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        parsed = ParsedUrl(url)
        if parsed.scheme not in ("pulse", "alsa") or parsed.host:
            raise InvalidArgument("url", f"{url[:60]!r}: use pulse:///path/to/native, pulse:// or alsa://")
        self.pulse = parsed.scheme == "pulse"
        self.socket = parsed.path if self.pulse and parsed.path not in ("", "/") else None
        self.server = protocol.check_server(self.socket) if self.socket else None
        self.output_name = self._checked(self.options["output"], "output", "options.output")
        self.input_name = self._checked(self.options["input"], "input", "options.input")
        self.prompt_dir = self.options["prompt_dir"]
        if not self.pulse:
            portaudio.want_system_pcms()

    def _checked(self, name: str | None, side: str, field: str) -> str:
        if name is None:
            return DEFAULTS[side][0 if self.pulse else 1]
        return protocol.check_device(name, field) if self.pulse else name

    # ------------------------------------------------------------------ device names
    def _device(self, name: str | None, side: str) -> tuple[str, str]:
        """(PortAudio device name, the name as configured) for a sink/source or ALSA device; None
        is the configured one."""
        configured = self.output_name if side == "output" else self.input_name
        chosen = self._checked(name, side, side) if name is not None else configured
        if not self.pulse:
            return chosen, chosen
        pcm = protocol.pcm_name(self.server, chosen)
        portaudio.define(pcm, protocol.pcm_definition(pcm, self.server, chosen))
        return pcm, chosen

    def _server_answers(self) -> bool:
        if self.socket is None:
            return True
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            try:
                sock.connect(self.socket)
            except OSError:
                return False
        return True

    def _index(self, sd: Any, device: tuple[str, str], side: str) -> int:
        index = portaudio.find(sd, device[0], side, exact=self.pulse)
        if index is not None:
            return index
        portaudio.mark_stale()
        if self.pulse:
            where = self.socket or "the default server"
            if not self._server_answers():
                raise DeviceUnavailable(f"no PulseAudio server answers at {where}",
                                        reason="AUDIO_SERVER_UNAVAILABLE")
            raise DeviceUnavailable(f"PulseAudio at {where} cannot be reached through ALSA's pulse plugin "
                                    "(is libasound2-plugins installed?)", reason="AUDIO_SERVER_UNAVAILABLE")
        known = ", ".join(portaudio.device_names(sd))[:300] or "none"
        raise DeviceUnavailable(f"no audio {side} device {device[1]!r} (devices: {known})",
                                reason="AUDIO_DEVICE_NOT_FOUND", metadata={SIDE: side})

    def _failed(self, err: Exception, side: str, device: tuple[str, str]) -> DeviceUnavailable:
        portaudio.mark_stale()
        if not self._server_answers():  # the server went away: neither the speaker nor the mic is at fault
            return DeviceUnavailable(f"no PulseAudio server answers at {self.socket}",
                                     reason="AUDIO_SERVER_UNAVAILABLE")
        what = "speaker" if side == "output" else "microphone"
        return DeviceUnavailable(f"the {what} ({device[1]}) failed: {err}", reason="AUDIO_DEVICE_FAILED",
                                 metadata={SIDE: side})

    async def _run(self, fn: Callable[[], T], seconds: float) -> T:
        """Run a PortAudio job in a worker thread under the lock, stopping it if it overruns or
        its caller goes away (then the next caller need not wait out the abandoned sound)."""
        cancel = threading.Event()

        def locked() -> T:
            with portaudio.job(cancel):
                return fn()

        future = asyncio.ensure_future(asyncio.to_thread(locked))
        limit = seconds + 2 * self.timeout  # after the job's own deadlines, which say more
        try:
            return await asyncio.wait_for(asyncio.shield(future), limit)
        except TimeoutError:
            portaudio.interrupt(cancel)  # ends a blocking play, so the thread returns
            await asyncio.gather(future, return_exceptions=True)
            portaudio.mark_stale()
            raise TransportTimeout(f"audio did not finish within {limit:.0f} s", reason="TIMEOUT") from None
        except asyncio.CancelledError:
            portaudio.interrupt(cancel)
            future.add_done_callback(_retrieved)
            raise

    def _open_side(self, sd: Any, device: tuple[str, str], side: str, samplerate: int) -> int:
        """Find and open (then close) one side: proves it works, names it when it does not. A raw
        stream: a status read needs no NumPy (an idle hub does not load it)."""
        index = self._index(sd, device, side)
        stream = sd.RawOutputStream if side == "output" else sd.RawInputStream
        try:
            stream(device=index, samplerate=samplerate, channels=1, dtype="int16").close()
        except sd.PortAudioError as err:
            raise self._failed(err, side, device) from err
        return index

    # ------------------------------------------------------------------ primitives
    async def play(self, samples: Samples, samplerate: int, *, output: str | None = None) -> None:
        """Play to the end (blocking in a worker thread)."""
        import numpy as np

        data = np.ascontiguousarray(samples, np.float32)
        device = self._device(output, "output")

        def job() -> None:
            sd = portaudio.session()
            index = self._index(sd, device, "output")
            try:
                sd.play(data, samplerate, device=index, blocking=True, latency="high")
            except sd.PortAudioError as err:
                raise self._failed(err, "output", device) from err

        await self._run(job, len(data) / samplerate)

    async def record(self, seconds: float, samplerate: int = DEFAULT_RATE, *,
                     input: str | None = None) -> Samples:
        """Record mono float32 samples."""
        seconds = check_seconds(seconds)
        device = self._device(input, "input")
        count = round(seconds * samplerate)

        def job() -> Samples:
            sd = portaudio.session()
            capture = self._capture(sd, device, samplerate)
            with capture:
                if not capture.wait_frames(count, seconds + self.timeout):
                    raise self._stalled(device, capture.frames)
            samples: Samples = capture.samples()[:count]
            return samples

        return await self._run(job, seconds)

    async def play_and_record(self, samples: Samples, samplerate: int, *, output: str | None = None,
                              input: str | None = None) -> Samples:
        """Record from before the first sample is played until after the last (two streams, the
        microphone's running first: a loopback never misses the start)."""
        import numpy as np

        data = np.ascontiguousarray(samples, np.float32)
        out_device, in_device = self._device(output, "output"), self._device(input, "input")
        tail = round(TAIL * samplerate)

        def job() -> Samples:
            sd = portaudio.session()
            out_index = self._open_side(sd, out_device, "output", samplerate)
            capture = self._capture(sd, in_device, samplerate)
            with capture:
                if not capture.wait_frames(1, self.timeout):
                    raise self._stalled(in_device, 0)
                try:
                    sd.play(data, samplerate, device=out_index, blocking=True, latency="high")
                except sd.PortAudioError as err:
                    raise self._failed(err, "output", out_device) from err
                if not capture.wait_frames(capture.frames + tail, TAIL + self.timeout):
                    raise self._stalled(in_device, capture.frames)
            recorded: Samples = capture.samples()
            return recorded

        return await self._run(job, len(data) / samplerate + TAIL)

    def _capture(self, sd: Any, device: tuple[str, str], samplerate: int) -> portaudio.Capture:
        index = self._index(sd, device, "input")
        try:
            return portaudio.Capture(sd, index, samplerate)
        except sd.PortAudioError as err:
            raise self._failed(err, "input", device) from err

    def _stalled(self, device: tuple[str, str], frames: int) -> DeviceUnavailable:
        portaudio.mark_stale()
        return DeviceUnavailable(f"the microphone ({device[1]}) stopped after {frames} frames",
                                 reason="AUDIO_DEVICE_FAILED", metadata={SIDE: "input"})

    async def read_status(self) -> AudioReading:
        """Open (and close) the speaker and the microphone: both observed working, or why not."""
        out_device, in_device = self._device(None, "output"), self._device(None, "input")

        def job() -> AudioReading:
            sd = portaudio.session()
            self._open_side(sd, out_device, "output", DEFAULT_RATE)
            self._open_side(sd, in_device, "input", DEFAULT_RATE)
            return AudioReading(self.output_name, self.input_name, DEFAULT_RATE, self.describe())

        return await self._run(job, 0.0)

    def describe(self) -> str:
        """Where the sound goes."""
        if self.pulse:
            return f"PulseAudio {self.socket or '(default server)'}"
        return "ALSA (PortAudio)"
