"""The coordinator's view of the portal: the client, and what it last said about the catalog,
bills and the wallet (each kept for a configured time), with WALLET and PORTAL events on change.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from hubd.classes.transactions import rules
from hubd.classes.transactions.config import TransactionsConfig
from hubd.classes.transactions.events import Publish
from hubd.classes.transactions.messages import REASONS
from hubd.classes.transactions.model import Bill, Service, WalletStatus
from hubd.classes.transactions.portal import PortalClient, PortalRefused
from hubd.clock import Clock
from hubd.errors import NotFound

T = TypeVar("T")


class PortalView:
    """Catalog, bills and wallet through the portal client, cached for their configured times."""

    def __init__(
        self, client: PortalClient, clock: Clock, config: TransactionsConfig, publish: Publish
    ) -> None:
        self.client = client
        self.clock = clock
        self.config = config
        self.publish = publish
        self._catalog: tuple[dict[str, Service], float] = ({}, float("-inf"))
        self._bills: dict[tuple[str, str], tuple[Bill, float]] = {}
        self._balance: tuple[int, float] | None = None
        self._wallet_low: bool | None = None
        self._online: bool | None = None

    async def call(self, call: Awaitable[T]) -> T:
        """Await a portal call; publish PORTAL when reachability changes."""
        try:
            return await call
        finally:
            online = self.client.online
            if online is not None and online != self._online:
                self._online = online
                text = (
                    "पोर्टल उपलब्ध / portal reachable"
                    if online
                    else "पोर्टल से संपर्क नहीं: नए भुगतान नहीं होंगे / portal unreachable: no new payments"
                )
                self.publish("PORTAL", "PORTAL_REACHABLE" if online else "PORTAL_UNREACHABLE", text, None)

    async def services(self, refresh: bool = True) -> tuple[Service, ...]:
        """The catalog: fetched now, or (``refresh=False``) kept up to catalog_ttl seconds."""
        catalog, at = self._catalog
        if refresh or self.clock.monotonic() - at > self.config.catalog_ttl:
            services = await self.call(self.client.services())
            self._catalog = ({s.service_id: s for s in services}, self.clock.monotonic())
            return services
        return tuple(catalog.values())

    def known_service(self, service_id: str) -> Service | None:
        """The service as last fetched, without asking the portal."""
        return self._catalog[0].get(service_id)

    async def service(self, service_id: str) -> Service:
        """One service (the catalog is fetched again once if it is not in the kept one)."""
        found = {s.service_id: s for s in await self.services(refresh=False)}.get(service_id)
        if found is None:
            found = {s.service_id: s for s in await self.services()}.get(service_id)
        if found is None:
            raise NotFound(
                f"सेवा उपलब्ध नहीं / no service {service_id!r} at the portal",
                reason="SERVICE_NOT_FOUND",
                metadata={"serviceId": service_id},
            )
        return found

    async def fetch_bill(self, service_id: str, consumer_no: str) -> Bill:
        """A consumer's bill, fetched now."""
        service = await self.service(service_id)
        if not service.is_bill:
            raise NotFound(
                f"{service.name_hi} का कोई बिल नहीं / {service.name_en} has no bills",
                reason="SERVICE_NOT_FOUND",
                metadata={"serviceId": service_id},
            )
        try:
            bill = await self.call(self.client.bill(service_id, consumer_no))
        except PortalRefused as err:
            if err.reason != "CONSUMER_NOT_FOUND":
                raise
            hindi, english = REASONS["CONSUMER_NOT_FOUND"]
            raise NotFound(f"{hindi}: {consumer_no} / {english}: {consumer_no} ({service.name_en})",
                           reason="CONSUMER_NOT_FOUND",
                           metadata={"serviceId": service_id, "consumerNo": consumer_no}) from err
        self._bills[service_id, consumer_no] = (bill, self.clock.monotonic())
        return bill

    async def bill(self, service_id: str, consumer_no: str) -> Bill:
        """A consumer's bill as fetched within bill_ttl seconds, else fetched now."""
        kept = self._bills.get((service_id, consumer_no))
        if kept is not None and self.clock.monotonic() - kept[1] <= self.config.bill_ttl:
            return kept[0]
        return await self.fetch_bill(service_id, consumer_no)

    async def wallet(self) -> WalletStatus:
        """The wallet, read now, with the low-balance warning."""
        wallet = await self.call(self.client.wallet())
        self.note_balance(wallet.balance_paise)
        minimum = self.config.wallet_minimum_paise
        warning = rules.wallet_warning(wallet.balance_paise, minimum)
        return WalletStatus(wallet.kiosk_id, wallet.balance_paise, wallet.as_of, minimum, warning)

    async def balance(self) -> int:
        """The balance as seen within wallet_max_age seconds (a pay's answer counts), else read now."""
        if self._balance is None or self.clock.monotonic() - self._balance[1] > self.config.wallet_max_age:
            return (await self.wallet()).balance_paise
        return self._balance[0]

    def note_balance(self, balance: int) -> None:
        """Remember a balance the portal reported; publish WALLET when it crosses the minimum."""
        self._balance = (balance, self.clock.monotonic())
        minimum = self.config.wallet_minimum_paise
        low = balance < minimum
        if low != self._wallet_low and (low or self._wallet_low is not None):
            warning = rules.wallet_warning(balance, minimum)
            status = WalletStatus(self.config.kiosk_id, balance, self.clock.now(), minimum, warning)
            text = warning or "ई-वॉलेट शेष न्यूनतम से अधिक / wallet balance back above the minimum"
            self.publish("WALLET", "WALLET_LOW" if low else "WALLET_OK", text, status)
        self._wallet_low = low
