"""A small HTTP/1.1 server over asyncio streams: enough of RFC 9112 for a JSON API.

Request line and header fields up to a blank line (at most 64 KiB, the stream's limit), a body
framed by ``Content-Length`` only (chunked bodies are refused with 411), persistent connections
unless either side says ``Connection: close``. A handler returns a ``Response``, or None to drop
the connection without answering (a fault: the reply is lost on the way).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024
MAX_FIELDS = 100


class HttpError(Exception):
    """A request that cannot be parsed; answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Request:
    """One parsed request; header names are lower case."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def keep_alive(self) -> bool:
        """False when the client asked to close the connection after this request."""
        return self.headers.get("connection", "").lower() != "close"


@dataclass
class Response:
    """A reply: status, body, extra header fields."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encode(self, keep_alive: bool) -> bytes:
        """The reply's bytes on the wire."""
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Unknown"
        lines = [
            f"HTTP/1.1 {self.status} {phrase}",
            f"Content-Type: {self.content_type}",
            f"Content-Length: {len(self.body)}",
            f"Connection: {'keep-alive' if keep_alive else 'close'}",
        ]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


Handler = Callable[[Request], Awaitable[Response | None]]


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on the connection, None at a clean end; HttpError if malformed."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as err:
        if err.partial.strip():
            raise HttpError(400, "incomplete request head") from err
        return None
    except asyncio.LimitOverrunError as err:
        raise HttpError(431, "request head too large") from err
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, f"bad request line {lines[0][:60]!r}")
    method, target, _ = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, f"bad header field {line[:60]!r}")
        headers[name.lower()] = value.strip()
    if len(headers) > MAX_FIELDS:
        raise HttpError(431, "too many header fields")
    if "transfer-encoding" in headers:
        raise HttpError(411, "send a Content-Length body")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError as err:
        raise HttpError(400, "bad Content-Length") from err
    if not 0 <= length <= MAX_BODY:
        raise HttpError(413, f"body over {MAX_BODY} bytes")
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError as err:
        raise HttpError(400, "body shorter than Content-Length") from err
    path, _, query = target.partition("?")
    return Request(method.upper(), path, query, headers, body)


async def serve_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler) -> None:
    """Serve requests on one connection until either side ends it."""
    try:
        while True:
            try:
                request = await read_request(reader)
            except HttpError as err:
                body = json.dumps({"error": {"code": "BAD_HTTP", "message": str(err)}}).encode()
                writer.write(Response(err.status, body).encode(keep_alive=False))
                await writer.drain()
                return
            if request is None:
                return
            response = await handler(request)
            if response is None:
                return
            writer.write(response.encode(request.keep_alive))
            await writer.drain()
            if not request.keep_alive:
                return
    except (ConnectionError, OSError) as err:
        log.debug("http connection ended: %s", err)
    finally:
        writer.close()
