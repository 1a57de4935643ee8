"""One reader per camera, shared by every watcher: latest-frame fan-out, never a queue.

``FramePump`` reads the source in one task while anyone wants frames (and ``keep_open`` seconds
longer, so a still right after a preview does not reopen the camera; a status read does not
linger: an idle hub reads a few frames per poll, not seconds of video). Each frame read replaces
the previous one; a watcher asking for a frame gets the newest, so a slow watcher skips frames and
nothing piles up. When the source fails, every watcher of that run gets the error (the stream ends
with UNAVAILABLE) and the run ends; the next ``grab`` or ``frames`` starts a new run (reconnects).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import logging
import time
from collections.abc import AsyncGenerator, Callable

from hubd.classes.camera.contract import Frame
from hubd.driver_api import DeviceUnavailable, HubError, TransportTimeout
from kioskhub.drivers.camera.sources import FrameSource, Raw

log = logging.getLogger(__name__)


class _Run:
    """One opening of the source: its task and, once it failed, its error."""

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.error: HubError | None = None
        self.ended = False


class FramePump:
    """Reads frames from a camera once for any number of watchers."""

    def __init__(self, open_source: Callable[[], FrameSource], *, timeout: float, keep_open: float) -> None:
        self._open_source = open_source
        self.timeout = timeout
        self.keep_open = keep_open
        self.frame: Frame | None = None
        """The newest frame read (kept after the source closes)."""
        self.runs = 0
        """How many times the source was opened."""
        self._seq = 0
        self._run: _Run | None = None
        self._tick = asyncio.Event()
        self._users = 0
        self._last_use = 0.0
        self._digest: int | None = None
        self._digest_since = 0.0
        self._times: collections.deque[float] = collections.deque(maxlen=25)

    # ------------------------------------------------------------------ watchers
    async def grab(self) -> Frame:
        """A frame read after this call began; the run's error or TIMEOUT otherwise."""
        async with _Use(self) as run:
            return await self._newer_than(self._seq, run)

    async def frames(self, *, linger: bool = True) -> AsyncGenerator[Frame]:
        """The newest frame each time the watcher asks, from the next one read on. ``linger``
        False: this watcher does not keep the camera open ``keep_open`` seconds after it (a
        status read)."""
        async with _Use(self, linger) as run:
            last = self._seq
            while True:
                frame = await self._newer_than(last, run)
                last = frame.seq
                yield frame

    @property
    def frozen_for(self) -> float:
        """Seconds the picture has been byte-for-byte the same (across reopenings)."""
        return 0.0 if self._digest is None else time.monotonic() - self._digest_since

    @property
    def fps(self) -> float:
        """Frames per second over the last frames read (0 before two)."""
        if len(self._times) < 2 or self._times[-1] <= self._times[0]:
            return 0.0
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])

    async def close(self) -> None:
        """Stop reading and close the source (watchers of the run get DISCONNECTED)."""
        run = self._run
        if run is not None and run.task is not None and not run.task.done():
            run.task.cancel()
            await asyncio.gather(run.task, return_exceptions=True)

    # ------------------------------------------------------------------ internals
    def _current_run(self) -> _Run:
        """The live run, or a new one (a reconnection after a failure or an idle close)."""
        previous = self._run
        if previous is not None and not previous.ended:
            return previous
        run = self._run = _Run()
        self.runs += 1
        before = previous.task if previous is not None else None
        run.task = asyncio.get_running_loop().create_task(self._pump(run, before), name="camera-pump")
        return run

    def _wake(self) -> None:
        """Wake every waiter: set this tick's event and start a new one."""
        self._tick.set()
        self._tick = asyncio.Event()

    async def _newer_than(self, seq: int, run: _Run) -> Frame:
        deadline = time.monotonic() + self.timeout
        while not (self.frame is not None and self.frame.seq > seq):
            if run.error is not None:
                raise copy.copy(run.error)
            if run.ended:
                raise DeviceUnavailable("the camera was closed", reason="DISCONNECTED")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransportTimeout(f"no frame from the camera within {self.timeout:g} s",
                                       reason="TIMEOUT")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), remaining)
        return self.frame

    async def _pump(self, run: _Run, before: asyncio.Task[None] | None) -> None:
        if before is not None:  # the previous run may still be closing the device
            await asyncio.gather(before, return_exceptions=True)
        source = self._open_source()
        try:
            await source.open()
            self._times.clear()  # the rate is this run's
            while self._users > 0 or time.monotonic() - self._last_use < self.keep_open:
                self._publish(await source.read())
        except HubError as err:
            run.error = err
            log.info("camera: %s (%s)", err.message, err.reason)
        except asyncio.CancelledError:
            run.error = DeviceUnavailable("the camera was closed", reason="DISCONNECTED")
            raise
        except Exception as err:  # a library failure must end the run, not kill the hub
            log.exception("camera reader failed")
            run.error = DeviceUnavailable(f"camera reader failed: {type(err).__name__}: {err}",
                                          reason="CAMERA_FAILED")
        finally:
            run.ended = True
            self._wake()
            try:
                await source.close()
            except Exception as err:  # closing a broken link may fail too; the run is over anyway
                log.debug("camera: closing the source failed: %s", err)

    def _publish(self, raw: Raw) -> None:
        jpeg, pixels = raw
        now = time.monotonic()
        self._seq += 1
        frame = Frame(self._seq, now, jpeg=jpeg, pixels=pixels)
        digest = hash(jpeg) if jpeg is not None else hash(frame.bgr()[::8, ::8].tobytes())
        if digest != self._digest:
            self._digest, self._digest_since = digest, now
        self._times.append(now)
        self.frame = frame
        self._wake()


class _Use:
    """``async with`` marking a watcher: keeps the pump running and gives the current run."""

    def __init__(self, pump: FramePump, linger: bool = True) -> None:
        self.pump = pump
        self.linger = linger

    async def __aenter__(self) -> _Run:
        self.pump._users += 1
        return self.pump._current_run()

    async def __aexit__(self, *exc: object) -> None:
        self.pump._users -= 1
        if self.linger:
            self.pump._last_use = time.monotonic()
