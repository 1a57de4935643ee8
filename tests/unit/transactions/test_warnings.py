"""Wallet and inactivity warnings at their thresholds, with time driven by a FakeClock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hubd.classes.transactions.model import PaymentRequest, TxnState
from hubd.clock import FakeClock
from kioskhub.simulators.portal import PortalSim
from tests.unit.transactions.conftest import started

DAY = 86_400.0


async def until(check: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def on_day_boundaries(clock: FakeClock, days: int) -> None:
    """Advance ``days`` one day at a time, letting the watcher check after each."""
    for _ in range(days):
        await clock.advance(DAY)
        await until(lambda: clock.sleepers >= 2)  # the watcher and the resolver are asleep again


async def test_wallet_warning_under_twenty_thousand(portal: PortalSim, tmp_path: Path) -> None:
    clock = FakeClock()
    portal.clock = lambda: clock.now().timestamp()
    portal.ledger.set_balance("d35k1111", 2_003_000)  # ₹20,030
    hub = await started(portal, tmp_path / "s", clock, inactivity_check_interval=DAY)
    c = hub.coordinator
    try:
        status = await c.wallet()
        assert not status.low and status.warning == "" and hub.reasons("WALLET") == []
        quote = await c.quote(PaymentRequest("k-1", "CASTE_CERT", "A-1", "Sita", 5000))
        assert quote.wallet_after_paise == 2_001_000 and quote.warnings == ()
        await c.pay(PaymentRequest("k-1", "CASTE_CERT", "A-1", "Sita", 5000))  # ₹20,010 left
        assert hub.reasons("WALLET") == []
        quote = await c.quote(PaymentRequest("k-2", "CASTE_CERT", "A-2", "Gita", 5000))
        assert "₹19,990.00" in quote.warnings[0] and "₹20,000.00" in quote.warnings[0]
        await c.pay(PaymentRequest("k-2", "CASTE_CERT", "A-2", "Gita", 5000))  # ₹19,990: below
        assert hub.reasons("WALLET") == ["WALLET_LOW"]
        await c.pay(PaymentRequest("k-3", "CASTE_CERT", "A-3", "Mira", 5000))  # still low: no repeat
        status = await c.wallet()
        assert status.low and "₹19,970.00" in status.warning and hub.reasons("WALLET") == ["WALLET_LOW"]
        portal.ledger.set_balance("d35k1111", 5_000_000)  # topped up at the portal
        assert not (await c.wallet()).low and hub.reasons("WALLET") == ["WALLET_LOW", "WALLET_OK"]
    finally:
        await c.stop()


async def test_inactivity_warning_at_25_days_and_penalty_at_30(portal: PortalSim, tmp_path: Path) -> None:
    clock = FakeClock()
    portal.clock = lambda: clock.now().timestamp()
    hub = await started(portal, tmp_path / "s", clock, inactivity_check_interval=DAY)
    c = hub.coordinator
    try:
        assert (
            await c.pay(PaymentRequest("k-1", "BIRTH_CERT", "B-1", "Asha", 4000))
        ).state is TxnState.CONFIRMED
        await on_day_boundaries(clock, 24)
        assert hub.reasons("INACTIVITY") == [] and (await c.inactivity()).idle_days == 24
        await on_day_boundaries(clock, 1)
        await until(lambda: hub.reasons("INACTIVITY") == ["INACTIVITY_WARNING"])
        (message,) = [m for k, _, m, _ in hub.events if k == "INACTIVITY"]
        assert "25 दिन" in message and "penalty follows at 30 days (5 days left)" in message
        await on_day_boundaries(clock, 4)
        assert hub.reasons("INACTIVITY") == ["INACTIVITY_WARNING"]
        await on_day_boundaries(clock, 1)
        await until(lambda: hub.reasons("INACTIVITY") == ["INACTIVITY_WARNING", "INACTIVITY_PENALTY"])
        await c.pay(PaymentRequest("k-2", "BIRTH_CERT", "B-2", "Asha", 4000))
        await on_day_boundaries(clock, 1)
        await until(lambda: hub.reasons("INACTIVITY")[-1] == "INACTIVITY_OK")
        assert (await c.inactivity()).idle_days == 1
    finally:
        await c.stop()
