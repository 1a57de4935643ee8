"""The portal client against the portal simulator: calls, signatures both ways, replay and
staleness refused, token renewal, bounded timeouts, and which errors may have charged."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from hubd.classes.transactions.model import IST, PaymentRequest, PortalStatus
from hubd.classes.transactions.portal import (
    PortalBadReply,
    PortalClient,
    PortalNoAnswer,
    PortalServerError,
    PortalUnreachable,
    maybe_processed,
)
from hubd.classes.transactions.signing import load_secret
from hubd.clock import FakeClock, SystemClock, settle
from kioskhub.simulators.portal import PortalSim
from tests.unit.transactions.conftest import charges

CERT = PaymentRequest("k-1", "CASTE_CERT", "APP-2026-0001", "Sita Devi", 5000)


@pytest.fixture
async def client(portal: PortalSim) -> AsyncIterator[PortalClient]:
    c = PortalClient(
        portal.url,
        portal.state.kiosk_id,
        load_secret(portal.state.secret_file),
        SystemClock(),
        timeout=1.0,
        connect_timeout=0.5,
    )
    yield c
    await c.aclose()


async def test_the_calls_return_what_the_portal_holds(portal: PortalSim, client: PortalClient) -> None:
    session = await client.login()
    assert session.name_hi == "ई-मित्र कियोस्क, मालवीय नगर, जयपुर"
    assert (await client.wallet()).balance_paise == 2_500_000
    services = {s.service_id: s for s in await client.services()}
    assert len(services) == 10 and services["CASTE_CERT"].name_hi == "जाति प्रमाण पत्र"
    assert services["JVVNL_BILL"].department_en == "Jaipur Vidyut Vitran Nigam Ltd."
    bill = await client.bill("JVVNL_BILL", "210341012345")
    assert (bill.consumer_name, bill.amount_due_paise, bill.due_date) == (
        "Ramesh Kumar Sharma",
        184_700,
        date(2026, 1, 20),
    )
    # Changed at the portal, seen by the client.
    portal.ledger.set_balance("d35k1111", 1_234_500)
    svc = portal.ledger.service("CASTE_CERT")
    assert svc is not None
    portal.ledger.put_service(dataclasses.replace(svc, rate_paise=6000))
    assert (await client.wallet()).balance_paise == 1_234_500
    assert {s.service_id: s for s in await client.services()}["CASTE_CERT"].rate_paise == 6000


async def test_pay_verify_statement(portal: PortalSim, client: PortalClient) -> None:
    paid = await client.pay(PaymentRequest("k-1", "CASTE_CERT", "APP-2026-0001", "Sita Devi", 5000))
    assert paid.status is PortalStatus.SUCCESS and paid.receipt_no and not paid.duplicate
    assert paid.balance_paise == 2_500_000 - (5000 - 3000)
    again = await client.pay(PaymentRequest("k-1", "CASTE_CERT", "APP-2026-0001", "Sita Devi", 5000))
    assert again.duplicate and again.portal_txn_id == paid.portal_txn_id
    assert (await client.verify("k-1")).status is PortalStatus.SUCCESS
    statement = await client.statement(paid.created_at.astimezone(IST).date())
    assert [t.client_txn_id for t in statement.transactions] == ["k-1"]
    assert charges(portal) == [("k-1", "SUCCESS", 5000)]
    unseen = await client.verify("never-sent")
    assert (unseen.status, unseen.reason) == (PortalStatus.FAILED, "NOT_RECEIVED")


async def test_token_is_renewed_before_it_expires(portal: PortalSim) -> None:
    clock = FakeClock()
    portal.clock = lambda: clock.now().timestamp()
    portal.state.token_ttl = 300
    c = PortalClient(portal.url, "d35k1111", load_secret(portal.state.secret_file), clock, refresh_margin=60)
    try:
        await c.wallet()
        await clock.advance(239)
        await c.wallet()
        assert portal.requests["login"] == 1
        await clock.advance(1)  # 60 s left: renewed first
        await c.wallet()
        assert portal.requests["login"] == 2
        portal.gate._tokens.clear()  # the portal forgot every session (restarted)
        await c.wallet()
        assert portal.requests["login"] == 3
    finally:
        await c.aclose()


async def test_a_wrong_secret_is_refused_and_charges_nothing(portal: PortalSim) -> None:
    c = PortalClient(portal.url, "d35k1111", b"not-the-kiosk-secret-at-all", SystemClock())
    try:
        with pytest.raises(PortalBadReply, match="kiosk secret"):
            await c.pay(CERT)  # the portal's 401 is signed with the real secret: not believed either
    finally:
        await c.aclose()
    assert charges(portal) == [] and portal.requests["pay"] == 0


class RawKiosk:
    """Requests signed by this test (stdlib hmac, the canonical form written out by hand)."""

    def __init__(self, sim: PortalSim) -> None:
        self.sim, self.secret = sim, sim.secret

    def headers(
        self, method: str, path: str, body: bytes, token: str, stamp: int | None = None
    ) -> dict[str, str]:
        stamp = int(time.time()) if stamp is None else stamp
        nonce = secrets.token_hex(16)
        text = "\n".join(
            [
                "KH-PORTAL-HMAC-SHA256",
                method,
                path,
                "",
                "d35k1111",
                str(stamp),
                nonce,
                token,
                hashlib.sha256(body).hexdigest(),
            ]
        )
        sig = hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()
        h = {"X-Kiosk-Id": "d35k1111", "X-Timestamp": str(stamp), "X-Nonce": nonce, "X-Signature": sig}
        if token:
            h["Authorization"] = f"Bearer {token}"
        return h

    async def login(self, http: httpx.AsyncClient) -> str:
        body = b'{"kiosk_id":"d35k1111"}'
        reply = await http.post(
            "/v1/login", content=body, headers=self.headers("POST", "/v1/login", body, "")
        )
        assert reply.status_code == 200
        return str(reply.json()["token"])


async def test_replayed_stale_and_tampered_requests_are_refused(portal: PortalSim) -> None:
    raw = RawKiosk(portal)
    body = json.dumps(CERT.to_wire()).encode()
    async with httpx.AsyncClient(base_url=portal.url) as http:
        token = await raw.login(http)
        stale = raw.headers("POST", "/v1/pay", body, token, stamp=int(time.time()) - 301)
        reply = await http.post("/v1/pay", content=body, headers=stale)
        assert (reply.status_code, reply.json()["error"]["code"]) == (401, "STALE_REQUEST")
        good = raw.headers("POST", "/v1/pay", body, token)
        tampered = body.replace(b"5000", b"4000")
        reply = await http.post("/v1/pay", content=tampered, headers=good)
        assert (reply.status_code, reply.json()["error"]["code"]) == (401, "BAD_SIGNATURE")
        assert charges(portal) == []
        assert (await http.post("/v1/pay", content=body, headers=good)).status_code == 200
        replay = await http.post("/v1/pay", content=body, headers=good)
        assert (replay.status_code, replay.json()["error"]["code"]) == (401, "REPLAYED_REQUEST")
    assert charges(portal) == [("k-1", "SUCCESS", 5000)]


async def test_replies_not_believed(portal: PortalSim, client: PortalClient) -> None:
    await client.login()
    portal.arm("bad_signature", "wallet")
    with pytest.raises(PortalBadReply) as err:
        await client.wallet()
    assert err.value.reason == "BAD_RESPONSE_SIGNATURE" and maybe_processed(err.value)
    portal.arm("duplicate_reply", "wallet")
    await client.wallet()
    with pytest.raises(PortalBadReply) as err:
        await client.wallet()  # answered with a copy of the previous reply
    assert err.value.reason == "REPLAYED_RESPONSE"
    portal.state.window = 10_000  # the portal accepts our requests, but its replies are 400 s old
    portal.clock = lambda: time.time() - 400
    with pytest.raises(PortalBadReply) as err:
        await client.wallet()
    assert err.value.reason == "STALE_RESPONSE"


async def test_which_failures_may_have_charged(portal: PortalSim, client: PortalClient) -> None:
    portal.state.hang_seconds = 30
    portal.arm("timeout_after_commit", "pay")
    started = time.monotonic()
    with pytest.raises(PortalNoAnswer) as err:
        await client.pay(CERT)
    assert time.monotonic() - started < 5 and maybe_processed(err.value)
    assert charges(portal) == [("k-1", "SUCCESS", 5000)]  # the portal did commit

    portal.arm("error_before_commit", "pay")
    with pytest.raises(PortalServerError) as err5:
        await client.pay(PaymentRequest("k-2", "CASTE_CERT", "APP-2", "Gita", 5000))
    assert maybe_processed(err5.value) and len(charges(portal)) == 1

    portal.state.slow_seconds = 0.2
    portal.arm("slow", "pay")
    assert (
        await client.pay(PaymentRequest("k-3", "CASTE_CERT", "APP-3", "Mira", 5000))
    ).status.value == "SUCCESS"

    portal.unplug()
    await settle()  # the dropped connections close on the loop's next turns
    with pytest.raises(PortalUnreachable) as gone:
        await client.pay(PaymentRequest("k-4", "CASTE_CERT", "APP-4", "Lila", 5000))
    assert not maybe_processed(gone.value) and client.online is False
    portal.replug()
    assert (await client.wallet()).balance_paise == 2_500_000 - 2 * 2000
    assert client.online is True
