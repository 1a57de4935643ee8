"""Printer status objects of the HOST-RESOURCES-MIB (RFC 2790, which the Printer-MIB v2, RFC 3805,
builds on), as print servers answer them over SNMP, filled from the IEEE 1284 status lines:

- ``hrDeviceStatus.1`` 1.3.6.1.2.1.25.3.2.1.5.1: unknown(1) running(2) warning(3) testing(4) down(5)
- ``hrPrinterStatus.1`` 1.3.6.1.2.1.25.3.5.1.1.1: other(1) unknown(2) idle(3) printing(4) warmup(5)
- ``hrPrinterDetectedErrorState.1`` 1.3.6.1.2.1.25.3.5.1.2.1: an OCTET STRING of condition
  bits, "numbered starting with the most significant bit of the first byte being bit 0":
  lowPaper(0)=0x80 noPaper(1)=0x40 lowToner(2)=0x20 noToner(3)=0x10 doorOpen(4)=0x08
  jammed(5)=0x04 offline(6)=0x02 serviceRequested(7)=0x01, then inputTrayMissing(8)... in the
  second byte. RFC 2790 pairs noPaper, noToner, doorOpen, jammed and offline with
  hrDeviceStatus down(5), lowPaper and serviceRequested with warning(3).

Two more objects tell a print job through: ``sysUpTime.0`` 1.3.6.1.2.1.1.3.0 (RFC 3418,
TimeTicks: hundredths of a second since the agent last started; it going back means the print
server restarted) and ``prtMarkerLifeCount.1.1`` 1.3.6.1.2.1.43.10.2.1.4.1.1 (RFC 3805
Printer-MIB, Counter32: what the printer's first marker has marked in its life, in
prtMarkerCounterUnit; it advancing means something was printed).

Values only: the SNMP codec is ``kioskhub.drivers.snmp.protocol``.
"""

from __future__ import annotations

HR_DEVICE_STATUS = "1.3.6.1.2.1.25.3.2.1.5.1"
HR_PRINTER_STATUS = "1.3.6.1.2.1.25.3.5.1.1.1"
HR_PRINTER_DETECTED_ERROR_STATE = "1.3.6.1.2.1.25.3.5.1.2.1"
PRINTER_OIDS = (HR_DEVICE_STATUS, HR_PRINTER_STATUS, HR_PRINTER_DETECTED_ERROR_STATE)
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
PRT_MARKER_LIFE_COUNT = "1.3.6.1.2.1.43.10.2.1.4.1.1"
JOB_OIDS = (*PRINTER_OIDS, SYS_UPTIME, PRT_MARKER_LIFE_COUNT)
"""The printer objects plus what tells a job through (uptime, life count)."""
PRINTER_BUSY = frozenset({4, 5})
"""hrPrinterStatus printing(4) and warmup(5): the printer is not done yet."""

DEVICE_STATUS = {1: "unknown", 2: "running", 3: "warning", 4: "testing", 5: "down"}
PRINTER_STATUS = {1: "other", 2: "unknown", 3: "idle", 4: "printing", 5: "warmup"}
ERROR_STATE_BITS = (
    "lowPaper", "noPaper", "lowToner", "noToner", "doorOpen", "jammed", "offline",
    "serviceRequested", "inputTrayMissing", "outputTrayMissing", "markerSupplyMissing",
    "outputNearFull", "outputFull", "inputTrayEmpty", "overduePreventMaint",
)
"""hrPrinterDetectedErrorState bit names; index = bit number (bit 0 = MSB of the first byte)."""


def error_state_flags(octets: bytes) -> frozenset[str]:
    """Names of the conditions set in an hrPrinterDetectedErrorState value (unknown bits skipped)."""
    found = set()
    for bit, name in enumerate(ERROR_STATE_BITS):
        byte = bit // 8
        if byte < len(octets) and octets[byte] & (0x80 >> (bit % 8)):
            found.add(name)
    return frozenset(found)
