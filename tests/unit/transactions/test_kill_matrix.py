"""Crash and fault matrix: kill -9 at every journal crash point × every portal fault.

A child process (this file run as a script) is the hub: it pays three payments through the
coordinator while the portal simulator (in the test's process, its own SQLite ledger) has one
fault armed for the first pay, and ``KIOSKHUB_CRASH_AT`` kills the child with SIGKILL at a crash
point. The parent then restarts the coordinator on the same journal, asks again for each payment
the way a kiosk app would (same id; a new id only for one the hub reports FAILED, i.e. not
charged), reconciles, and checks against the portal's own ledger: 0 lost, 0 double-charged,
journal and portal agreeing on every payment, the wallet exact, each receipt handed over once, under its
portal transaction's key.

The three payments: p1 a caste certificate (the fault hits it), p2 an electricity bill, p3 a birth
certificate whose rate the portal changes after the hub cached the catalog (the portal declines it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from hubd.classes.transactions.config import TransactionsConfig
from hubd.classes.transactions.coordinator import TransactionCoordinator
from hubd.classes.transactions.journal import CRASH_POINTS
from hubd.classes.transactions.model import PaymentRequest, TxnState
from hubd.classes.transactions.receipt import Receipt, receipt_key
from hubd.clock import SystemClock
from hubd.errors import HubError
from kioskhub.simulators.control import send_control
from kioskhub.simulators.portal import PortalSim, PortalState
from kioskhub.simulators.portal.faults import FAULTS

pytestmark = pytest.mark.xdist_group("txn_kill_matrix")  # one worker runs the module's children

PLAN = {
    "p1": PaymentRequest("p1", "CASTE_CERT", "APP-2026-0001", "Sita Devi", 5000, operator="op-1"),
    "p2": PaymentRequest("p2", "JVVNL_BILL", "210341012345", "Ramesh Kumar Sharma", 184_700, operator="op-1"),
    "p3": PaymentRequest("p3", "BIRTH_CERT", "BR-2026-0042", "Asha Meena", 4000, operator="op-1"),
}
KIOSK, WALLET = "d35k1111", 2_500_000
FEES = {"CASTE_CERT": 3000, "JVVNL_BILL": 500, "BIRTH_CERT": 2000}
CASES = [
    (fault, point)
    for fault in ["none", *FAULTS]
    for point in CRASH_POINTS
    if (fault, point) != ("none", "txn_in_doubt")  # with no fault nothing is ever in doubt
]


def config(url: str, secret_file: str) -> TransactionsConfig:
    """Short timeouts: the slow fault (2.5 s) outlasts the 1.5 s timeout; verify backs off fast."""
    return TransactionsConfig(
        portal_url=url,
        kiosk_id=KIOSK,
        secret_file=Path(secret_file),
        timeout=1.5,
        connect_timeout=1.0,
        verify_backoff=0.05,
        verify_backoff_max=0.2,
        verify_inline_attempts=6,
    )


def _log(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode() + b"\n")
    finally:
        os.close(fd)


async def _child(state_dir: Path, url: str, secret_file: str, control_url: str) -> None:
    async def on_receipt(receipt: Receipt) -> None:
        _log(state_dir / "receipts", receipt.idempotency_key)

    c = TransactionCoordinator(
        config(url, secret_file), state_dir, SystemClock(), lambda *e: None, on_receipt=on_receipt
    )
    await c.start()
    await c.list_services()
    await c.fetch_bill("JVVNL_BILL", "210341012345")
    assert (await send_control(control_url, "rate BIRTH_CERT 4500")).startswith("OK")
    for cid, request in PLAN.items():
        try:
            txn = await c.pay(request)
            _log(state_dir / "answers", f"{cid} {txn.state.value} {txn.reason}")
        except HubError as err:
            _log(state_dir / "answers", f"{cid} ERROR {err.reason}")
    await c.stop()


@dataclass
class Case:
    """One child's run: its simulator, state dir and how it ended."""

    sim: PortalSim
    state_dir: Path
    returncode: int | None = None
    stderr: bytes = b""


async def _run(case: Case, fault: str, point: str) -> None:
    sim = case.sim
    await sim.start("tcp://127.0.0.1:0")
    control_url = await sim.start_control("tcp://127.0.0.1:0")
    sim.state.slow_seconds, sim.state.hang_seconds = 2.5, 30.0
    if fault != "none":
        sim.arm(fault, "pay")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSKHUB_CRASH")}
    env.update(KIOSKHUB_CRASH_AT=f"{point}:1", KIOSKHUB_CRASH_LOG=str(case.state_dir / "crash.log"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        str(case.state_dir),
        sim.url,
        sim.state.secret_file,
        control_url,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, case.stderr = await asyncio.wait_for(proc.communicate(), 90)
    case.returncode = proc.returncode


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def crashed(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[tuple[str, str], Case]]:
    """Run every case's child (a few at a time: the machine is shared), each with its own portal."""
    cases: dict[tuple[str, str], Case] = {}
    for fault, point in CASES:
        d = tmp_path_factory.mktemp(f"{fault}-{point}")
        sim = PortalSim(
            PortalState(
                kiosk_id=KIOSK, ledger_path=str(d / "ledger.db"), secret_file=str(d / "portal.secret")
            )
        )
        cases[fault, point] = Case(sim, d / "state")
        cases[fault, point].state_dir.mkdir()
    gate = asyncio.Semaphore(6)

    async def run(key: tuple[str, str]) -> None:
        async with gate:
            await _run(cases[key], *key)

    try:
        await asyncio.gather(*(run(key) for key in cases))
        yield cases
    finally:
        for case in cases.values():
            await case.sim.stop()


def test_every_crash_point_and_fault_is_exercised() -> None:
    assert {p for _, p in CASES} == set(CRASH_POINTS) and {f for f, _ in CASES} == {"none", *FAULTS}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("fault", "point"), CASES)
async def test_kill_9_loses_nothing_and_charges_nothing_twice(
    crashed: dict[tuple[str, str], Case], fault: str, point: str
) -> None:
    case = crashed[fault, point]
    sim, state_dir = case.sim, case.state_dir
    assert case.returncode == -signal.SIGKILL, case.stderr.decode()[-2000:]
    assert (state_dir / "crash.log").read_text() == f"{point}\n"  # reached, once

    # Restart: the portal is healthy now; the kiosk app asks again for what it started.
    sim.disarm()
    handed: list[str] = []

    async def on_receipt(receipt: Receipt) -> None:
        handed.append(receipt.idempotency_key)

    c = TransactionCoordinator(
        config(sim.url, sim.state.secret_file),
        state_dir,
        SystemClock(),
        lambda *e: None,
        on_receipt=on_receipt,
    )
    await c.start()
    try:
        for logical in ("p1", "p2"):
            request = PLAN[logical]
            for attempt in range(1, 4):
                txn = await c.pay(request)
                assert txn.state in (TxnState.CONFIRMED, TxnState.FAILED), txn
                if txn.state is TxnState.CONFIRMED:
                    break  # a FAILED one charged nothing: the operator pays again under a new id
                request = dataclasses.replace(request, client_txn_id=f"{logical}-r{attempt}")
            else:
                pytest.fail(f"{logical} never paid")
        try:
            p3 = await c.pay(PLAN["p3"])
            assert (p3.state, p3.reason) == (TxnState.FAILED, "AMOUNT_MISMATCH")
        except HubError as err:  # never journalled before the kill: the rules see the new rate now
            assert err.reason == "AMOUNT_MISMATCH"
        report = await c.reconcile()
        journal = await c.recorder.db(c.recorder.journal.unresolved)
        everything = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
        rows = {
            t.client_txn_id: t for t in await c.recorder.db(c.recorder.journal.created_between, *everything)
        }
    finally:
        await c.stop()

    assert report.balanced, report.differences
    assert journal == []  # nothing left in doubt
    ledger = json.loads((await send_control(sim.control_url or "", "ledger")).removeprefix("OK "))
    success = {t["client_txn_id"]: t for t in ledger if t["status"] == "SUCCESS"}
    # 0 lost, 0 doubled: each logical payment charged exactly once, the declined one never.
    per_payment = sorted(cid.split("-r")[0] for cid in success)
    assert per_payment == ["p1", "p2"], ledger
    # The journal and the portal agree on every payment.
    confirmed = {cid: t for cid, t in rows.items() if t.state is TxnState.CONFIRMED}
    assert confirmed.keys() == success.keys()
    for cid, t in confirmed.items():
        assert (t.portal_txn_id, t.request.amount_paise) == (
            success[cid]["portal_txn_id"],
            success[cid]["amount_paise"],
        )
    debits = sum(t["amount_paise"] - FEES[t["service_id"]] for t in success.values())
    assert int((await send_control(sim.control_url or "", "balance")).split()[1]) == WALLET - debits
    # Every confirmed payment's receipt was handed over, keyed by its portal transaction.
    receipts = state_dir / "receipts"
    keys = (receipts.read_text().split() if receipts.exists() else []) + handed
    assert sorted(keys) == sorted(receipt_key(t.portal_txn_id) for t in confirmed.values())  # once each
    assert all(t.receipt_handed for t in confirmed.values())


if __name__ == "__main__":
    asyncio.run(_child(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
