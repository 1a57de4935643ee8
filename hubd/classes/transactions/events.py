"""The events the transactions capability publishes: ``publish(kind, reason, message, payload)``.

``message`` is bilingual (Hindi / English) for the operator; the hub maps each call to its event
bus (stage 2). Kinds, their reasons and payloads:

    PAYMENT_STATE  INTENT, SENT, CONFIRMED, FAILED, IN_DOUBT          model.Transaction
    WALLET         WALLET_LOW (under the minimum), WALLET_OK (back)    model.WalletStatus
    INACTIVITY     INACTIVITY_WARNING, INACTIVITY_PENALTY, INACTIVITY_OK   rules.Inactivity
    PORTAL         PORTAL_UNREACHABLE, PORTAL_REACHABLE                None
    RECONCILE      RECONCILED, RECONCILE_DIFFERENCES                   reconcile.ReconcileReport
    RECEIPT        RECEIPT_HANDOFF_FAILED (handed over again later)    model.Transaction
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "PAYMENT_STATE": ("INTENT", "SENT", "CONFIRMED", "FAILED", "IN_DOUBT"),
    "WALLET": ("WALLET_LOW", "WALLET_OK"),
    "INACTIVITY": ("INACTIVITY_WARNING", "INACTIVITY_PENALTY", "INACTIVITY_OK"),
    "PORTAL": ("PORTAL_UNREACHABLE", "PORTAL_REACHABLE"),
    "RECONCILE": ("RECONCILED", "RECONCILE_DIFFERENCES"),
    "RECEIPT": ("RECEIPT_HANDOFF_FAILED",),
}
"""Each event kind and the reasons it comes with."""

Publish = Callable[[str, str, str, object], None]
"""``publish(kind, reason, message, payload)``."""


def guarded(publish: Publish) -> Publish:
    """``publish`` that logs a failing callback instead of raising it into a payment."""

    def call(kind: str, reason: str, message: str, payload: object) -> None:
        try:
            publish(kind, reason, message, payload)
        except Exception:
            log.exception("publish(%s, %s) failed", kind, reason)

    return call
