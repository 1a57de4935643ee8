"""End-of-day reconciliation: the journal against the portal's statement, every difference listed.

``compare`` (pure) takes the journal's payments and the portal's records of one IST day and says
where they disagree; ``reconcile_day`` gathers both sides. A payment is charged when the portal
says SUCCESS; the journal agrees when it says CONFIRMED for exactly those (same amount) and
FAILED for the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from hubd.classes.transactions.model import IST, PortalStatus, PortalTxn, Transaction, TxnState
from hubd.classes.transactions.money import rupees

if TYPE_CHECKING:
    from hubd.classes.transactions.recorder import Recorder
    from hubd.classes.transactions.view import PortalView

KINDS = {
    "MISSING_IN_JOURNAL": "the portal has a payment the journal does not know",
    "MISSING_AT_PORTAL": "the journal has a CONFIRMED payment the portal does not list",
    "STATUS_MISMATCH": "charged on one side, not charged on the other",
    "AMOUNT_MISMATCH": "both sides charged, different amounts",
    "UNRESOLVED": "the journal still has it in doubt (the portal could not settle it yet)",
}


@dataclass(frozen=True)
class Difference:
    """One disagreement; ``kind`` is a key of ``KINDS``."""

    client_txn_id: str
    kind: str
    journal_state: str
    portal_status: str
    journal_paise: int
    portal_paise: int
    detail: str


@dataclass(frozen=True)
class ReconcileReport:
    """The day's totals on both sides and every difference."""

    day: date
    journal_confirmed: int
    journal_confirmed_paise: int
    portal_success: int
    portal_success_paise: int
    differences: tuple[Difference, ...]

    @property
    def balanced(self) -> bool:
        """True when the journal and the portal agree on every payment."""
        return not self.differences

    def summary(self) -> str:
        """One bilingual line for the operator."""
        if self.balanced:
            return (
                f"मिलान सही: {self.journal_confirmed} भुगतान, {rupees(self.journal_confirmed_paise)} / "
                f"reconciled: {self.journal_confirmed} payments, {rupees(self.journal_confirmed_paise)}"
            )
        n = len(self.differences)
        return f"मिलान में {n} अंतर / {n} difference(s) between the journal and the portal"


def compare(day: date, journal: Iterable[Transaction], portal: Iterable[PortalTxn]) -> ReconcileReport:
    """Reconcile the journal's payments with the portal's for ``day``.

    ``journal`` should hold the day's payments plus any other the statement names (a payment begun
    before midnight may be recorded by the portal after it).
    """
    mine = {t.client_txn_id: t for t in journal}
    theirs = {p.client_txn_id: p for p in portal}
    diffs: list[Difference] = []
    for cid in sorted(mine.keys() | theirs.keys()):
        diff = _difference(cid, mine.get(cid), theirs.get(cid))
        if diff is not None:
            diffs.append(diff)
    confirmed = [t for t in mine.values() if t.state is TxnState.CONFIRMED]
    success = [p for p in theirs.values() if p.status is PortalStatus.SUCCESS]
    return ReconcileReport(
        day,
        len(confirmed),
        sum(t.request.amount_paise for t in confirmed),
        len(success),
        sum(p.amount_paise for p in success),
        tuple(diffs),
    )


def _difference(cid: str, mine: Transaction | None, theirs: PortalTxn | None) -> Difference | None:
    state = mine.state.value if mine else ""
    status = theirs.status.value if theirs else ""
    paid = mine.request.amount_paise if mine else 0
    charged = theirs.amount_paise if theirs else 0

    def diff(kind: str, detail: str) -> Difference:
        return Difference(cid, kind, state, status, paid, charged, detail)

    if mine is None:
        assert theirs is not None
        return diff("MISSING_IN_JOURNAL", f"portal {status} {rupees(charged)}, no journal record")
    if not mine.state.final:
        return diff("UNRESOLVED", f"journal {state}, portal {status or 'no record'}")
    success = theirs is not None and theirs.status is PortalStatus.SUCCESS
    if mine.state is TxnState.CONFIRMED and theirs is None:
        return diff("MISSING_AT_PORTAL", f"journal CONFIRMED {rupees(paid)}, not in the portal's statement")
    if (mine.state is TxnState.CONFIRMED) != success:
        return diff("STATUS_MISMATCH", f"journal {state}, portal {status or 'no record'}")
    if success and paid != charged:
        return diff("AMOUNT_MISMATCH", f"journal {rupees(paid)}, portal {rupees(charged)}")
    return None


async def reconcile_day(day: date, view: PortalView, recorder: Recorder) -> ReconcileReport:
    """Fetch the portal's statement of ``day`` and the journal's payments begun that day (plus any
    the statement names), then ``compare``. A CONFIRMED payment missing from the statement is
    verified: the portal may have recorded it on the next day (just after midnight)."""
    statement = await view.call(view.client.statement(day))
    start = datetime.combine(day, time(0), IST)
    journal = recorder.journal
    mine = {
        t.client_txn_id: t
        for t in await recorder.db(journal.created_between, start, start + timedelta(days=1))
    }
    theirs = {p.client_txn_id: p for p in statement.transactions}
    for cid in theirs.keys() - mine.keys():
        if (txn := await recorder.db(journal.get, cid)) is not None:
            mine[cid] = txn
    for cid in mine.keys() - theirs.keys():
        if mine[cid].state is TxnState.CONFIRMED:
            answer = await view.call(view.client.verify(cid))
            if answer.status is PortalStatus.SUCCESS:
                theirs[cid] = answer
    return compare(day, mine.values(), theirs.values())
