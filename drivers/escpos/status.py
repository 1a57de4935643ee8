"""ESC/POS real-time status: the replies to ``DLE EOT n`` decoded, and combined into a status.

Wire reference: protocols.md §2.1 (``DLE EOT n`` real-time status, from Epson's ESC/POS reference
as cited by the Rust ``escpos`` crate). The printer answers each request
(``protocol.status_request``) with one byte, always matching the bit pattern ``0xx1xx10`` (bit 0
= 0, bit 1 = 1, bit 4 = 1, bit 7 = 0): n = 1 the printer, 2 why it is off line, 3 which error,
4 the paper sensors. ``parse_status`` decodes one reply; ``printer_status`` combines the replies
into a ``hubd.classes.printer.contract.PrinterStatus``.

Sans-IO: bytes in, values out. No sockets, no asyncio, no logging.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from hubd.classes.printer.contract import Paper, PrinterStatus
from hubd.driver_api import DeviceState, ProtocolError, StatusSource

STATUS_PRINTER = 1
STATUS_OFFLINE_CAUSE = 2
STATUS_ERROR_CAUSE = 3
STATUS_PAPER = 4
STATUS_FIXED_MASK = 0x93
"""Bits 0, 1, 4 and 7 of every real-time status byte ..."""
STATUS_FIXED_VALUE = 0x12
"""... which must read 0, 1, 1 and 0."""


class PaperLevel(enum.Enum):
    """The roll-paper sensors' verdict."""

    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"


@dataclass(frozen=True)
class PrinterState:
    """``DLE EOT 1``: b2 drawer pin 3 high, b3 offline, b5 waiting for recovery, b6 feed button."""

    raw: int
    drawer_high: bool
    offline: bool
    waiting_recovery: bool
    feed_button: bool


@dataclass(frozen=True)
class OfflineCause:
    """``DLE EOT 2``: b2 cover open, b3 feeding by button, b5 stopped by paper end, b6 error."""

    raw: int
    cover_open: bool
    feeding_by_button: bool
    paper_end_stop: bool
    error: bool


@dataclass(frozen=True)
class ErrorCause:
    """``DLE EOT 3``: b2 recoverable, b3 autocutter, b5 unrecoverable, b6 auto-recoverable error."""

    raw: int
    recoverable: bool
    autocutter: bool
    unrecoverable: bool
    auto_recoverable: bool


@dataclass(frozen=True)
class PaperSensor:
    """``DLE EOT 4``: b2+b3 paper near end, b5+b6 paper end.

    Either bit of a pair counts (Epson defines only 00 and 11; a half-set pair is taken as the
    worse reading, never as paper OK).
    """

    raw: int
    near_end: bool
    out: bool

    @property
    def level(self) -> PaperLevel:
        """OUT over NEAR_END over OK."""
        if self.out:
            return PaperLevel.OUT
        return PaperLevel.NEAR_END if self.near_end else PaperLevel.OK


Status = PrinterState | OfflineCause | ErrorCause | PaperSensor


def parse_status(n: int, reply: bytes | int) -> Status:
    """Decode the reply to ``DLE EOT n``: exactly one byte matching ``0xx1xx10``, else ProtocolError."""
    if n not in (STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_ERROR_CAUSE, STATUS_PAPER):
        raise ProtocolError(f"DLE EOT {n!r}: no such status (1..4)")
    if isinstance(reply, bytes | bytearray):
        if len(reply) != 1:
            raise ProtocolError(f"DLE EOT {n}: expected 1 status byte, got {len(reply)}")
        value = reply[0]
    elif isinstance(reply, int) and not isinstance(reply, bool) and 0 <= reply <= 0xFF:
        value = reply
    else:
        raise ProtocolError(f"DLE EOT {n}: {reply!r} is not a byte")
    if value & STATUS_FIXED_MASK != STATUS_FIXED_VALUE:
        raise ProtocolError(f"DLE EOT {n}: 0x{value:02x} does not match the pattern 0xx1xx10")
    b2, b3, b5, b6 = (bool(value & bit) for bit in (0x04, 0x08, 0x20, 0x40))
    if n == STATUS_PRINTER:
        return PrinterState(value, b2, b3, b5, b6)
    if n == STATUS_OFFLINE_CAUSE:
        return OfflineCause(value, b2, b3, b5, b6)
    if n == STATUS_ERROR_CAUSE:
        return ErrorCause(value, b2, b3, b5, b6)
    return PaperSensor(value, near_end=b2 or b3, out=b5 or b6)


def printer_status(got: Mapping[int, Status]) -> PrinterStatus:
    """One PrinterStatus from the DLE EOT replies (1 and 4 always; 2 and 3 when asked)."""
    state, cause, error, sensor = (got.get(n) for n in (1, 2, 3, 4))
    if not (isinstance(state, PrinterState) and isinstance(sensor, PaperSensor)):
        raise ProtocolError("a status needs the replies to DLE EOT 1 and DLE EOT 4")
    cause = cause if isinstance(cause, OfflineCause) else None
    paper = {PaperLevel.OK: Paper.OK, PaperLevel.NEAR_END: Paper.LOW,
             PaperLevel.OUT: Paper.OUT}[sensor.level]
    if cause is not None and cause.paper_end_stop:
        paper = Paper.OUT
    failed = bool(cause and cause.error)
    cover = bool(cause and cause.cover_open)
    details = [text for flag, text in (
        (paper is Paper.LOW, "paper near end"), (paper is Paper.OUT, "paper out"),
        (cover, "cover open"), (state.offline, "off line"),
        (isinstance(error, ErrorCause) and error.autocutter, "autocutter error"),
        (failed, "printer error"),
    ) if flag]
    ok = not state.offline and paper is not Paper.OUT and not failed
    reason = "" if ok else ("PAPER_OUT" if paper is Paper.OUT else "COVER_OPEN" if cover
                            else "PRINTER_ERROR" if failed else "PRINTER_OFFLINE")
    return PrinterStatus(DeviceState.AVAILABLE if ok else DeviceState.UNAVAILABLE, reason,
                         ", ".join(details), paper=paper, online=not state.offline, error=failed,
                         source=StatusSource.DEVICE)
