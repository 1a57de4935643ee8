"""An ESC/POS thermal receipt printer reached through python-escpos 3.1 links.

URLs: tcp://HOST[:9100], serial:///dev/ttyUSB0?baudrate=9600, usb://VID:PID or
file:///dev/usb/lp0 (``drivers.escpos.link``, protocols.md §2).

Job bytes are queued and written without blocking (``EscposLink.write_some``), so the driver
knows exactly how many the printer took: when it stops taking them (paper out, cover open) the
rest stays queued for ``flush`` - nothing lost, nothing sent twice. Every link call runs in a
worker thread, one at a time; library and OS exceptions become ``hubd.errors`` once, in
``convert_error``.

Status: ``DLE EOT`` through a two-way link (``EscposLink.query_all``); UNKNOWN, never OK, when a
reply is missing or bad. While a job's bytes are queued the printer is not reading, and a
request would land inside the job's data, so the status is UNKNOWN then too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from drivers.common.status import NO_STATUS_CHANNEL, unknown
from drivers.escpos.encode import GRID_DPI, EscposProfile, encode_program, load_profile
from drivers.escpos.link import EscposLink, convert_error
from hubd.classes.printer.contract import Geometry, PrinterDevice, PrinterStatus, PrintProgram
from hubd.driver_api import HubError, Option, TransportError, TransportTimeout

log = logging.getLogger(__name__)

DEFAULT_STATUS_TIMEOUT = 1.0
DEFAULT_CONNECT_TIMEOUT = 5.0
GRACE = 2.0
"""Seconds past a call's own timeouts before its worker thread is given up on."""
_T = TypeVar("_T")


class EscposPrinter(PrinterDevice):
    """An ESC/POS thermal receipt printer (80 mm, 203 dpi, 576 dots unless the profile says so).

    Options: ``profile`` (a python-escpos profile name, default ``default``), ``status_timeout``
    (seconds per DLE EOT reply, default 1), ``connect_timeout`` (default 5) and ``width_dots`` /
    ``dpi`` / ``columns`` / ``cut_feed_lines`` to override the profile's paper.
    """

    OPTIONS = {
        "profile": Option(str, "default", "python-escpos capability profile name"),
        "status_timeout": Option(float, DEFAULT_STATUS_TIMEOUT, "seconds per DLE EOT reply", 0.01, 30),
        "connect_timeout": Option(float, DEFAULT_CONNECT_TIMEOUT, "seconds to connect", 0.1, 60),
        "width_dots": Option(int, None, "printable width in dots (overrides the profile)", 8, 4096),
        "dpi": Option(int, None, "head resolution (overrides the profile)", 60, 600),
        "columns": Option(int, None, "font A columns (overrides the profile)", 1, 512),
        "cut_feed_lines": Option(int, None, "lines fed before the cut", 0, 255),
    }

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        opts = self.options
        self.status_timeout = float(opts["status_timeout"])
        self.connect_timeout = float(opts["connect_timeout"])
        limits = ("width_dots", "dpi", "columns", "cut_feed_lines")
        overrides = {k: int(opts[k]) for k in limits if opts[k] is not None}
        self.profile: EscposProfile = load_profile(str(opts["profile"]), **overrides)
        self.kind = urlsplit(url).scheme
        self._link = EscposLink(device_id, url, self.profile.name, self.connect_timeout,
                                self.status_timeout)
        self.two_way = self.kind in ("tcp", "serial", "usb")
        self._queue = bytearray()
        self._lock = asyncio.Lock()
        self._running: asyncio.Future[Any] | None = None

    def geometry(self) -> Geometry:
        """The layout's 10-cpi grid with one grid column = one font A cell (12 dots).

        ``Geometry`` counts columns at 10 cpi; font A is 12 dots wide (16.9 cpi at 203 dpi). So
        the grid's dpi is 120 (``GRID_DPI``) and every grid dot is one head dot: 48 columns =
        576 dots, text and rendered Hindi share one grid, and everything renders at 120/203 of
        its nominal size - Hindi at the height of font A.
        """
        p = self.profile
        return Geometry(columns=p.columns, hdpi=GRID_DPI, vdpi=GRID_DPI, band_dots=24)

    def encode(self, program: PrintProgram) -> bytes:
        """ESC/POS bytes for ``program`` (see ``drivers.escpos.encode``)."""
        return encode_program(program, self.profile)

    def describe(self) -> str:
        """The profile and paper."""
        p = self.profile
        return f"ESC/POS printer, profile {p.name} ({p.width_dots} dots at {p.dpi} dpi)"

    async def send(self, data: bytes, timeout: float) -> None:
        """Queue ``data`` and write; TransportTimeout (rest queued) if no byte goes for ``timeout`` s."""
        async with self._lock:
            self._queue += data
            await self._thread("write", lambda: self._pump(timeout), None)

    async def flush(self, timeout: float) -> None:
        """Carry on writing what a stalled ``send`` left queued."""
        async with self._lock:
            await self._thread("write", lambda: self._pump(timeout), None)

    async def end_job(self) -> None:
        """TCP (AppSocket): close the connection, which ends the job. Other links stay open."""
        if self.kind == "tcp":
            await self.close()

    async def close(self) -> None:
        """Drop anything queued and close the link (errors while closing are only logged)."""
        async with self._lock:
            self._queue.clear()
            try:
                await self._thread("close", self._link.shut, self.connect_timeout + GRACE)
            except HubError as err:
                log.debug("%s: close: %s", self.id, err)

    async def read_status(self) -> PrinterStatus:
        """DLE EOT 1 / 2 / 3 / 4 through a two-way link; UNKNOWN when a reply is missing or bad."""
        if not self.two_way:
            path = unquote(urlsplit(self.url).path)
            if not os.path.exists(path):
                raise TransportError(f"{self.url}: {path} does not exist", reason="NO_SUCH_DEVICE")
            return unknown(NO_STATUS_CHANNEL, f"{self.kind}:// links cannot carry status back")
        async with self._lock:
            if self._queue:
                return unknown("PRINTER_NOT_ACCEPTING", f"{len(self._queue)} bytes of a job are "
                               "waiting: the printer is not reading, a request cannot get through")
            try:
                return await self._thread("status", self._link.query_all, 4 * self.status_timeout + GRACE)
            except TransportError:
                with contextlib.suppress(HubError):
                    await self._thread("close", self._link.shut, self.connect_timeout + GRACE)
                raise

    async def _thread(self, action: str, fn: Callable[[], _T], deadline: float | None) -> _T:
        """Run ``fn`` in a worker thread (the lock held), converting its exceptions once.

        The OS-level timeouts end a call first; ``deadline`` is a backstop (None for writes:
        they end when the printer stops taking bytes, however long a slow link takes). A call
        abandoned by the backstop or a cancellation keeps its thread; the next call waits for it.
        """
        if self._running is not None:
            with contextlib.suppress(BaseException):
                await self._running
            self._running = None
        running = asyncio.ensure_future(asyncio.to_thread(fn))
        try:
            return await asyncio.wait_for(asyncio.shield(running), deadline)
        except (asyncio.CancelledError, TimeoutError) as err:
            if not running.done():
                self._running = running
            if isinstance(err, TimeoutError):
                raise TransportTimeout(f"{self.url}: {action} took over {deadline:g} s") from err
            raise
        except HubError:
            raise
        except Exception as err:
            raise convert_error(self.url, action, err) from err

    def _pump(self, timeout: float) -> None:
        """Write the queue until empty; TransportTimeout when no byte goes for ``timeout`` s."""
        self._link.ensure_open()
        last = time.monotonic()
        while self._queue:
            n = self._link.write_some(self._queue, max(0.0, last + timeout - time.monotonic()))
            if n:
                del self._queue[:n]
                last = time.monotonic()
            elif time.monotonic() >= last + timeout:
                raise TransportTimeout(f"{self.url}: the printer took no byte for {timeout:g} s "
                                       f"({len(self._queue)} queued)")
