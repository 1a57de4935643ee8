"""Transactions ⇄ ``kioskhub.v1`` messages (TransactionService and the event payload arms)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from hubd.classes.transactions.model import (
    IST,
    Bill,
    Instrument,
    PaymentMode,
    PaymentRequest,
    Quote,
    Service,
    Transaction,
    WalletStatus,
)
from hubd.classes.transactions.reconcile import ReconcileReport
from hubd.classes.transactions.rules import Inactivity
from hubd.errors import InvalidArgument, quote
from hubd.rpc.convert import timestamp
from kioskhub.v1 import transactions_pb2 as pb

_MODES = {pb.PAYMENT_MODE_UNSPECIFIED: PaymentMode.CASH, pb.PAYMENT_MODE_CASH: PaymentMode.CASH,
          pb.PAYMENT_MODE_CHEQUE: PaymentMode.CHEQUE, pb.PAYMENT_MODE_DD: PaymentMode.DD}
_MODES_PB = {PaymentMode.CASH: pb.PAYMENT_MODE_CASH, PaymentMode.CHEQUE: pb.PAYMENT_MODE_CHEQUE,
             PaymentMode.DD: pb.PAYMENT_MODE_DD}


_LEVELS = {"OK": pb.Inactivity.LEVEL_OK, "INACTIVITY_WARNING": pb.Inactivity.LEVEL_WARNING,
           "INACTIVITY_PENALTY": pb.Inactivity.LEVEL_PENALTY}


def _day(when: date) -> Any:
    return timestamp(datetime.combine(when, time(), IST))


def payment_from_pb(client_txn_id: str, payment: pb.Payment, field: str = "payment") -> PaymentRequest:
    """A payment request; fields are checked by the coordinator's rules (named as in the API)."""
    if payment.mode not in _MODES:
        raise InvalidArgument(f"{field}.mode", f"unknown payment mode {payment.mode}")
    instrument = None
    if payment.HasField("instrument"):
        inst = payment.instrument
        if not inst.HasField("issue_time"):
            raise InvalidArgument(f"{field}.instrument.issue_time", "required: the date on the cheque/DD")
        try:
            on = inst.issue_time.ToDatetime(tzinfo=UTC).astimezone(IST).date()
        except (ValueError, OverflowError) as err:
            raise InvalidArgument(f"{field}.instrument.issue_time", "is not a valid time") from err
        instrument = Instrument(inst.number, inst.bank, on)
    return PaymentRequest(
        client_txn_id=client_txn_id, service_id=payment.service_id, consumer_no=payment.consumer_no,
        consumer_name=payment.consumer_name, amount_paise=payment.amount_paise,
        mode=_MODES[payment.mode], instrument=instrument, operator=payment.operator,
    )


def payment_to_pb(req: PaymentRequest) -> pb.Payment:
    """The payment as the caller sent it."""
    msg = pb.Payment(service_id=req.service_id, consumer_no=req.consumer_no,
                     consumer_name=req.consumer_name, amount_paise=req.amount_paise,
                     mode=_MODES_PB[req.mode], operator=req.operator)
    if req.instrument is not None:
        msg.instrument.CopyFrom(pb.Instrument(number=req.instrument.number, bank=req.instrument.bank,
                                              issue_time=_day(req.instrument.date)))
    return msg


def transaction_to_pb(txn: Transaction) -> pb.Transaction:
    """A journalled payment."""
    return pb.Transaction(
        client_txn_id=txn.client_txn_id, payment=payment_to_pb(txn.request),
        state=pb.Transaction.State.Value(f"STATE_{txn.state.value}"),  # type: ignore[arg-type]
        reason=txn.reason,
        message=txn.message, portal_txn_id=txn.portal_txn_id, receipt_no=txn.receipt_no,
        portal_status=txn.portal_status, fee_paise=txn.fee_paise, verify_attempts=txn.verify_attempts,
        create_time=timestamp(txn.created_at), update_time=timestamp(txn.updated_at),
        send_time=timestamp(txn.sent_at), finish_time=timestamp(txn.finished_at),
        receipt_handed=txn.receipt_handed,
    )


def service_to_pb(s: Service) -> pb.PortalService:
    """A service on the rate list."""
    kind = pb.PortalService.KIND_BILL if s.is_bill else pb.PortalService.KIND_FIXED_RATE
    return pb.PortalService(service_id=s.service_id, kind=kind, department_en=s.department_en,
                            department_hi=s.department_hi, name_en=s.name_en, name_hi=s.name_hi,
                            rate_paise=s.rate_paise, fee_paise=s.fee_paise)


def bill_to_pb(b: Bill) -> pb.Bill:
    """A fetched bill."""
    return pb.Bill(service_id=b.service_id, consumer_no=b.consumer_no, consumer_name=b.consumer_name,
                   amount_due_paise=b.amount_due_paise, due_time=_day(b.due_date), bill_no=b.bill_no)


def quote_to_pb(q: Quote) -> pb.QuotePaymentResponse:
    """What a payment would be."""
    msg = pb.QuotePaymentResponse(service=service_to_pb(q.service), amount_paise=q.amount_paise,
                                  fee_paise=q.fee_paise, wallet_before_paise=q.wallet_before_paise,
                                  wallet_after_paise=q.wallet_after_paise, warnings=list(q.warnings))
    if q.bill is not None:
        msg.bill.CopyFrom(bill_to_pb(q.bill))
    return msg


def wallet_to_pb(w: WalletStatus) -> pb.WalletStatus:
    """The kiosk's wallet."""
    return pb.WalletStatus(kiosk_id=w.kiosk_id, balance_paise=w.balance_paise, read_time=timestamp(w.as_of),
                           minimum_paise=w.minimum_paise, low=w.low, warning=w.warning)


def inactivity_to_pb(i: Inactivity) -> pb.Inactivity:
    """Days without a transaction."""
    return pb.Inactivity(level=_LEVELS[i.level], idle_days=i.idle_days, message=i.message)


def report_to_pb(r: ReconcileReport) -> pb.ReconcileReport:
    """A day's reconciliation."""
    return pb.ReconcileReport(
        day=r.day.isoformat(), journal_confirmed=r.journal_confirmed,
        journal_confirmed_paise=r.journal_confirmed_paise, portal_success=r.portal_success,
        portal_success_paise=r.portal_success_paise, summary=r.summary(),
        differences=[pb.ReconcileDifference(
            client_txn_id=d.client_txn_id,
            kind=pb.ReconcileDifference.Kind.Value(f"KIND_{d.kind}"),  # type: ignore[arg-type]
            journal_state=d.journal_state,
            portal_status=d.portal_status, journal_paise=d.journal_paise, portal_paise=d.portal_paise,
            detail=d.detail) for d in r.differences],
    )


def day_from_pb(text: str) -> date | None:
    """``YYYY-MM-DD`` (empty: None, today)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise InvalidArgument("day", f"must be YYYY-MM-DD, got {quote(text)}") from err


def event_payload(payload: object) -> tuple[str, Any] | None:
    """The Event arm for a transactions event's payload (None for one it does not know)."""
    if isinstance(payload, Transaction):
        return "transaction", transaction_to_pb(payload)
    if isinstance(payload, WalletStatus):
        return "wallet_status", wallet_to_pb(payload)
    if isinstance(payload, Inactivity):
        return "inactivity", inactivity_to_pb(payload)
    if isinstance(payload, ReconcileReport):
        return "reconcile_report", report_to_pb(payload)
    return None
