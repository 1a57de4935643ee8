"""The ESC/POS interpreter of the thermal receipt printer simulator: receive buffer -> receipts.

Written from the ESC/POS reference (protocols.md §2, §2.1), never from our driver.
``EscposInterpreter`` is the pure core: ``receive(data)`` queues bytes, ``run()`` prints them
(nothing while out of paper, off line, with the cover open or a cutter error: a real printer
stops) and every receipt - ended by a cut, by the host closing the connection, or by
``end_receipt`` - is rendered (PNG, transcript, raw bytes; see ``escpos_render``).
``status_byte(n)`` is the reply to ``DLE EOT n`` from the state; ``responses`` collects what
processed commands send back (process ID responses), for the connection to take.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kioskhub.simulators.escpos_commands import asks_back, command_length, known, process_id_response
from kioskhub.simulators.escpos_head import Printhead
from kioskhub.simulators.escpos_render import Receipt, ReceiptStore
from kioskhub.simulators.printer_common import find_mono_font, paper_runs_out

log = logging.getLogger(__name__)


@dataclass
class EscposState:
    """Fault switches (settable over the control socket with ``set KEY VALUE``)."""

    paper: str = "ok"
    """``ok``, ``near`` (near end: still prints) or ``out`` (stops printing)."""
    online: bool = True
    cover_open: bool = False
    cutter_error: bool = False
    silent: bool = False
    """Print, but never send anything back: DLE EOT, process IDs (a broken return channel)."""
    paper_out_after_lines: int | None = None
    disconnect_after_bytes: int | None = None
    buffer_bytes: int = 4096
    """Receive buffer: the printer stops reading once this much is waiting to print."""
    slow_bps: int | None = None
    """Print at most this many bytes a second (a slow mechanism: the receive buffer fills)."""
    out_dir: str | None = None


class EscposInterpreter:
    """ESC/POS bytes -> receipts; stops while the printer cannot print."""

    def __init__(self, state: EscposState | None = None, *, width: int = 576,
                 font_path: str | None = None, keep: int = 16) -> None:
        self.state = state or EscposState()
        self.stats = dict.fromkeys(("bytes", "commands", "unknown_commands", "lines", "images",
                                    "ignored_images", "cuts", "receipts", "dropped_bytes"), 0)
        self.head = Printhead(width, font_path if font_path is not None else find_mono_font(),
                              self.stats)
        self.receipts: list[Receipt] = []
        self.keep = keep
        self._buf = bytearray()
        self._pos = 0
        self._end_when_drained = False
        self._store: ReceiptStore | None = None
        self._lines_since_load = 0
        self.responses: list[bytes] = []
        """What processed commands send back, in order (taken by the connection)."""

    @property
    def blocked(self) -> bool:
        """True while printing is stopped."""
        s = self.state
        return s.paper == "out" or not s.online or s.cover_open or s.cutter_error

    @property
    def pending(self) -> int:
        """Bytes received but not printed yet."""
        return len(self._buf) - self._pos

    def status_byte(self, n: int) -> int:
        """The reply to DLE EOT n (§2.1: always 0xx1xx10)."""
        s = self.state
        out = s.paper == "out"
        if n == 1:
            return 0x12 | (0x08 if self.blocked else 0)
        if n == 2:
            error = 0x40 if s.cutter_error else 0
            return 0x12 | (0x04 if s.cover_open else 0) | (0x20 if out else 0) | error
        if n == 3:
            return 0x12 | (0x08 if s.cutter_error else 0)
        return 0x72 if out else 0x1E if s.paper == "near" else 0x12

    def receive(self, data: bytes) -> None:
        """Queue bytes for printing (call ``run`` to print them)."""
        self._buf += data

    def close_stream(self) -> None:
        """The host is done (connection closed): end the receipt once its bytes are printed.

        A command cut short by the close is dropped, so the next connection starts clean.
        """
        self._end_when_drained = True
        self.run()

    def run(self) -> None:
        """Print queued commands until the queue is empty, incomplete or printing stops."""
        buf = self._buf
        incomplete = False
        while self._pos < len(buf) and not self.blocked:
            size = command_length(buf, self._pos)
            if size is None:
                incomplete = True
                break
            cmd = bytes(buf[self._pos : self._pos + size])
            self._pos += size
            self.stats["bytes"] += size
            self.stats["commands"] += size > 1
            if not asks_back(cmd):  # a receipt's bytes are what it printed from
                self.head.receipt.raw += cmd
            if not known(cmd):
                self.stats["unknown_commands"] += 1
            lines = self.stats["lines"]
            if self.head.execute(cmd):
                self.end_receipt(cut=True)
            if (response := process_id_response(cmd)) is not None:
                self.responses.append(response)
            self._count_lines(self.stats["lines"] - lines)
        if self._pos > 65536 or self._pos == len(buf):
            del buf[: self._pos]
            self._pos = 0
        if self._end_when_drained and (incomplete or not self.pending):
            if self.pending:  # the host hung up inside a command: the next connection starts clean
                log.info("connection closed inside a command: %d bytes dropped", self.pending)
                self.stats["dropped_bytes"] += self.pending
                buf.clear()
                self._pos = 0
            self._end_when_drained = False
            self.end_receipt(cut=False)

    def _count_lines(self, printed: int) -> None:
        self._lines_since_load += printed
        if paper_runs_out(self.state, self._lines_since_load):
            self.state.paper = "out"

    def power_cycle(self) -> None:
        """Power lost and back: what was printed stays (the receipt ends uncut), the unprinted
        buffer and pending responses are gone, modes are back to power-on values."""
        self.end_receipt(cut=False)
        self._buf.clear()
        self._pos = 0
        self._end_when_drained = False
        self.responses.clear()
        self.head.reset()

    def load_paper(self) -> None:
        """A fresh roll: printing resumes."""
        self.state.paper = "ok"
        self._lines_since_load = 0
        self.run()

    def end_receipt(self, cut: bool) -> Receipt | None:
        """Finish the current receipt; keep and write it if anything was printed."""
        receipt = self.head.finish()
        if receipt is None:
            return None
        receipt.cut = cut
        self.stats["receipts"] += 1
        self.receipts = [*self.receipts, receipt][-self.keep :]
        if self.state.out_dir is not None:
            if self._store is None or self._store.dir != Path(self.state.out_dir):
                self._store = ReceiptStore(self.state.out_dir)
            self._store.save(receipt)
        return receipt
