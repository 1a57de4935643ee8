"""The payment journal: every payment is committed to SQLite before anything is sent.

``<state_dir>/transactions.db``: WAL, synchronous=FULL (each commit is fsynced before the caller
hears of it: power cuts are common at kiosks), file mode 0600. One row per ``client_txn_id``::

    INTENT ──mark_sent──► SENT ──settle──► CONFIRMED | FAILED | IN_DOUBT ──settle──► CONFIRMED | FAILED
       └──settle(FAILED) (never sent)                  (IN_DOUBT: verify decides, never a re-send)

A final state (CONFIRMED, FAILED) is never changed. Methods are synchronous, one short
transaction each; the coordinator runs them on its own thread. A crash point follows each commit.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from hubd import crash
from hubd.classes.transactions.model import PaymentRequest, PortalTxn, Transaction, TxnState
from hubd.classes.transactions.records import (
    SCHEMA,
    as_us,
    from_us,
    request_digest,
    request_json,
    same_payment,
    to_transaction,
)
from hubd.clock import Clock
from hubd.errors import HubError, StorageFull

log = logging.getLogger(__name__)

CRASH_POINTS = {
    "txn_intent_committed": "the payment's INTENT is committed; nothing has been sent to the portal",
    "txn_sent_committed": "the payment is committed as SENT; the pay request has not left yet",
    "txn_reply_received": "the portal's answer to pay or verify is in hand; the journal does not have it yet",
    "txn_confirmed": "CONFIRMED is committed; the caller is not answered, no receipt handed over",
    "txn_failed": "FAILED is committed; the caller is not answered",
    "txn_in_doubt": "IN_DOUBT is committed; no verify has been tried for it yet",
}
"""The journal's crash points (``KIOSKHUB_CRASH_AT``), with what has happened at each."""
crash.register(CRASH_POINTS)

_POINT = {
    TxnState.CONFIRMED: "txn_confirmed",
    TxnState.FAILED: "txn_failed",
    TxnState.IN_DOUBT: "txn_in_doubt",
}
_OPEN = (TxnState.INTENT.value, TxnState.SENT.value, TxnState.IN_DOUBT.value)


class Journal:
    """The payment journal in one SQLite file."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))  # never readable by others
        self.path.chmod(0o600)
        with self._guard():
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5.0)
            self._db.row_factory = sqlite3.Row
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("%s: journal_mode is %s, not wal", self.path, mode)
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('created_at', ?)", (str(as_us(clock.now())),)
            )

    def close(self) -> None:
        """Close the database (every commit is already on disk)."""
        self._db.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except sqlite3.Error as err:
                if "full" in str(err).lower():
                    raise StorageFull(f"payment journal {self.path}: {err}") from err
                raise HubError(f"payment journal {self.path}: {err}", reason="STORAGE_ERROR") from err

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            finally:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")

    def _fetch(self, client_txn_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._db.execute(
            "SELECT * FROM transactions WHERE client_txn_id = ?", (client_txn_id,)
        ).fetchone()
        return row

    # -- reads -------------------------------------------------------------------------------

    def get(self, client_txn_id: str) -> Transaction | None:
        """The payment as last committed, or None."""
        with self._guard():
            row = self._fetch(client_txn_id)
        return None if row is None else to_transaction(row)

    def unresolved(self) -> list[Transaction]:
        """Payments not final (INTENT, SENT, IN_DOUBT), oldest first."""
        sql = f"SELECT * FROM transactions WHERE state IN ({','.join('?' * len(_OPEN))}) ORDER BY seq"
        with self._guard():
            return [to_transaction(r) for r in self._db.execute(sql, _OPEN)]

    def newest(self, limit: int, before: int | None = None) -> list[tuple[int, Transaction]]:
        """Up to ``limit`` payments, newest first, each with its journal sequence number; only
        those before sequence ``before`` when given (a page token that new payments do not move)."""
        sql = "SELECT * FROM transactions WHERE seq < ? ORDER BY seq DESC LIMIT ?"
        with self._guard():
            rows = self._db.execute(sql, (2**62 if before is None else before, limit)).fetchall()
        return [(int(r["seq"]), to_transaction(r)) for r in rows]

    def receipts_due(self) -> list[Transaction]:
        """CONFIRMED payments whose receipt was not yet handed over, oldest first."""
        sql = "SELECT * FROM transactions WHERE state = 'CONFIRMED' AND receipt_handed = 0 ORDER BY seq"
        with self._guard():
            return [to_transaction(r) for r in self._db.execute(sql)]

    def created_between(self, start: datetime, end: datetime) -> list[Transaction]:
        """Payments begun in [start, end), oldest first."""
        sql = "SELECT * FROM transactions WHERE created_at >= ? AND created_at < ? ORDER BY seq"
        with self._guard():
            return [to_transaction(r) for r in self._db.execute(sql, (as_us(start), as_us(end)))]

    def last_activity(self) -> datetime:
        """When the kiosk last completed a payment (or, before any, when the journal began)."""
        with self._guard():
            last = self._db.execute(
                "SELECT MAX(finished_at) FROM transactions WHERE state = 'CONFIRMED'"
            ).fetchone()[0]
            began = self._db.execute("SELECT value FROM meta WHERE key = 'created_at'").fetchone()[0]
        when = from_us(int(last) if last is not None else int(began))
        assert when is not None
        return when

    # -- transitions -------------------------------------------------------------------------

    def begin(self, req: PaymentRequest) -> tuple[Transaction, bool]:
        """Commit a new INTENT (True), or return the payment already under this id (False).

        The same id with a different payment is ``AlreadyExists`` CLIENT_TXN_ID_REUSED.
        """
        digest, now = request_digest(req), as_us(self.clock.now())
        with self._tx() as db:
            row = self._fetch(req.client_txn_id)
            if row is None:
                db.execute(
                    "INSERT INTO transactions (client_txn_id, request, request_sha256, state, created_at, "
                    "updated_at) VALUES (?, ?, ?, 'INTENT', ?, ?)",
                    (req.client_txn_id, request_json(req), digest, now, now),
                )
                row = self._fetch(req.client_txn_id)
                created = True
            elif row["request_sha256"] != digest:
                same_payment(to_transaction(row).request, req)
            else:
                created = False
        assert row is not None
        if created:
            crash.crash_point("txn_intent_committed")
        return to_transaction(row), created

    def mark_sent(self, client_txn_id: str) -> Transaction:
        """INTENT → SENT, committed just before the request leaves."""
        now = as_us(self.clock.now())
        with self._tx() as db:
            changed = db.execute(
                "UPDATE transactions SET state = 'SENT', sent_at = ?, updated_at = ? "
                "WHERE client_txn_id = ? AND state = 'INTENT'",
                (now, now, client_txn_id),
            ).rowcount
            row = self._fetch(client_txn_id)
        if not changed or row is None:
            raise HubError(f"payment {client_txn_id!r} is not an INTENT: not sent", reason="JOURNAL_STATE")
        crash.crash_point("txn_sent_committed")
        return to_transaction(row)

    def settle(
        self,
        client_txn_id: str,
        state: TxnState,
        reason: str,
        message: str,
        portal: PortalTxn | None = None,
        receipt_handed: bool = False,
    ) -> tuple[Transaction, bool]:
        """Record CONFIRMED, FAILED or IN_DOUBT (with the portal's answer, if any); return the
        payment and whether its state or reason changed. A final payment is left as it is."""
        now = as_us(self.clock.now())
        finished = now if state.final else None
        with self._tx() as db:
            row = self._fetch(client_txn_id)
            if row is None:
                raise HubError(f"payment {client_txn_id!r} is not in the journal", reason="JOURNAL_STATE")
            if TxnState(row["state"]).final:
                return to_transaction(row), False
            changed = (row["state"], row["reason"]) != (state.value, reason)
            db.execute(
                "UPDATE transactions SET state = ?, reason = ?, message = ?, portal_txn_id = ?, "
                "receipt_no = ?, portal_status = ?, fee_paise = ?, updated_at = ?, finished_at = ?, "
                "receipt_handed = MAX(receipt_handed, ?) WHERE client_txn_id = ?",
                (
                    state.value,
                    reason,
                    message,
                    portal.portal_txn_id if portal else row["portal_txn_id"],
                    portal.receipt_no if portal else row["receipt_no"],
                    portal.status.value if portal else row["portal_status"],
                    portal.fee_paise if portal else row["fee_paise"],
                    now,
                    finished,
                    int(receipt_handed),
                    client_txn_id,
                ),
            )
            row = self._fetch(client_txn_id)
        assert row is not None
        crash.crash_point(_POINT[state])
        return to_transaction(row), changed

    def count_verify(self, client_txn_id: str) -> None:
        """Note one more verify attempt."""
        with self._tx() as db:
            db.execute(
                "UPDATE transactions SET verify_attempts = verify_attempts + 1 WHERE client_txn_id = ?",
                (client_txn_id,),
            )

    def mark_receipt_handed(self, client_txn_id: str) -> None:
        """Note that the receipt was handed to the printer (its queue dedupes by key)."""
        with self._tx() as db:
            db.execute("UPDATE transactions SET receipt_handed = 1 WHERE client_txn_id = ?", (client_txn_id,))
