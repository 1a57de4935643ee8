"""Fixtures: a portal simulator in the test's loop (its own SQLite ledger and secret file)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hubd.classes.transactions.config import TransactionsConfig
from simulators.portal import PortalSim, PortalState


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
