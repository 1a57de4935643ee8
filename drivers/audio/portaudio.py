"""PortAudio (through sounddevice) for the whole process: one lock, our ALSA PCMs, re-initialisation.

PortAudio lists its devices once, when it initialises. The PulseAudio sinks and sources the audio
devices use are ALSA PCMs defined in a private configuration file (``protocol``); whenever a new
one is defined, the file is rewritten under a new name, ``ALSA_CONFIG_PATH`` is pointed at
alsa-lib's own configuration plus that file, and PortAudio is re-initialised so it lists it. After
a failure the next use re-initialises too (a server may have come back). Every call into
PortAudio holds ``LOCK`` and runs in a worker thread; sounddevice is imported on first use only.

A job (``job``) can be ended early from another thread (``interrupt``: the caller went away):
its playback stops and its recording stops waiting, so the lock is free for the next caller at
once, not after the cancelled sound's own length.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hubd.driver_api import DeviceUnavailable
from kioskhub.drivers.audio import protocol

log = logging.getLogger(__name__)

LOCK = threading.RLock()
_DEFINITIONS = threading.Lock()
"""Guards the PCM definitions only, held for a moment: ``define`` runs on the event loop, which
must never wait for ``LOCK`` (a recording may hold it for minutes)."""
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
        self.system_pcms = False
        """An ``alsa://`` device names PCMs of the system's configuration: keep all of it."""
        self.job: threading.Event | None = None
        """The cancel flag of the job holding the lock."""
        self.capture: Capture | None = None
        """That job's open recording."""


class Interrupted(Exception):  # noqa: N818 - what happened, not an error of the device
    """The job was interrupted before it could finish (its caller went away)."""


_state = _State()


def define(name: str, text: str) -> None:
    """Make ALSA PCM ``name`` (its definition ``text``) a PortAudio device from the next use on
    (never blocks: callable from the event loop)."""
    with _DEFINITIONS:
        _state.definitions[name] = text


def want_system_pcms() -> None:
    """Keep the system's whole ALSA configuration (plugin PCMs, asound.conf, ~/.asoundrc) in
    PortAudio's listing: an ``alsa://`` device may name any of them (call before first use)."""
    _state.system_pcms = True


def _base() -> str:
    """The alsa-lib configuration our PCM file follows. With only our ``type pulse`` PCMs to
    reach, alsa.conf without its load hooks: PortAudio then opens no distribution plugin while
    listing devices (an idle hub ~17 MB smaller, each re-initialisation ~6x faster)."""
    if _state.system_pcms or _BASE_PATH not in ALSA_CONF or _state.dir is None:
        return _BASE_PATH
    lean = _state.dir / "alsa-base.conf"
    if not lean.exists():
        try:
            text = protocol.without_load_hooks(Path(_BASE_PATH).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            log.info("audio: reading %s: %s; keeping the whole ALSA configuration", _BASE_PATH, err)
            text = None
        if text is None:
            return _BASE_PATH
        lean.write_text(text, encoding="utf-8")
    return str(lean)


def mark_stale() -> None:
    """Re-initialise PortAudio at the next use (after a failure: devices come and go)."""
    _state.stale = True


def _write_config(definitions: dict[str, str]) -> None:
    """Write ``definitions`` to a new file and point ALSA_CONFIG_PATH at it."""
    if _state.dir is None:
        _state.dir = Path(tempfile.mkdtemp(prefix="kioskhub-alsa-"))
    _state.generation += 1
    path = _state.dir / f"pcms-{_state.generation}.conf"
    path.write_text(protocol.config_text(definitions), encoding="utf-8")
    os.environ["ALSA_CONFIG_PATH"] = f"{_base()}:{path}"
    if _state.path is not None:
        _state.path.unlink(missing_ok=True)
    _state.path, _state.written = path, definitions
    _state.stale = True


def session() -> Any:
    """sounddevice, with PortAudio listing every defined PCM (call with ``LOCK`` held)."""
    with _DEFINITIONS:
        wanted = dict(_state.definitions) if _state.definitions != _state.written else None
    if wanted is not None:
        _write_config(wanted)
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


@contextmanager
def job(cancel: threading.Event) -> Iterator[None]:
    """Hold ``LOCK`` for one job that ``interrupt(cancel)`` may end early; ``Interrupted`` if it
    was cancelled before it began."""
    with LOCK:
        _state.job = cancel
        try:
            if cancel.is_set():  # checked after claiming the job: interrupt sees one or the other
                raise Interrupted("cancelled before it began")
            yield
        finally:
            _state.job = _state.capture = None


def interrupt(cancel: threading.Event) -> None:
    """End the job of ``cancel`` (from any thread): stop its playback, wake its recording."""
    cancel.set()
    if _state.job is cancel:
        stop_playback()
        capture = _state.capture
        if capture is not None:
            capture.abort()


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
    without a deadline: ``wait_frames`` gives up after its timeout. ``with capture:`` runs the
    stream."""

    def __init__(self, sd: Any, index: int, samplerate: int) -> None:
        self._chunks: list[Any] = []
        self.frames = 0
        self.aborted = False
        self._cond = threading.Condition()
        self.stream = sd.InputStream(device=index, samplerate=samplerate, channels=1, dtype="float32",
                                     latency="high", callback=self._collect)
        _state.capture = self

    def __enter__(self) -> Capture:
        self.stream.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Abort (not stop: nothing queued needs keeping) and close the stream."""
        try:
            self.stream.abort()
        finally:
            self.stream.close()

    def _collect(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        with self._cond:
            self._chunks.append(indata[:, 0].copy())
            self.frames += frames
            self._cond.notify_all()

    def wait_frames(self, count: int, timeout: float) -> bool:
        """True once ``count`` frames have arrived; False after ``timeout`` seconds; ``Interrupted``
        when the job is interrupted."""
        with self._cond:
            arrived = self._cond.wait_for(lambda: self.frames >= count or self.aborted, timeout)
        if self.aborted:
            raise Interrupted("the recording was interrupted")
        return arrived

    def abort(self) -> None:
        """Stop waiting for frames (from any thread)."""
        with self._cond:
            self.aborted = True
            self._cond.notify_all()

    def samples(self) -> Any:
        """Every frame collected so far, as one float32 array."""
        import numpy as np

        with self._cond:
            return np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
