"""Wire-level device simulators: each speaks a real device's protocol over tcp, unix or a pty.

Simulators import nothing from ``hubd`` or ``drivers`` (they are written from the protocol
reference, so a codec bug shared with a driver cannot hide). Run one with
``kioskhub-sim NAME --listen tcp://127.0.0.1:0`` or from Python::

    sim = MegatecUpsSim()
    url = await sim.start("pty")          # serial:///dev/pts/N?baudrate=2400
    sim.set_on_battery(True); sim.unplug(); sim.garbage = True; sim.delay = 3.0
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kioskhub.simulators.base import Simulator

# name -> "module:Class", imported only when used.
SIMULATORS: dict[str, str] = {
    "megatec_ups": "kioskhub.simulators.megatec_ups:MegatecUpsSim",
    "escp_printer": "kioskhub.simulators.escp_printer:EscpPrinterSim",
    "escp_printer_24": "kioskhub.simulators.escp_printer:Escp24PinSim",
    "escpos_printer": "kioskhub.simulators.escpos_printer:EscposPrinterSim",
    "portal": "kioskhub.simulators.portal:PortalSim",
    "rdservice": "kioskhub.simulators.rdservice:RdServiceSim",
    "vpcd_card": "kioskhub.simulators.vpcd_card:VpcdCardSim",
    "camera": "kioskhub.simulators.camera:CameraSim",
    "escl_scanner": "kioskhub.simulators.escl_scanner:EsclScannerSim",
}


def load(name: str) -> type[Simulator]:
    """The simulator class registered as ``name``; KeyError names the known ones."""
    try:
        target = SIMULATORS[name]
    except KeyError:
        raise KeyError(f"unknown simulator {name!r} (known: {', '.join(sorted(SIMULATORS))})") from None
    module, _, attr = target.partition(":")
    cls: type[Simulator] = getattr(importlib.import_module(module), attr)
    return cls
