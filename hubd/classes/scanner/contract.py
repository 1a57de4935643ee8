"""The scanner device class: capabilities, honest status, and scan jobs that yield pages.

A scanner driver (eSCL over HTTP, SANE through libsane) reports what the scanner can do
(``capabilities``), how it is now (``read_status`` → ``ScannerStatus``), and starts scan jobs
(``start_scan`` → ``ScanJob``, an async iterator of ``ScannedPage``). The driver converts its
protocol's units and states into the values here and never knows whether a simulator answers.

Reasons: COVER_OPEN, ADF_JAM and SCANNER_STOPPED make the scanner UNAVAILABLE; ADF_EMPTY,
SCANNER_BUSY and WARMING_UP leave it AVAILABLE (the flatbed still works; a busy or warming
scanner answers) and appear in the detail. A scan job ends with ``DeviceNotReady`` naming the
reason (ADF_JAM, ADF_EMPTY, COVER_OPEN, SCANNER_BUSY) or ``DeviceUnavailable`` when the link
failed (DISCONNECTED, TIMEOUT...).
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Mapping
from typing import Any

from hubd.classes.scanner.job import JobState, ScanJob
from hubd.classes.scanner.values import (
    A4,
    ADF_EMPTY,
    ADF_JAM,
    ADF_LOADED,
    COVER_OPEN,
    MM_PER_INCH,
    SCANNER_BUSY,
    SCANNER_STOPPED,
    WARMING_UP,
    AdfState,
    ColorMode,
    PageFormat,
    ResolutionRange,
    ScanArea,
    ScannedPage,
    ScannerCapabilities,
    ScannerState,
    ScannerStatus,
    ScanRequest,
    ScanSource,
    SourceCapabilities,
)
from hubd.device import Device, DeviceClass, DeviceEvent, DeviceState
from hubd.errors import DeviceNotReady


class ScannerDevice(Device):
    """Base of scanner drivers; one scan job at a time per scanner."""

    device_class = DeviceClass.SCANNER
    DEFAULT_POLL_INTERVAL = 3.0
    """A status read is an HTTP request or a SANE open: every 3 s (a job reads its own progress)."""

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        self._job: ScanJob | None = None
        self._starting = asyncio.Lock()

    @abc.abstractmethod
    async def capabilities(self) -> ScannerCapabilities:
        """What the scanner can do (read once, then cached); raise ``DeviceUnavailable``."""

    @abc.abstractmethod
    async def read_status(self) -> ScannerStatus:
        """Observe the scanner now; raise ``DeviceUnavailable`` when it cannot be reached."""

    @abc.abstractmethod
    async def _open_job(self, request: ScanRequest, source: SourceCapabilities) -> ScanJob:
        """Start a checked request on the device; raise ``DeviceNotReady`` / ``DeviceUnavailable``."""

    @property
    def active_job(self) -> ScanJob | None:
        """The job still scanning, if any."""
        return self._job if self._job is not None and not self._job.done else None

    async def start_scan(self, request: ScanRequest) -> ScanJob:
        """Check ``request`` against the capabilities and start it.

        INVALID_ARGUMENT names a field the scanner cannot do; FAILED_PRECONDITION
        (``DeviceNotReady``) says why it cannot scan now (SCANNER_BUSY with a job running here,
        ADF_EMPTY, ADF_JAM, COVER_OPEN); UNAVAILABLE when it cannot be reached.
        """
        async with self._starting:
            if self.active_job is not None:
                raise DeviceNotReady(f"{self.id}: a scan job is still running", reason=SCANNER_BUSY)
            source = request.check(await self.capabilities())
            self._job = await self._open_job(request, source)
            return self._job

    async def poll(self) -> ScannerStatus:
        """The supervisor's poll reads the status."""
        return await self.read_status()

    def assess(self, reading: object) -> tuple[DeviceState, str, str]:
        """UNAVAILABLE while a cover is open, paper jammed or the engine stopped; else AVAILABLE."""
        assert isinstance(reading, ScannerStatus)
        if blocking := reading.blocking_reason:
            return DeviceState.UNAVAILABLE, blocking, reading.detail
        detail = ", ".join(x for x in (reading.reason, reading.detail) if x)
        return DeviceState.AVAILABLE, "", detail

    def events_between(self, old: object | None, new: object) -> list[DeviceEvent]:
        """ADF_JAM / COVER_OPEN when they start; ADF_EMPTY / ADF_LOADED when the feeder changes."""
        assert isinstance(new, ScannerStatus)
        prev = old if isinstance(old, ScannerStatus) else None
        events: list[DeviceEvent] = []
        was = prev.blocking_reason if prev is not None else ""
        now = new.blocking_reason
        if now in (ADF_JAM, COVER_OPEN) and now != was:
            events.append(DeviceEvent(now))
        prev_adf = prev.adf if prev is not None else AdfState.NONE
        if new.adf is AdfState.EMPTY and prev_adf is not AdfState.EMPTY:
            events.append(DeviceEvent(ADF_EMPTY))
        if new.adf is AdfState.LOADED and prev is not None and prev_adf is not AdfState.LOADED:
            events.append(DeviceEvent(ADF_LOADED))
        return events


__all__ = [
    "A4",
    "ADF_EMPTY",
    "ADF_JAM",
    "ADF_LOADED",
    "COVER_OPEN",
    "MM_PER_INCH",
    "SCANNER_BUSY",
    "SCANNER_STOPPED",
    "WARMING_UP",
    "AdfState",
    "ColorMode",
    "JobState",
    "PageFormat",
    "ResolutionRange",
    "ScanArea",
    "ScanJob",
    "ScanRequest",
    "ScanSource",
    "ScannedPage",
    "ScannerCapabilities",
    "ScannerDevice",
    "ScannerState",
    "ScannerStatus",
    "SourceCapabilities",
]
