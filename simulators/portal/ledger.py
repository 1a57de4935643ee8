"""The simulated portal's ledger on disk (SQLite, WAL): kiosks and wallets, catalog, bills, payments.

Each change is one transaction, so the ledger a test reads is exactly what the portal committed.
``pay`` and ``verify`` keep the portal's rules (docs/portal-protocol.md): idempotent per (kiosk,
client_txn_id), the wallet debited ``amount - fee``, and verify of an unseen id recording it as
FAILED NOT_RECEIVED so that a late ``pay`` with that id is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kioskhub.simulators.portal.catalog import BILLS, SERVICES, Bill, Service

IST = timezone(timedelta(hours=5, minutes=30), "IST")
MODES = ("CASH", "CHEQUE", "DD")

SCHEMA = """
CREATE TABLE IF NOT EXISTS kiosks (kiosk_id TEXT PRIMARY KEY, secret BLOB NOT NULL, name_en TEXT NOT NULL,
    name_hi TEXT NOT NULL, balance_paise INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS services (service_id TEXT PRIMARY KEY, kind TEXT NOT NULL,
    department_en TEXT NOT NULL, department_hi TEXT NOT NULL, name_en TEXT NOT NULL,
    name_hi TEXT NOT NULL, rate_paise INTEGER NOT NULL, fee_paise INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bills (service_id TEXT NOT NULL, consumer_no TEXT NOT NULL,
    consumer_name TEXT NOT NULL, amount_due_paise INTEGER NOT NULL, due_date TEXT NOT NULL,
    bill_no TEXT NOT NULL, PRIMARY KEY (service_id, consumer_no));
CREATE TABLE IF NOT EXISTS txns (seq INTEGER PRIMARY KEY AUTOINCREMENT, kiosk_id TEXT NOT NULL,
    client_txn_id TEXT NOT NULL, portal_txn_id TEXT NOT NULL DEFAULT '', receipt_no TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', service_id TEXT NOT NULL DEFAULT '',
    consumer_no TEXT NOT NULL DEFAULT '', consumer_name TEXT NOT NULL DEFAULT '',
    amount_paise INTEGER NOT NULL DEFAULT 0, fee_paise INTEGER NOT NULL DEFAULT 0,
    mode TEXT NOT NULL DEFAULT '', instrument TEXT NOT NULL DEFAULT '',
    payload_sha256 TEXT NOT NULL DEFAULT '',
    hold TEXT NOT NULL DEFAULT '', polls_left INTEGER NOT NULL DEFAULT 0, day TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (kiosk_id, client_txn_id));
"""
WIRE_FIELDS = (
    "client_txn_id",
    "portal_txn_id",
    "receipt_no",
    "status",
    "reason",
    "service_id",
    "consumer_no",
    "consumer_name",
    "amount_paise",
    "fee_paise",
    "mode",
    "created_at",
    "updated_at",
)


class Conflict(Exception):
    """The client_txn_id was used before with a different payment."""


def payload_sha256(order: dict[str, Any]) -> str:
    """A digest of what a pay request asks for (its idempotency payload)."""
    keys = ("service_id", "consumer_no", "consumer_name", "amount_paise", "mode", "instrument")
    text = json.dumps({k: order.get(k) for k in keys}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def ist_day(unix: float) -> str:
    """The India Standard Time date of a Unix time."""
    return datetime.fromtimestamp(unix, UTC).astimezone(IST).date().isoformat()


class Ledger:
    """The portal's SQLite ledger."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        if not self.db.execute("SELECT 1 FROM services").fetchone():
            for service in SERVICES:
                self.put_service(service)
            for bill in BILLS:
                self.put_bill(bill)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        finally:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def put_kiosk(self, kiosk_id: str, secret: bytes, names: tuple[str, str], balance_paise: int) -> None:
        """Add or replace a kiosk with its secret and wallet."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO kiosks VALUES (?, ?, ?, ?, ?)",
                (kiosk_id, secret, *names, balance_paise),
            )

    def kiosk(self, kiosk_id: str) -> sqlite3.Row | None:
        """The kiosk's row, or None."""
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM kiosks WHERE kiosk_id = ?", (kiosk_id,)
        ).fetchone()
        return row

    def set_balance(self, kiosk_id: str, paise: int) -> None:
        """Set a kiosk's wallet balance; KeyError for an unknown kiosk."""
        with self._tx() as db:
            if not db.execute(
                "UPDATE kiosks SET balance_paise = ? WHERE kiosk_id = ?", (paise, kiosk_id)
            ).rowcount:
                raise KeyError(kiosk_id)

    def balance(self, kiosk_id: str) -> int:
        """A kiosk's wallet balance in paise."""
        row = self.kiosk(kiosk_id)
        if row is None:
            raise KeyError(kiosk_id)
        return int(row["balance_paise"])

    def put_service(self, service: Service) -> None:
        """Add or replace a catalog entry."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO services VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                dataclasses.astuple(service),
            )

    def services(self) -> list[Service]:
        """The catalog in id order."""
        return [Service(**dict(r)) for r in self.db.execute("SELECT * FROM services ORDER BY service_id")]

    def service(self, service_id: str) -> Service | None:
        """One catalog entry, or None."""
        row = self.db.execute("SELECT * FROM services WHERE service_id = ?", (service_id,)).fetchone()
        return Service(**dict(row)) if row else None

    def put_bill(self, bill: Bill) -> None:
        """Add or replace a consumer's bill."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO bills VALUES (?, ?, ?, ?, ?, ?)", dataclasses.astuple(bill))

    def bill(self, service_id: str, consumer_no: str) -> Bill | None:
        """A consumer's bill, or None."""
        row = self.db.execute(
            "SELECT * FROM bills WHERE service_id = ? AND consumer_no = ?", (service_id, consumer_no)
        ).fetchone()
        return Bill(**dict(row)) if row else None

    def find(self, kiosk_id: str, client_txn_id: str) -> sqlite3.Row | None:
        """The payment recorded under this id, or None."""
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM txns WHERE kiosk_id = ? AND client_txn_id = ?", (kiosk_id, client_txn_id)
        ).fetchone()
        return row

    def pay(
        self, kiosk_id: str, order: dict[str, Any], now: float, hold: str = "", polls: int = 0
    ) -> tuple[dict[str, Any], bool]:
        """Record a payment (or find the one under its id); return (transaction, duplicate).

        ``hold`` "pending" keeps it PENDING for ``polls`` verifies, then SUCCESS; "reversed" keeps
        it PENDING until the next verify reverses it and refunds the wallet.
        """
        digest = payload_sha256(order)
        with self._tx() as db:
            row = self.find(kiosk_id, order["client_txn_id"])
            if row is not None:
                if row["reason"] != "NOT_RECEIVED" and row["payload_sha256"] != digest:
                    raise Conflict(order["client_txn_id"])
                return self._wire(row), True
            service = self.service(order["service_id"])
            fee = service.fee_paise if service else 0
            reason = self._decline(kiosk_id, service, order, fee)
            status = "FAILED" if reason else "PENDING" if hold else "SUCCESS"
            t = int(now)
            cur = db.execute(
                "INSERT INTO txns (kiosk_id, client_txn_id, status, reason, service_id, consumer_no, "
                "consumer_name, amount_paise, fee_paise, mode, instrument, payload_sha256, hold, polls_left, "
                "day, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kiosk_id,
                    order["client_txn_id"],
                    status,
                    reason,
                    order["service_id"],
                    order["consumer_no"],
                    order["consumer_name"],
                    order["amount_paise"],
                    fee,
                    order["mode"],
                    json.dumps(order.get("instrument"), sort_keys=True, ensure_ascii=False),
                    digest,
                    hold,
                    polls,
                    ist_day(now),
                    t,
                    t,
                ),
            )
            seq = cur.lastrowid
            stamp = ist_day(now).replace("-", "")
            db.execute(
                "UPDATE txns SET portal_txn_id = ?, receipt_no = ? WHERE seq = ?",
                (f"EM{stamp}{seq:07d}", f"{kiosk_id.upper()}/{stamp}/{seq:06d}", seq),
            )
            if not reason:
                db.execute(
                    "UPDATE kiosks SET balance_paise = balance_paise - ? WHERE kiosk_id = ?",
                    (order["amount_paise"] - fee, kiosk_id),
                )
            row = db.execute("SELECT * FROM txns WHERE seq = ?", (seq,)).fetchone()
        return self._wire(row), False

    def _decline(self, kiosk_id: str, service: Service | None, order: dict[str, Any], fee: int) -> str:
        """Why the portal declines this payment, or "" to accept it."""
        if service is None:
            return "UNKNOWN_SERVICE"
        allowed = service.rate_paise
        if service.kind == "bill":
            bill = self.bill(service.service_id, order["consumer_no"])
            if bill is None:
                return "CONSUMER_NOT_FOUND"
            allowed += bill.amount_due_paise
        elif order["mode"] != "CASH":
            return "INSTRUMENT_NOT_ACCEPTED"
        if order["amount_paise"] > allowed:
            return "RATE_EXCEEDED"
        if order["amount_paise"] != allowed:
            return "AMOUNT_MISMATCH"
        if self.balance(kiosk_id) < order["amount_paise"] - fee:
            return "INSUFFICIENT_BALANCE"
        return ""

    def verify(self, kiosk_id: str, client_txn_id: str, now: float) -> dict[str, Any]:
        """The payment's status now, moving PENDING ones on; an unseen id is recorded NOT_RECEIVED."""
        t = int(now)
        with self._tx() as db:
            row = self.find(kiosk_id, client_txn_id)
            if row is None:
                db.execute(
                    "INSERT INTO txns (kiosk_id, client_txn_id, status, reason, day, created_at, "
                    "updated_at) VALUES (?, ?, 'FAILED', 'NOT_RECEIVED', ?, ?, ?)",
                    (kiosk_id, client_txn_id, ist_day(now), t, t),
                )
            elif row["status"] == "PENDING" and row["hold"] == "reversed":
                db.execute(
                    "UPDATE txns SET status = 'REVERSED', reason = 'REVERSED_BY_BILLER', updated_at = ? "
                    "WHERE seq = ?",
                    (t, row["seq"]),
                )
                db.execute(
                    "UPDATE kiosks SET balance_paise = balance_paise + ? WHERE kiosk_id = ?",
                    (row["amount_paise"] - row["fee_paise"], kiosk_id),
                )
            elif row["status"] == "PENDING" and row["polls_left"] > 0:
                db.execute("UPDATE txns SET polls_left = polls_left - 1 WHERE seq = ?", (row["seq"],))
            elif row["status"] == "PENDING":
                db.execute(
                    "UPDATE txns SET status = 'SUCCESS', updated_at = ? WHERE seq = ?", (t, row["seq"])
                )
            row = self.find(kiosk_id, client_txn_id)
        assert row is not None
        return self._wire(row)

    def statement(self, kiosk_id: str, day: str) -> list[dict[str, Any]]:
        """Every payment of the kiosk recorded on an IST day, in order."""
        rows = self.db.execute(
            "SELECT * FROM txns WHERE kiosk_id = ? AND day = ? ORDER BY seq", (kiosk_id, day)
        )
        return [self._wire(r) for r in rows]

    def transactions(self, kiosk_id: str | None = None) -> list[dict[str, Any]]:
        """Every recorded payment (of one kiosk, or all), with its kiosk id, in order."""
        rows = self.db.execute(
            "SELECT * FROM txns WHERE ? IS NULL OR kiosk_id = ? ORDER BY seq", (kiosk_id,) * 2
        )
        return [{"kiosk_id": r["kiosk_id"], **self._wire(r)} for r in rows]

    @staticmethod
    def _wire(row: sqlite3.Row) -> dict[str, Any]:
        return {name: row[name] for name in WIRE_FIELDS}
