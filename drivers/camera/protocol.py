"""MJPEG over HTTP, as IP cameras, mjpg-streamer and ffmpeg's ``mpjpeg`` muxer serve it. Sans-IO.

Wire reference: one HTTP response with ``Content-Type: multipart/x-mixed-replace; boundary=B``
(Netscape "server push"); its body is a multipart body as RFC 2046 §5.1.1 defines it: parts
separated by the delimiter ``CRLF "--" B`` (the first may come without the CRLF), each part
``header-fields CRLF CRLF body``, the stream closed by ``"--" B "--"`` (a camera never sends it).
B is 1..70 characters (RFC 2046 §5.1.1); header fields as RFC 822. De-facto additions, both
optional: a ``Content-Length`` header per part (mjpg-streamer, ffmpeg ``mpjpeg``; we trust it,
then expect the delimiter) and cameras that put the leading dashes into the parameter itself
(``boundary=--myboundary``, whose parts start ``--myboundary``).
"""

from __future__ import annotations

import re

from hubd.driver_api import ProtocolError

MAX_PART = 16 * 1024 * 1024
"""Largest frame accepted (a 4K JPEG is ~2 MB)."""
MAX_HEADER = 8192
_BOUNDARY = re.compile(r"""boundary\s*=\s*(?:"([^"]{1,72})"|([^;\s]{1,72}))""", re.IGNORECASE)


def boundary_from(content_type: str) -> bytes:
    """The delimiter line (``--B``) of a ``multipart/x-mixed-replace`` Content-Type value;
    ProtocolError NOT_MJPEG for anything else."""
    media = content_type.split(";", 1)[0].strip().lower()
    if not media.startswith("multipart/"):
        raise ProtocolError(f"the camera does not stream MJPEG (Content-Type {content_type[:60]!r})",
                            reason="NOT_MJPEG")
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise ProtocolError("multipart stream without a boundary parameter", reason="NOT_MJPEG")
    boundary = (match.group(1) or match.group(2)).encode("latin-1")
    return boundary if boundary.startswith(b"--") else b"--" + boundary


def _headers(block: bytes) -> dict[str, str]:
    """Header fields of one part (names lower-cased; folded lines are not used by cameras)."""
    fields: dict[str, str] = {}
    for line in block.split(b"\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            raise ProtocolError(f"bad part header line {line[:40]!r}", reason="PROTOCOL_ERROR")
        fields[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return fields


class MjpegParser:
    """Feed the response body in chunks; get back the JPEG bodies of the parts completed."""

    def __init__(self, delimiter: bytes, max_part: int = MAX_PART) -> None:
        self.delimiter = delimiter
        self.max_part = max_part
        self.closed = False
        """True once the close delimiter (``--B--``) arrived."""
        self._buf = bytearray()
        self._state = "seek"
        self._length: int | None = None
        self._jpeg = True

    def feed(self, data: bytes) -> list[bytes]:
        """Consume ``data``; return the image bodies completed by it, in order."""
        self._buf += data
        out: list[bytes] = []
        while not self.closed and self._step(out):
            pass
        return out

    def _step(self, out: list[bytes]) -> bool:
        """Advance the state machine once; False when more bytes are needed."""
        buf = self._buf
        if self._state == "seek":  # preamble, or the CRLF ending the previous body
            at = buf.find(self.delimiter)
            if at < 0:
                if len(buf) > MAX_HEADER:
                    raise ProtocolError("no multipart boundary in the camera's stream",
                                        reason="PROTOCOL_ERROR")
                return False
            if len(buf) < at + len(self.delimiter) + 2:
                return False
            rest = bytes(buf[at + len(self.delimiter) : at + len(self.delimiter) + 2])
            del buf[: at + len(self.delimiter) + 2]
            if rest == b"--":
                self.closed = True
                return False
            if rest != b"\r\n":
                raise ProtocolError(f"bad bytes after the boundary: {rest!r}", reason="PROTOCOL_ERROR")
            self._state = "headers"
            return True
        if self._state == "headers":
            if buf.startswith(b"\r\n"):  # a part with no header fields
                block, skip = b"", 2
            else:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > MAX_HEADER:
                        raise ProtocolError("part headers too long", reason="PROTOCOL_ERROR")
                    return False
                block, skip = bytes(buf[:end]), end + 4
            del buf[:skip]
            self._start_body(_headers(block))
            return True
        return self._body(out)

    def _start_body(self, fields: dict[str, str]) -> None:
        kind = fields.get("content-type", "image/jpeg").split(";")[0].strip().lower()
        self._jpeg = kind in ("image/jpeg", "image/jpg", "image/pjpeg")
        raw = fields.get("content-length")
        self._length = None
        if raw is not None:
            if not raw.isdigit() or int(raw) > self.max_part:
                raise ProtocolError(f"bad part Content-Length {raw[:20]!r}", reason="PROTOCOL_ERROR")
            self._length = int(raw)
        self._state = "body"

    def _body(self, out: list[bytes]) -> bool:
        buf = self._buf
        if self._length is not None:
            if len(buf) < self._length:
                return False
            body, rest = bytes(buf[: self._length]), self._length
        else:
            at = buf.find(b"\r\n" + self.delimiter)
            if at < 0:
                if len(buf) > self.max_part:
                    raise ProtocolError("a frame larger than the limit, or no boundary after it",
                                        reason="PROTOCOL_ERROR")
                return False
            body, rest = bytes(buf[:at]), at
        del buf[:rest]
        if self._jpeg:
            out.append(body)
        self._state = "seek"
        return True
