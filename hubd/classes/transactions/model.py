"""Typed values of the transactions capability: catalog, bills, wallet, payments, their records.

Money is integer paise everywhere (``int``, never ``float``); dates for people are India Standard
Time (``IST``); instants are timezone-aware UTC ``datetime``s.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30), "IST")
"""India Standard Time: e-Mitra's business day (no DST; a kiosk PC's own zone is often UTC)."""


class PaymentMode(enum.StrEnum):
    """How the citizen paid the kiosk."""

    CASH = "CASH"
    CHEQUE = "CHEQUE"
    DD = "DD"


class PortalStatus(enum.StrEnum):
    """A payment's status at the portal."""

    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    PENDING = "PENDING"
    REVERSED = "REVERSED"


class TxnState(enum.StrEnum):
    """A payment's state in the journal.

    INTENT (committed before anything is sent) → SENT (committed just before the request leaves)
    → CONFIRMED (the portal says SUCCESS) | FAILED (not charged: declined, not received, reversed)
    | IN_DOUBT (no trustworthy answer yet, or PENDING: resolved by verify, never by re-sending).
    """

    INTENT = "INTENT"
    SENT = "SENT"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"
    IN_DOUBT = "IN_DOUBT"

    @property
    def final(self) -> bool:
        """True for CONFIRMED and FAILED."""
        return self in (TxnState.CONFIRMED, TxnState.FAILED)


@dataclass(frozen=True)
class Service:
    """One portal service: ``kind`` "bill" (amount = the bill) or "fixed" (amount = ``rate_paise``)."""

    service_id: str
    kind: str
    department_en: str
    department_hi: str
    name_en: str
    name_hi: str
    rate_paise: int
    fee_paise: int

    @property
    def is_bill(self) -> bool:
        """True for bill payments (electricity, water)."""
        return self.kind == "bill"


@dataclass(frozen=True)
class Bill:
    """A consumer's current bill at a biller."""

    service_id: str
    consumer_no: str
    consumer_name: str
    amount_due_paise: int
    due_date: date
    bill_no: str


@dataclass(frozen=True)
class KioskSession:
    """A login: the bearer token, when it expires, and the kiosk's names at the portal."""

    token: str
    expires_at: datetime
    kiosk_id: str
    name_en: str
    name_hi: str


@dataclass(frozen=True)
class Wallet:
    """The kiosk's prepaid wallet as the portal reported it."""

    kiosk_id: str
    balance_paise: int
    as_of: datetime


@dataclass(frozen=True)
class Instrument:
    """A cheque or demand draft: number, bank, the date written on it."""

    number: str
    bank: str
    date: date

    def to_wire(self) -> dict[str, str]:
        """The JSON object sent to the portal."""
        return {"number": self.number, "bank": self.bank, "date": self.date.isoformat()}


@dataclass(frozen=True)
class PaymentRequest:
    """What the caller asks to pay; ``client_txn_id`` is its idempotency key."""

    client_txn_id: str
    service_id: str
    consumer_no: str
    consumer_name: str
    amount_paise: int
    mode: PaymentMode = PaymentMode.CASH
    instrument: Instrument | None = None
    operator: str = ""

    def to_wire(self) -> dict[str, object]:
        """The portal's pay body (the operator stays local)."""
        return {
            "client_txn_id": self.client_txn_id,
            "service_id": self.service_id,
            "consumer_no": self.consumer_no,
            "consumer_name": self.consumer_name,
            "amount_paise": self.amount_paise,
            "mode": self.mode.value,
            "instrument": self.instrument.to_wire() if self.instrument else None,
        }


@dataclass(frozen=True)
class PortalTxn:
    """A payment as the portal reports it (pay, verify, statement)."""

    client_txn_id: str
    portal_txn_id: str
    receipt_no: str
    status: PortalStatus
    reason: str
    service_id: str
    consumer_no: str
    consumer_name: str
    amount_paise: int
    fee_paise: int
    mode: str
    created_at: datetime
    updated_at: datetime
    balance_paise: int | None = None
    duplicate: bool = False


@dataclass(frozen=True)
class Statement:
    """The portal's record of one IST day."""

    day: date
    transactions: tuple[PortalTxn, ...]


@dataclass(frozen=True)
class Quote:
    """A payment checked against the rules, nothing committed: what the citizen pays and the
    wallet after; ``warnings`` are bilingual lines for the operator."""

    service: Service
    bill: Bill | None
    amount_paise: int
    fee_paise: int
    wallet_before_paise: int
    wallet_after_paise: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transaction:
    """One payment as last committed to the journal."""

    client_txn_id: str
    request: PaymentRequest
    state: TxnState
    reason: str
    message: str
    portal_txn_id: str
    receipt_no: str
    portal_status: str
    fee_paise: int
    verify_attempts: int
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    receipt_handed: bool = False


@dataclass(frozen=True)
class WalletStatus:
    """The wallet as an operator sees it: the balance, the minimum, and a warning when below it."""

    kiosk_id: str
    balance_paise: int
    as_of: datetime
    minimum_paise: int
    warning: str

    @property
    def low(self) -> bool:
        """True when the balance is under the minimum (₹20,000 by the kiosk rules)."""
        return self.balance_paise < self.minimum_paise
