"""``kioskhub.v1.TransactionService``: thin: convert, call the coordinator, convert."""

from __future__ import annotations

from typing import Any

from hubd.app import Hub
from hubd.classes.transactions import convert
from hubd.classes.transactions.coordinator import TransactionCoordinator
from hubd.classes.transactions.model import PaymentRequest
from hubd.classes.transactions.payments import Payments
from hubd.errors import InvalidArgument
from hubd.rpc.paging import Page
from kioskhub.v1 import transactions_pb2 as pb
from kioskhub.v1 import transactions_pb2_grpc

Ctx = Any
TOP_LEVEL = {"client_txn_id"}
"""Request fields the rules name that sit at the top of PayRequest (the rest are in ``payment``)."""
API_NAMES = {"instrument.date": "instrument.issue_time"}
"""Fields the rules name otherwise than the API."""


class TransactionServicer(transactions_pb2_grpc.TransactionServiceServicer):
    """Payments, bills, the wallet and reconciliation through the portal."""

    SERVICE = pb.DESCRIPTOR.services_by_name["TransactionService"]

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    @property
    def payments(self) -> Payments:
        """The class's runner."""
        return self.hub.runner("transactions", Payments)

    @property
    def coordinator(self) -> TransactionCoordinator:
        """The coordinator (FAILED_PRECONDITION TRANSACTIONS_NOT_CONFIGURED when off)."""
        return self.payments.coordinator

    async def ListServices(self, request: pb.ListServicesRequest, context: Ctx) -> Any:
        """The rate list by service_id, a page at a time (the token is the last service_id)."""
        page = Page.of(request.page_size, request.page_token, ["services"])
        after = page.after if isinstance(page.after, str) else ""
        services = sorted((s for s in await self.coordinator.list_services() if s.service_id > after),
                          key=lambda s: s.service_id)
        shown = services[: page.size]
        more = len(services) > page.size
        return pb.ListServicesResponse(services=[convert.service_to_pb(s) for s in shown],
                                       next_page_token=page.token(shown[-1].service_id if more else None))

    async def FetchBill(self, request: pb.FetchBillRequest, context: Ctx) -> Any:
        """A bill by consumer number."""
        bill = await self.coordinator.fetch_bill(request.service_id, request.consumer_no)
        return pb.FetchBillResponse(bill=convert.bill_to_pb(bill))

    async def QuotePayment(self, request: pb.QuotePaymentRequest, context: Ctx) -> Any:
        """What a payment would be, charging nothing."""
        quote = await _named(self.coordinator.quote(_request("quote", request.payment)))
        return convert.quote_to_pb(quote)

    async def Pay(self, request: pb.PayRequest, context: Ctx) -> Any:
        """Pay once per client_txn_id."""
        if not request.client_txn_id:
            raise InvalidArgument("client_txn_id", "required: the caller's id for this payment")
        if not request.HasField("payment"):
            raise InvalidArgument("payment", "required")
        txn = await _named(self.coordinator.pay(_request(request.client_txn_id, request.payment)))
        return pb.PayResponse(transaction=convert.transaction_to_pb(txn))

    async def GetTransaction(self, request: pb.GetTransactionRequest, context: Ctx) -> Any:
        """A payment as journalled."""
        txn = await self.coordinator.get(_txn_id(request.client_txn_id))
        return pb.GetTransactionResponse(transaction=convert.transaction_to_pb(txn))

    async def ListTransactions(self, request: pb.ListTransactionsRequest, context: Ctx) -> Any:
        """Payments newest first, a page at a time (the token is a journal position)."""
        page = Page.of(request.page_size, request.page_token, ["transactions"])
        before = page.after if isinstance(page.after, int) else None
        rows = await self.coordinator.history(page.size + 1, before)
        more = len(rows) > page.size
        rows = rows[: page.size]
        return pb.ListTransactionsResponse(
            transactions=[convert.transaction_to_pb(txn) for _, txn in rows],
            next_page_token=page.token(rows[-1][0] if more else None),
        )

    async def VerifyTransaction(self, request: pb.VerifyTransactionRequest, context: Ctx) -> Any:
        """Ask the portal now."""
        txn = await self.coordinator.verify(_txn_id(request.client_txn_id))
        return pb.VerifyTransactionResponse(transaction=convert.transaction_to_pb(txn))

    async def ReprintReceipt(self, request: pb.ReprintReceiptRequest, context: Ctx) -> Any:
        """The receipt again, marked DUPLICATE."""
        if not request.request_id or len(request.request_id) > 128 or not request.request_id.isprintable():
            raise InvalidArgument("request_id", "required: 1-128 printable characters (a retry prints once)")
        job_id = await self.payments.reprint(_txn_id(request.client_txn_id), request.request_id)
        return pb.ReprintReceiptResponse(print_job_id=job_id)

    async def Reconcile(self, request: pb.ReconcileRequest, context: Ctx) -> Any:
        """A day against the portal's statement."""
        report = await self.coordinator.reconcile(convert.day_from_pb(request.day))
        return pb.ReconcileResponse(report=convert.report_to_pb(report))

    async def GetWallet(self, request: pb.GetWalletRequest, context: Ctx) -> Any:
        """Balance and inactivity."""
        wallet = await self.coordinator.wallet()
        inactivity = await self.coordinator.inactivity()
        return pb.GetWalletResponse(wallet=convert.wallet_to_pb(wallet),
                                    inactivity=convert.inactivity_to_pb(inactivity))


def _txn_id(value: str) -> str:
    if not value:
        raise InvalidArgument("client_txn_id", "required")
    if len(value) > 64:
        raise InvalidArgument("client_txn_id", "at most 64 characters")
    return value


def _request(client_txn_id: str, payment: pb.Payment) -> PaymentRequest:
    return convert.payment_from_pb(client_txn_id, payment)


async def _named(call: Any) -> Any:
    """Await ``call``; a field the rules name is renamed as the API nests it (``payment.<field>``)."""
    try:
        return await call
    except InvalidArgument as err:
        if err.field and err.field not in TOP_LEVEL and not err.field.startswith("payment."):
            field = API_NAMES.get(err.field, err.field)
            renamed = InvalidArgument(f"payment.{field}", err.description, reason=err.reason)
            renamed.metadata = {**err.metadata, "field": renamed.field}
            raise renamed from err
        raise
