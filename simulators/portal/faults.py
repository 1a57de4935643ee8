"""The portal's fault switches: each is armed for an endpoint and fires a number of times.

    timeout_after_commit  commit, then hold the connection without replying (hang_seconds), close it
    error_before_commit   reply 503 PORTAL_ERROR before touching the ledger
    duplicate_reply       reply normally, and answer the NEXT request with a copy of this reply
    slow                  wait slow_seconds before handling the request (its commit comes late too)
    pending               pay commits PENDING; verify says PENDING pending_polls times, then SUCCESS
    reversed              pay commits PENDING; the next verify reports REVERSED and refunds the wallet
    bad_signature         reply with a corrupted signature

Arm one with ``faults.arm("slow", "pay", 1)`` (count -1: until cleared; 0: clear) or on the
control socket: ``fault slow pay 1``, ``fault bad_signature wallet on``, ``fault slow off``.
"""

from __future__ import annotations

FAULTS: dict[str, str] = {
    "timeout_after_commit": "commit, then hold the connection without a reply until hang_seconds",
    "error_before_commit": "reply 503 PORTAL_ERROR before touching the ledger",
    "duplicate_reply": "reply, and answer the next request with a copy of this reply",
    "slow": "wait slow_seconds before handling the request",
    "pending": "pay commits PENDING; verify says PENDING pending_polls times, then SUCCESS",
    "reversed": "pay commits PENDING; the next verify reports REVERSED and refunds the wallet",
    "bad_signature": "reply with a corrupted signature",
}
ENDPOINTS = ("login", "wallet", "services", "bill", "pay", "verify", "statement")
FOREVER = -1


class Faults:
    """Armed faults: (name, endpoint) → how many more times each fires (-1: until cleared)."""

    def __init__(self) -> None:
        self._armed: dict[tuple[str, str], int] = {}

    def arm(self, name: str, endpoint: str = "pay", count: int = 1) -> None:
        """Arm ``name`` on ``endpoint`` for ``count`` requests (-1 forever, 0 disarms)."""
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r} (known: {', '.join(FAULTS)})")
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r} (known: {', '.join(ENDPOINTS)})")
        if count < FOREVER:
            raise ValueError("count must be -1 (forever), 0 (off) or more")
        if count == 0:
            self._armed.pop((name, endpoint), None)
        else:
            self._armed[name, endpoint] = count

    def disarm(self, name: str | None = None) -> None:
        """Disarm one fault on every endpoint, or all of them."""
        for key in [k for k in self._armed if name is None or k[0] == name]:
            del self._armed[key]

    def take(self, name: str, endpoint: str) -> bool:
        """True (and one use spent) if ``name`` is armed for ``endpoint``."""
        left = self._armed.get((name, endpoint), 0)
        if left == 0:
            return False
        if left > 0:
            self.arm(name, endpoint, left - 1)
        return True

    def snapshot(self) -> dict[str, int]:
        """``{"name@endpoint": count}`` of the armed faults."""
        return {f"{n}@{e}": c for (n, e), c in sorted(self._armed.items())}
