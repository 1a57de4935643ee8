"""Transactions: e-Mitra payments through the portal (a capability of the hub, not a device class).

coordinator.TransactionCoordinator   the object the servicer calls (pay, verify, reconcile, ...)
payments.Payments                    the runner: the coordinator on the hub (events, receipts, power)
config.TransactionsConfig            the ``[transactions]`` table (``config.options()``: as declared)
portal.PortalClient                  the thin, signed HTTP client (docs/portal-protocol.md)
journal.Journal                      payments committed to SQLite before anything is sent
rules                                the kiosk rules (rate, wallet, inactivity, cheque), pure
receipt.Receipt                      what is handed to the receipt printer
reconcile                            the journal against the portal's statement
"""

from __future__ import annotations

from hubd.classes.spec import ClassSpec, ReportSection
from hubd.classes.transactions.config import options
from hubd.classes.transactions.reconcile import KINDS

SPEC = ClassSpec(
    name="transactions",
    title="Transactions: e-Mitra payments through the portal, journalled and reconciled",
    services=("hubd.classes.transactions.service:TransactionServicer",),
    runner="hubd.classes.transactions.payments:runner",
    cli="hubd.classes.transactions.cli",
    report=(ReportSection("Wallet", ("wallet",)),
            ReportSection("Payments, newest 20", ("txn", "list", "--limit", "20"))),
    demo="hubd.classes.transactions.demo",
    demo_order=45,
    simulate_config="hubd.classes.transactions.simulated:portal",
    settings_section="transactions",
    settings=options(),
    events={
        "PAYMENT_STATE": "a payment changed state (reason: INTENT, SENT, CONFIRMED, FAILED, IN_DOUBT)",
        "WALLET": "the wallet went under the e-Mitra minimum (WALLET_LOW) or back over it (WALLET_OK)",
        "INACTIVITY": "days without a transaction: INACTIVITY_WARNING, INACTIVITY_PENALTY, INACTIVITY_OK",
        "PORTAL": "the portal became unreachable (new payments refused) or reachable again",
        "RECONCILE": "a day was reconciled with the portal's statement",
        "RECEIPT": "a confirmed payment's receipt could not be handed to the printer (tried again later)",
    },
    reasons={
        "INTENT": "the payment is journalled; nothing sent yet",
        "SENT": "the payment request is leaving for the portal",
        "CONFIRMED": "the portal charged the payment",
        "FAILED": "the payment was not charged",
        "IN_DOUBT": "no trustworthy answer yet: settled by verifying, never by sending again",
        "WALLET_LOW": "the wallet is under the e-Mitra minimum (₹20,000)",
        "WALLET_OK": "the wallet is back over the minimum",
        "INACTIVITY_WARNING": "no transaction for 25 days: the ₹1,000 fine follows at 30",
        "INACTIVITY_PENALTY": "no transaction for 30 days: the fine applies",
        "INACTIVITY_OK": "a transaction ended the idle spell",
        "PORTAL_REACHABLE": "the portal answers again",
        "PORTAL_UNREACHABLE": "the portal cannot be reached: new payments are refused (work only online)",
        "PORTAL_TIMEOUT": "the portal did not answer in time (a payment is then verified, not re-sent)",
        "PORTAL_ERROR": "the portal answered with a server error",
        "PORTAL_REFUSED": "the portal refused the request (its own code in the metadata); nothing was done",
        "PORTAL_DECLINED": "the portal declined the payment",
        "PORTAL_PENDING": "the portal has the payment as pending: verified again later",
        "NO_REPLY": "the connection ended without a reply",
        "BAD_RESPONSE": "the portal's reply is not what the protocol says",
        "BAD_RESPONSE_SIGNATURE": "the portal's reply is not signed with the kiosk's secret: not trusted",
        "STALE_RESPONSE": "the portal's reply is older than the response window: not trusted",
        "REPLAYED_RESPONSE": "the portal's reply was seen before: not trusted",
        "NOT_SENT": "the payment never left the kiosk (a restart before sending)",
        "NOT_RECEIVED": "the portal never received the payment (recorded so it can never be charged)",
        "REVERSED": "the portal reversed the payment",
        "RATE_EXCEEDED": "the amount is above the service's fixed rate (metadata allowedPaise)",
        "AMOUNT_MISMATCH": "the amount differs from the bill's amount due (or, reconciling, the portal's)",
        "POST_DATED_INSTRUMENT": "the cheque or DD is dated in the future",
        "STALE_INSTRUMENT": "the cheque or DD is older than 3 months",
        "INSTRUMENT_NOT_ACCEPTED": "this service does not take a cheque or DD, or its details are missing",
        "WALLET_INSUFFICIENT": "the wallet cannot cover the payment",
        "CLIENT_TXN_ID_REUSED": "the client_txn_id was used before for another payment",
        "SERVICE_NOT_FOUND": "no such service on the portal's rate list",
        "CONSUMER_NOT_FOUND": "the portal knows no consumer with this number for the service",
        "TRANSACTION_NOT_FOUND": "no payment with this client_txn_id in the journal",
        "TRANSACTION_NOT_CONFIRMED": "only a confirmed payment has a receipt",
        "TRANSACTIONS_NOT_CONFIGURED": "[transactions] names no portal: payments are off",
        "JOURNAL_STATE": "the journal refused a state change that would go backwards",
        "RECONCILED": "the journal and the portal agree on the day",
        "RECONCILE_DIFFERENCES": "the journal and the portal disagree on some payments",
        "RECEIPT_HANDOFF_FAILED": "the receipt could not be queued for printing (tried again later)",
        **KINDS,
    },
    event_payload="hubd.classes.transactions.convert:event_payload",
)
