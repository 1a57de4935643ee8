"""Journal rows: the SQLite schema and the codec between rows and ``Transaction`` values."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, date, datetime
from typing import Any

from hubd.classes.transactions.model import Instrument, PaymentMode, PaymentRequest, Transaction, TxnState
from hubd.errors import AlreadyExists

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    client_txn_id   TEXT NOT NULL UNIQUE,
    request         TEXT NOT NULL,
    request_sha256  TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    portal_txn_id   TEXT NOT NULL DEFAULT '',
    receipt_no      TEXT NOT NULL DEFAULT '',
    portal_status   TEXT NOT NULL DEFAULT '',
    fee_paise       INTEGER NOT NULL DEFAULT 0,
    verify_attempts INTEGER NOT NULL DEFAULT 0,
    receipt_handed  INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    finished_at     INTEGER
);
CREATE INDEX IF NOT EXISTS transactions_by_state ON transactions (state, seq);
CREATE INDEX IF NOT EXISTS transactions_by_created ON transactions (created_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def request_json(req: PaymentRequest) -> str:
    """The request as canonical JSON (what is stored and compared)."""
    inst = req.instrument
    data = {**req.to_wire(), "instrument": None if inst is None else inst.to_wire(), "operator": req.operator}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def request_digest(req: PaymentRequest) -> str:
    """What makes two requests under one id "the same payment" (all but the operator)."""
    data = json.loads(request_json(req))
    del data["operator"]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def to_request(text: str) -> PaymentRequest:
    """A stored request back as a value."""
    d: dict[str, Any] = json.loads(text)
    inst = d["instrument"]
    return PaymentRequest(
        d["client_txn_id"],
        d["service_id"],
        d["consumer_no"],
        d["consumer_name"],
        d["amount_paise"],
        PaymentMode(d["mode"]),
        None if inst is None else Instrument(inst["number"], inst["bank"], date.fromisoformat(inst["date"])),
        d["operator"],
    )


def as_us(t: datetime) -> int:
    """Microseconds since the epoch (how instants are stored)."""
    return int(t.timestamp() * 1_000_000)


def from_us(us: int | None) -> datetime | None:
    """A stored instant back as an aware UTC datetime."""
    return None if us is None else datetime.fromtimestamp(us / 1_000_000, UTC)


def to_transaction(row: sqlite3.Row) -> Transaction:
    """A journal row as a value."""
    created, updated = from_us(row["created_at"]), from_us(row["updated_at"])
    assert created is not None and updated is not None
    return Transaction(
        row["client_txn_id"],
        to_request(row["request"]),
        TxnState(row["state"]),
        row["reason"],
        row["message"],
        row["portal_txn_id"],
        row["receipt_no"],
        row["portal_status"],
        row["fee_paise"],
        row["verify_attempts"],
        created,
        updated,
        from_us(row["sent_at"]),
        from_us(row["finished_at"]),
        bool(row["receipt_handed"]),
    )


def same_payment(first: PaymentRequest, again: PaymentRequest) -> None:
    """AlreadyExists CLIENT_TXN_ID_REUSED unless ``again`` asks for the same payment as ``first``."""
    if request_digest(first) != request_digest(again):
        raise AlreadyExists(
            f"client_txn_id {again.client_txn_id!r} was used for a different payment",
            reason="CLIENT_TXN_ID_REUSED",
            metadata={"field": "client_txn_id"},
        )
