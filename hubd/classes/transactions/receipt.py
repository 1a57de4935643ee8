"""What the coordinator hands to the receipt printer for each CONFIRMED payment.

The hand-off is a callback ``on_receipt(receipt) -> Awaitable[None]`` given to the coordinator; it
is called after CONFIRMED is committed and again after a restart until it returns without an
exception (the journal then notes it). A receipt can therefore be handed over more than once:
the printer's job must use ``receipt.idempotency_key`` (derived from the portal transaction id)
so that a second hand-off never prints a second receipt.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from hubd.classes.transactions.model import Instrument, PaymentMode, Service, Transaction


def receipt_key(portal_txn_id: str) -> str:
    """The print job's idempotency key for a payment's receipt."""
    return f"emitra-receipt:{portal_txn_id}"


@dataclass(frozen=True)
class Receipt:
    """The fields of a bilingual e-Mitra receipt; ``issued_at`` is UTC (print it in IST).

    ``amount_paise`` is what the citizen paid; ``fee_paise`` is the kiosk's fee (commission) on the
    payment, shown for information.
    """

    idempotency_key: str
    kiosk_id: str
    kiosk_name_en: str
    kiosk_name_hi: str
    receipt_no: str
    portal_txn_id: str
    client_txn_id: str
    service_id: str
    department_en: str
    department_hi: str
    service_en: str
    service_hi: str
    consumer_no: str
    consumer_name: str
    amount_paise: int
    fee_paise: int
    payment_mode: PaymentMode
    instrument: Instrument | None
    issued_at: datetime
    operator: str


ReceiptSink = Callable[[Receipt], Awaitable[None]]
"""The hand-off callback (stage 2: submit a print job keyed by ``idempotency_key``)."""


def build_receipt(
    txn: Transaction, service: Service | None, kiosk_id: str, kiosk_names: tuple[str, str]
) -> Receipt:
    """The receipt of a CONFIRMED payment (``service`` None: the catalog is not at hand; its id is used)."""
    req = txn.request
    return Receipt(
        idempotency_key=receipt_key(txn.portal_txn_id),
        kiosk_id=kiosk_id,
        kiosk_name_en=kiosk_names[0],
        kiosk_name_hi=kiosk_names[1],
        receipt_no=txn.receipt_no,
        portal_txn_id=txn.portal_txn_id,
        client_txn_id=txn.client_txn_id,
        service_id=req.service_id,
        department_en=service.department_en if service else "",
        department_hi=service.department_hi if service else "",
        service_en=service.name_en if service else req.service_id,
        service_hi=service.name_hi if service else req.service_id,
        consumer_no=req.consumer_no,
        consumer_name=req.consumer_name,
        amount_paise=req.amount_paise,
        fee_paise=txn.fee_paise,
        payment_mode=req.mode,
        instrument=req.instrument,
        issued_at=txn.finished_at or txn.updated_at,
        operator=req.operator,
    )
