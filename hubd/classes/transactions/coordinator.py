"""``TransactionCoordinator``: the hub's payments capability, the one object the servicer calls.

A payment (``pay``) goes: request checked → (after a restart) payments left open verified →
the kiosk rules kept (fixed rate, wallet, cheque; the low-battery policy) → INTENT committed →
SENT committed → one pay request → the answer recorded. Without a trustworthy answer the payment
is IN_DOUBT and settled by verify (``resolver``): it is sent at most once, never under another
id. With the portal unreachable a new payment is refused (PORTAL_UNREACHABLE), never queued.
``pay`` runs in a task of its own, so a caller that goes away does not cut a payment in half, and
a second call with the same id waits for the first and gets the same transaction.

Events go to ``publish(kind, reason, message, payload)`` (``events``), receipts to ``on_receipt``
(``receipt``), and each payment is held in ``power_work("payment")``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import date
from pathlib import Path

from hubd import crash
from hubd.classes.transactions import rules
from hubd.classes.transactions.config import TransactionsConfig
from hubd.classes.transactions.events import Publish, guarded
from hubd.classes.transactions.journal import Journal
from hubd.classes.transactions.model import (
    Bill,
    PaymentRequest,
    Quote,
    Service,
    Transaction,
    TxnState,
    WalletStatus,
)
from hubd.classes.transactions.portal import PortalClient, PortalUnreachable, maybe_processed
from hubd.classes.transactions.receipt import Receipt, ReceiptSink, build_receipt
from hubd.classes.transactions.reconcile import ReconcileReport, reconcile_day
from hubd.classes.transactions.recorder import Recorder
from hubd.classes.transactions.records import same_payment
from hubd.classes.transactions.resolver import Resolver
from hubd.classes.transactions.signing import load_secret
from hubd.classes.transactions.view import PortalView
from hubd.classes.transactions.watch import InactivityWatch
from hubd.clock import Clock
from hubd.errors import HubError, InvalidArgument, NotFound

log = logging.getLogger(__name__)

PowerWork = Callable[[str], AbstractAsyncContextManager[object]]
"""``power_work("payment")`` holds power-critical work and raises ``ShuttingDown`` when the
low-battery policy refuses it; the hub passes ``PowerPolicy.work``."""


@contextlib.asynccontextmanager
async def _unguarded(kind: str) -> AsyncIterator[None]:
    yield


class TransactionCoordinator:
    """Payments through the portal: journalled, verified, reconciled."""

    def __init__(
        self,
        config: TransactionsConfig,
        state_dir: Path,
        clock: Clock,
        publish: Publish,
        *,
        power_work: PowerWork | None = None,
        on_receipt: ReceiptSink | None = None,
    ) -> None:
        self.config = config
        self.journal_path = Path(state_dir) / "transactions.db"
        self.clock = clock
        self._publish = guarded(publish)
        self._power = power_work or _unguarded
        self._on_receipt = on_receipt
        self._busy: dict[str, tuple[PaymentRequest, asyncio.Task[Transaction]]] = {}
        self._reserved: dict[str, int] = {}
        self._recovered = False
        self._tasks: list[asyncio.Task[None]] = []

    # -- life --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Read the secret (ConfigError if unsafe), open the journal, and verify payments left open
        by a previous run before anything else (an unreachable portal is not fatal: they wait)."""
        crash.load()
        cfg = self.config
        client = PortalClient(
            cfg.portal_url,
            cfg.kiosk_id,
            load_secret(cfg.secret_file),
            self.clock,
            timeout=cfg.timeout,
            connect_timeout=cfg.connect_timeout,
            window=cfg.response_window,
            refresh_margin=cfg.token_refresh_margin,
        )
        self.view = PortalView(client, self.clock, cfg, self._publish)
        journal = await asyncio.to_thread(Journal, self.journal_path, self.clock)
        self.recorder = Recorder(
            journal, self._publish, self._on_receipt, self._receipt, self.view.note_balance
        )
        self.resolver = Resolver(
            self.recorder, lambda cid: self.view.call(client.verify(cid)), self.clock, cfg
        )
        self.watch = InactivityWatch(self.recorder, self.clock, cfg, self._publish)
        with contextlib.suppress(HubError):
            await self.view.services()  # names for receipts owed from before
        self._recovered = await self.resolver.recover()
        for txn in await self.recorder.db(journal.receipts_due):
            await self.recorder.hand_receipt(txn)
        self._tasks = [
            asyncio.create_task(self._supervise("resolver", lambda: self.resolver.run(self._busy))),
            asyncio.create_task(self._supervise("inactivity", self.watch.run)),
        ]

    async def stop(self) -> None:
        """Let payments in progress finish, stop background work, close the journal."""
        await asyncio.gather(*(task for _, task in self._busy.values()), return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.view.client.aclose()
        await self.recorder.close()

    async def _supervise(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        delay = self.config.verify_backoff
        while True:
            try:
                await run()
            except Exception:
                log.exception("transactions %s task failed; restarting in %.1f s", name, delay)
                await self.clock.sleep(delay)
                delay = min(2 * delay, self.config.verify_backoff_max)

    # -- catalog, bills, wallet --------------------------------------------------------------

    async def list_services(self, refresh: bool = True) -> tuple[Service, ...]:
        """The portal's service catalog (fresh unless ``refresh`` is False)."""
        return await self.view.services(refresh)

    async def fetch_bill(self, service_id: str, consumer_no: str) -> Bill:
        """A consumer's current bill from the portal."""
        return await self.view.fetch_bill(service_id, consumer_no)

    async def wallet(self) -> WalletStatus:
        """The wallet balance from the portal, with the low-balance warning."""
        return await self.view.wallet()

    async def inactivity(self) -> rules.Inactivity:
        """Days since the last confirmed payment, and the penalty warning if one is due."""
        return await self.watch.status()

    # -- payments ----------------------------------------------------------------------------

    async def quote(self, request: PaymentRequest) -> Quote:
        """Check a payment against every rule without committing or sending anything."""
        rules.check_request(request, self.clock.now(), self.config.instrument_max_age_months)
        return await self._quote(request)

    async def _quote(self, request: PaymentRequest) -> Quote:
        service = await self.view.service(request.service_id)
        bill = await self.view.bill(service.service_id, request.consumer_no) if service.is_bill else None
        rules.check_charge(service, bill, request)
        if self.view.client.online is False:
            await self.view.wallet()  # work only online: refused here (PORTAL_UNREACHABLE) if still down
        balance = await self.view.balance()
        held = sum(v for k, v in self._reserved.items() if k != request.client_txn_id)
        after = rules.check_wallet(balance - held, request.amount_paise - service.fee_paise)
        warning = rules.wallet_warning(after, self.config.wallet_minimum_paise)
        return Quote(
            service,
            bill,
            request.amount_paise,
            service.fee_paise,
            balance,
            after,
            (warning,) if warning else (),
        )

    async def pay(self, request: PaymentRequest) -> Transaction:
        """Pay once per ``client_txn_id``: the same id and payment again returns the same
        transaction; the same id with another payment is AlreadyExists CLIENT_TXN_ID_REUSED.

        Returns the transaction CONFIRMED, FAILED (reason says why; nothing charged) or IN_DOUBT
        (verification continues in the background). Raises InvalidArgument (a field, the rate, a
        cheque), FailedPrecondition (WALLET_INSUFFICIENT, SHUTDOWN_IMMINENT), PortalUnreachable.
        """
        rules.check_request(request, self.clock.now(), self.config.instrument_max_age_months)
        cid = request.client_txn_id
        if cid in self._busy:
            first, task = self._busy[cid]
            same_payment(first, request)
        else:
            task = asyncio.create_task(self._pay(request), name=f"pay {cid}")
            self._busy[cid] = (request, task)
            task.add_done_callback(functools.partial(self._done, cid))
        return await asyncio.shield(task)

    def _done(self, cid: str, task: asyncio.Task[Transaction]) -> None:
        self._busy.pop(cid, None)
        if not task.cancelled() and task.exception() is not None:
            log.debug("payment %s: %s", cid, task.exception())

    async def _pay(self, request: PaymentRequest) -> Transaction:
        cid = request.client_txn_id
        existing = await self.recorder.db(self.recorder.journal.get, cid)
        if existing is not None:
            same_payment(existing.request, request)
            return existing if existing.state.final else await self.resolver.verify_inline(existing)
        if not self._recovered:
            self._recovered = await self.resolver.recover(self._busy)
            if not self._recovered:
                raise PortalUnreachable(
                    "पिछले भुगतानों की पोर्टल से पुष्टि बाकी: नए भुगतान अभी नहीं / payments from before the "
                    "restart are not yet verified with the portal: no new payment until it answers"
                )
        async with self._power("payment"):
            quote = await self._quote(request)
            txn, created = await self.recorder.begin(request)
            if not created:
                return txn
            self._reserved[cid] = quote.amount_paise - quote.fee_paise
            try:
                return await self._send(request)
            finally:
                self._reserved.pop(cid, None)

    async def _send(self, request: PaymentRequest) -> Transaction:
        cid = request.client_txn_id
        await self.recorder.mark_sent(cid)
        try:
            answer = await self.view.call(self.view.client.pay(request))
            crash.crash_point("txn_reply_received")
            txn = await self.recorder.apply(request, answer)
            if txn.state.final:
                return txn
        except HubError as err:
            if not maybe_processed(err):
                return await self.recorder.settle(cid, TxnState.FAILED, err.reason)
            log.warning("payment %s in doubt: %s", cid, err)
            txn = await self.recorder.settle(cid, TxnState.IN_DOUBT, err.reason)
        return await self.resolver.verify_inline(txn)

    async def get(self, client_txn_id: str) -> Transaction:
        """The payment as last committed; NotFound TRANSACTION_NOT_FOUND."""
        txn = await self.recorder.db(self.recorder.journal.get, client_txn_id)
        if txn is None:
            raise NotFound(
                f"no payment {client_txn_id!r}",
                reason="TRANSACTION_NOT_FOUND",
                metadata={"clientTxnId": client_txn_id},
            )
        return txn

    async def history(self, limit: int, before: int | None = None) -> list[tuple[int, Transaction]]:
        """Payments newest first with their journal sequence (``Journal.newest``)."""
        return await self.recorder.db(self.recorder.journal.newest, limit, before)

    async def verify(self, client_txn_id: str) -> Transaction:
        """Verify an unsettled payment with the portal now (a settled one is returned as it is)."""
        txn = await self.get(client_txn_id)
        if client_txn_id in self._busy:
            return await asyncio.shield(self._busy[client_txn_id][1])
        if not txn.state.final:
            txn, _ = await self.resolver.verify_once(txn)
        return txn

    async def reconcile(self, day: date | None = None) -> ReconcileReport:
        """Compare the journal with the portal's statement of an IST day (default today), after
        verifying what is still open; publishes RECONCILE."""
        today = rules.today(self.clock.now())
        day = day or today
        if day > today:
            raise InvalidArgument("day", f"{day:%Y-%m-%d} has not come yet (today, IST: {today:%Y-%m-%d})")
        await self.resolver.recover(self._busy)
        report = await reconcile_day(day, self.view, self.recorder)
        reason = "RECONCILED" if report.balanced else "RECONCILE_DIFFERENCES"
        self._publish("RECONCILE", reason, report.summary(), report)
        return report

    def receipt_of(self, txn: Transaction) -> Receipt:
        """The receipt of a CONFIRMED payment (for a reprint)."""
        return self._receipt(txn)

    def _receipt(self, txn: Transaction) -> Receipt:
        cfg, session = self.config, self.view.client.session
        names = (session.name_en, session.name_hi) if session else (cfg.kiosk_id, cfg.kiosk_id)
        service = self.view.known_service(txn.request.service_id)
        return build_receipt(txn, service, cfg.kiosk_id, (cfg.kiosk_name,) * 2 if cfg.kiosk_name else names)
