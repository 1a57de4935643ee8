"""The portal's calls, as functions of the ledger and a parsed request body (docs/portal-protocol.md).

Each returns the reply body; ``ApiError`` becomes a signed 4xx reply (nothing was done).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any
from urllib.parse import parse_qs

from kioskhub.simulators.portal.ledger import MODES, Conflict, Ledger

_ID = re.compile(r"^[A-Za-z0-9._:/-]{1,64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_PAISE = 10**12


class ApiError(Exception):
    """A refused request: HTTP status, UPPER_SNAKE code and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return {"error": {"code": self.code, "message": self.message}}


def json_body(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object; ApiError 400 otherwise."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise ApiError(400, "BAD_REQUEST", "body is not JSON") from err
    if not isinstance(data, dict):
        raise ApiError(400, "BAD_REQUEST", "body must be a JSON object")
    return data


def _text(body: dict[str, Any], key: str, pattern: re.Pattern[str] | None = _ID, limit: int = 100) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ApiError(400, "BAD_REQUEST", f"{key}: a non-empty string of at most {limit} characters")
    if pattern is not None and not pattern.match(value):
        raise ApiError(400, "BAD_REQUEST", f"{key}: bad characters")
    return value


def wallet(ledger: Ledger, kiosk_id: str, now: float) -> dict[str, Any]:
    """The kiosk's balance."""
    return {"kiosk_id": kiosk_id, "balance_paise": ledger.balance(kiosk_id), "as_of": int(now)}


def services(ledger: Ledger) -> dict[str, Any]:
    """The catalog."""
    return {"services": [dataclasses.asdict(s) for s in ledger.services()]}


def bill(ledger: Ledger, raw: bytes) -> dict[str, Any]:
    """A consumer's current bill."""
    body = json_body(raw)
    service_id, consumer_no = _text(body, "service_id"), _text(body, "consumer_no", limit=32)
    service = ledger.service(service_id)
    if service is None or service.kind != "bill":
        raise ApiError(404, "UNKNOWN_SERVICE", f"no bill service {service_id!r}")
    found = ledger.bill(service_id, consumer_no)
    if found is None:
        raise ApiError(404, "CONSUMER_NOT_FOUND", f"no consumer {consumer_no!r} at {service_id}")
    return dataclasses.asdict(found)


def pay(ledger: Ledger, kiosk_id: str, raw: bytes, now: float, hold: str, polls: int) -> dict[str, Any]:
    """Record a payment (idempotent per client_txn_id)."""
    body = json_body(raw)
    order: dict[str, Any] = {
        "client_txn_id": _text(body, "client_txn_id"),
        "service_id": _text(body, "service_id"),
        "consumer_no": _text(body, "consumer_no", limit=32),
        "consumer_name": _text(body, "consumer_name", pattern=None),
        "mode": body.get("mode"),
        "amount_paise": body.get("amount_paise"),
        "instrument": body.get("instrument"),
    }
    amount = order["amount_paise"]
    if type(amount) is not int or not 0 < amount <= MAX_PAISE:
        raise ApiError(400, "BAD_REQUEST", "amount_paise: a positive integer (paise)")
    if order["mode"] not in MODES:
        raise ApiError(400, "BAD_REQUEST", f"mode: one of {', '.join(MODES)}")
    if (order["mode"] == "CASH") != (order["instrument"] is None) or not (
        order["instrument"] is None or isinstance(order["instrument"], dict)
    ):
        raise ApiError(400, "BAD_REQUEST", "instrument: an object for CHEQUE and DD, null for CASH")
    try:
        txn, duplicate = ledger.pay(kiosk_id, order, now, hold, polls)
    except Conflict as err:
        raise ApiError(409, "CLIENT_TXN_ID_REUSED", f"{err} was used for a different payment") from err
    return {**txn, "duplicate": duplicate, "balance_paise": ledger.balance(kiosk_id)}


def verify(ledger: Ledger, kiosk_id: str, raw: bytes, now: float) -> dict[str, Any]:
    """A payment's status by the kiosk's id for it."""
    client_txn_id = _text(json_body(raw), "client_txn_id")
    txn = ledger.verify(kiosk_id, client_txn_id, now)
    return {**txn, "balance_paise": ledger.balance(kiosk_id)}


def statement(ledger: Ledger, kiosk_id: str, query: str) -> dict[str, Any]:
    """Every payment of an IST day."""
    days = parse_qs(query).get("date", [])
    if len(days) != 1 or not _DAY.match(days[0]):
        raise ApiError(400, "BAD_REQUEST", "date: one YYYY-MM-DD query parameter")
    return {"date": days[0], "transactions": ledger.statement(kiosk_id, days[0])}
