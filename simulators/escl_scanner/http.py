"""Just enough HTTP/1.1 for a scanner's embedded web server (RFC 9112 message framing).

Requests carry a Content-Length body (or none); responses always carry Content-Length, so
connections stay open between requests (keep-alive) unless the client says ``close``. A
response can be cut after part of its body: the connection then drops the way a scanner's does
when it loses power or its network mid-page.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

MAX_HEAD = 16 * 1024
MAX_BODY = 1 << 20
REASONS = {
    200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 410: "Gone", 411: "Length Required", 413: "Content Too Large",
    500: "Internal Server Error", 503: "Service Unavailable",
}


class HttpError(Exception):
    """A request that cannot be read; answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Request:
    """One request: method, path (query dropped), lower-case headers, body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def keep_alive(self) -> bool:
        """False when the client asked to close after this request."""
        return self.headers.get("connection", "").lower() != "close"


@dataclass
class Response:
    """What to send back; ``cut_after`` sends only that many body bytes, then drops the link."""

    status: int
    body: bytes = b""
    content_type: str = "text/xml"
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None

    def head(self) -> bytes:
        """Status line and headers."""
        lines = [f"HTTP/1.1 {self.status} {REASONS.get(self.status, 'Unknown')}",
                 "Server: KioskHub-Sim eSCL", f"Content-Length: {len(self.body)}"]
        if self.body:
            lines.append(f"Content-Type: {self.content_type}")
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.status == 503:
            lines.append("Retry-After: 1")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on the connection, None when the client closed it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as err:
        if err.partial.strip():
            raise HttpError(400, "truncated request head") from err
        return None
    except asyncio.LimitOverrunError as err:
        raise HttpError(413, "request head too large") from err
    if len(head) > MAX_HEAD:
        raise HttpError(413, "request head too large")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, f"bad request line {lines[0][:60]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise HttpError(400, f"bad header line {line[:60]!r}")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise HttpError(411, "chunked request bodies are not accepted")
    raw_length = headers.get("content-length", "0")
    if not raw_length.isdigit():
        raise HttpError(400, "bad Content-Length")
    length = int(raw_length)
    if length > MAX_BODY:
        raise HttpError(413, "request body too large")
    try:
        body = await reader.readexactly(length) if length else b""
    except asyncio.IncompleteReadError as err:
        raise HttpError(400, "truncated request body") from err
    path = parts[1].split("?", 1)[0]
    if path.startswith("http://") or path.startswith("https://"):  # absolute-form target
        path = "/" + path.split("/", 3)[-1] if path.count("/") >= 3 else "/"
    return Request(parts[0].upper(), path, headers, body)
