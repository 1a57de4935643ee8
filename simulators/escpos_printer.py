"""An Epson-class ESC/POS thermal receipt printer (80 mm, 203 dpi, 576 dots) as a simulator.

Written from the ESC/POS reference (protocols.md §2, §2.1), never from our driver.
``EscposPrinterSim`` serves the ``EscposInterpreter`` (``escpos_interp``) on TCP or a pty: every
receipt - ended by a cut, by the host closing the connection, or by the ``end_job`` control
command - is rendered (PNG, transcript, raw bytes; see ``escpos_render``).

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
from pathlib import Path
from typing import Any, ClassVar

from simulators.base import Simulator
from simulators.control import CommandError
from simulators.escpos_commands import Realtime
from simulators.escpos_interp import EscposInterpreter, EscposState
from simulators.ports import Port, PtyPort

log = logging.getLogger(__name__)

POLL = 0.02
"""Seconds between looks at a stopped printer (paper out, off line)."""


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
        received = 0
        async with self._connection(port, self.interp.close_stream if per_connection else None):
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
