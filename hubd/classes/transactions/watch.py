"""The inactivity watch: e-Mitra fines a kiosk ₹1,000 after 30 days without a transaction.

Every ``inactivity_check_interval`` seconds of the hub's clock the journal's last confirmed
payment is compared with now (``rules.inactivity``); INACTIVITY is published when the level
changes (a warning from 25 days, the penalty at 30, INACTIVITY_OK once payments resume).
"""

from __future__ import annotations

from hubd.classes.transactions import rules
from hubd.classes.transactions.config import TransactionsConfig
from hubd.classes.transactions.events import Publish
from hubd.classes.transactions.recorder import Recorder
from hubd.clock import Clock


class InactivityWatch:
    """Publishes INACTIVITY events as the days without a transaction cross the thresholds."""

    def __init__(
        self, recorder: Recorder, clock: Clock, config: TransactionsConfig, publish: Publish
    ) -> None:
        self.recorder = recorder
        self.clock = clock
        self.config = config
        self.publish = publish
        self.level = ""

    async def status(self) -> rules.Inactivity:
        """Days since the last confirmed payment, and the warning if one is due."""
        cfg = self.config
        last = await self.recorder.db(self.recorder.journal.last_activity)
        return rules.inactivity(
            last,
            self.clock.now(),
            cfg.inactivity_warning_days,
            cfg.inactivity_penalty_days,
            cfg.inactivity_penalty_paise,
        )

    async def run(self) -> None:
        """Check, publish a change, sleep; forever."""
        while True:
            status = await self.status()
            if status.level != self.level and (status.level != "OK" or self.level):
                text = status.message or "लेन-देन फिर से नियमित / transactions are regular again"
                self.publish(
                    "INACTIVITY", "INACTIVITY_OK" if status.level == "OK" else status.level, text, status
                )
            self.level = status.level
            await self.clock.sleep(self.config.inactivity_check_interval)
