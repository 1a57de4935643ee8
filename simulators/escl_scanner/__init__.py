"""An eSCL (AirScan) network scanner simulator: HTTP on loopback, realistic pages, faults."""

from kioskhub.simulators.escl_scanner.model import EsclScannerState
from kioskhub.simulators.escl_scanner.sim import EsclScannerSim

__all__ = ["EsclScannerSim", "EsclScannerState"]
