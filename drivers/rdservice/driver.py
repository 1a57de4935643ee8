"""A fingerprint device behind a UIDAI RD Service on loopback, over HTTP with custom verbs (httpx).

URL: ``rdservice://127.0.0.1`` (probe the ``ports`` option's range, http then https on each port),
``rdservice://127.0.0.1?ports=FIRST-LAST`` (probe that range instead) or
``rdservice://127.0.0.1:PORT`` (that port only). Only loopback hosts are accepted: the service
is local by definition and the PID block must not travel elsewhere. The found port is kept until
a call fails with a transport error; the next call probes again (a restarted service may bind
another port of the range).
"""

from __future__ import annotations

import logging
from typing import ClassVar

import httpx

from hubd.classes.biometric.contract import (
    HINT_POOR_QUALITY,
    BiometricDevice,
    BiometricReading,
    CaptureQuality,
    CaptureRequest,
    CaptureResult,
    RdDeviceInfo,
    RdServiceInfo,
)
from hubd.driver_api import (
    DeviceUnavailable,
    InvalidArgument,
    Option,
    ParsedUrl,
    ProtocolError,
    TransportError,
    TransportTimeout,
)
from kioskhub.drivers.rdservice import protocol
from kioskhub.drivers.rdservice.tables import VendorQuirks, capture_error, quirks_for

log = logging.getLogger(__name__)

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
PROBE_CONNECT = 0.3
"""Seconds to wait for a probed port to accept (loopback answers at once or refuses)."""


def parse_ports(spec: str, field: str = "options.ports") -> range:
    """``"11100-11120"`` or ``"11101"`` as a range of at most 100 ports; INVALID_ARGUMENT naming
    ``field`` otherwise."""
    first, sep, last = spec.partition("-")
    try:
        low, high = int(first), int(last) if sep else int(first)
    except ValueError:
        raise InvalidArgument(field, f"must be PORT or FIRST-LAST, got {spec[:40]!r}") from None
    if not 1 <= low <= high <= 65535 or high - low >= 100:
        raise InvalidArgument(field, f"must be 1..100 ports within 1..65535, got {spec!r}")
    return range(low, high + 1)


class RdServiceDevice(BiometricDevice):
    """A fingerprint scanner served by its vendor's RD Service (Mantra, Morpho, Startek, …)."""

    OPTIONS: ClassVar = {
        "ports": Option(str, "11100-11120", "port range probed when the URL names no port"),
        "https": Option(bool, True, "also probe https on each port (after http)"),
        "vendor": Option(str, "auto", "vendor quirks to apply",
                         choices=("auto", "generic", "mantra", "morpho", "startek", "kioskhub-sim")),
        "poor_quality_below": Option(int, 40, "qScore under which the operator is coached", 0, 100),
        "capture_margin": Option(float, 5.0, "seconds allowed beyond the capture timeout", 1.0, 60.0),
    }
    DEFAULT_TIMEOUT: ClassVar[float] = 3.0

    def __init__(self, device_id: str, url: str, options: dict[str, object] | None = None, *,
                 timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        parsed = ParsedUrl(url)
        if parsed.scheme != "rdservice" or (parsed.host or "").lower() not in LOOPBACK:
            raise InvalidArgument("url", f"{url!r}: use rdservice://127.0.0.1[:PORT] (loopback only)")
        self._host = "[::1]" if parsed.host == "::1" else "127.0.0.1"
        port = parsed.port
        if port:
            self._ports = range(port, port + 1)
        elif "ports" in parsed.query:
            self._ports = parse_ports(parsed.query["ports"], "url")
        else:
            self._ports = parse_ports(self.options["ports"])
        self._schemes = ("http", "https") if self.options["https"] else ("http",)
        self._service: RdServiceInfo | None = None
        self._device: RdDeviceInfo | None = None
        self._client: httpx.AsyncClient | None = None

    # ------------------------------------------------------------------ HTTP
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # No proxies from the environment, no redirects, self-signed loopback TLS accepted.
            self._client = httpx.AsyncClient(trust_env=False, verify=False, follow_redirects=False,
                                             timeout=httpx.Timeout(self.timeout, connect=PROBE_CONNECT))
        return self._client

    async def _call(self, verb: str, url: str, *, body: bytes | None = None, limit: int,
                    timeout: float | None = None) -> bytes:
        """One request; the reply body (at most ``limit`` bytes). httpx errors converted once."""
        headers = {"Content-Type": "text/xml; charset=utf-8"} if body is not None else {}
        read = timeout if timeout is not None else self.timeout
        try:
            async with self._http().stream(verb, url, content=body, headers=headers,
                                           timeout=httpx.Timeout(read, connect=PROBE_CONNECT)) as reply:
                if reply.status_code != 200:
                    raise ProtocolError(f"RD Service {verb} answered HTTP {reply.status_code}")
                chunks, size = [], 0
                async for chunk in reply.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise ProtocolError(f"RD Service {verb} reply exceeds {limit} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException as err:
            raise TransportTimeout(f"RD Service did not answer {verb} within {read:g}s") from err
        except httpx.ConnectError as err:
            raise TransportError(f"RD Service at {url} refused {verb}", reason="CONNECTION_REFUSED") from err
        except httpx.HTTPError as err:
            raise TransportError(f"RD Service connection lost during {verb}: {type(err).__name__}",
                                 reason="DISCONNECTED") from err

    async def _discover(self) -> RdServiceInfo:
        """The first port (http, then https) whose RDSERVICE reply parses; DeviceUnavailable if none."""
        for port in self._ports:
            for scheme in self._schemes:
                base = f"{scheme}://{self._host}:{port}"
                try:
                    data = await self._call(protocol.VERB_RDSERVICE, base + "/",
                                            limit=protocol.MAX_INFO_REPLY)
                    service = protocol.parse_rdservice(data, base, self._quirks(data))
                except DeviceUnavailable:
                    continue
                log.info("%s: RD Service found at %s (%s)", self.id, base, service.status.value)
                return service
        ports = f"{self._ports.start}-{self._ports.stop - 1}"
        raise DeviceUnavailable(f"no RD Service answers on {self._host} ports {ports}",
                                reason="RD_SERVICE_NOT_FOUND")

    def _quirks(self, rdservice_reply: bytes = b"") -> VendorQuirks:
        info = self._service.info if self._service else rdservice_reply.decode("utf-8", "replace")[:400]
        return quirks_for(self.options["vendor"], info, self._device.dp_id if self._device else "")

    async def _service_info(self) -> RdServiceInfo:
        """RDSERVICE at the known port (probing when unknown or gone)."""
        if self._service is not None:
            try:
                data = await self._call(protocol.VERB_RDSERVICE, self._service.base_url + "/",
                                        limit=protocol.MAX_INFO_REPLY)
                self._service = protocol.parse_rdservice(data, self._service.base_url, self._quirks())
                return self._service
            except TransportError:
                self._service = None
        self._service = await self._discover()
        return self._service

    # ------------------------------------------------------------------ contract
    async def read_info(self) -> BiometricReading:
        """RDSERVICE (status, paths) then DEVICEINFO (identity, version, certificate)."""
        service = await self._service_info()
        try:
            data = await self._call(protocol.VERB_DEVICEINFO, service.base_url + service.info_path,
                                    limit=protocol.MAX_INFO_REPLY)
            self._device = protocol.parse_device_info(data)
        except TransportError:
            self._service = None
            raise
        except ProtocolError:
            if service.status.value == "READY":
                raise
            self._device = None  # a service without its scanner may not describe one
        return BiometricReading(service, self._device, self.last_capture)

    async def do_capture(self, request: CaptureRequest) -> CaptureResult:
        """CAPTURE with PidOptions; success returns the PidData untouched, failure its hub error."""
        service = self._service or await self._service_info()
        body = protocol.build_pid_options(request, self._quirks())
        wait = request.timeout_ms / 1000 + self.options["capture_margin"]
        try:
            data = await self._call(protocol.VERB_CAPTURE, service.base_url + service.capture_path,
                                    body=body, limit=protocol.MAX_PID_REPLY, timeout=wait)
        except TransportError as err:
            self._service = None
            log.warning("%s: capture failed: %s", self.id, err.reason)
            raise
        resp = protocol.parse_pid_resp(data)
        if not resp.ok:
            log.info("%s: capture errCode=%s", self.id, resp.err_code)
            raise capture_error(resp.err_code, resp.err_info)
        poor = resp.q_score is not None and resp.q_score < self.options["poor_quality_below"]
        quality = CaptureQuality(resp.q_score, resp.nm_points, resp.f_count or request.finger_count,
                                 poor=poor, hint=HINT_POOR_QUALITY if poor else None)
        return CaptureResult(pid_data=data, quality=quality, captured_at=self.clock.now())

    def describe(self) -> str:
        """Model, provider and service version once DEVICEINFO answered."""
        d = self._device
        return f"{d.mi} ({d.dp_id}) RD Service {d.rds_ver}" if d else ""

    async def close(self) -> None:
        """Close the HTTP connection pool; the next call reconnects."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
