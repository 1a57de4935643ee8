"""The e-Mitra kiosk rules (from the kiosk training deck), as pure functions.

- Work only online; never charge above the fixed rate (for a bill: above the amount due).
- Keep at least ₹20,000 in the e-wallet (a warning below it); a payment that would take the
  wallet below zero is refused.
- No transaction for 30 days → ₹1,000 penalty: warn from 25 days.
- Cheque / DD: not post-dated, not older than 3 months; the consumer's name and number recorded.

Every refusal is a ``HubError`` whose message is Hindi, then English (an operator reads it), and
which names the request field at fault. Dates are India Standard Time.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from hubd.classes.transactions.codec import MAX_PAISE
from hubd.classes.transactions.model import IST, Bill, Instrument, PaymentMode, PaymentRequest, Service
from hubd.classes.transactions.money import rupees
from hubd.errors import FailedPrecondition, InvalidArgument, quote
from hubd.render.model import unprintable

TXN_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
SERVICE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CONSUMER_NO = re.compile(r"^[A-Za-z0-9._/-]{1,32}$")
INSTRUMENT_NO = re.compile(r"^[0-9]{6}$")


def today(now: datetime) -> date:
    """The IST date of an instant."""
    return now.astimezone(IST).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (30 Nov + 3 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _invalid(field: str, hindi: str, english: str, reason: str | None = None) -> InvalidArgument:
    return InvalidArgument(field, f"{hindi} / {english}", reason=reason)


def _text(value: object, field: str, limit: int, pattern: re.Pattern[str] | None = None) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(field, "आवश्यक है", "required")
    if len(value) > limit or not value.isprintable() or (pattern is not None and not pattern.match(value)):
        raise _invalid(field, "अमान्य मान", f"not valid: {quote(value)}")
    _printed(value, field)


def _printed(value: str, field: str) -> None:
    """A field the citizen's receipt prints: refused before charging when it cannot be printed
    (a payment taken whose receipt cannot print breaks the one-receipt-per-citizen rule)."""
    problem = unprintable(value)
    if problem is not None:
        raise _invalid(field, "रसीद पर नहीं छप सकता", f"cannot be printed on the receipt: {problem}")


def check_request(req: PaymentRequest, now: datetime, max_age_months: int = 3) -> None:
    """Check the request's fields (and a cheque's dates); InvalidArgument names the first bad one."""
    if not isinstance(req.client_txn_id, str) or not req.client_txn_id:
        raise _invalid(
            "client_txn_id",
            "आवश्यक है: कॉलर की लेन-देन आईडी",
            "required: the caller's transaction id (the idempotency key)",
        )
    _text(req.client_txn_id, "client_txn_id", 64, TXN_ID)
    _text(req.service_id, "service_id", 64, SERVICE_ID)
    _text(req.consumer_no, "consumer_no", 32, CONSUMER_NO)
    _text(req.consumer_name, "consumer_name", 100)
    if type(req.amount_paise) is not int or not 0 < req.amount_paise <= MAX_PAISE:
        raise _invalid("amount_paise", "राशि पूर्ण पैसों में, शून्य से अधिक", "whole paise, above zero")
    if not isinstance(req.mode, PaymentMode):
        raise _invalid("mode", "अमान्य भुगतान माध्यम", "one of CASH, CHEQUE, DD")
    if req.operator and (len(req.operator) > 64 or not req.operator.isprintable()):
        raise _invalid("operator", "अमान्य मान", "not valid")
    if req.operator:
        _printed(req.operator, "operator")
    if req.mode is PaymentMode.CASH:
        if req.instrument is not None:
            raise _invalid("instrument", "नकद भुगतान में चैक/डी.डी. नहीं", "no cheque/DD for a cash payment")
        return
    if req.instrument is None:
        raise _invalid("instrument", "चैक/डी.डी. का विवरण आवश्यक है", "cheque/DD details are required")
    check_instrument(req.instrument, today(now), max_age_months)


def check_instrument(inst: Instrument, on: date, max_age_months: int = 3) -> None:
    """A cheque or DD: six-digit number, bank named, not post-dated, not older than 3 months."""
    if not isinstance(inst.number, str) or not INSTRUMENT_NO.match(inst.number):
        raise _invalid(
            "instrument.number", "चैक/डी.डी. संख्या 6 अंकों की होनी चाहिए", "the cheque/DD number has six digits"
        )
    _text(inst.bank, "instrument.bank", 60)
    if not isinstance(inst.date, date):
        raise _invalid("instrument.date", "दिनांक आवश्यक है", "the date is required")
    if inst.date > on:
        raise _invalid(
            "instrument.date",
            f"चैक आगामी दिनांक ({inst.date:%d-%m-%Y}) का है",
            f"the cheque is post-dated ({inst.date:%d-%m-%Y})",
            reason="POST_DATED_INSTRUMENT",
        )
    if on >= add_months(inst.date, max_age_months):
        raise _invalid(
            "instrument.date",
            f"चैक/डी.डी. {max_age_months} माह से पुराना है ({inst.date:%d-%m-%Y})",
            f"the cheque/DD is older than {max_age_months} months ({inst.date:%d-%m-%Y})",
            reason="STALE_INSTRUMENT",
        )


def allowed_amount(service: Service, bill: Bill | None) -> int:
    """What the citizen may be charged: the fixed rate, or for a bill its amount due plus the rate."""
    return service.rate_paise + (bill.amount_due_paise if bill is not None else 0)


def check_charge(service: Service, bill: Bill | None, req: PaymentRequest) -> int:
    """The amount must be the service's: never above it (rejected with the rate shown). Returns it."""
    if not service.is_bill and req.mode is not PaymentMode.CASH:
        raise _invalid(
            "mode",
            f"{service.name_hi} के लिए केवल नकद",
            f"{service.name_en}: cash only",
            reason="INSTRUMENT_NOT_ACCEPTED",
        )
    allowed, amount = allowed_amount(service, bill), req.amount_paise
    what_hi, what_en = (
        ("बिल की देय राशि", "the bill's amount due") if service.is_bill else ("निर्धारित दर", "the fixed rate")
    )
    if amount > allowed:
        err = _invalid(
            "amount_paise",
            f"राशि {rupees(amount)} {what_hi} {rupees(allowed)} से अधिक है",
            f"{rupees(amount)} is above {what_en} {rupees(allowed)}",
            reason="RATE_EXCEEDED",
        )
    elif amount < allowed:
        err = _invalid(
            "amount_paise",
            f"राशि {rupees(amount)} {what_hi} {rupees(allowed)} के बराबर होनी चाहिए",
            f"{rupees(amount)} must equal {what_en} {rupees(allowed)}",
            reason="AMOUNT_MISMATCH",
        )
    else:
        return allowed
    err.metadata["allowedPaise"] = str(allowed)
    raise err


def wallet_warning(balance_paise: int, minimum_paise: int) -> str:
    """The bilingual warning when the wallet is under the minimum, else ""."""
    if balance_paise >= minimum_paise:
        return ""
    return (
        f"ई-वॉलेट शेष {rupees(balance_paise)} न्यूनतम {rupees(minimum_paise)} से कम है / "
        f"wallet balance {rupees(balance_paise)} is below the {rupees(minimum_paise)} minimum"
    )


def check_wallet(available_paise: int, debit_paise: int) -> int:
    """The balance after the debit; FailedPrecondition WALLET_INSUFFICIENT if it would go below zero."""
    after = available_paise - debit_paise
    if after < 0:
        raise FailedPrecondition(
            f"ई-वॉलेट में पर्याप्त राशि नहीं: उपलब्ध {rupees(available_paise)}, आवश्यक {rupees(debit_paise)} / "
            f"wallet too low: {rupees(available_paise)} available, {rupees(debit_paise)} needed",
            reason="WALLET_INSUFFICIENT",
            metadata={"availablePaise": str(available_paise), "neededPaise": str(debit_paise)},
        )
    return after


@dataclass(frozen=True)
class Inactivity:
    """How long the kiosk has gone without a transaction: level OK, INACTIVITY_WARNING or
    INACTIVITY_PENALTY, the whole days idle, and the bilingual message ("" when OK)."""

    level: str
    idle_days: int
    message: str


def inactivity(
    last: datetime, now: datetime, warn_days: int = 25, penalty_days: int = 30, penalty_paise: int = 100_000
) -> Inactivity:
    """Warn from ``warn_days`` without a transaction that the penalty follows at ``penalty_days``."""
    idle = max(0, int((now - last).total_seconds() // 86400))
    fine = rupees(penalty_paise)
    if idle >= penalty_days:
        return Inactivity(
            "INACTIVITY_PENALTY",
            idle,
            f"{idle} दिन से कोई लेन-देन नहीं: {fine} जुर्माना लागू / "
            f"no transaction for {idle} days: the {fine} penalty applies",
        )
    if idle >= warn_days:
        left = penalty_days - idle
        return Inactivity(
            "INACTIVITY_WARNING",
            idle,
            f"{idle} दिन से कोई लेन-देन नहीं: {penalty_days} दिन पर {fine} जुर्माना ({left} दिन शेष) / "
            f"no transaction for {idle} days: a {fine} penalty follows at {penalty_days} days "
            f"({left} days left)",
        )
    return Inactivity("OK", idle, "")
