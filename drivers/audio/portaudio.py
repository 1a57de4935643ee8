"""PortAudio (through sounddevice) for the whole process: one lock, our ALSA PCMs, re-initialisation.

PortAudio lists its devices once, when it initialises. The PulseAudio sinks and sources the audio
devices use are ALSA PCMs defined in a private configuration file (``protocol``); whenever a new
one is defined, the file is rewritten under a new name, ``ALSA_CONFIG_PATH`` is pointed at
alsa-lib's own configuration plus that file, and PortAudio is re-initialised so it lists it. After
a failure the next use re-initialises too (a server may have come back). Every call into
PortAudio holds ``LOCK`` and runs in a worker thread; sounddevice is imported on first use only.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from drivers.audio import protocol
from hubd.driver_api import DeviceUnavailable

log = logging.getLogger(__name__)

LOCK = threading.RLock()
ALSA_CONF = ("/usr/share/alsa/alsa.conf", "/usr/local/share/alsa/alsa.conf")
_BASE_PATH = os.environ.get("ALSA_CONFIG_PATH") or next(
    (p for p in ALSA_CONF if os.path.exists(p)), ALSA_CONF[0])
"""alsa-lib's own configuration, which ALSA_CONFIG_PATH must still list first."""


class _State:
    def __init__(self) -> None:
        self.sd: Any = None
        self.definitions: dict[str, str] = {}
        self.written: dict[str, str] = {}
        self.dir: Path | None = None
        self.path: Path | None = None
        self.generation = 0
        self.stale = False


_state = _State()


def define(name: str, text: str) -> None:
    """Make ALSA PCM ``name`` (its definition ``text``) a PortAudio device from the next use on."""
    with LOCK:
        _state.definitions[name] = text


def mark_stale() -> None:
    """Re-initialise PortAudio at the next use (after a failure: devices come and go)."""
    _state.stale = True


def _write_config() -> None:
    """Write the definitions to a new file and point ALSA_CONFIG_PATH at it."""
    if _state.dir is None:
        _state.dir = Path(tempfile.mkdtemp(prefix="kioskhub-alsa-"))
    _state.generation += 1
    path = _state.dir / f"pcms-{_state.generation}.conf"
    path.write_text(protocol.config_text(_state.definitions), encoding="utf-8")
    os.environ["ALSA_CONFIG_PATH"] = f"{_BASE_PATH}:{path}"
    if _state.path is not None:
        _state.path.unlink(missing_ok=True)
    _state.path, _state.written = path, dict(_state.definitions)
    _state.stale = True


def session() -> Any:
    """sounddevice, with PortAudio listing every defined PCM (call with ``LOCK`` held)."""
    if _state.definitions != _state.written:
        _write_config()
    if _state.sd is None:
        try:
            import sounddevice
        except OSError as err:  # "PortAudio library not found"
            raise DeviceUnavailable(f"PortAudio is not installed (libportaudio2): {err}",
                                    reason="PORTAUDIO_NOT_INSTALLED") from err
        _state.sd, _state.stale = sounddevice, False
    elif _state.stale:
        _state.sd._terminate()
        _state.sd._initialize()
        _state.stale = False
    return _state.sd


def stop_playback() -> None:
    """Stop sounddevice's current ``play`` (from any thread, without the lock)."""
    if _state.sd is not None:
        _state.sd.stop()


def device_names(sd: Any) -> list[str]:
    """PortAudio's device names, by index."""
    return [str(d["name"]) for d in sd.query_devices()]


def find(sd: Any, name: str, side: str, *, exact: bool) -> int | None:
    """The index of device ``name`` able to play (side ``output``) or record (``input``): exactly
    that name, or (``exact`` False) the one device whose name contains it, case-insensitively."""
    key = "max_output_channels" if side == "output" else "max_input_channels"
    devices = [(i, str(d["name"])) for i, d in enumerate(sd.query_devices()) if d[key] > 0]
    for i, dev in devices:
        if dev == name:
            return i
    if exact:
        return None
    matches = [i for i, dev in devices if name.lower() in dev.lower()]
    return matches[0] if len(matches) == 1 else None


def cleanup() -> None:
    """Remove the private configuration directory (at exit; PortAudio keeps working)."""
    with LOCK:
        if _state.dir is not None:
            shutil.rmtree(_state.dir, ignore_errors=True)
            _state.dir = _state.path = None
            _state.written = {}


class Capture:
    """An input stream whose callback collects mono frames, so nothing waits on the device
    without a deadline: ``wait_frames`` gives up after its timeout."""

    def __init__(self, sd: Any, index: int, samplerate: int) -> None:
        self._chunks: list[Any] = []
        self.frames = 0
        self._cond = threading.Condition()
        self.stream = sd.InputStream(device=index, samplerate=samplerate, channels=1, dtype="float32",
                                     latency="high", callback=self._collect)

    def _collect(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        with self._cond:
            self._chunks.append(indata[:, 0].copy())
            self.frames += frames
            self._cond.notify_all()

    def wait_frames(self, count: int, timeout: float) -> bool:
        """True once ``count`` frames have arrived; False after ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: self.frames >= count, timeout)

    def samples(self) -> Any:
        """Every frame collected so far, as one float32 array."""
        import numpy as np

        with self._cond:
            return np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
