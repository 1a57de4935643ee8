"""IPP over HTTP (RFC 8010 §4): one ``POST`` per operation, ``application/ipp`` both ways.

Endpoints by URL:

- ``ipp://HOST[:PORT]/PATH``: an IPP printer or server over HTTP (port 631 by default);
- ``ipps://HOST[:PORT]/PATH``: the same over TLS (RFC 7472, port 631 by default);
- ``cups://QUEUE[?server=SOCKET|HOST:PORT]``: a queue of the local CUPS scheduler, reached on its
  unix socket (default ``/run/cups/cups.sock``) or on loopback TCP, ``printer-uri``
  ``ipp://localhost/printers/QUEUE``.

A document is streamed after the encoded attributes (a file in chunks with a Content-Length, or
an async iterator of chunks sent chunked), never read whole. Over CUPS's unix socket an
operation refused with HTTP 401 is retried once with ``Authorization: PeerCred USER``, as
libcups does: the scheduler checks the socket peer's uid (admin operations need that user in
CUPS's SystemGroup).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import pwd
import re
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hubd.errors import (
    DeviceNotReady,
    DeviceUnavailable,
    FailedPrecondition,
    HubError,
    InvalidArgument,
    NotFound,
    ProtocolError,
    ResourceExhausted,
    TransportError,
    TransportTimeout,
)
from hubd.transport.base import ParsedUrl
from hubd.transport.ipp import protocol as ipp
from hubd.transport.ipp.codes import JOB_GROUP, OPERATION_GROUP, UNSUPPORTED_GROUP, Op, Tag, status_name

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

Document = Path | bytes | AsyncIterable[bytes]
"""A document to send: a file (streamed in chunks), bytes, or an async iterator of chunks."""

DEFAULT_CUPS_SOCKET = "/run/cups/cups.sock"
CHUNK = 256 * 1024
MAX_RESPONSE = 4 * 1024 * 1024
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_QUEUE = re.compile(r"[A-Za-z0-9_.-]{1,127}")
_IPP_VERSION = (2, 0)
_FALLBACK_VERSION = (1, 1)
_VERSION_NOT_SUPPORTED = 0x0503


@dataclass(frozen=True)
class Endpoint:
    """Where to POST IPP requests and which ``printer-uri`` names the printer there."""

    post_url: str
    printer_uri: str
    uds: str | None = None
    spooler: bool = False
    """True for a CUPS queue (its jobs wait in the scheduler, not in the printer)."""


def local_user() -> str:
    """The name of the user this process runs as (by uid, as libcups's cupsUser does)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def endpoint(url: str) -> Endpoint:
    """Parse ``ipp://``, ``ipps://`` or ``cups://`` URLs; a bad one is INVALID_ARGUMENT (field url)."""
    parsed = ParsedUrl(url)
    if parsed.scheme in ("ipp", "ipps"):
        if not parsed.host:
            raise InvalidArgument("url", f"{url!r}: needs a host, like ipp://HOST/ipp/print")
        host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
        where = f"{host}:{parsed.port or 631}{parsed.path or '/ipp/print'}"
        web = "https" if parsed.scheme == "ipps" else "http"
        spooler = (parsed.path or "").startswith("/printers/")
        return Endpoint(f"{web}://{where}", f"{parsed.scheme}://{where}", spooler=spooler)
    if parsed.scheme == "cups":
        queue = urlsplit(url).netloc or parsed.path.strip("/")  # as written: hostname is lowercased
        if not _QUEUE.fullmatch(queue or ""):
            raise InvalidArgument("url", f"{url!r}: needs a CUPS queue name, like cups://Laser")
        server = parsed.query.get("server", DEFAULT_CUPS_SOCKET)
        printer_uri = f"ipp://localhost/printers/{queue}"
        if server.startswith("/"):
            return Endpoint(f"http://localhost/printers/{queue}", printer_uri, uds=server, spooler=True)
        host, _, port = server.rpartition(":")
        if host.strip("[]") not in _LOOPBACK or not port.isdigit():
            raise InvalidArgument("url", f"{url!r}: server must be a socket path or loopback HOST:PORT")
        return Endpoint(f"http://{host}:{port}/printers/{queue}", printer_uri, spooler=True)
    raise InvalidArgument("url", f"{url!r}: an IPP printer URL is ipp://, ipps:// or cups://")


class IppClient:
    """Sends IPP operations to one endpoint over a kept-alive HTTP connection."""

    def __init__(
        self, where: Endpoint, *, timeout: float, user: str = "kioskhub", verify: bool | str = True
    ) -> None:
        self.endpoint = where
        self.timeout = timeout
        self.user = user
        self.verify = verify
        self._ids = itertools.count(1)
        self._version = _IPP_VERSION
        self._http: httpx.AsyncClient | None = None

    async def close(self) -> None:
        """Close the HTTP connection; the next call opens a new one."""
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    async def call(
        self,
        op: Op,
        attributes: Sequence[ipp.Attribute] = (),
        job: Sequence[ipp.Attribute] = (),
        *,
        document: Document | None = None,
        read_timeout: float | None = None,
    ) -> ipp.Message:
        """Send one operation (attributes-charset, -natural-language, printer-uri and
        requesting-user-name are added) and return the successful response.

        A status-code of 0x0400 and above is raised as a HubError (see ``check``); HTTP and
        socket failures as TransportError/TransportTimeout; a body that does not decode as
        ProtocolError.
        """
        replayable = document is None or isinstance(document, Path | bytes)
        auth: str | None = None
        for attempt in range(3):
            head = self._encode(op, attributes, job)
            status, headers, body = await self._post(head, document, auth, read_timeout)
            if status == 401 and auth is None and self.endpoint.uds and replayable and attempt < 2:
                if "peercred" in headers.get("www-authenticate", "").lower():
                    auth = f"PeerCred {local_user()}"
                    log.debug("%s: %s needs authentication; as %s by the socket peer", self.endpoint.uds,
                              op.name, local_user())
                    continue
            if status != 200:
                raise _http_error(self.endpoint, op, status)
            try:
                message, _ = ipp.decode(body)
            except ProtocolError as err:
                raise ProtocolError(f"{self.endpoint.post_url}: {op.name}: {err.message}") from None
            if message.code == _VERSION_NOT_SUPPORTED and self._version != _FALLBACK_VERSION and replayable:
                log.info("%s speaks IPP/1.1 only", self.endpoint.printer_uri)
                self._version = _FALLBACK_VERSION
                continue
            check(message, op, self.endpoint)
            return message
        raise ProtocolError(f"{self.endpoint.post_url}: {op.name}: no usable answer after retrying")

    def _encode(self, op: Op, attributes: Sequence[ipp.Attribute], job: Sequence[ipp.Attribute]) -> bytes:
        operation = [
            ipp.attr("attributes-charset", Tag.CHARSET, "utf-8"),
            ipp.attr("attributes-natural-language", Tag.LANGUAGE, "en"),
            *([] if any(a.name in ("printer-uri", "job-uri") for a in attributes) else
              [ipp.attr("printer-uri", Tag.URI, self.endpoint.printer_uri)]),
            ipp.attr("requesting-user-name", Tag.NAME, self.user),
            *attributes,
        ]
        groups = [ipp.Group(OPERATION_GROUP, tuple(operation))]
        if job:
            groups.append(ipp.Group(JOB_GROUP, tuple(job)))
        return ipp.encode(self._version, op, next(self._ids), groups)

    async def _post(
        self, head: bytes, document: Document | None, auth: str | None, read_timeout: float | None
    ) -> tuple[int, dict[str, str], bytes]:
        """POST head + document; return the HTTP status, headers and (capped) body."""
        import httpx

        headers = {"Content-Type": "application/ipp", "Accept-Encoding": "identity"}
        if auth:
            headers["Authorization"] = auth
        content: bytes | AsyncIterator[bytes] = head
        if isinstance(document, Path):
            size = await asyncio.to_thread(_file_size, document)
            headers["Content-Length"] = str(len(head) + size)
            content = _stream(head, _file_chunks(document))
        elif isinstance(document, bytes):
            headers["Content-Length"] = str(len(head) + len(document))
            content = _stream(head, _single(document))
        elif document is not None:
            content = _stream(head, document)
        http = self._client()
        timeout = httpx.Timeout(self.timeout, read=max(self.timeout, read_timeout or 0))
        request = http.build_request("POST", self.endpoint.post_url, content=content, headers=headers,
                                     timeout=timeout)
        try:
            response = await http.send(request, stream=True)
            try:
                body = bytearray()
                async for chunk in response.aiter_raw():
                    body += chunk
                    if len(body) > MAX_RESPONSE:
                        raise ProtocolError(
                            f"{self.endpoint.post_url}: IPP response over {MAX_RESPONSE} bytes"
                        )
            finally:
                await response.aclose()
        except httpx.HTTPError as err:
            raise _transport_error(self.endpoint, err) from err
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, bytes(body)

    def _client(self) -> httpx.AsyncClient:
        import httpx

        if self._http is None:
            verify: ssl.SSLContext | bool = bool(self.verify)
            if isinstance(self.verify, str):
                try:
                    verify = ssl.create_default_context(cafile=self.verify)
                except (OSError, ssl.SSLError) as err:
                    message = f"cannot load the CA file {self.verify}: {err}"
                    raise TransportError(message, reason="TLS_ERROR") from err
            transport = httpx.AsyncHTTPTransport(uds=self.endpoint.uds, verify=verify, trust_env=False)
            self._http = httpx.AsyncClient(transport=transport, trust_env=False)
        return self._http


def _unreadable(path: Path, err: OSError) -> HubError:
    return HubError(f"cannot read the document {path}: {err.strerror}", reason="DOCUMENT_UNREADABLE")


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as err:
        raise _unreadable(path, err) from err


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    """The file in CHUNK-sized pieces, each read off the event loop."""
    try:
        handle = await asyncio.to_thread(path.open, "rb")
    except OSError as err:
        raise _unreadable(path, err) from err
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            yield chunk
    finally:
        handle.close()


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _stream(head: bytes, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    yield head
    async for chunk in chunks:
        if chunk:
            yield bytes(chunk)


def _transport_error(where: Endpoint, err: Exception) -> TransportError:
    """An httpx failure as a TransportError (timeout, refused, TLS, dropped)."""
    import httpx

    target = where.uds or where.post_url
    if isinstance(err, httpx.TimeoutException):
        return TransportTimeout(f"{target}: no answer in time ({type(err).__name__})")
    cause = err.__cause__ or err.__context__
    if isinstance(err, httpx.ConnectError):
        if isinstance(cause, ssl.SSLError) or "SSL" in str(err) or "certificate" in str(err):
            return TransportError(f"{target}: TLS failed: {err}", reason="TLS_ERROR")
        return TransportError(f"{target}: cannot connect: {err or type(err).__name__}",
                              reason="CONNECTION_REFUSED")
    return TransportError(f"{target}: connection failed: {err or type(err).__name__}", reason="DISCONNECTED")


def _http_error(where: Endpoint, op: Op, status: int) -> HubError:
    words = f"{where.post_url}: {op.name} answered HTTP {status}"
    if status in (401, 403):
        return FailedPrecondition(f"{words}: not authorized", reason="NOT_AUTHORIZED")
    if status == 404:
        return NotFound(f"{words}: no such printer", reason="PRINTER_NOT_FOUND")
    if status == 426:
        return TransportError(f"{words}: the server requires TLS (use ipps://)", reason="TLS_REQUIRED")
    return ProtocolError(f"{words}, not an IPP response")


_NOT_FOUND = {
    Op.GET_JOB_ATTRIBUTES: "REMOTE_JOB_NOT_FOUND", Op.CANCEL_JOB: "REMOTE_JOB_NOT_FOUND",
}
_ERRORS: dict[int, tuple[Callable[..., HubError], str]] = {
    0x0401: (FailedPrecondition, "NOT_AUTHORIZED"),
    0x0402: (FailedPrecondition, "NOT_AUTHORIZED"),
    0x0403: (FailedPrecondition, "NOT_AUTHORIZED"),
    0x0404: (FailedPrecondition, "NOT_POSSIBLE"),
    0x0408: (ResourceExhausted, "DOCUMENT_TOO_LARGE"),
    0x0501: (FailedPrecondition, "OPERATION_NOT_SUPPORTED"),
    0x0502: (DeviceUnavailable, "PRINTER_UNAVAILABLE"),
    0x0504: (DeviceUnavailable, "PRINTER_ERROR"),
    0x0505: (DeviceUnavailable, "PRINTER_BUSY"),
    0x0506: (DeviceNotReady, "QUEUE_NOT_ACCEPTING"),
    0x0507: (DeviceUnavailable, "PRINTER_BUSY"),
}


def check(message: ipp.Message, op: Op, where: Endpoint) -> None:
    """Raise the HubError an error status-code means; return for successful-ok*."""
    code = message.code
    if code < 0x0400:
        return
    text = ipp.strings(ipp.values_of(message, "status-message", OPERATION_GROUP))
    words = f"{where.printer_uri}: {op.name}: {status_name(code)}" + (f" ({text[0]})" if text else "")
    if code in (0x0406, 0x0407):
        raise NotFound(words, reason=_NOT_FOUND.get(op, "PRINTER_NOT_FOUND"))
    if code in (0x040A, 0x0411):
        reason = "DOCUMENT_FORMAT_NOT_SUPPORTED" if code == 0x040A else "DOCUMENT_FORMAT_ERROR"
        raise InvalidArgument("document", words, reason=reason)
    if code in (0x040B, 0x040E, 0x0409):
        names = [a.name for g in message.each(UNSUPPORTED_GROUP) for a in g.attributes]
        field = f"options.{names[0]}" if names else "options"
        raise InvalidArgument(field, words, reason="ATTRIBUTES_NOT_SUPPORTED")
    kind, reason = _ERRORS.get(code, (DeviceUnavailable, "IPP_ERROR"))
    raise kind(words, reason=reason, metadata={"ippStatus": status_name(code)})
