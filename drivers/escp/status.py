"""What an ESC/P printer's out-of-band channels say, as a ``PrinterStatus``.

ESC/P itself is one-way (protocols.md §1.3): paper-out and off-line come from the port status
byte (USB printer class GET_PORT_STATUS / Linux usblp ``LPGETSTATUS``: bit5 PaperEmpty, bit4
Select, bit3 NotError), from a print server's SNMP agent (HOST-RESOURCES-MIB, RFC 2790:
hrDeviceStatus, hrPrinterStatus, hrPrinterDetectedErrorState) or from a spooler's queue state.
A link with none of these gives ``unknown`` with the reason, never OK. ``JobCounters`` holds the
SNMP uptime and page count that tell whether a job got through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from hubd.classes.printer.contract import PAPER_OUT, PRINTER_OFFLINE, Paper, PrinterStatus
from hubd.driver_api import DeviceState, InvalidArgument, ParsedUrl, SpoolerState, StatusSource
from kioskhub.drivers.common.status import NO_STATUS_CHANNEL as NO_STATUS_CHANNEL
from kioskhub.drivers.common.status import unknown as unknown
from kioskhub.drivers.escp.protocol import decode_port_status
from kioskhub.drivers.snmp import printer_mib as mib
from kioskhub.drivers.snmp import protocol as snmp
from kioskhub.drivers.snmp.client import DEFAULT_PORT as SNMP_PORT

PRINTER_ERROR = "PRINTER_ERROR"
STATUS_UNKNOWN = "STATUS_UNKNOWN"

# hrPrinterDetectedErrorState conditions that stop printing, with what to tell a person.
_STOPPERS = {
    "jammed": "paper jam",
    "doorOpen": "cover open",
    "noToner": "ribbon or toner empty",
    "markerSupplyMissing": "ribbon or toner missing",
    "inputTrayMissing": "paper tray missing",
    "outputFull": "output full",
}


def printer_status_from_port_byte(byte: int) -> PrinterStatus:
    """The usblp verdict on a port status byte: 0x18 ok, 0x30 paper out, 0x08 off line.

    As in Linux usblp, later tests override earlier ones: not-error, then paper-empty, then
    not-selected. Paper-empty also drops NotError on real printers, so ``error`` is set only
    for a fault that is neither paper nor off-line.
    """
    port = decode_port_status(byte)
    condition = port.condition
    detail = f"port status 0x{port.raw:02x}"
    reason = {"ok": "", "paper_out": PAPER_OUT, "offline": PRINTER_OFFLINE}.get(condition, PRINTER_ERROR)
    if condition != "ok":
        detail += {
            "paper_out": ": paper empty",
            "offline": ": printer off line (not selected)",
            "error": ": printer reports a fault",
        }[condition]
    return PrinterStatus(
        state=DeviceState.AVAILABLE if condition == "ok" else DeviceState.UNAVAILABLE,
        reason=reason,
        detail=detail,
        paper=Paper.OUT if port.paper_empty else Paper.OK,
        online=port.selected,
        error=not port.error_free and not port.paper_empty and port.selected,
        source=StatusSource.DEVICE,
    )


def printer_status_from_snmp(values: Mapping[str, snmp.SnmpValue]) -> PrinterStatus:
    """Status from hrDeviceStatus / hrPrinterStatus / hrPrinterDetectedErrorState values.

    Missing objects make the matching fields unknown; an agent that answers none of the three
    gives ``unknown``. ``down`` with no condition bit set is still an error (some agents leave
    the bits clear and only drop hrDeviceStatus).
    """
    device = values.get(mib.HR_DEVICE_STATUS)
    printer = values.get(mib.HR_PRINTER_STATUS)
    bits = values.get(mib.HR_PRINTER_DETECTED_ERROR_STATE)
    device = device if isinstance(device, int) else None
    printer = printer if isinstance(printer, int) else None
    if device is None and printer is None and not isinstance(bits, bytes):
        return unknown(STATUS_UNKNOWN, "the SNMP agent has no printer objects", StatusSource.DEVICE)
    flags = mib.error_state_flags(bits) if isinstance(bits, bytes) else frozenset()
    words = []
    if device is not None:
        words.append(f"device {mib.DEVICE_STATUS.get(device, device)}")
    if printer is not None:
        words.append(f"printer {mib.PRINTER_STATUS.get(printer, printer)}")
    if flags:
        words.append(", ".join(sorted(flags)))
    detail = "SNMP: " + "; ".join(words)
    if not isinstance(bits, bytes):
        paper = Paper.UNKNOWN
    elif "noPaper" in flags:
        paper = Paper.OUT
    elif "lowPaper" in flags:
        paper = Paper.LOW
    else:
        paper = Paper.OK
    stoppers = [text for flag, text in _STOPPERS.items() if flag in flags]
    down = device == 5
    error = bool(stoppers) or (down and paper is not Paper.OUT and "offline" not in flags)
    online: bool | None = False if "offline" in flags else (True if isinstance(bits, bytes) else None)
    if paper is Paper.OUT:
        state, reason = DeviceState.UNAVAILABLE, PAPER_OUT
    elif online is False:
        state, reason = DeviceState.UNAVAILABLE, PRINTER_OFFLINE
    elif error:
        state, reason = DeviceState.UNAVAILABLE, PRINTER_ERROR
        if stoppers:
            detail += f" ({', '.join(stoppers)})"
    elif device == 1 or (device is None and printer in (None, 1, 2)):
        state, reason = DeviceState.UNKNOWN, STATUS_UNKNOWN
    else:
        state, reason = DeviceState.AVAILABLE, ""
    return PrinterStatus(
        state=state, reason=reason, detail=detail, paper=paper, online=online,
        error=error if (device is not None or isinstance(bits, bytes)) else None,
        source=StatusSource.DEVICE,
    )


@dataclass(frozen=True)
class JobCounters:
    """A print server's ``sysUpTime`` and ``prtMarkerLifeCount`` (None where it has none)."""

    uptime: int | None
    pages: int | None

    @classmethod
    def from_snmp(cls, values: Mapping[str, snmp.SnmpValue]) -> JobCounters:
        """The two counters from a GET of ``mib.JOB_OIDS``."""

        def number(oid: str) -> int | None:
            value = values.get(oid)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return cls(number(mib.SYS_UPTIME), number(mib.PRT_MARKER_LIFE_COUNT))

    def restarted_since(self, before: JobCounters) -> bool:
        """True when the uptime went back: the print server restarted (its buffer is gone).
        (TimeTicks wrap after 497 days; such a wrap reads as a restart once.)"""
        return self.uptime is not None and before.uptime is not None and self.uptime < before.uptime

    def printed_since(self, before: JobCounters) -> bool:
        """True when the page counter advanced, or when there is no counter to tell."""
        if self.pages is None or before.pages is None:
            return True
        return self.pages > before.pages


def from_queue(queue: str, q: SpoolerState) -> PrinterStatus:
    """A spooler queue's state as a printer status (source SPOOLER)."""
    detail = f"CUPS queue {queue} {q.state}" + (f": {q.message}" if q.message else "")
    if q.reasons:
        detail += f" [{' '.join(q.reasons)}]"
    paper = Paper.OUT if any(r.startswith("media-empty") for r in q.reasons) else Paper.UNKNOWN
    offline = any(r.startswith("offline") for r in q.reasons)
    jam = any(r.startswith("media-jam") for r in q.reasons)
    if q.state == "stopped":
        state, reason = DeviceState.UNAVAILABLE, "QUEUE_STOPPED"
    elif q.accepting is False:
        state, reason = DeviceState.UNAVAILABLE, "QUEUE_NOT_ACCEPTING"
    elif paper is Paper.OUT or offline or jam:
        state = DeviceState.UNAVAILABLE
        reason = PAPER_OUT if paper is Paper.OUT else PRINTER_OFFLINE if offline else PRINTER_ERROR
    else:
        state, reason = DeviceState.AVAILABLE, ""
    return PrinterStatus(
        state=state, reason=reason, detail=detail, paper=paper,
        online=False if offline else None, error=True if jam else None, source=StatusSource.SPOOLER,
    )


@dataclass(frozen=True)
class SnmpTarget:
    """Where a print server's SNMP agent answers."""

    host: str
    port: int
    community: str


def snmp_target(parsed: ParsedUrl) -> SnmpTarget | None:
    """The ``status=snmp://HOST[:PORT]`` query option (``community=`` beside it)."""
    raw = parsed.query.get("status")
    if raw is None:
        return None
    parts = urlsplit(raw)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme != "snmp" or not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise InvalidArgument("url", f"status={raw!r}: expected snmp://HOST[:PORT]")
    if parsed.scheme != "tcp":
        raise InvalidArgument("url", "status=snmp:// applies to tcp:// (AppSocket) printers only")
    return SnmpTarget(parts.hostname, port or SNMP_PORT, parsed.query.get("community", "public"))
