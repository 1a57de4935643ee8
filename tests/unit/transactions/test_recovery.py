"""Recovery: payments a crash left open are verified before any new one; verify backs off."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubd.classes.transactions.journal import Journal
from hubd.classes.transactions.model import TxnState
from hubd.classes.transactions.portal import PortalClient, PortalUnreachable
from hubd.classes.transactions.recorder import Recorder
from hubd.classes.transactions.resolver import Resolver
from hubd.classes.transactions.signing import load_secret
from hubd.clock import FakeClock, SystemClock, settle
from kioskhub.simulators.portal import PortalSim
from tests.unit.transactions.conftest import cert, charges, config_for, started


async def test_after_a_restart_open_payments_are_verified_before_any_new_one(
    portal: PortalSim, tmp_path: Path
) -> None:
    state = tmp_path / "s"
    left = Journal(state / "transactions.db", SystemClock())  # as a crash after SENT left it
    left.begin(cert("p-1"))
    left.mark_sent("p-1")
    left.close()
    sender = PortalClient(portal.url, "d35k1111", load_secret(portal.state.secret_file), SystemClock())
    await sender.pay(cert("p-1"))  # and the portal did receive it
    await sender.aclose()
    portal.unplug()
    await settle()
    h = await started(portal, state)
    try:
        assert (await h.coordinator.get("p-1")).state is TxnState.IN_DOUBT
        with pytest.raises(PortalUnreachable, match="not yet verified"):
            await h.coordinator.pay(cert("p-2"))
        portal.replug()
        assert (await h.coordinator.pay(cert("p-2"))).state is TxnState.CONFIRMED
        assert (await h.coordinator.get("p-1")).state is TxnState.CONFIRMED
    finally:
        await h.coordinator.stop()
    assert charges(portal) == [("p-1", "SUCCESS", 5000), ("p-2", "SUCCESS", 5000)]
    assert [r.client_txn_id for r in h.receipts] == ["p-1", "p-2"]


async def test_verify_backs_off_while_the_portal_cannot_answer(portal: PortalSim, tmp_path: Path) -> None:
    clock = FakeClock()
    portal.clock = lambda: clock.now().timestamp()
    cfg = config_for(portal, verify_backoff=1.0, verify_backoff_max=8.0)
    journal = Journal(tmp_path / "t.db", clock)
    recorder = Recorder(journal, lambda *e: None, None, lambda t: None, lambda b: None)  # type: ignore[arg-type,return-value]
    client = PortalClient(portal.url, "d35k1111", load_secret(portal.state.secret_file), clock)
    resolver = Resolver(recorder, client.verify, clock, cfg)
    journal.begin(cert("p-1"))
    journal.mark_sent("p-1")
    portal.arm("error_before_commit", "verify", -1)
    waits = []
    try:
        for _ in range(6):
            waits.append(await resolver.step(()))
            await clock.advance(waits[-1])
        assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0] and portal.requests["verify"] == 6
        assert journal.get("p-1").state is TxnState.IN_DOUBT  # type: ignore[union-attr]
        portal.disarm()
        await resolver.step(())
        settled = journal.get("p-1")
        assert settled is not None and (settled.state, settled.reason) == (TxnState.FAILED, "NOT_RECEIVED")
    finally:
        await client.aclose()
        await recorder.close()
    assert charges(portal) == [("p-1", "FAILED", 0)]
