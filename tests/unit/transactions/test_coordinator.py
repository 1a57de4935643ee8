"""The coordinator against the portal simulator: a payment end to end, each portal fault, the
rules refusing (and the portal's ledger unchanged), work-only-online, reconciliation, power."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hubd.classes.transactions.model import Instrument, PaymentMode, PaymentRequest, TxnState
from hubd.classes.transactions.portal import PortalUnreachable
from hubd.classes.transactions.receipt import receipt_key
from hubd.classes.transactions.rules import today
from hubd.classes.ups.power import PowerConfig, PowerPolicy
from hubd.clock import SystemClock, settle
from hubd.errors import (
    AlreadyExists,
    ConfigError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ShuttingDown,
)
from hubd.events import EventBus
from kioskhub.simulators.portal import PortalSim
from tests.unit.transactions.conftest import BILL_NO, Hub, cert, charges, power_bill, started


@pytest.fixture
async def hub(portal: PortalSim, tmp_path: Path) -> AsyncIterator[Hub]:
    h = await started(portal, tmp_path / "state", timeout=0.5)
    yield h
    await h.coordinator.stop()


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_a_payment_end_to_end(portal: PortalSim, hub: Hub, tmp_path: Path) -> None:
    c = hub.coordinator
    assert {s.service_id for s in await c.list_services()} >= {"JVVNL_BILL", "PHED_WATER_BILL", "BIRTH_CERT"}
    bill = await c.fetch_bill("JVVNL_BILL", BILL_NO)
    quote = await c.quote(power_bill("k-1"))
    assert (quote.amount_paise, quote.fee_paise, quote.bill) == (184_700, 500, bill)
    assert quote.wallet_after_paise == 2_500_000 - 184_200
    txn = await c.pay(power_bill("k-1", operator="op-7"))
    assert txn.state is TxnState.CONFIRMED and txn.receipt_no and txn.portal_txn_id
    assert hub.reasons("PAYMENT_STATE") == ["INTENT", "SENT", "CONFIRMED"]
    assert charges(portal) == [("k-1", "SUCCESS", 184_700)]
    (receipt,) = hub.receipts
    assert receipt.idempotency_key == receipt_key(txn.portal_txn_id) == f"emitra-receipt:{txn.portal_txn_id}"
    assert (receipt.department_hi, receipt.service_en, receipt.consumer_name) == (
        "जयपुर विद्युत वितरण निगम लि.",
        "Electricity bill (Jaipur Discom)",
        "Ramesh Kumar Sharma",
    )
    assert (receipt.amount_paise, receipt.fee_paise, receipt.operator) == (184_700, 500, "op-7")
    assert receipt.kiosk_name_en == "e-Mitra Kiosk, Malviya Nagar, Jaipur"
    assert (await c.get("k-1")) == txn

    # The same id and payment: the same transaction, nothing charged or handed over again.
    assert (await c.pay(power_bill("k-1"))).portal_txn_id == txn.portal_txn_id
    assert len(charges(portal)) == 1 and len(hub.receipts) == 1
    with pytest.raises(AlreadyExists) as err:
        await c.pay(cert("k-1"))
    assert err.value.reason == "CLIENT_TXN_ID_REUSED"
    with pytest.raises(InvalidArgument) as bad:
        await c.pay(cert(""))
    assert bad.value.field == "client_txn_id"
    assert oct((tmp_path / "state" / "transactions.db").stat().st_mode & 0o777) == oct(0o600)


async def test_concurrent_calls_with_one_id_pay_once(portal: PortalSim, hub: Hub) -> None:
    portal.state.slow_seconds = 0.2
    portal.arm("slow", "pay")
    results = await asyncio.gather(*(hub.coordinator.pay(cert("k-same")) for _ in range(5)))
    assert len({t.portal_txn_id for t in results}) == 1 and charges(portal) == [("k-same", "SUCCESS", 5000)]


@pytest.mark.parametrize(
    ("fault", "state", "reason", "charged"),
    [
        ("timeout_after_commit", TxnState.CONFIRMED, "", True),
        ("error_before_commit", TxnState.FAILED, "NOT_RECEIVED", False),
        ("slow", TxnState.FAILED, "NOT_RECEIVED", False),  # slower than the timeout: arrives after verify
        ("pending", TxnState.CONFIRMED, "", True),
        ("reversed", TxnState.FAILED, "REVERSED", False),
        ("bad_signature", TxnState.CONFIRMED, "", True),
    ],
)
async def test_each_fault_ends_settled_and_agreeing(
    portal: PortalSim, hub: Hub, fault: str, state: TxnState, reason: str, charged: bool
) -> None:
    portal.state.slow_seconds = 1.0
    portal.arm(fault, "pay")
    txn = await hub.coordinator.pay(cert("k-f"))
    assert (txn.state, txn.reason) == (state, reason)
    if fault == "slow":  # the late request reaches the portal after verify voided its id
        await eventually(lambda: portal.answered["pay"] == 1)
    ledger = {t["client_txn_id"]: t for t in portal.ledger.transactions()}
    assert (ledger["k-f"]["status"] == "SUCCESS") == charged
    assert portal.ledger.balance("d35k1111") == 2_500_000 - (2000 if charged else 0)
    assert len(hub.receipts) == (1 if charged else 0)
    assert (await hub.coordinator.reconcile()).balanced


async def test_a_duplicated_reply_is_not_believed(portal: PortalSim, hub: Hub) -> None:
    portal.arm("duplicate_reply", "pay")
    first = await hub.coordinator.pay(cert("k-a"))
    second = await hub.coordinator.pay(cert("k-b"))  # answered with k-a's reply: verified instead
    assert first.state is second.state is TxnState.CONFIRMED and first.receipt_no != second.receipt_no
    assert "IN_DOUBT" in hub.reasons("PAYMENT_STATE")
    assert charges(portal) == [("k-a", "SUCCESS", 5000), ("k-b", "SUCCESS", 5000)]


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (cert("k-r", 6000), "RATE_EXCEEDED"),
        (power_bill("k-r", amount_paise=200_000), "RATE_EXCEEDED"),
        (
            power_bill(
                "k-r", mode=PaymentMode.CHEQUE, instrument=Instrument("004512", "SBI", date(2099, 1, 1))
            ),
            "POST_DATED_INSTRUMENT",
        ),
        (
            power_bill("k-r", mode=PaymentMode.DD, instrument=Instrument("004512", "SBI", date(2020, 1, 1))),
            "STALE_INSTRUMENT",
        ),
    ],
)
async def test_rule_refusals_change_nothing(
    portal: PortalSim, hub: Hub, request_: PaymentRequest, reason: str
) -> None:
    with pytest.raises(InvalidArgument) as err:
        await hub.coordinator.pay(request_)
    assert err.value.reason == reason and " / " in err.value.message
    assert charges(portal) == [] and portal.requests["pay"] == 0 and hub.reasons("PAYMENT_STATE") == []


async def test_wallet_too_low_is_refused_and_the_portal_sees_nothing(portal: PortalSim, hub: Hub) -> None:
    portal.ledger.set_balance("d35k1111", 150_000)  # ₹1,500: a ₹1,847 bill would take it below zero
    assert (await hub.coordinator.wallet()).balance_paise == 150_000
    with pytest.raises(FailedPrecondition) as err:
        await hub.coordinator.pay(power_bill("k-w"))
    assert err.value.reason == "WALLET_INSUFFICIENT"
    assert charges(portal) == [] and portal.ledger.balance("d35k1111") == 150_000
    assert hub.reasons("WALLET") == ["WALLET_LOW"]


async def test_low_battery_refuses_payments(portal: PortalSim, tmp_path: Path) -> None:
    policy = PowerPolicy(EventBus(SystemClock()), SystemClock(), PowerConfig())
    h = await started(portal, tmp_path / "s", power_work=policy.work)
    try:
        policy.imminent = True
        with pytest.raises(ShuttingDown):
            await h.coordinator.pay(cert("k-p"))
        policy.imminent = False
        assert (await h.coordinator.pay(cert("k-p"))).state is TxnState.CONFIRMED
    finally:
        await h.coordinator.stop()
    assert charges(portal) == [("k-p", "SUCCESS", 5000)]


async def test_work_only_online(portal: PortalSim, tmp_path: Path) -> None:
    h = await started(portal, tmp_path / "s", timeout=0.5, verify_inline_attempts=0)
    c = h.coordinator
    try:
        await c.list_services()
        portal.arm("timeout_after_commit", "pay")
        assert (await c.pay(cert("k-1"))).state is TxnState.IN_DOUBT  # no inline verify configured
        portal.unplug()
        await settle()
        # Catalog and balance known: the attempt finds the portal gone, and k-2 is never sent.
        refused = await c.pay(cert("k-2"))
        assert (refused.state, refused.reason) == (TxnState.FAILED, "PORTAL_UNREACHABLE")
        assert "work only online" in refused.message
        with pytest.raises(PortalUnreachable) as err:
            await c.pay(cert("k-3"))  # the portal is known to be gone: refused before any record
        assert err.value.reason == "PORTAL_UNREACHABLE"
        assert "PORTAL_UNREACHABLE" in h.reasons("PORTAL")
        assert (await c.get("k-1")).state is TxnState.IN_DOUBT
        portal.replug()  # the resolver verifies k-1 as soon as the portal answers
        await eventually(lambda: "CONFIRMED" in h.reasons("PAYMENT_STATE"))
        assert (await c.get("k-1")).state is TxnState.CONFIRMED
        with pytest.raises(NotFound):
            await c.get("k-3")
    finally:
        await c.stop()
    assert charges(portal) == [("k-1", "SUCCESS", 5000)]  # k-2 never reached the portal


async def test_reconcile_reports_every_difference(portal: PortalSim, hub: Hub) -> None:
    await hub.coordinator.pay(cert("k-1"))
    await hub.coordinator.pay(power_bill("k-2"))
    report = await hub.coordinator.reconcile()
    assert report.balanced and (report.journal_confirmed, report.journal_confirmed_paise) == (2, 189_700)
    assert (report.portal_success, report.portal_success_paise) == (2, 189_700)
    # A payment made for this kiosk somewhere else (not through this hub), and a reversal.
    portal.ledger.pay("d35k1111", {**cert("elsewhere").to_wire()}, portal.clock())
    portal.ledger.db.execute("UPDATE txns SET status = 'REVERSED' WHERE client_txn_id = 'k-1'")
    report = await hub.coordinator.reconcile(today(hub.coordinator.clock.now()))
    kinds = {d.client_txn_id: d.kind for d in report.differences}
    assert kinds == {"elsewhere": "MISSING_IN_JOURNAL", "k-1": "STATUS_MISMATCH"}
    assert hub.reasons("RECONCILE") == ["RECONCILED", "RECONCILE_DIFFERENCES"]


async def test_refuses_to_start_with_a_secret_others_can_read(portal: PortalSim, tmp_path: Path) -> None:
    Path(portal.state.secret_file).chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        await started(portal, tmp_path / "s")
    assert not (tmp_path / "s" / "transactions.db").exists()
