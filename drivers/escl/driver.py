"""An eSCL (AirScan) network scanner: ``escl://HOST:PORT/eSCL``, pages fetched with NextDocument."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from hubd.classes.scanner.contract import (
    ADF_EMPTY,
    ADF_JAM,
    SCANNER_BUSY,
    WARMING_UP,
    AdfState,
    PageFormat,
    ScanJob,
    ScannedPage,
    ScannerCapabilities,
    ScannerDevice,
    ScannerState,
    ScannerStatus,
    ScanRequest,
    SourceCapabilities,
)
from hubd.driver_api import DeviceNotReady, HubError, Option, ProtocolError, TransportTimeout
from kioskhub.drivers.escl import protocol
from kioskhub.drivers.escl.link import Link, Reply, parse_url
from kioskhub.drivers.escl.pages import page_info
from kioskhub.drivers.escl.xmlread import MAX_XML_BYTES

log = logging.getLogger(__name__)

XML_LIMIT = MAX_XML_BYTES
PAGE_LIMIT = 256 << 20
"""A colour A4 page at 600 dpi as PNG is ~100 MB; larger bodies are refused."""


class EsclScanner(ScannerDevice):
    """A scanner speaking eSCL over HTTP(S); each scan job has its own connection pool."""

    DEFAULT_TIMEOUT = 5.0
    OPTIONS = {
        "page_timeout": Option(float, 120.0, "seconds to wait for one page while the scanner answers "
                               "503 (warming up, scanning slowly)", 5.0, 900.0),
        "retry_interval": Option(float, 0.5, "seconds between NextDocument retries after a 503", 0.05, 5.0),
        "document_format": Option(str, "auto", "page format asked of the scanner (auto: JPEG if offered)",
                                  choices=("auto", "image/jpeg", "image/png")),
        "verify_tls": Option(bool, False, "check an escls:// scanner's certificate (most are self-signed)"),
    }

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        self.target = parse_url(url)
        self._link: Link | None = None
        self._caps: ScannerCapabilities | None = None

    # ------------------------------------------------------------------ Device
    def describe(self) -> str:
        """Make and model (once read) and where the scanner answers."""
        where = f"eSCL {self.target.origin}{self.target.root}"
        return f"{self._caps.make_and_model} ({where})" if self._caps and self._caps.make_and_model else where

    async def close(self) -> None:
        """Close the status link (a running job keeps its own) and forget the capabilities (the
        scanner may come back with other firmware); the next call reopens and rereads."""
        link, self._link = self._link, None
        self._caps = None
        if link is not None:
            await link.close()

    # ------------------------------------------------------------------ ScannerDevice
    async def capabilities(self) -> ScannerCapabilities:
        """GET ScannerCapabilities once; later calls return the cached answer."""
        if self._caps is None:
            reply = await self._get("ScannerCapabilities")
            self._caps = protocol.parse_capabilities(reply.body)
            log.info("%s: %s", self.id, self.describe())
        return self._caps

    async def read_status(self) -> ScannerStatus:
        """GET ScannerStatus: engine state, feeder state."""
        return (await self.escl_status()).scanner

    async def escl_status(self) -> protocol.EsclStatus:
        """The full ScannerStatus, with the scanner's job list."""
        return protocol.parse_status((await self._get("ScannerStatus")).body)

    async def _open_job(self, request: ScanRequest, source: SourceCapabilities) -> ScanJob:
        """Refuse when the scanner says it cannot scan, then POST ScanJobs → 201 + Location."""
        status = await self.read_status()
        if reason := status.blocks(request.source):
            raise DeviceNotReady(f"{self.id}: cannot scan: {status.detail}", reason=reason)
        fmt = self._format(source)
        body = protocol.scan_settings(request, request.area_or_full(source), fmt)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options["page_timeout"]
        link = self._new_link()
        try:
            while True:
                reply = await link.request("POST", self.target.path("ScanJobs"), what="ScanJobs",
                                           limit=XML_LIMIT, content=body)
                if reply.status == 201:
                    path = protocol.job_path(reply.headers.get("location", ""), self.target.root)
                    log.info("%s: scan job %s started (%s, %d dpi, %s)", self.id, path,
                             request.source.value, request.dpi, request.color_mode.value)
                    return EsclJob(self, link, request, path)
                if reply.status not in (409, 503):
                    raise ProtocolError(f"ScanJobs answered HTTP {reply.status}")
                reason = await self._refusal_reason(request)
                if reason != WARMING_UP or loop.time() > deadline:
                    raise DeviceNotReady(f"{self.id}: the scanner refused the job ({reply.status})",
                                         reason=reason)
                await asyncio.sleep(self.options["retry_interval"])
        except BaseException:
            await link.close()
            raise

    # ------------------------------------------------------------------ helpers
    async def _refusal_reason(self, request: ScanRequest) -> str:
        """Why a POST was refused, from a fresh ScannerStatus."""
        status = await self.read_status()
        if reason := status.blocks(request.source):
            return reason
        if request.source.is_feeder and status.adf is AdfState.EMPTY:
            return ADF_EMPTY
        return WARMING_UP if status.state is ScannerState.WARMING_UP else SCANNER_BUSY

    def _format(self, source: SourceCapabilities) -> PageFormat:
        wanted = self.options["document_format"]
        for fmt in source.formats:
            if fmt.value == wanted:
                return fmt
        if wanted != "auto":
            log.warning("%s: %s not offered; using %s", self.id, wanted, source.formats[0].value)
        return PageFormat.JPEG if PageFormat.JPEG in source.formats else source.formats[0]

    def _new_link(self) -> Link:
        return Link(self.target, self.timeout, self.options["verify_tls"])

    async def _get(self, resource: str) -> Reply:
        """GET an XML resource on the status link; non-200 is ProtocolError (503: SCANNER_BUSY)."""
        if self._link is None:
            self._link = self._new_link()
        reply = await self._link.request("GET", self.target.path(resource), what=resource, limit=XML_LIMIT)
        if reply.status == 503:
            raise DeviceNotReady(f"{resource}: the scanner is busy (503)", reason=SCANNER_BUSY)
        if reply.status != 200:
            raise ProtocolError(f"{resource} answered HTTP {reply.status}")
        return reply


class EsclJob(ScanJob):
    """One eSCL job: NextDocument until 404 (feeder) or the first page (flatbed)."""

    def __init__(self, scanner: EsclScanner, link: Link, request: ScanRequest, path: str) -> None:
        super().__init__(request)
        self.scanner = scanner
        self.link = link
        self.path = path
        self._deleted = False

    async def _next_page(self) -> ScannedPage | None:
        """GET NextDocument; retry on 503 while the status shows nothing wrong."""
        loop = asyncio.get_running_loop()
        opts = self.scanner.options
        deadline = loop.time() + opts["page_timeout"]
        number = self.pages + 1
        while True:
            reply = await self.link.request("GET", f"{self.path}/NextDocument", what=f"page {number}",
                                            limit=PAGE_LIMIT)
            if reply.status == 200:
                fmt, width, height = page_info(reply.body)
                return ScannedPage(number, reply.body, fmt, width, height, self.request.dpi,
                                   self.request.color_mode)
            if reply.status == 503:
                await self._raise_if_stopped()
                if loop.time() > deadline:
                    raise TransportTimeout(f"page {number}: not ready after {opts['page_timeout']:g} s")
                await asyncio.sleep(opts["retry_interval"])
                continue
            if reply.status in (404, 410):
                await self._raise_if_stopped()
                if self.pages == 0 and self.request.source.is_feeder:
                    raise DeviceNotReady("the document feeder is empty", reason=ADF_EMPTY)
                if self.pages == 0 or reply.status == 410:
                    raise ProtocolError(f"page {number}: the scanner ended the job early ({reply.status})")
                return None
            raise ProtocolError(f"page {number}: NextDocument answered HTTP {reply.status}")

    async def _raise_if_stopped(self) -> None:
        """DeviceNotReady when the scanner reports a jam, an open cover or a stop."""
        status = await self.scanner.escl_status()
        if reason := status.scanner.blocks(self.request.source):
            raise DeviceNotReady(f"page {self.pages + 1}: {status.scanner.detail}", reason=reason)
        info = status.job(self.path)
        if info is not None and info.state == "Aborted":
            why = ", ".join(info.reasons) or "no reason given"
            reason = ADF_JAM if any("jam" in r.lower() for r in info.reasons) else "SCAN_ABORTED"
            raise DeviceNotReady(f"page {self.pages + 1}: the scanner aborted the job ({why})", reason=reason)

    async def _abort(self) -> None:
        """DELETE the job (cancel); errors are logged, not raised."""
        await self._delete("cancel")

    async def _release(self) -> None:
        """DELETE the finished job (sane-airscan's clean-up) and close the job's link."""
        await self._delete("clean up")
        await self.link.close()

    async def _delete(self, why: str) -> None:
        if self._deleted:
            return
        self._deleted = True
        try:
            reply = await self.link.request("DELETE", self.path, what=f"{why} {self.path}", limit=XML_LIMIT)
            log.debug("DELETE %s (%s): HTTP %d", self.path, why, reply.status)
        except HubError as err:
            log.info("DELETE %s (%s) failed: %s", self.path, why, err)
