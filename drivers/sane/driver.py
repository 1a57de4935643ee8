"""A scanner reached through SANE (``sane://BACKEND:DEVICE``), via python-sane.

libsane is not thread-safe and its calls block, so every SANE call of the process runs on one
worker thread (``sane_thread``); the event loop only waits. python-sane is imported on first use.

Cancelling: a stop flag ends a feeder batch before its next page, and ``sane_cancel`` is called
at once from another thread, which the SANE standard allows for exactly this ("safe to call
asynchronously", §4.3.9 of SANE 1.0) so a page being read ends early where the backend supports
it. (python-sane's progress callback cannot be used to stop a page: when it raises,
``_sane.c`` 2.9.2 calls ``Py_DECREF`` on the NULL result and the process crashes.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from hubd.classes.scanner.contract import (
    ColorMode,
    PageFormat,
    ScanJob,
    ScannedPage,
    ScannerCapabilities,
    ScannerDevice,
    ScannerState,
    ScannerStatus,
    ScanRequest,
    ScanSource,
    SourceCapabilities,
)
from hubd.driver_api import (
    DeviceUnavailable,
    HubError,
    InvalidArgument,
    Option,
    StatusSource,
    TransportTimeout,
)
from kioskhub.drivers.sane import protocol
from kioskhub.drivers.sane.library import ignore_sigpipe, sane_module, sane_thread

log = logging.getLogger(__name__)
T = TypeVar("T")
PAGE_WAIT = 120.0
"""Seconds a cancelled job waits for the page being read to end before giving up on it."""

class SaneScanner(ScannerDevice):
    """A SANE device; the handle stays open between scans (closing it is ``close``)."""

    status_source = StatusSource.SPOOLER
    DEFAULT_TIMEOUT = 10.0
    OPTIONS = {
        "sane_options": Option(str, "", "backend options set when the device opens, as name=value;... "
                               "(names as 'scanimage --help -d DEVICE' lists them)"),
    }

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        self.device_name = protocol.parse_url(url)
        self._extra = protocol.parse_extra_options(self.options["sane_options"])
        self._dev: Any = None
        self._caps: ScannerCapabilities | None = None
        self._sources: dict[ScanSource, str] = {}
        self._modes: dict[ScanSource, dict[ColorMode, protocol.ModeChoice]] = {}
        self._model = ""

    # ------------------------------------------------------------------ async face
    async def run(self, fn: Callable[..., T], *args: Any, what: str, timeout: float | None = None) -> T:
        """``fn(*args)`` on the SANE thread; TransportTimeout when it takes longer than the device
        timeout (the call itself cannot be interrupted and finishes in the background)."""
        future = asyncio.wrap_future(sane_thread().submit(fn, *args))
        limit = timeout or self.timeout
        try:
            return await asyncio.wait_for(future, limit)
        except TimeoutError as err:
            raise TransportTimeout(f"{self.id}: {what}: SANE did not answer within {limit:g} s") from err

    async def capabilities(self) -> ScannerCapabilities:
        """Sources, modes, resolutions and area, read from the backend's options (cached)."""
        if self._caps is None:
            self._caps = await self.run(self._read_caps, what="read capabilities")
            log.info("%s: %s", self.id, self.describe())
        return self._caps

    async def read_status(self) -> ScannerStatus:
        """SANE reports no state between scans: what is observed is that SANE still lists the
        device (USB scanners drop out of ``sane_get_devices`` when unplugged) and that it opens."""
        job = self.active_job
        if job is not None:
            return ScannerStatus(ScannerState.BUSY, detail=f"scanning page {job.pages + 1}",
                                 source=StatusSource.SPOOLER)
        await self.run(self._observe, what="list and open")
        return ScannerStatus(ScannerState.IDLE, detail="listed and open; SANE gives no state between scans",
                             source=StatusSource.SPOOLER)

    async def _open_job(self, request: ScanRequest, source: SourceCapabilities) -> ScanJob:
        await self.run(self._configure, request, what="set scan options")
        return SaneJob(self, request)

    async def close(self) -> None:
        """Close the SANE handle unless a job is using it (the next call reopens it and rereads
        the capabilities)."""
        if self.active_job is None and self._dev is not None:
            await self.run(self._close, what="close")
            self._caps = None
            self._sources.clear()
            self._modes.clear()

    def describe(self) -> str:
        """Vendor and model once known, and the SANE device name."""
        name = f"SANE {self.device_name or '(first local device)'}"
        return f"{self._model} ({name})" if self._model else name

    # ------------------------------------------------------------------ SANE thread
    def _observe(self) -> None:
        """Raise NO_SUCH_DEVICE when SANE no longer lists a local device; open it."""
        name = self.device_name
        if name and name.split(":", 1)[0] not in protocol.NETWORK_BACKENDS:
            listed = [d[0] for d in sane_module().get_devices(True)]
            if name not in listed:
                self._close()
                raise DeviceUnavailable(f"SANE does not list {name!r} (unplugged or off?)",
                                        reason="NO_SUCH_DEVICE")
        self._open()

    def _open(self) -> Any:
        if self._dev is not None:
            return self._dev
        sane = sane_module()
        name = self.device_name
        try:
            if not name:
                devices = sane.get_devices(True)
                if not devices:
                    raise DeviceUnavailable("SANE finds no local scanner", reason="NO_SUCH_DEVICE")
                name = devices[0][0]
            dev = sane.open(name)
        except sane._sane.error as err:
            raise protocol.error_for(str(err), f"open {name}") from err
        try:
            for key, raw in self._extra:
                value = protocol.convert_value(raw, getattr(dev, key, ""))
                self._set(dev, key, value, "options.sane_options")
        except HubError:
            dev.close()  # the backend lets one handle open a device at a time
            raise
        self._dev = dev
        model = next((d for d in sane.get_devices(True) if d[0] == name), None) if not self._model else None
        if model is not None:
            self._model = f"{model[1]} {model[2]}"
        return dev

    def _close(self) -> None:
        dev, self._dev = self._dev, None
        if dev is not None:
            try:
                dev.close()
            except sane_module()._sane.error as err:
                log.debug("%s: close: %s", self.id, err)

    def _set(self, dev: Any, key: str, value: object, field: str) -> None:
        """Set a backend option; INVALID_ARGUMENT naming ``field`` when the backend refuses."""
        if key not in dev.optlist:
            raise InvalidArgument(field, f"the backend has no option {key.replace('_', '-')!r}")
        try:
            setattr(dev, key, value)
        except (AttributeError, TypeError, sane_module()._sane.error) as err:
            name = key.replace("_", "-")
            raise InvalidArgument(field, f"the backend refused {name}={value!r:.30}: {err}") from err

    def _read_caps(self) -> ScannerCapabilities:
        dev = self._open()
        names: list[str] = []
        if "source" in dev.optlist and isinstance(dev["source"].constraint, list):
            names = [str(n) for n in dev["source"].constraint]
        original = dev.source if names else None
        caps: list[SourceCapabilities] = []
        for name in names or ["(default)"]:
            src = protocol.source_of(name) if names else ScanSource.FLATBED
            if src is None or src in self._sources:
                continue
            if names:
                self._set(dev, "source", name, "source")
            opts = {key: dev[key] for key in dev.optlist}
            modes = [str(m) for m in getattr(opts.get("mode"), "constraint", None) or []]
            depth_list = getattr(opts.get("depth"), "constraint", None) or []
            depths = [int(d) for d in depth_list if isinstance(d, int)]
            choices = protocol.mode_choices(modes, depths) or {ColorMode.GRAY: protocol.ModeChoice("")}
            self._sources[src], self._modes[src] = name, choices
            caps.append(protocol.source_caps(src, opts, list(choices)))
        if original is not None:
            self._set(dev, "source", original, "source")
        return ScannerCapabilities(self._model, tuple(caps))

    def _configure(self, request: ScanRequest) -> None:
        dev = self._open()
        if "source" in dev.optlist and self._sources.get(request.source, "(default)") != "(default)":
            self._set(dev, "source", self._sources[request.source], "source")
        choice = self._modes[request.source][request.color_mode]
        if choice.mode:
            self._set(dev, "mode", choice.mode, "color_mode")
        if choice.depth is not None and "depth" in dev.optlist and dev["depth"].is_active():
            self._set(dev, "depth", choice.depth, "color_mode")
        self._set(dev, "resolution", request.dpi, "dpi")
        caps = self._caps.source(request.source) if self._caps else None
        if caps is not None and caps.max_width_mm > 0:
            area = request.area_or_full(caps)
            for key, value in (("tl_x", area.x_mm), ("tl_y", area.y_mm), ("br_x", area.right_mm),
                               ("br_y", area.bottom_mm)):
                self._set(dev, key, float(value), "area")


class SaneJob(ScanJob):
    """Pages read by ``sane_start`` + ``sane_read`` (python-sane ``snap``) on the SANE thread."""

    def __init__(self, scanner: SaneScanner, request: ScanRequest) -> None:
        super().__init__(request)
        self.scanner = scanner
        self._stop = threading.Event()
        self._running: concurrent.futures.Future[ScannedPage | None] | None = None

    async def _next_page(self) -> ScannedPage | None:
        self._running = sane_thread().submit(self._snap, self.pages + 1)
        return await asyncio.wrap_future(self._running)

    def _snap(self, number: int) -> ScannedPage | None:
        """One page; None when the feeder is done (after at least one page) or on cancel."""
        dev, sane = self.scanner._dev, sane_module()
        if self._stop.is_set() or dev is None:
            return None
        try:
            dev.start()
            image = dev.snap(self.request.source.is_feeder)
        except sane._sane.error as err:
            status = protocol.status_of(str(err))
            if self._stop.is_set() or status == "CANCELLED" or (status == "NO_DOCS" and number > 1):
                return None
            raise protocol.error_for(str(err), f"page {number}") from err
        finally:
            ignore_sigpipe()  # libsane's reader thread reset it (see kioskhub.drivers.sane.library)
        mode = "RGB" if self.request.color_mode is ColorMode.COLOR else "L"
        if image.mode != mode:
            image = image.convert(mode)
        return ScannedPage(number, image.tobytes(), PageFormat.RAW, image.width, image.height,
                           self.request.dpi, self.request.color_mode)

    async def _abort(self) -> None:
        """Raise the stop flag and ``sane_cancel`` now, from a helper thread (SANE §4.3.9)."""
        self._stop.set()
        dev = self.scanner._dev
        if dev is not None:
            try:
                await asyncio.to_thread(dev.cancel)
            except Exception as err:  # noqa: BLE001 - _sane.error: nothing left to cancel
                log.debug("sane_cancel: %s", err)
            finally:
                ignore_sigpipe()

    async def _release(self) -> None:
        """Wait for the page being read to end, then end the batch (``sane_cancel``)."""
        running = self._running
        if running is not None and not running.done():
            try:
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(running)), PAGE_WAIT)
            except Exception as err:  # noqa: BLE001 - the page's outcome no longer matters
                log.debug("abandoned page ended: %s", err)
        try:
            await self.scanner.run(self._end_batch, what="end scan", timeout=30.0)
        except HubError as err:
            log.warning("%s: ending the scan: %s", self.scanner.id, err)

    def _end_batch(self) -> None:
        dev = self.scanner._dev
        if dev is not None:
            try:
                dev.cancel()
            except sane_module()._sane.error as err:
                log.debug("sane_cancel: %s", err)
            finally:
                ignore_sigpipe()
