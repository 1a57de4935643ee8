"""Request and reply signatures of the portal protocol (docs/portal-protocol.md), portal side.

Written from the protocol document, not from the hub's client: the canonical strings are the lines
below joined by LF, signed with HMAC-SHA256 keyed by the kiosk secret, as lowercase hex.
"""

from __future__ import annotations

import hashlib
import hmac

REQUEST_TAG = "KH-PORTAL-HMAC-SHA256"
RESPONSE_TAG = "KH-PORTAL-HMAC-SHA256-RESPONSE"


def body_hash(body: bytes) -> str:
    """Lowercase hex SHA-256 of the body bytes."""
    return hashlib.sha256(body).hexdigest()


def request_string(
    method: str, path: str, query: str, kiosk_id: str, timestamp: str, nonce: str, token: str, body: bytes
) -> bytes:
    """The request's string-to-sign."""
    lines = [REQUEST_TAG, method.upper(), path, query, kiosk_id, timestamp, nonce, token, body_hash(body)]
    return "\n".join(lines).encode("utf-8")


def response_string(
    status: int, request_nonce: str, kiosk_id: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    """The reply's string-to-sign."""
    lines = [RESPONSE_TAG, str(status), request_nonce, kiosk_id, timestamp, nonce, body_hash(body)]
    return "\n".join(lines).encode("utf-8")


def sign(secret: bytes, text: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of ``text``."""
    return hmac.new(secret, text, hashlib.sha256).hexdigest()


def matches(secret: bytes, text: bytes, signature: str) -> bool:
    """Constant-time check of a hex signature."""
    return hmac.compare_digest(sign(secret, text), signature.strip().lower())
