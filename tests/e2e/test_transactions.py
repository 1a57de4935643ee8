"""Payments in a real ``hubd --simulate`` driven by hubctl, as an operator does: a bill fetched and
paid once whatever is retried, its receipt printed, the wallet warning, and a kill -9 of hubd
after the portal charged a payment but before the hub heard: after the restart the payment is
verified (not sent again), the portal's ledger and the journal agree, and one receipt prints.
What is checked comes from the portal simulator's own ledger (its control socket)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import HubProcess, wait_for

pytestmark = pytest.mark.timeout(120)
SERVICE, CONSUMER, NAME = "JVVNL_BILL", "210341012345", "Ramesh Kumar Sharma"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path_factory.mktemp("txn")).start()
    try:
        yield process
    finally:
        process.stop()


def portal(hub: HubProcess, *command: str) -> str:
    """A command to the portal simulator's control socket; its answer."""
    control = hub.simulators()["portal"]["control"]
    out = subprocess.run([sys.executable, "-m", "kioskhub.simulators.cli", "ctl", control, *command],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0 and out.stdout.startswith("OK"), (out.stdout, out.stderr)
    return out.stdout.strip().removeprefix("OK").strip()


def ledger(hub: HubProcess) -> list[dict]:
    return json.loads(portal(hub, "ledger"))


def pay(hub: HubProcess, txn_id: str, amount: str = "1847") -> subprocess.CompletedProcess[str]:
    return hub.hubctl("txn", "pay", "--id", txn_id, SERVICE, CONSUMER, amount, "--name", NAME, "--json",
                      timeout=60)


def receipt_jobs(hub: HubProcess, portal_txn_id: str) -> list[dict]:
    out = hub.hubctl("jobs", "--json", "--limit", "200")
    jobs = [json.loads(line) for line in out.stdout.splitlines()]
    return [j for j in jobs if j.get("request_id") == f"emitra-receipt:{portal_txn_id}"]


def printed(hub: HubProcess, portal_txn_id: str) -> bool:
    jobs = receipt_jobs(hub, portal_txn_id)
    return len(jobs) == 1 and jobs[0]["state"] == "STATE_SUCCEEDED"


def test_a_bill_is_paid_once_however_often_the_operator_retries(hub: HubProcess) -> None:
    bill = json.loads(hub.hubctl("txn", "bill", SERVICE, CONSUMER, "--json").stdout)
    assert bill["consumer_name"] == NAME
    amount = f"{int(bill['amount_due_paise']) / 100:.2f}"
    first = pay(hub, "e2e-1", amount)
    assert first.returncode == 0, first.stderr
    txn = json.loads(first.stdout)
    assert txn["state"] == "STATE_CONFIRMED"
    again = pay(hub, "e2e-1", amount)
    assert again.returncode == 0 and json.loads(again.stdout)["portal_txn_id"] == txn["portal_txn_id"]
    assert [(t["client_txn_id"], t["status"]) for t in ledger(hub) if t["client_txn_id"] == "e2e-1"] == [
        ("e2e-1", "SUCCESS")]
    wait_for(lambda: printed(hub, txn["portal_txn_id"]), 30, "the receipt printed")
    shown = hub.hubctl("txn", "show", "e2e-1")
    assert "CONFIRMED" in shown.stdout and "handed to the printer" in shown.stdout


def test_refusals_are_one_line_and_exit_codes(hub: HubProcess) -> None:
    bad_amount = hub.hubctl("txn", "pay", "--id", "e2e-2", SERVICE, CONSUMER, "18,47", "--name", NAME)
    assert bad_amount.returncode == 2 and "not an amount in rupees" in bad_amount.stderr
    assert "Traceback" not in bad_amount.stderr
    above = hub.hubctl("txn", "pay", "--id", "e2e-3", "CASTE_CERT", "APP-9", "999", "--name", "Sita Devi")
    assert above.returncode == 1 and "RATE_EXCEEDED" in above.stderr
    assert not [t for t in ledger(hub) if t["client_txn_id"] in ("e2e-2", "e2e-3")]


def test_the_wallet_warns_under_the_minimum(hub: HubProcess) -> None:
    balance = portal(hub, "balance")
    portal(hub, "wallet", "1500000")  # ₹15,000: under the ₹20,000 e-Mitra minimum
    try:
        wait_for(lambda: "WARNING" in hub.hubctl("wallet").stdout, 30, "the wallet warning")
        assert "₹15,000.00" in hub.hubctl("wallet").stdout
    finally:
        portal(hub, "wallet", balance)


def test_kill_9_after_the_portal_charged_loses_nothing_and_charges_once(tmp_path: Path) -> None:
    crashing = HubProcess(tmp_path, env={"KIOSKHUB_CRASH_AT": "txn_reply_received"}).start()
    try:
        died = pay(crashing, "e2e-crash")
        assert died.returncode != 0
        wait_for(lambda: crashing.proc is not None and crashing.proc.poll() is not None, 20, "hubd to die")
    finally:
        crashing.stop()
    hub = HubProcess(tmp_path).start()  # the same state: journal, the portal's ledger, printouts
    try:
        def settled() -> bool:
            out = hub.hubctl("txn", "show", "e2e-crash", "--json")
            return out.returncode == 0 and json.loads(out.stdout)["state"] == "STATE_CONFIRMED"

        wait_for(settled, 30, "the payment verified after the restart")
        charged = [t for t in ledger(hub) if t["client_txn_id"] == "e2e-crash"]
        assert [t["status"] for t in charged] == ["SUCCESS"]
        txn = json.loads(hub.hubctl("txn", "show", "e2e-crash", "--json").stdout)
        assert txn["portal_txn_id"] == charged[0]["portal_txn_id"]
        wait_for(lambda: printed(hub, txn["portal_txn_id"]), 30, "exactly one receipt printed")
    finally:
        hub.stop()
