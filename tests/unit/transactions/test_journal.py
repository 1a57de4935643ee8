"""The payment journal: durable settings, file modes, states, and idempotency by client_txn_id."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from hubd.classes.transactions.journal import Journal
from hubd.classes.transactions.model import Instrument, PaymentMode, PaymentRequest, TxnState
from hubd.clock import FakeClock
from hubd.errors import AlreadyExists, HubError

CHEQUE = PaymentRequest(
    "k-1",
    "JVVNL_BILL",
    "210341012345",
    "Ramesh Kumar Sharma",
    184_700,
    PaymentMode.CHEQUE,
    Instrument("004512", "State Bank of India", date(2026, 1, 10)),
    "op-7",
)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "state" / "transactions.db", FakeClock())


def test_durable_and_private(journal: Journal, tmp_path: Path) -> None:
    journal.begin(CHEQUE)
    db = sqlite3.connect(journal.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: fsync at each commit
    for name in ("transactions.db", "transactions.db-wal", "transactions.db-shm"):
        assert (tmp_path / "state" / name).stat().st_mode & 0o777 == 0o600, name


def test_states_and_what_is_recorded(journal: Journal) -> None:
    txn, created = journal.begin(CHEQUE)
    assert created and txn.state is TxnState.INTENT and txn.request == CHEQUE  # cheque details kept
    assert journal.mark_sent("k-1").state is TxnState.SENT
    with pytest.raises(HubError, match="not an INTENT"):
        journal.mark_sent("k-1")  # sent at most once
    doubt, changed = journal.settle("k-1", TxnState.IN_DOUBT, "PORTAL_TIMEOUT", "…")
    assert (
        changed
        and doubt.state is TxnState.IN_DOUBT
        and [t.client_txn_id for t in journal.unresolved()] == ["k-1"]
    )
    done, changed = journal.settle("k-1", TxnState.CONFIRMED, "", "ok")
    assert changed and done.finished_at is not None and journal.unresolved() == []
    again, changed = journal.settle("k-1", TxnState.FAILED, "X", "no")
    assert not changed and again.state is TxnState.CONFIRMED  # a final state never changes
    assert [t.client_txn_id for t in journal.receipts_due()] == ["k-1"]
    journal.mark_receipt_handed("k-1")
    assert journal.receipts_due() == [] and journal.get("k-1").receipt_handed  # type: ignore[union-attr]


def test_same_id_same_payment_or_already_exists(journal: Journal) -> None:
    first, _ = journal.begin(CHEQUE)
    same, created = journal.begin(PaymentRequest(**{**CHEQUE.__dict__, "operator": "op-9"}))
    assert not created and same == first  # the operator is not part of the payment
    with pytest.raises(AlreadyExists) as err:
        journal.begin(PaymentRequest(**{**CHEQUE.__dict__, "amount_paise": 184_701}))
    assert err.value.reason == "CLIENT_TXN_ID_REUSED" and err.value.metadata["field"] == "client_txn_id"


def test_survives_reopening(tmp_path: Path) -> None:
    clock = FakeClock()
    j = Journal(tmp_path / "t.db", clock)
    j.begin(CHEQUE)
    j.mark_sent("k-1")
    j.close()
    again = Journal(tmp_path / "t.db", clock)
    assert [(t.client_txn_id, t.state) for t in again.unresolved()] == [("k-1", TxnState.SENT)]
    assert again.last_activity() == clock.now()  # no payment yet: counted from the journal's start
