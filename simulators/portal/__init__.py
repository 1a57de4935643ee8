"""A simulated e-Mitra-style portal (docs/portal-protocol.md): its own process, HTTP on 127.0.0.1.

    sim = PortalSim()
    url = await sim.start("tcp://127.0.0.1:0")     # http://127.0.0.1:PORT
    sim.secret                                       # the default kiosk's secret (or state.secret_file)
    sim.arm("timeout_after_commit", "pay")           # faults: kioskhub.simulators.portal.faults
    sim.ledger.set_balance("d35k1111", 1_500_000)    # wallets, catalog, bills: portal.ledger
    sim.ledger.transactions()                        # what the portal committed

Imports nothing from ``hubd`` or ``drivers``: it is written from the protocol document.
"""

from kioskhub.simulators.portal.server import PortalSim, PortalState

__all__ = ["PortalSim", "PortalState"]
