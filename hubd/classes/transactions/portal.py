"""The thin portal client (httpx, async): signed requests, checked replies, bounded timeouts.

Every request is signed (``signing``: HMAC-SHA256 over the documented canonical form) and every
reply must carry a valid signature over our own request nonce, a fresh reply nonce and a
timestamp within ``window`` seconds of the hub's clock; otherwise it is not believed. The session
token is renewed ``refresh_margin`` seconds before it expires (and once more if the portal says
it expired). Each call is bounded by ``connect_timeout + timeout`` seconds in all.

Errors say whether the portal may have acted (``maybe_processed``): it cannot have when the
connection was refused (``PortalUnreachable``) or the portal signed a refusal (``PortalRefused``);
after anything else (no reply, a 5xx, an untrustworthy reply) a payment must be verified.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from datetime import date
from typing import Any

import httpx

from hubd.classes.transactions import codec
from hubd.classes.transactions.model import (
    Bill,
    KioskSession,
    PaymentRequest,
    PortalTxn,
    Service,
    Statement,
    Wallet,
)
from hubd.classes.transactions.signing import canonical_request, canonical_response, sign, signature_matches
from hubd.clock import Clock
from hubd.errors import DeviceUnavailable, FailedPrecondition, HubError, ProtocolError, TransportTimeout

log = logging.getLogger(__name__)


class PortalUnreachable(DeviceUnavailable):
    """The portal could not be reached: the request was not sent."""

    default_reason = "PORTAL_UNREACHABLE"


class PortalNoAnswer(TransportTimeout):
    """The request went out (or may have) and no complete reply came back."""

    default_reason = "PORTAL_TIMEOUT"


class PortalServerError(DeviceUnavailable):
    """The portal answered 5xx: it may or may not have acted."""

    default_reason = "PORTAL_ERROR"


class PortalBadReply(ProtocolError):
    """A reply that is not believed: unsigned, badly signed, replayed, stale or malformed."""

    default_reason = "BAD_RESPONSE_SIGNATURE"


class PortalRefused(FailedPrecondition):
    """The portal refused the request (a signed 4xx): nothing was done."""

    default_reason = "PORTAL_REFUSED"


def maybe_processed(err: HubError) -> bool:
    """False only when the portal certainly did not act on the request."""
    return not isinstance(err, PortalUnreachable | PortalRefused)


class PortalClient:
    """One kiosk's connection to the portal."""

    def __init__(
        self,
        base_url: str,
        kiosk_id: str,
        secret: bytes,
        clock: Clock,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        window: float = 300.0,
        refresh_margin: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.kiosk_id = kiosk_id
        self.clock = clock
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.window = window
        self.refresh_margin = refresh_margin
        self.session: KioskSession | None = None
        self.online: bool | None = None
        """False after the portal could not be reached, True after a trusted reply, None before."""
        self._secret = secret
        self._seen: dict[str, float] = {}
        self._login_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            trust_env=False,  # no proxy from the environment: the kiosk talks to the portal only
            follow_redirects=False,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- the calls ---------------------------------------------------------------------------

    async def login(self) -> KioskSession:
        """Log in with the kiosk id and secret; keep and return the session."""
        data = await self._request("POST", "/v1/login", {"kiosk_id": self.kiosk_id}, auth=False)
        session = codec.session(data)
        if session.kiosk_id != self.kiosk_id:
            raise codec.bad("kiosk.kiosk_id", "a session for another kiosk")
        self.session = session
        log.info("portal session for %s until %s", self.kiosk_id, session.expires_at.isoformat())
        return session

    async def wallet(self) -> Wallet:
        """The kiosk's wallet balance."""
        return codec.wallet(await self._request("GET", "/v1/wallet"))

    async def services(self) -> tuple[Service, ...]:
        """The service catalog."""
        return codec.services(await self._request("GET", "/v1/services"))

    async def bill(self, service_id: str, consumer_no: str) -> Bill:
        """A consumer's current bill."""
        body = {"service_id": service_id, "consumer_no": consumer_no}
        return codec.bill(await self._request("POST", "/v1/bill", body))

    async def pay(self, request: PaymentRequest) -> PortalTxn:
        """Send a payment once; the portal keys it by ``client_txn_id``."""
        return codec.txn(await self._request("POST", "/v1/pay", request.to_wire()))

    async def verify(self, client_txn_id: str) -> PortalTxn:
        """The portal's status of a payment by our id (an id it never saw comes back FAILED
        NOT_RECEIVED, and can then never be charged)."""
        return codec.txn(await self._request("POST", "/v1/verify", {"client_txn_id": client_txn_id}))

    async def statement(self, day: date) -> Statement:
        """Every payment the portal recorded for the kiosk on an IST day."""
        return codec.statement(await self._request("GET", "/v1/statement", query=f"date={day.isoformat()}"))

    # -- signing, sending, checking ----------------------------------------------------------

    async def _token(self) -> str:
        async with self._login_lock:
            s = self.session
            if s is None or (s.expires_at - self.clock.now()).total_seconds() <= self.refresh_margin:
                s = await self.login()
        return s.token

    async def _request(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None = None,
        *,
        query: str = "",
        auth: bool = True,
        renew: bool = True,
    ) -> dict[str, Any]:
        body = (
            b""
            if payload is None
            else json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        )
        token = await self._token() if auth else ""
        stamp, nonce = int(self.clock.now().timestamp()), secrets.token_hex(16)
        headers = {
            "X-Kiosk-Id": self.kiosk_id,
            "X-Timestamp": str(stamp),
            "X-Nonce": nonce,
            "X-Signature": sign(
                self._secret, canonical_request(method, path, query, self.kiosk_id, stamp, nonce, token, body)
            ),
            "Content-Type": "application/json",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        reply = await self._send(method, path + (f"?{query}" if query else ""), body, headers)
        data = self._trusted(reply, nonce)
        self.online = True
        if reply.status_code == 200:
            return data
        code, message = codec.error(data)
        where = f"portal {method} {path}"
        if reply.status_code == 401 and auth and renew and code in ("TOKEN_EXPIRED", "UNKNOWN_TOKEN"):
            self.session = None  # refused before anything was done: log in and ask once more
            return await self._request(method, path, payload, query=query, renew=False)
        meta = {"httpStatus": str(reply.status_code)}
        if 400 <= reply.status_code < 500:
            raise PortalRefused(f"{where}: refused {code}: {message}", reason=code, metadata=meta)
        raise PortalServerError(f"{where}: {reply.status_code} {code}: {message}", metadata=meta)

    async def _send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        where = f"portal {method} {url.partition('?')[0]}"
        try:
            async with asyncio.timeout(self.connect_timeout + self.timeout):
                return await self._http.request(method, url, content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as err:
            self.online = False
            raise PortalUnreachable(
                f"{where}: cannot reach the portal ({type(err).__name__}): not sent"
            ) from err
        except (httpx.TimeoutException, TimeoutError) as err:
            raise PortalNoAnswer(f"{where}: no reply within the timeout") from err
        except httpx.HTTPError as err:
            raise PortalNoAnswer(
                f"{where}: connection lost before a reply ({type(err).__name__})", reason="NO_REPLY"
            ) from err

    def _trusted(self, reply: httpx.Response, nonce: str) -> dict[str, Any]:
        """The reply's JSON if its signature, nonces and timestamp hold; PortalBadReply if not."""
        h = reply.headers
        signature, echoed = h.get("x-signature", ""), h.get("x-request-nonce", "")
        stamp, reply_nonce = h.get("x-timestamp", ""), h.get("x-nonce", "")
        if not signature:
            if reply.status_code >= 500:
                raise PortalServerError(f"portal answered {reply.status_code} without a signature")
            raise PortalBadReply(f"portal reply {reply.status_code} is not signed")
        canonical = canonical_response(
            reply.status_code, echoed, self.kiosk_id, stamp, reply_nonce, reply.content
        )
        if not signature_matches(self._secret, canonical, signature):
            hint = " (401: is the kiosk secret right?)" if reply.status_code == 401 else ""
            raise PortalBadReply(f"portal reply signature does not match: not believed{hint}")
        now = self.clock.monotonic()
        self._seen = {n: t for n, t in self._seen.items() if t > now}
        if echoed != nonce or reply_nonce in self._seen:
            raise PortalBadReply(
                "portal reply was replayed (not the answer to this request)", reason="REPLAYED_RESPONSE"
            )
        if not stamp.isdigit() or abs(int(stamp) - self.clock.now().timestamp()) > self.window:
            raise PortalBadReply("portal reply timestamp is outside the window", reason="STALE_RESPONSE")
        self._seen[reply_nonce] = now + 2 * self.window
        return codec.decode(reply.content)
