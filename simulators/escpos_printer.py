"""An Epson-class ESC/POS thermal receipt printer (80 mm, 203 dpi, 576 dots) as a simulator.

Written from the ESC/POS reference (protocols.md §2, §2.1), never from our driver.
``EscposInterpreter`` is the pure core: ``receive(data)`` queues bytes, ``run()`` prints them
(nothing while out of paper, off line, with the cover open or a cutter error: a real printer
stops) and every receipt - ended by a cut, by the host closing the connection, or by the
``end_job`` control command - is rendered (PNG, transcript, raw bytes; see ``escpos_render``).

``DLE EOT n`` (10 04 n) is answered the moment it arrives, even mid-job and while printing is
stopped, from the state: n=1 0x12 | 0x08 off line; n=2 0x12 | 0x04 cover open | 0x20 stopped by
paper end | 0x40 error; n=3 0x12 | 0x08 autocutter error; n=4 0x12, 0x1E near end, 0x72 paper
out. Like a real printer it also answers a 10 04 n that happens to sit inside image data.
Faults: ``paper out|near|in``, ``cover open|closed``, ``set online off``, ``set silent on`` (no
status replies: the host must report unknown), ``set disconnect_after_bytes N``, ``unplug``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from simulators.base import Port, PtyPort, Simulator
from simulators.control import CommandError
from simulators.escp_render import find_mono_font
from simulators.escpos_render import Printhead, Receipt, ReceiptStore

log = logging.getLogger(__name__)

POLL = 0.02
"""Seconds between looks at a stopped printer (paper out, off line)."""

# Parameter bytes after ESC c / GS c / FS c for fixed-length commands (Epson ESC/POS command list).
ESC_FIXED = {0x0C: 0, 0x20: 1, 0x21: 1, 0x24: 2, 0x25: 1, 0x2D: 1, 0x32: 0, 0x33: 1, 0x3C: 0,
             0x3D: 1, 0x3F: 1, 0x40: 0, 0x45: 1, 0x47: 1, 0x4A: 1, 0x4B: 1, 0x4C: 0, 0x4D: 1,
             0x52: 1, 0x53: 0, 0x54: 1, 0x55: 1, 0x56: 1, 0x57: 8, 0x5C: 2, 0x61: 1, 0x63: 2,
             0x64: 1, 0x65: 1, 0x69: 0, 0x6D: 0, 0x70: 3, 0x72: 1, 0x74: 1, 0x75: 1, 0x76: 0,
             0x7B: 1}
GS_FIXED = {0x21: 1, 0x23: 1, 0x24: 2, 0x2F: 1, 0x3A: 0, 0x42: 1, 0x45: 1, 0x48: 1, 0x49: 1,
            0x4C: 2, 0x50: 2, 0x54: 1, 0x57: 2, 0x5C: 2, 0x5E: 3, 0x61: 1, 0x62: 1, 0x63: 0,
            0x66: 1, 0x68: 1, 0x6A: 1, 0x72: 1, 0x77: 1}
FS_FIXED = {0x21: 1, 0x26: 0, 0x2D: 1, 0x2E: 0, 0x3F: 1, 0x43: 1, 0x53: 2, 0x57: 1, 0x70: 2}
DLE_SIZES = {0x04: 3, 0x05: 3}
DC4_SIZES = {1: 5, 2: 5, 7: 4, 8: 10}


def _nul_end(buf: bytearray, start: int, limit: int) -> int | None:
    """Length up to and including a NUL found within ``limit`` bytes (or the limit itself)."""
    end = buf.find(0, start, start + limit)
    if end >= 0:
        return end + 1
    return start + limit if len(buf) >= start + limit else None


def _need(buf: bytearray, pos: int, header: int) -> bytes | None:
    """The first ``header`` bytes of the command at ``pos``, or None until they arrived."""
    return bytes(buf[pos : pos + header]) if len(buf) >= pos + header else None


def _variable(buf: bytearray, pos: int, lead: int, c: int) -> int | None:
    """Total length of a variable-length command (or None until its header arrived)."""
    n = len(buf) - pos
    if lead == 0x1B and c == 0x2A:  # ESC * m nL nH d: 1 or 3 bytes per column
        h = _need(buf, pos, 5)
        return None if h is None else 5 + (h[3] | h[4] << 8) * (3 if h[2] in (32, 33) else 1)
    if lead == 0x1B and c == 0x44:  # ESC D n1..nk NUL
        end = _nul_end(buf, pos + 2, 33)
        return None if end is None else end - pos
    if lead == 0x1D and c == 0x76 or lead == 0x1D and c == 0x51:  # GS v 0 / GS Q 0 m xL xH yL yH
        h = _need(buf, pos, 8)
        return None if h is None else 8 + (h[4] | h[5] << 8) * (h[6] | h[7] << 8)
    if c == 0x28 and lead in (0x1B, 0x1D, 0x1C):  # ESC/GS/FS ( fn pL pH p-bytes
        h = _need(buf, pos, 5)
        return None if h is None else 5 + (h[3] | h[4] << 8)
    if lead == 0x1D and c == 0x38:  # GS 8 L p1 p2 p3 p4
        h = _need(buf, pos, 7)
        return None if h is None else 7 + int.from_bytes(h[3:7], "little")
    if lead == 0x1D and c == 0x56:  # GS V m [n]
        h = _need(buf, pos, 3)
        return None if h is None else 4 if h[2] in (65, 66, 97, 98, 103, 104) else 3
    if lead == 0x1D and c == 0x6B:  # GS k m: NUL-terminated (m <= 6) or GS k m n d1..dn
        h = _need(buf, pos, 4)
        if h is None:
            return None
        if h[2] <= 6:
            end = _nul_end(buf, pos + 3, 256)
            return None if end is None else end - pos
        return 4 + h[3]
    if lead == 0x1D and c == 0x2A:  # GS * x y d: x * y * 8 bytes
        h = _need(buf, pos, 4)
        return None if h is None else 4 + h[2] * h[3] * 8
    if lead == 0x1C and c == 0x32:  # FS 2 c1 c2 d1..d72
        return 76 if n >= 76 else None
    return 2  # unknown: skip ESC/GS/FS and the command byte


def command_length(buf: bytearray, pos: int) -> int | None:
    """Bytes of the command starting at ``buf[pos]``, or None until all of it arrived."""
    lead = buf[pos]
    if lead not in (0x1B, 0x1D, 0x1C, 0x10):
        return 1
    if len(buf) - pos < 2:
        return None
    c = buf[pos + 1]
    if lead == 0x10:
        if c == 0x14:
            size = DC4_SIZES.get(buf[pos + 2], 3) if len(buf) - pos > 2 else None
        else:
            size = DLE_SIZES.get(c, 1)
    else:
        fixed = {0x1B: ESC_FIXED, 0x1D: GS_FIXED, 0x1C: FS_FIXED}[lead].get(c)
        size = 2 + fixed if fixed is not None else _variable(buf, pos, lead, c)
    return None if size is None or len(buf) - pos < size else size


def known(cmd: bytes) -> bool:
    """False for ESC/GS/FS commands this printer does not know (skipped as two bytes)."""
    if len(cmd) != 2 or cmd[0] not in (0x1B, 0x1D, 0x1C):
        return True
    table = {0x1B: ESC_FIXED, 0x1D: GS_FIXED, 0x1C: FS_FIXED}[cmd[0]]
    return cmd[1] in table


class Realtime:
    """Finds ``DLE EOT n`` (10 04 n, n = 1..4) in received bytes, also across reads."""

    def __init__(self) -> None:
        self.tail = b""

    def scan(self, data: bytes) -> list[int]:
        """The n of every DLE EOT n completed by ``data``, in order."""
        buf = self.tail + data
        found: list[int] = []
        i = buf.find(b"\x10\x04")
        while 0 <= i < len(buf) - 2:
            if 1 <= buf[i + 2] <= 4 and i + 2 >= len(self.tail):
                found.append(buf[i + 2])
            i = buf.find(b"\x10\x04", i + 1)
        self.tail = buf[-2:]
        return found


@dataclass
class EscposState:
    """Fault switches (settable over the control socket with ``set KEY VALUE``)."""

    paper: str = "ok"
    """``ok``, ``near`` (near end: still prints) or ``out`` (stops printing)."""
    online: bool = True
    cover_open: bool = False
    cutter_error: bool = False
    silent: bool = False
    """Print, but never answer DLE EOT (a broken return channel)."""
    paper_out_after_lines: int | None = None
    disconnect_after_bytes: int | None = None
    buffer_bytes: int = 4096
    """Receive buffer: a stopped printer stops reading once this much is waiting to print."""
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
            self.head.receipt.raw += cmd
            if not known(cmd):
                self.stats["unknown_commands"] += 1
            lines = self.stats["lines"]
            if self.head.execute(cmd):
                self.end_receipt(cut=True)
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
        limit = self.state.paper_out_after_lines
        self._lines_since_load += printed
        if limit is not None and self._lines_since_load >= limit:
            log.info("paper out after %d lines", self._lines_since_load)
            self.state.paper_out_after_lines = None
            self.state.paper = "out"

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


class EscposPrinterSim(Simulator):
    """An 80 mm ESC/POS thermal printer on TCP (like port 9100) or a pty (serial)."""

    name: ClassVar[str] = "escpos_printer"
    description: ClassVar[str] = "ESC/POS 80 mm thermal receipt printer (DLE EOT status; PNG + text)"
    default_query: ClassVar[str] = "baudrate=115200"

    def __init__(self, state: EscposState | None = None, *, seed: int | None = None,
                 out_dir: str | Path | None = None, font_path: str | None = None) -> None:
        super().__init__(state, seed=seed)
        self.state: EscposState
        if out_dir is not None:
            self.state.out_dir = str(out_dir)
        self.interp = EscposInterpreter(self.state, font_path=font_path)
        self._engine: asyncio.Task[None] | None = None

    @classmethod
    def default_state(cls) -> EscposState:
        """Paper loaded, on line, cover closed."""
        return EscposState()

    def new_session(self) -> Realtime:
        """A real-time command scanner per connection."""
        return Realtime()

    def on_bytes(self, session: Realtime, data: bytes) -> list[bytes]:
        """Queue bytes for printing; return the DLE EOT replies they ask for."""
        asks = session.scan(data)
        self.interp.receive(data)
        self.interp.run()
        return [] if self.state.silent else [bytes([self.interp.status_byte(n)]) for n in asks]

    def snapshot(self) -> dict[str, Any]:
        """The state plus the four status bytes and counters."""
        status = {str(n): f"0x{self.interp.status_byte(n):02x}" for n in (1, 2, 3, 4)}
        return {**super().snapshot(), "status": status, "stats": self.interp.stats}

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """``paper out|near|in``, ``cover open|closed``, ``status``, ``end_job``, ``jobs``."""

        def paper(args: list[str]) -> str:
            if args == ["in"]:
                self.interp.load_paper()
            elif args in (["out"], ["near"]):
                self.state.paper = args[0]
            else:
                raise CommandError("paper out|near|in")
            return f"paper {args[0]} status4=0x{self.interp.status_byte(4):02x}"

        def cover(args: list[str]) -> str:
            if args not in (["open"], ["closed"]):
                raise CommandError("cover open|closed")
            self.state.cover_open = args == ["open"]
            self.interp.run()
            return f"cover {args[0]}"

        def end_job(args: list[str]) -> str:
            receipt = self.interp.end_receipt(cut=False)
            return f"job {receipt.number}" if receipt else "no job"

        def jobs(args: list[str]) -> str:
            return json.dumps([{"job": r.number, "files": r.files, "ids": r.ids, "cut": r.cut,
                                "lines": len(r.lines), "rows": r.paper.y} for r in self.interp.receipts])

        return {
            "paper": ("paper out|near|in", paper),
            "cover": ("cover open|closed", cover),
            "status": ("status", lambda args: json.dumps(self.snapshot()["status"])),
            "end_job": ("end_job", end_job),
            "jobs": ("jobs", jobs),
        }

    async def start(self, listen: str) -> str:
        """Serve ``listen``; also start the print engine that resumes a stopped printer."""
        if self._engine is None or self._engine.done():
            self._engine = asyncio.get_running_loop().create_task(self._run_engine())
            self._tasks.add(self._engine)
            self._engine.add_done_callback(self._tasks.discard)
        return await super().start(listen)

    async def _run_engine(self) -> None:
        while True:
            await asyncio.sleep(POLL)
            if self.interp.pending and not self.interp.blocked:
                self.interp.run()

    async def _serve(self, port: Port) -> None:
        """Answer DLE EOT at once; stop reading while the receive buffer is full."""
        per_connection = not isinstance(port, PtyPort)
        self._ports.add(port)
        received = 0
        try:
            while True:
                if self.interp.blocked and self.interp.pending >= self.state.buffer_bytes:
                    await asyncio.sleep(POLL)  # stopped with a full buffer: the host's writes stall
                    continue
                data = await port.read()
                if not data:
                    break
                if self.unplugged:
                    continue
                limit = self.state.disconnect_after_bytes
                if limit is not None:
                    data = data[: max(0, limit - received)]
                received += len(data)
                for reply in self.on_bytes(port.session, data):
                    await self._reply(port, reply)
                if limit is not None and received >= limit:
                    log.info("cable pulled after %d bytes", received)
                    self.state.disconnect_after_bytes = None
                    if not per_connection:
                        self.unplug()
                    return
        except OSError as err:
            log.debug("connection ended: %s", err)
        finally:
            self._ports.discard(port)
            if per_connection:
                self.interp.close_stream()
            await port.close()
