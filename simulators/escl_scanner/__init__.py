"""An eSCL (AirScan) network scanner simulator: HTTP on loopback, realistic pages, faults."""

from simulators.escl_scanner.model import EsclScannerState
from simulators.escl_scanner.sim import EsclScannerSim

__all__ = ["EsclScannerSim", "EsclScannerState"]
