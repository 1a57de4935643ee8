"""The transactions capability on the hub (its runner): the coordinator's life, its events on the
hub's bus, every confirmed payment's receipt to the receipt printer, payments held by the UPS's
low-battery policy.

Without ``[transactions] portal_url`` (and not under ``--simulate``) transactions are off: the
service answers FAILED_PRECONDITION TRANSACTIONS_NOT_CONFIGURED and the rest of the hub runs.
A receipt's print job uses the receipt's idempotency key (``emitra-receipt:<portal txn id>``) as
its request id, so a receipt handed over twice (a restart) is printed once; a reprint asked for by
the operator is a new job marked DUPLICATE / प्रतिलिपि.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from hubd.classes.printer.spooler import Spooler
from hubd.classes.transactions import config as txn_config
from hubd.classes.transactions.coordinator import TransactionCoordinator
from hubd.classes.transactions.model import PaymentMode, TxnState
from hubd.classes.transactions.receipt import Receipt
from hubd.classes.ups.power import PowerPolicy
from hubd.device import DeviceClass
from hubd.errors import FailedPrecondition
from hubd.render.model import printable

if TYPE_CHECKING:
    from hubd.app import Hub
    from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)

UNKNOWN = "—"
"""What a receipt says for a name the portal's rate list gives, when it is not at hand (a receipt
owed from before a restart while the portal is unreachable): the receipt prints all the same."""
MODES = {PaymentMode.CASH: "नकद / Cash", PaymentMode.CHEQUE: "चेक / Cheque", PaymentMode.DD: "ड्राफ्ट / DD"}


def runner(hub: Hub) -> Payments:
    """The transactions capability's runner."""
    return Payments(hub)


@contextlib.asynccontextmanager
async def _no_power_policy(kind: str) -> AsyncIterator[None]:
    yield


class Payments:
    """The coordinator as the hub runs it (or nothing, when transactions are off)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.config = txn_config.from_section(hub.config.section("transactions"), hub.config.source)
        self._coordinator: TransactionCoordinator | None = None

    async def start(self, devices: list[Supervisor]) -> None:
        """Open the journal and settle what a previous run left open (ConfigError: bad secret)."""
        if self.config is None:
            log.info("transactions are off: no [transactions] portal_url")
            return
        coordinator = TransactionCoordinator(
            self.config, self.hub.state_dir, self.hub.clock, self._publish,
            power_work=self._power_work, on_receipt=self._hand_over,
        )
        await coordinator.start()
        self._coordinator = coordinator

    async def stop(self) -> None:
        """Let payments in progress finish, then close the journal."""
        if self._coordinator is not None:
            await self._coordinator.stop()
            self._coordinator = None

    @property
    def coordinator(self) -> TransactionCoordinator:
        """The running coordinator; FAILED_PRECONDITION when transactions are off."""
        if self._coordinator is None:
            raise FailedPrecondition(
                "transactions are not configured: [transactions] portal_url, kiosk_id, secret_file",
                reason="TRANSACTIONS_NOT_CONFIGURED",
            )
        return self._coordinator

    def _publish(self, kind: str, reason: str, message: str, payload: object) -> None:
        self.hub.bus.publish(kind, reason=reason, message=message, payload=payload)

    def _power_work(self, kind: str) -> AbstractAsyncContextManager[object]:
        policy = self.hub.runners.get("ups")
        return policy.work(kind) if isinstance(policy, PowerPolicy) else _no_power_policy(kind)

    async def _hand_over(self, receipt: Receipt) -> None:
        await self.print_receipt(receipt, receipt.idempotency_key)

    async def reprint(self, client_txn_id: str, request_id: str) -> str:
        """Print a CONFIRMED payment's receipt again, marked DUPLICATE: one print job per
        ``request_id`` of this payment (a retry returns it)."""
        txn = await self.coordinator.get(client_txn_id)
        if txn.state is not TxnState.CONFIRMED:
            raise FailedPrecondition(
                f"payment {client_txn_id} is {txn.state.value}: only a confirmed payment has a receipt",
                reason="TRANSACTION_NOT_CONFIRMED", metadata={"state": txn.state.value},
            )
        receipt = self.coordinator.receipt_of(txn)
        digest = hashlib.sha256(request_id.encode()).hexdigest()[:16]  # the key fits the queue's 128
        key = f"{receipt.idempotency_key}:reprint:{digest}"
        return await self.print_receipt(receipt, key, duplicate=True)

    async def print_receipt(self, receipt: Receipt, key: str, *, duplicate: bool = False) -> str:
        """Submit the bilingual receipt to the default receipt printer under request id ``key``;
        the print job's id."""
        spooler = self.hub.runner("printer", Spooler)
        printer = self.hub.find(DeviceClass.RECEIPT_PRINTER)
        job = await spooler.submit_receipt(printer.id, key, receipt_fields(receipt, duplicate))
        return job.job_id


def receipt_fields(receipt: Receipt, duplicate: bool = False) -> dict[str, Any]:
    """The receipt printer's fields (``hubd.render.model.Receipt``) for a payment's receipt: the
    amount to the department and the kiosk's fee add up to what the citizen paid. What the portal
    names (department, service, receipt and transaction numbers) is made printable, so a character
    the receipt cannot print costs a ``?``, and a name not at hand is the kiosk id or ``UNKNOWN``:
    never the receipt (the payment is already taken)."""
    extra = []
    if receipt.instrument is not None:
        inst = receipt.instrument
        extra.append(f"चेक/ड्राफ्ट / Cheque/DD {inst.number}, {printable(inst.bank[:40])}, {inst.date:%d-%m-%Y}")
    extra.append(f"कियोस्क लेनदेन / Kiosk txn: {receipt.client_txn_id}")
    if duplicate:
        extra.append("प्रतिलिपि / DUPLICATE COPY (reprint)")
    kiosk_id = printable(receipt.kiosk_id[:32])
    return {
        "kiosk_id": kiosk_id,
        "kiosk_name": _both(receipt.kiosk_name_hi, receipt.kiosk_name_en, 60) or kiosk_id,
        "receipt_no": printable(receipt.receipt_no[:32]),
        "transaction_id": printable(receipt.portal_txn_id[:48]),
        "department": _both(receipt.department_hi, receipt.department_en, 60) or UNKNOWN,
        "service": _both(receipt.service_hi, receipt.service_en, 80),
        "consumer_no": printable(receipt.consumer_no[:40]),
        "consumer_name": printable(receipt.consumer_name[:80]),
        "amount_paise": receipt.amount_paise - receipt.fee_paise,
        "kiosk_fee_paise": receipt.fee_paise,
        "payment_mode": MODES[receipt.payment_mode],
        "issued_at": receipt.issued_at,
        "operator": printable(receipt.operator[:40]) or kiosk_id,  # the receipt names someone
        "extra_lines": tuple(extra),
    }


def _both(hindi: str, english: str, limit: int) -> str:
    """"हिन्दी / English" when it fits in ``limit`` characters, else the Hindi (or English)."""
    if hindi and english and hindi != english and len(hindi) + len(english) + 3 <= limit:
        return printable(f"{hindi} / {english}")
    return printable((hindi or english)[:limit])
