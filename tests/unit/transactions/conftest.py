"""Fixtures: a portal simulator in the test's loop (its own SQLite ledger and secret file)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hubd.classes.transactions.config import TransactionsConfig
from hubd.classes.transactions.coordinator import TransactionCoordinator
from hubd.classes.transactions.model import PaymentRequest
from hubd.classes.transactions.receipt import Receipt
from hubd.clock import Clock, SystemClock
from kioskhub.simulators.portal import PortalSim, PortalState


@pytest.fixture
async def portal(tmp_path: Path) -> AsyncIterator[PortalSim]:
    """The simulator; it creates the kiosk's secret file (mode 0600) as ``hubd --simulate`` will."""
    sim = PortalSim(
        PortalState(ledger_path=str(tmp_path / "ledger.db"), secret_file=str(tmp_path / "portal.secret"))
    )
    await sim.start("tcp://127.0.0.1:0")
    yield sim
    await sim.stop()


def config_for(sim: PortalSim, **overrides: Any) -> TransactionsConfig:
    """A ``[transactions]`` config pointing at ``sim`` (fast timeouts and backoff for tests)."""
    table: dict[str, Any] = {
        "portal_url": sim.url,
        "kiosk_id": sim.state.kiosk_id,
        "secret_file": sim.state.secret_file,
        "timeout": 2.0,
        "connect_timeout": 1.0,
        "verify_backoff": 0.02,
        "verify_backoff_max": 0.2,
    }
    table.update(overrides)
    return TransactionsConfig.from_table(table)


def charges(sim: PortalSim) -> list[tuple[str, str, int]]:
    """(client_txn_id, status, amount) of every payment the portal recorded."""
    return [(t["client_txn_id"], t["status"], t["amount_paise"]) for t in sim.ledger.transactions()]


BILL_NO = "210341012345"


def cert(cid: str, amount: int = 5000) -> PaymentRequest:
    return PaymentRequest(cid, "CASTE_CERT", f"APP-{cid}", "Sita Devi", amount, operator="op-7")


def power_bill(cid: str, **kw: Any) -> PaymentRequest:
    kw.setdefault("amount_paise", 184_700)
    return PaymentRequest(cid, "JVVNL_BILL", BILL_NO, "Ramesh Kumar Sharma", **kw)


@dataclass
class Hub:
    """A coordinator with what it publishes and hands over."""

    coordinator: TransactionCoordinator
    events: list[tuple[str, str, str, object]] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)

    def reasons(self, kind: str) -> list[str]:
        return [reason for k, reason, _, _ in self.events if k == kind]


async def started(sim: PortalSim, state_dir: Path, clock: Clock | None = None, **cfg: Any) -> Hub:
    hub = Hub(None)  # type: ignore[arg-type]

    async def on_receipt(receipt: Receipt) -> None:
        hub.receipts.append(receipt)

    power = cfg.pop("power_work", None)
    hub.coordinator = TransactionCoordinator(
        config_for(sim, **cfg),
        state_dir,
        clock or SystemClock(),
        lambda *e: hub.events.append(e),
        power_work=power,
        on_receipt=on_receipt,
    )
    await hub.coordinator.start()
    return hub
