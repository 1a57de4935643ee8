"""Signed portal messages: HMAC-SHA256 over a canonical form, and the kiosk secret file.

The form (docs/portal-protocol.md) is these lines joined by LF (UTF-8, no trailing newline),
signed with HMAC-SHA256 keyed by the kiosk secret and sent as lowercase hex in ``X-Signature``::

    request                                  reply
    KH-PORTAL-HMAC-SHA256                    KH-PORTAL-HMAC-SHA256-RESPONSE
    <METHOD>                                 <status code>
    <path as sent>                           <the request's nonce, echoed in X-Request-Nonce>
    <query as sent without '?', or ''>       <kiosk id>
    <kiosk id>                               <timestamp>
    <timestamp: Unix seconds>                <reply nonce>
    <nonce: 32 lowercase hex>                <SHA-256 of the body, hex>
    <bearer token, '' for login>
    <SHA-256 of the body, hex>

The secret is the file's content with surrounding whitespace stripped, at least 16 bytes; a file
that group or others may read or write is refused (it must be readable only by the daemon).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

from hubd.errors import ConfigError

REQUEST_TAG = "KH-PORTAL-HMAC-SHA256"
RESPONSE_TAG = "KH-PORTAL-HMAC-SHA256-RESPONSE"
MIN_SECRET = 16


def body_sha256(body: bytes) -> str:
    """Lowercase hex SHA-256 of a body."""
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str, path: str, query: str, kiosk_id: str, timestamp: int, nonce: str, token: str, body: bytes
) -> bytes:
    """The request's string-to-sign."""
    fields = (
        REQUEST_TAG,
        method.upper(),
        path,
        query,
        kiosk_id,
        str(timestamp),
        nonce,
        token,
        body_sha256(body),
    )
    return "\n".join(fields).encode("utf-8")


def canonical_response(
    status: int, request_nonce: str, kiosk_id: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    """The reply's string-to-sign."""
    fields = (RESPONSE_TAG, str(status), request_nonce, kiosk_id, timestamp, nonce, body_sha256(body))
    return "\n".join(fields).encode("utf-8")


def sign(secret: bytes, canonical: bytes) -> str:
    """Lowercase hex HMAC-SHA256."""
    return hmac.new(secret, canonical, hashlib.sha256).hexdigest()


def signature_matches(secret: bytes, canonical: bytes, signature: str) -> bool:
    """Constant-time comparison with a received hex signature."""
    return hmac.compare_digest(sign(secret, canonical), signature.strip().lower())


def load_secret(path: Path | str) -> bytes:
    """The kiosk secret from ``path``; ConfigError (naming the file) if it is missing, too short,
    not a regular file, or readable or writable by group or others."""
    path = Path(path)
    meta = {"file": str(path), "key": "transactions.secret_file"}
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as err:
        raise ConfigError(f"portal secret file {path}: {err.strerror}", metadata=meta) from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"portal secret file {path}: not a regular file", metadata=meta)
        if info.st_mode & 0o077:
            raise ConfigError(
                f"portal secret file {path}: mode {stat.S_IMODE(info.st_mode):04o} lets group or others "
                f"read it; it must be readable only by the daemon (chmod 600)",
                metadata=meta,
            )
        data = os.read(fd, 64 * 1024)
    finally:
        os.close(fd)
    secret = data.strip()
    if len(secret) < MIN_SECRET:
        raise ConfigError(f"portal secret file {path}: shorter than {MIN_SECRET} bytes", metadata=meta)
    return secret
