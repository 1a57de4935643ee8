"""Portal JSON replies → typed values, strictly: a wrong type, a float where paise belong, a
missing field or an out-of-range value is a ``ProtocolError`` BAD_RESPONSE naming the field.

Sans-IO: no sockets, no clock. The fields are those of docs/portal-protocol.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from hubd.classes.transactions.model import (
    Bill,
    KioskSession,
    PortalStatus,
    PortalTxn,
    Service,
    Statement,
    Wallet,
)
from hubd.errors import ProtocolError

MAX_PAISE = 10**12
"""₹1,000 crore: far above any kiosk payment or wallet, far below float trouble."""
MAX_TEXT = 200
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


def bad(where: str, what: str) -> ProtocolError:
    """The error for a malformed reply field."""
    return ProtocolError(f"portal reply: {where}: {what}", reason="BAD_RESPONSE", metadata={"field": where})


def decode(body: bytes) -> dict[str, Any]:
    """A reply body as a JSON object."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise bad("body", "not UTF-8 JSON") from err
    if not isinstance(data, dict):
        raise bad("body", "not a JSON object")
    return data


def text(d: Mapping[str, Any], key: str, *, empty: bool = False, limit: int = MAX_TEXT) -> str:
    """A string field of at most ``limit`` characters (non-empty unless ``empty``)."""
    value = d.get(key)
    if not isinstance(value, str) or len(value) > limit or (not value and not empty):
        raise bad(key, "expected a string" + ("" if empty else ", not empty"))
    return value


def paise(d: Mapping[str, Any], key: str) -> int:
    """An amount in paise: a JSON integer from 0 to ``MAX_PAISE`` (a float is refused)."""
    value = d.get(key)
    if type(value) is not int or not 0 <= value <= MAX_PAISE:
        raise bad(key, "expected whole paise (an integer from 0)")
    return value


def instant(d: Mapping[str, Any], key: str) -> datetime:
    """Unix seconds → an aware UTC datetime."""
    value = d.get(key)
    if type(value) is not int or not 0 <= value < 2**36:
        raise bad(key, "expected Unix seconds")
    return datetime.fromtimestamp(value, UTC)


def day(d: Mapping[str, Any], key: str) -> date:
    """A ``YYYY-MM-DD`` date."""
    value = text(d, key, limit=10)
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise bad(key, "expected YYYY-MM-DD") from err


def obj(d: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A nested JSON object."""
    value = d.get(key)
    if not isinstance(value, dict):
        raise bad(key, "expected an object")
    return value


def session(d: Mapping[str, Any]) -> KioskSession:
    """The login reply."""
    kiosk = obj(d, "kiosk")
    return KioskSession(
        text(d, "token", limit=512),
        instant(d, "expires_at"),
        text(kiosk, "kiosk_id"),
        text(kiosk, "name_en"),
        text(kiosk, "name_hi"),
    )


def wallet(d: Mapping[str, Any]) -> Wallet:
    """The wallet reply."""
    return Wallet(text(d, "kiosk_id"), paise(d, "balance_paise"), instant(d, "as_of"))


def service(d: Mapping[str, Any]) -> Service:
    """One catalog entry."""
    kind = text(d, "kind")
    if kind not in ("bill", "fixed"):
        raise bad("kind", "expected bill or fixed")
    return Service(
        text(d, "service_id", limit=64),
        kind,
        text(d, "department_en"),
        text(d, "department_hi"),
        text(d, "name_en"),
        text(d, "name_hi"),
        paise(d, "rate_paise"),
        paise(d, "fee_paise"),
    )


def services(d: Mapping[str, Any]) -> tuple[Service, ...]:
    """The catalog reply."""
    items = d.get("services")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad("services", "expected a list of objects")
    return tuple(service(i) for i in items)


def bill(d: Mapping[str, Any]) -> Bill:
    """The bill-fetch reply."""
    return Bill(
        text(d, "service_id", limit=64),
        text(d, "consumer_no", limit=32),
        text(d, "consumer_name"),
        paise(d, "amount_due_paise"),
        day(d, "due_date"),
        text(d, "bill_no", empty=True, limit=64),
    )


def txn(d: Mapping[str, Any]) -> PortalTxn:
    """A transaction (pay, verify, statement entry)."""
    try:
        status = PortalStatus(str(d.get("status")))
    except ValueError as err:
        raise bad("status", "expected SUCCESS, FAILED, PENDING or REVERSED") from err
    reason = text(d, "reason", empty=True, limit=64)
    if reason and not _CODE.match(reason):
        raise bad("reason", "expected an UPPER_SNAKE code")
    balance = paise(d, "balance_paise") if "balance_paise" in d else None
    duplicate = d.get("duplicate", False)
    if not isinstance(duplicate, bool):
        raise bad("duplicate", "expected true or false")
    return PortalTxn(
        text(d, "client_txn_id", limit=64),
        text(d, "portal_txn_id", empty=True, limit=64),
        text(d, "receipt_no", empty=True, limit=64),
        status,
        reason,
        text(d, "service_id", empty=True, limit=64),
        text(d, "consumer_no", empty=True, limit=32),
        text(d, "consumer_name", empty=True),
        paise(d, "amount_paise"),
        paise(d, "fee_paise"),
        text(d, "mode", empty=True, limit=16),
        instant(d, "created_at"),
        instant(d, "updated_at"),
        balance,
        duplicate,
    )


def statement(d: Mapping[str, Any]) -> Statement:
    """The statement reply."""
    items = d.get("transactions")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad("transactions", "expected a list of objects")
    return Statement(day(d, "date"), tuple(txn(i) for i in items))


def error(d: Mapping[str, Any]) -> tuple[str, str]:
    """(code, message) of an error reply; ("PORTAL_ERROR", "") when it has none usable."""
    err = d.get("error")
    if not isinstance(err, dict):
        return "PORTAL_ERROR", ""
    code, message = err.get("code"), err.get("message")
    code = code if isinstance(code, str) and _CODE.match(code) else "PORTAL_ERROR"
    return code, message[:MAX_TEXT] if isinstance(message, str) else ""
