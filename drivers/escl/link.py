"""HTTP to one eSCL scanner: ``escl://HOST:PORT/eSCL`` (``escls://`` for HTTPS), bounded bodies,
httpx errors converted once into the hub's transport errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from hubd.driver_api import (
    InvalidArgument,
    ParsedUrl,
    ProtocolError,
    TransportError,
    TransportTimeout,
)

log = logging.getLogger(__name__)

SCHEMES = {"escl": "http", "escls": "https"}
DEFAULT_ROOT = "/eSCL"


@dataclass(frozen=True)
class EsclTarget:
    """Where a scanner's eSCL resources live: ``origin`` (http://host:port) and ``root`` (/eSCL)."""

    origin: str
    root: str

    def path(self, resource: str) -> str:
        """The absolute path of a resource under the root (``ScannerStatus`` → /eSCL/ScannerStatus)."""
        return f"{self.root}/{resource}"


def parse_url(url: str) -> EsclTarget:
    """``escl://HOST[:PORT][/ROOT]`` → EsclTarget; INVALID_ARGUMENT for anything else."""
    parsed = ParsedUrl(url)
    scheme = SCHEMES.get(parsed.scheme)
    if scheme is None:
        raise InvalidArgument("url", f"{url!r}: the escl driver takes escl://HOST:PORT/eSCL or escls://")
    if not parsed.host:
        raise InvalidArgument("url", f"{url!r}: needs a host (escl://192.168.1.20:80/eSCL)")
    if parsed.username:
        raise InvalidArgument("url", f"{url!r}: user names are not used by eSCL")
    root = parsed.path.rstrip("/") or DEFAULT_ROOT
    if not root.startswith("/") or any(c in root for c in "?#") or ".." in root.split("/"):
        raise InvalidArgument("url", f"{url!r}: bad resource path {root!r}")
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = parsed.port or (443 if scheme == "https" else 80)
    return EsclTarget(f"{scheme}://{host}:{port}", root)


@dataclass(frozen=True)
class Reply:
    """An HTTP answer with its (bounded) body."""

    status: int
    headers: httpx.Headers
    body: bytes


class Link:
    """One httpx client to the scanner (a scan job opens its own, so closing the poller's link
    never cuts a page in half)."""

    def __init__(self, target: EsclTarget, timeout: float, verify_tls: bool) -> None:
        self.target = target
        self._client = httpx.AsyncClient(
            base_url=target.origin,
            timeout=httpx.Timeout(timeout),
            verify=verify_tls,
            trust_env=False,  # never send scanner traffic through a proxy from the environment
            follow_redirects=False,
            headers={"User-Agent": "kioskhub-escl"},
        )

    async def request(
        self, method: str, path: str, *, what: str, limit: int, content: bytes | None = None
    ) -> Reply:
        """Send one request; read at most ``limit`` body bytes. Link failures become
        ``TransportError`` (DISCONNECTED, CONNECTION_REFUSED, IO_ERROR) / ``TransportTimeout``."""
        where = f"{self.target.origin}{path}"
        headers = {"Content-Type": "text/xml"} if content is not None else None
        try:
            async with self._client.stream(method, path, content=content, headers=headers) as resp:
                body = bytearray()
                async for chunk in resp.aiter_bytes():  # decoded (gzip from some HP firmware)
                    body += chunk
                    if len(body) > limit:
                        raise ProtocolError(f"{what}: {where} sent more than {limit} bytes")
                return Reply(resp.status_code, resp.headers, bytes(body))
        except httpx.TimeoutException as err:
            raise TransportTimeout(f"{what}: {where} did not answer in time") from err
        except httpx.ConnectError as err:
            raise TransportError(f"{what}: cannot connect to {where}: {err}",
                                 reason="CONNECTION_REFUSED") from err
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as err:
            raise TransportError(f"{what}: the connection to {where} dropped ({err})",
                                 reason="DISCONNECTED") from err
        except httpx.DecodingError as err:
            raise ProtocolError(f"{what}: {where} sent a body that does not decode ({err})") from err
        except httpx.HTTPError as err:
            raise TransportError(f"{what}: {where}: {type(err).__name__}: {err}", reason="IO_ERROR") from err

    async def close(self) -> None:
        """Close the client's connections; never raises."""
        try:
            await self._client.aclose()
        except (httpx.HTTPError, OSError) as err:  # pragma: no cover - closing a dead socket
            log.debug("closing %s: %s", self.target.origin, err)

