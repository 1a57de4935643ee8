"""Demo step: a citizen pays an electricity bill; the bilingual receipt comes out of the
dot-matrix printer (its page image is left to look at); the kiosk's wallet afterwards."""

from __future__ import annotations

import json
import time
from pathlib import Path

from hubd.classes.transactions.money import rupees
from hubd.demo.session import Session

TITLE = "Transactions: a bill fetched and paid on the portal, the citizen's receipt, the wallet"
SERVICE, CONSUMER = "JVVNL_BILL", "210341012345"


def run(session: Session) -> None:
    """Fetch the bill, pay it, show the receipt's printed page and the wallet."""
    session.hubctl("txn", "services")
    bill = json.loads(session.hubctl("txn", "bill", SERVICE, CONSUMER, "--json", show=False))
    session.say(f"$ hubctl txn bill {SERVICE} {CONSUMER}")
    session.say(f"{bill['consumer_name']}: {rupees(int(bill['amount_due_paise']))} due")
    amount = f"{int(bill['amount_due_paise']) / 100:.2f}"
    txn_id = f"demo-{time.strftime('%Y%m%d-%H%M%S')}"
    paid = session.hubctl("txn", "pay", "--id", txn_id, SERVICE, CONSUMER, amount,
                          "--name", bill["consumer_name"], "--operator", "Sunita Meena")
    shown = json.loads(session.hubctl("txn", "show", txn_id, "--json", show=False))
    key = f"emitra-receipt:{shown.get('portal_txn_id', '')}"
    page: Path | None = None
    try:
        session.wait_for(lambda: _receipt_page(session, key) is not None, 30, "the receipt on paper")
        page = _receipt_page(session, key)
    except Exception as err:  # noqa: BLE001 - the summary says what is missing
        session.say(f"no receipt page: {err}")
    session.say(f"the citizen's receipt as printed: {page}")
    session.hubctl("wallet")
    state = shown.get("state", "STATE_UNSPECIFIED").removeprefix("STATE_")
    receipt_no = shown.get("receipt_no") or "-"
    paid_rupees = rupees(int(bill["amount_due_paise"]))
    outcome = f"{state}, {paid_rupees}, receipt {receipt_no}" if "CONFIRMED" in paid else state
    session.record("pay an electricity bill; its receipt", outcome, page or "")


def _receipt_page(session: Session, request_id: str) -> Path | None:
    """The printed page of the receipt job with ``request_id``, once the printer has drawn it."""
    for line in session.hubctl("jobs", "--json", show=False).splitlines():
        job = json.loads(line)
        if job.get("request_id") != request_id or job.get("state") != "STATE_SUCCEEDED":
            continue
        try:
            out = Path(session.simulator(job["device_id"])["output"])
            files = json.loads((out / "index.json").read_text())["ids"][job["print_job_id"]]["files"]
        except (OSError, KeyError, ValueError):
            return None
        pngs = [out / f for f in files if f.endswith(".png")]
        return pngs[0] if pngs else None
    return None
