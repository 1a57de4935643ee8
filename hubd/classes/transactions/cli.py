"""hubctl's payment commands, for the operator: ``hubctl txn services|bill|pay|show|list|verify|
reprint|reconcile`` and ``hubctl wallet``. Amounts are typed and shown in rupees (₹1,847.00); the
API takes paise. ``pay`` needs the operator's own id for the payment (``--id``): typed again after
a timeout, it returns the same payment, never a second one. Exit 1 when a payment did not end
CONFIRMED (FAILED, or IN_DOUBT: ``hubctl txn verify ID`` asks the portal again).
"""

from __future__ import annotations

import argparse
import re
import uuid
from datetime import UTC, date, datetime, time

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from hubd.classes.transactions.money import rupees
from hubd.cli.common import EXIT_FAILED, AddGlobals, Command, UsageError, emit
from hubd.cli.output import table
from kioskhub.v1 import transactions_pb2 as pb
from kioskhub.v1 import transactions_pb2_grpc

TIMEOUT = 60.0
MODES = {"cash": pb.PAYMENT_MODE_CASH, "cheque": pb.PAYMENT_MODE_CHEQUE, "dd": pb.PAYMENT_MODE_DD}
_RUPEES = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


def paise(text: str) -> int:
    """``1847`` or ``1847.50`` rupees → paise (argparse type)."""
    if not _RUPEES.match(text.strip()):
        raise argparse.ArgumentTypeError(f"not an amount in rupees: {text!r} (e.g. 1847 or 1847.50)")
    whole, _, frac = text.strip().partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add_globals: AddGlobals
) -> dict[str, Command]:
    """Add ``txn`` and ``wallet`` to hubctl."""
    txn = sub.add_parser("txn", help="e-Mitra payments: services, bills, pay, receipts, reconcile",
                         epilog="example: hubctl txn bill JVVNL_BILL 210341012345")
    what = txn.add_subparsers(dest="action", required=True, metavar="ACTION")
    parsers = {
        "services": what.add_parser("services", help="the rate list (fixed rates and kiosk fees)",
                                    epilog="example: hubctl txn services"),
        "bill": what.add_parser("bill", help="fetch a bill by consumer number",
                                epilog="example: hubctl txn bill JVVNL_BILL 210341012345"),
        "pay": what.add_parser("pay", help="take a payment (prints the citizen's receipt)",
                               epilog="example: hubctl txn pay --id K1-0001 JVVNL_BILL 210341012345 "
                                      "1847 --name 'Ramesh Kumar Sharma'"),
        "show": what.add_parser("show", help="one payment as the journal has it",
                                epilog="example: hubctl txn show K1-0001"),
        "list": what.add_parser("list", help="recent payments, newest first",
                                epilog="example: hubctl txn list --limit 20"),
        "verify": what.add_parser("verify", help="ask the portal what became of a payment",
                                  epilog="example: hubctl txn verify K1-0001"),
        "reprint": what.add_parser("reprint", help="print a payment's receipt again (marked DUPLICATE)",
                                   epilog="example: hubctl txn reprint K1-0001"),
        "reconcile": what.add_parser("reconcile", help="the day's journal against the portal's statement",
                                     epilog="example: hubctl txn reconcile --day 2026-12-05"),
    }
    parsers["bill"].add_argument("service_id")
    parsers["bill"].add_argument("consumer_no")
    pay = parsers["pay"]
    pay.add_argument("--id", dest="client_txn_id", required=True,
                     help="your id for this payment (the same id again never pays twice)")
    pay.add_argument("service_id")
    pay.add_argument("consumer_no")
    pay.add_argument("amount", type=paise, help="rupees, e.g. 1847 or 1847.50")
    pay.add_argument("--name", required=True, help="the consumer's name")
    pay.add_argument("--mode", choices=sorted(MODES), default="cash")
    pay.add_argument("--cheque", nargs=3, metavar=("NUMBER", "BANK", "YYYY-MM-DD"),
                     help="the cheque or DD (with --mode cheque|dd)")
    pay.add_argument("--operator", default="", help="who took the payment (on the receipt)")
    pay.add_argument("--quote", action="store_true", help="only show what the payment would be")
    for name in ("show", "verify", "reprint"):
        parsers[name].add_argument("client_txn_id")
    parsers["list"].add_argument("--limit", type=int, default=50, help="payments to show (default 50)")
    parsers["reprint"].add_argument("--request-id", default="", help="your id for this reprint "
                                    "(default: a new one); the same id again prints nothing more")
    parsers["reconcile"].add_argument("--day", default="", help="YYYY-MM-DD (default today, IST)")
    for p in (*parsers.values(), txn):
        add_globals(p)
    wallet = sub.add_parser("wallet", help="the kiosk's prepaid wallet and days without a transaction",
                            epilog="example: hubctl wallet")
    add_globals(wallet)
    return {"txn": cmd_txn, "wallet": cmd_wallet}


def _txn_text(t: pb.Transaction) -> str:
    p = t.payment
    state = pb.Transaction.State.Name(t.state).removeprefix("STATE_")
    rows = [["payment", t.client_txn_id], ["state", state + (f" ({t.reason})" if t.reason else "")],
            ["service", p.service_id], ["consumer", f"{p.consumer_no} {p.consumer_name}"],
            ["amount", rupees(p.amount_paise)], ["kiosk fee", rupees(t.fee_paise)],
            ["portal txn / receipt", f"{t.portal_txn_id or '-'} / {t.receipt_no or '-'}"],
            ["receipt printed", "handed to the printer" if t.receipt_handed else "not yet"]]
    if t.message:
        rows.append(["message", t.message])
    return table(["PAYMENT", ""], rows)


def _payment(args: argparse.Namespace) -> pb.Payment:
    payment = pb.Payment(service_id=args.service_id, consumer_no=args.consumer_no, consumer_name=args.name,
                         amount_paise=args.amount, mode=MODES[args.mode], operator=args.operator)
    if args.cheque:
        number, bank, day = args.cheque
        try:
            when = datetime.combine(date.fromisoformat(day), time(12), UTC)
        except ValueError as err:
            raise UsageError(f"--cheque date must be YYYY-MM-DD, not {day!r}") from err
        issued = Timestamp()
        issued.FromDatetime(when)
        payment.instrument.CopyFrom(pb.Instrument(number=number, bank=bank, issue_time=issued))
    return payment


def cmd_txn(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """One payment command."""
    stub = transactions_pb2_grpc.TransactionServiceStub(ch)
    if args.action == "services":
        services: list[pb.PortalService] = []
        token = ""
        while True:  # every page, as the hub gives them
            got = stub.ListServices(pb.ListServicesRequest(page_token=token), timeout=TIMEOUT)
            services += got.services
            if not (token := got.next_page_token):
                break
        if args.json:
            for s in services:
                emit(args, s)
        else:
            rows = [[s.service_id, f"{s.name_hi} / {s.name_en}",
                     "bill" if s.kind == pb.PortalService.KIND_BILL else rupees(s.rate_paise),
                     rupees(s.fee_paise)]
                    for s in services]
            print(table(["SERVICE", "NAME", "RATE", "KIOSK FEE"], rows))
        return None
    if args.action == "bill":
        bill = stub.FetchBill(pb.FetchBillRequest(service_id=args.service_id, consumer_no=args.consumer_no),
                              timeout=TIMEOUT).bill
        due = bill.due_time.ToDatetime().date().isoformat()
        emit(args, bill, table(["BILL", ""], [["consumer", f"{bill.consumer_no} {bill.consumer_name}"],
                                              ["amount due", rupees(bill.amount_due_paise)],
                                              ["due date", due], ["bill no", bill.bill_no]]))
        return None
    if args.action == "pay":
        return _pay(stub, args)
    if args.action == "list":
        if args.limit < 1:
            raise UsageError("--limit must be at least 1")
        payments: list[pb.Transaction] = []
        token = ""
        while len(payments) < args.limit:  # pages of the hub's default size (50), up to --limit
            page = stub.ListTransactions(pb.ListTransactionsRequest(page_token=token), timeout=TIMEOUT)
            payments += page.transactions
            if not (token := page.next_page_token):
                break
        payments = payments[: args.limit]
        if args.json:
            for t in payments:
                emit(args, t)
        else:
            rows = [[t.client_txn_id, pb.Transaction.State.Name(t.state).removeprefix("STATE_"),
                     t.payment.service_id, rupees(t.payment.amount_paise), t.receipt_no or "-"]
                    for t in payments]
            print(table(["PAYMENT", "STATE", "SERVICE", "AMOUNT", "RECEIPT"], rows))
        return None
    if args.action == "reprint":
        request = pb.ReprintReceiptRequest(client_txn_id=args.client_txn_id,
                                           request_id=args.request_id or str(uuid.uuid4()))
        job = stub.ReprintReceipt(request, timeout=TIMEOUT)
        emit(args, job, f"receipt reprint queued: print job {job.print_job_id} (marked DUPLICATE)")
        return None
    if args.action == "reconcile":
        report = stub.Reconcile(pb.ReconcileRequest(day=args.day), timeout=TIMEOUT).report
        lines = [report.summary] + [f"  {d.client_txn_id}: {d.kind} ({d.detail})" for d in report.differences]
        emit(args, report, "\n".join(lines))
        return EXIT_FAILED if report.differences else None
    cid = args.client_txn_id
    if args.action == "verify":
        verified = stub.VerifyTransaction(pb.VerifyTransactionRequest(client_txn_id=cid), timeout=TIMEOUT)
        txn = verified.transaction
    else:
        txn = stub.GetTransaction(pb.GetTransactionRequest(client_txn_id=cid), timeout=TIMEOUT).transaction
    emit(args, txn, _txn_text(txn))
    return None


def _pay(stub: transactions_pb2_grpc.TransactionServiceStub, args: argparse.Namespace) -> int | None:
    payment = _payment(args)
    if args.quote:
        q = stub.QuotePayment(pb.QuotePaymentRequest(payment=payment), timeout=TIMEOUT)
        rows = [["amount", rupees(q.amount_paise)], ["kiosk fee", rupees(q.fee_paise)],
                ["wallet", f"{rupees(q.wallet_before_paise)} -> {rupees(q.wallet_after_paise)}"]]
        emit(args, q, "\n".join([table(["QUOTE", ""], rows), *q.warnings]))
        return None
    request = pb.PayRequest(client_txn_id=args.client_txn_id, payment=payment)
    txn = stub.Pay(request, timeout=TIMEOUT).transaction
    emit(args, txn, _txn_text(txn))
    return None if txn.state == pb.Transaction.STATE_CONFIRMED else EXIT_FAILED


def cmd_wallet(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """The wallet's balance (warning under the minimum) and the inactivity count."""
    got = transactions_pb2_grpc.TransactionServiceStub(ch).GetWallet(pb.GetWalletRequest(), timeout=TIMEOUT)
    w, idle = got.wallet, got.inactivity
    rows = [["kiosk", w.kiosk_id], ["balance", rupees(w.balance_paise)],
            ["minimum", rupees(w.minimum_paise)], ["days without a transaction", str(idle.idle_days)]]
    warnings = [text for text in (w.warning, idle.message) if text]
    shown = [table(["WALLET / बटुआ", ""], rows), *(f"चेतावनी / WARNING: {t}" for t in warnings)]
    emit(args, got, "\n".join(shown))
    return None
