"""Who may call the portal: request checks and reply signatures (docs/portal-protocol.md).

A request passes when its kiosk is known, its HMAC signature matches, its timestamp is within the
window of the portal's clock, its nonce is unseen within the window, and (except for login) its
bearer token is the kiosk's and unexpired. Each refusal is a 401 with its own code.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from kioskhub.simulators.portal import signing
from kioskhub.simulators.portal.api import ApiError
from kioskhub.simulators.portal.http import Request, Response


class Gate:
    """Session tokens, seen nonces, and the signing of replies."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self._tokens: dict[str, tuple[str, float]] = {}
        self._nonces: dict[tuple[str, str], float] = {}

    def check(self, req: Request, login: bool, kiosk_id: str, secret: bytes, window: float) -> None:
        """Raise ApiError 401 unless the request may be served."""
        h = req.headers
        auth = h.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        stamp, nonce, signature = h.get("x-timestamp", ""), h.get("x-nonce", ""), h.get("x-signature", "")
        if not (stamp and nonce and signature):
            raise ApiError(401, "MISSING_SIGNATURE", "X-Timestamp, X-Nonce and X-Signature are required")
        text = signing.request_string(
            req.method, req.path, req.query, kiosk_id, stamp, nonce, token, req.body
        )
        if not signing.matches(secret, text, signature):
            raise ApiError(401, "BAD_SIGNATURE", "the request signature does not match")
        now = self.now()
        if not stamp.isdigit() or abs(int(stamp) - now) > window:
            raise ApiError(401, "STALE_REQUEST", "the request timestamp is outside the window")
        self._nonces = {k: t for k, t in self._nonces.items() if t > now}
        if (kiosk_id, nonce) in self._nonces:
            raise ApiError(401, "REPLAYED_REQUEST", "this nonce was already used")
        self._nonces[kiosk_id, nonce] = now + 2 * window
        if login:
            return
        holder, expires = self._tokens.get(token, ("", 0.0))
        if holder != kiosk_id:
            raise ApiError(401, "UNKNOWN_TOKEN", "log in first")
        if expires <= now:
            raise ApiError(401, "TOKEN_EXPIRED", "the session token has expired: log in again")

    def issue(self, kiosk_id: str, ttl: float) -> tuple[str, int]:
        """A new session token for the kiosk and its expiry (Unix seconds)."""
        token, expires = secrets.token_urlsafe(24), self.now() + ttl
        self._tokens[token] = (kiosk_id, expires)
        return token, int(expires)

    def sign(
        self,
        status: int,
        body: dict[str, Any],
        kiosk_id: str,
        secret: bytes,
        request_nonce: str,
        corrupt: bool = False,
    ) -> Response:
        """A signed JSON reply (``corrupt``: with a wrong signature, a fault)."""
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        stamp, nonce = str(int(self.now())), secrets.token_hex(16)
        signature = signing.sign(
            secret, signing.response_string(status, request_nonce, kiosk_id, stamp, nonce, raw)
        )
        if corrupt:
            signature = signature[::-1]
        headers = {
            "X-Request-Nonce": request_nonce,
            "X-Timestamp": stamp,
            "X-Nonce": nonce,
            "X-Signature": signature,
        }
        return Response(status, raw, headers)


def plain(status: int, code: str, message: str) -> Response:
    """An unsigned error reply (the kiosk is unknown, so there is no key to sign with)."""
    return Response(status, json.dumps({"error": {"code": code, "message": message}}).encode())
