"""``hubd --simulate``: the portal simulator, and ``[transactions]`` pointing at it.

The simulator keeps its ledger in ``<state>/portal/ledger.db`` and creates the kiosk's secret
(mode 0600) in ``<state>/portal/portal.secret`` before it prints its address; its catalog,
wallets and faults are its own (``kioskhub-sim ctl <control from simulators.json> ...``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubd.simulate import SimulatorFleet

KIOSK_ID = "d35k1111"
"""The simulator's default kiosk."""


async def portal(fleet: SimulatorFleet, state_dir: Path) -> dict[str, dict[str, Any]]:
    """Start the portal simulator; the ``[transactions]`` section that uses it."""
    home = state_dir / "portal"
    home.mkdir(mode=0o700, exist_ok=True)
    secret = home / "portal.secret"
    sim = await fleet.start_service(
        "portal", "portal", f"secret_file={secret}", f"ledger_path={home / 'ledger.db'}",
        f"kiosk_id={KIOSK_ID}",
    )
    return {"transactions": {"portal_url": sim.url, "kiosk_id": KIOSK_ID, "secret_file": str(secret)}}
