"""Settling payments in doubt: verify with the portal (never re-send), with backoff.

- ``recover()`` at start, before anything else: an INTENT (never sent) becomes FAILED NOT_SENT;
  every SENT or IN_DOUBT payment is verified. It returns True once the portal answered for all.
- ``verify_inline(txn)`` right after a pay ends in doubt: a few verifies, backing off.
- ``run(busy)`` in the background: each unsettled payment not being paid right now is verified
  again with exponential backoff (``verify_backoff`` doubling up to ``verify_backoff_max``), and
  receipts not yet handed over are handed over.

The portal records an id it never received as FAILED NOT_RECEIVED when asked, so a verify settles
every payment for good: a pay with that id arriving later cannot charge.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Container

from hubd import crash
from hubd.classes.transactions.config import TransactionsConfig
from hubd.classes.transactions.model import PortalTxn, Transaction, TxnState
from hubd.classes.transactions.recorder import Recorder
from hubd.clock import Clock
from hubd.errors import HubError

log = logging.getLogger(__name__)


class Resolver:
    """Verifies unsettled payments until each is CONFIRMED or FAILED."""

    def __init__(
        self,
        recorder: Recorder,
        verify: Callable[[str], Awaitable[PortalTxn]],
        clock: Clock,
        config: TransactionsConfig,
    ) -> None:
        self.recorder = recorder
        self._ask = verify
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # id → (lock, users)
        self.clock = clock
        self.config = config
        self._backoff: dict[str, tuple[float, float]] = {}  # id → (next try, monotonic; next delay)

    async def verify_once(self, txn: Transaction) -> tuple[Transaction, bool]:
        """Ask the portal once; return the payment as now recorded and whether the portal answered.

        One verify per payment at a time: a second caller waits, then sees the first's result."""
        cid = txn.client_txn_id
        lock, users = self._locks.get(cid, (asyncio.Lock(), 0))
        self._locks[cid] = (lock, users + 1)
        try:
            async with lock:
                current = await self.recorder.db(self.recorder.journal.get, cid)
                if current is None or current.state.final:
                    return current or txn, True
                return await self._verify(current)
        finally:
            lock, users = self._locks[cid]
            if users == 1:
                del self._locks[cid]
            else:
                self._locks[cid] = (lock, users - 1)

    async def _verify(self, txn: Transaction) -> tuple[Transaction, bool]:
        if txn.state is TxnState.INTENT:
            return await self.recorder.settle(txn.client_txn_id, TxnState.FAILED, "NOT_SENT"), True
        await self.recorder.db(self.recorder.journal.count_verify, txn.client_txn_id)
        try:
            answer = await self._ask(txn.client_txn_id)
            crash.crash_point("txn_reply_received")
            return await self.recorder.apply(txn.request, answer), True
        except HubError as err:
            log.info("verify %s: %s", txn.client_txn_id, err)
            if txn.state is TxnState.SENT:
                txn = await self.recorder.settle(txn.client_txn_id, TxnState.IN_DOUBT, err.reason)
            return txn, False

    async def verify_inline(self, txn: Transaction) -> Transaction:
        """Up to ``verify_inline_attempts`` verifies, backing off; the payment as then recorded."""
        delay = self.config.verify_backoff
        for attempt in range(self.config.verify_inline_attempts):
            if attempt:
                await self.clock.sleep(delay)
                delay = min(2 * delay, self.config.verify_backoff_max)
            txn, _ = await self.verify_once(txn)
            if txn.state.final:
                break
        return txn

    async def recover(self, busy: Container[str] = ()) -> bool:
        """Settle what a previous run left open; True when the portal answered for every payment."""
        answered = True
        for txn in await self.recorder.db(self.recorder.journal.unresolved):
            if txn.client_txn_id in busy:
                continue
            _, reached = await self.verify_once(txn)
            answered = answered and reached
        return answered

    async def run(self, busy: Container[str]) -> None:
        """Forever: verify what is due, hand over receipts owed, sleep until the next is due."""
        while True:
            await self.clock.sleep(await self.step(busy))

    async def step(self, busy: Container[str]) -> float:
        """One round; return the seconds until the next payment is due."""
        cfg, now = self.config, self.clock.monotonic()
        wait = cfg.verify_backoff_max
        for txn in await self.recorder.db(self.recorder.journal.unresolved):
            cid = txn.client_txn_id
            if cid in busy:
                continue
            due, delay = self._backoff.get(cid, (now, cfg.verify_backoff))
            if due > now:
                wait = min(wait, due - now)
                continue
            txn, _ = await self.verify_once(txn)
            if txn.state.final:
                self._backoff.pop(cid, None)
            else:
                self._backoff[cid] = (now + delay, min(2 * delay, cfg.verify_backoff_max))
                wait = min(wait, delay)
        for txn in await self.recorder.db(self.recorder.journal.receipts_due):
            await self.recorder.hand_receipt(txn)
        return wait
