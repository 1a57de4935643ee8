"""Recording payments: journal calls on the journal's own thread, the portal's answers mapped to
journal states, a PAYMENT_STATE event for every change, and receipts handed over once CONFIRMED.

Portal answer → journal state::

    SUCCESS → CONFIRMED      FAILED → FAILED (the portal's reason, e.g. NOT_RECEIVED)
    PENDING → IN_DOUBT PORTAL_PENDING      REVERSED → FAILED REVERSED (refunded)

An answer that names another payment, or a SUCCESS for another amount, is not believed
(``PortalBadReply`` BAD_RESPONSE): the payment then stays to be verified.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from hubd.classes.transactions.events import Publish, guarded
from hubd.classes.transactions.journal import Journal
from hubd.classes.transactions.messages import describe
from hubd.classes.transactions.model import PaymentRequest, PortalStatus, PortalTxn, Transaction, TxnState
from hubd.classes.transactions.portal import PortalBadReply
from hubd.classes.transactions.receipt import Receipt, ReceiptSink

log = logging.getLogger(__name__)

T = TypeVar("T")
_STATES = {
    PortalStatus.SUCCESS: (TxnState.CONFIRMED, ""),
    PortalStatus.PENDING: (TxnState.IN_DOUBT, "PORTAL_PENDING"),
    PortalStatus.REVERSED: (TxnState.FAILED, "REVERSED"),
}


class Recorder:
    """The journal, as the coordinator and the resolver use it."""

    def __init__(
        self,
        journal: Journal,
        publish: Publish,
        on_receipt: ReceiptSink | None,
        receipt_for: Callable[[Transaction], Receipt],
        on_balance: Callable[[int], None],
    ) -> None:
        self.journal = journal
        self._publish = publish
        self._on_receipt = on_receipt
        self._receipt_for = receipt_for
        self._on_balance = on_balance
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="txn-journal")
        self._handing: set[str] = set()

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a journal method on the journal's thread (a commit's fsync never blocks the loop)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(fn, *args))

    async def close(self) -> None:
        """Close the journal after pending calls."""
        await self.db(self.journal.close)
        self._pool.shutdown(wait=True)

    def publish(self, kind: str, reason: str, message: str, payload: object) -> None:
        """Publish an event (never raises)."""
        guarded(self._publish)(kind, reason, message, payload)

    def _changed(self, txn: Transaction) -> Transaction:
        self.publish("PAYMENT_STATE", txn.state.value, txn.message or describe(txn.state, txn.reason), txn)
        return txn

    async def begin(self, req: PaymentRequest) -> tuple[Transaction, bool]:
        """Commit the INTENT (or find the payment under its id)."""
        txn, created = await self.db(self.journal.begin, req)
        if created:
            self._changed(txn)
        return txn, created

    async def mark_sent(self, client_txn_id: str) -> Transaction:
        """Commit SENT."""
        return self._changed(await self.db(self.journal.mark_sent, client_txn_id))

    async def settle(
        self, client_txn_id: str, state: TxnState, reason: str, portal: PortalTxn | None = None
    ) -> Transaction:
        """Commit CONFIRMED / FAILED / IN_DOUBT (a final payment is left as it is)."""
        # Without a receipt sink printing is off: no receipt is owed, noted in the same commit.
        no_receipt = self._on_receipt is None and state is TxnState.CONFIRMED
        txn, changed = await self.db(
            self.journal.settle, client_txn_id, state, reason, describe(state, reason), portal, no_receipt
        )
        if changed:
            self._changed(txn)
            if txn.state is TxnState.CONFIRMED:
                txn = await self.hand_receipt(txn)
        return txn

    async def apply(self, request: PaymentRequest, answer: PortalTxn) -> Transaction:
        """Record the portal's (signed, checked) answer about ``request``."""
        if answer.client_txn_id != request.client_txn_id or (
            answer.status is PortalStatus.SUCCESS and answer.amount_paise != request.amount_paise
        ):
            raise PortalBadReply(
                f"portal answer for {answer.client_txn_id!r} ({answer.amount_paise} paise) does not match "
                f"payment {request.client_txn_id!r} ({request.amount_paise} paise)",
                reason="BAD_RESPONSE",
            )
        if answer.balance_paise is not None:
            self._on_balance(answer.balance_paise)
        state, reason = _STATES.get(answer.status, (TxnState.FAILED, answer.reason or "PORTAL_DECLINED"))
        return await self.settle(request.client_txn_id, state, reason, answer)

    async def hand_receipt(self, txn: Transaction) -> Transaction:
        """Hand a CONFIRMED payment's receipt over (once it returns, the journal notes it); a
        receipt being handed over right now is not handed over a second time."""
        if txn.receipt_handed or txn.client_txn_id in self._handing:
            return txn
        self._handing.add(txn.client_txn_id)
        try:
            if self._on_receipt is not None:
                await self._on_receipt(self._receipt_for(txn))
            await self.db(self.journal.mark_receipt_handed, txn.client_txn_id)
        except Exception as err:
            log.warning("receipt for %s not handed over: %s", txn.client_txn_id, err)
            text = f"रसीद प्रिंट के लिए नहीं भेजी जा सकी / receipt not sent to the printer: {err}"
            self.publish("RECEIPT", "RECEIPT_HANDOFF_FAILED", text, txn)
            return txn
        finally:
            self._handing.discard(txn.client_txn_id)  # only once the journal has it
        return dataclasses.replace(txn, receipt_handed=True)
