"""An Epson-class ESC/POS thermal receipt printer (80 mm, 203 dpi, 576 dots) as a simulator.

Written from the ESC/POS reference (protocols.md §2, §2.1), never from our driver.
``EscposPrinterSim`` serves the ``EscposInterpreter`` (``escpos_interp``) on TCP or a pty: every
receipt - ended by a cut, by the host closing the connection, or by the ``end_job`` control
command - is rendered (PNG, transcript, raw bytes; see ``escpos_render``).

``DLE EOT n`` (10 04 n) is answered the moment it arrives, even mid-job and while printing is
stopped, from the state: n=1 0x12 | 0x08 off line; n=2 0x12 | 0x04 cover open | 0x20 stopped by
paper end | 0x40 error; n=3 0x12 | 0x08 autocutter error; n=4 0x12, 0x1E near end, 0x72 paper
out. Like a real printer it also answers a 10 04 n that happens to sit inside image data. A
``GS ( H`` process ID request is answered (``37 22 id 00``) once everything before it is printed.

Like a port-9100 printer it serves one TCP connection at a time: a second waits (unread, as in
the listen backlog) until the first has ended. The receive buffer is ``buffer_bytes``: the
printer stops reading while that much waits to print (stopped, or slow).

Faults: ``paper out|near|in``, ``cover open|closed``, ``set online off``, ``set silent on``
(nothing is sent back: the host must report unknown), ``set slow_bps N`` (prints N bytes a
second), ``set paper_out_after_lines N``, ``set disconnect_after_bytes N``, ``unplug``, and
``power cycle`` (what was printed stays on paper; the buffer, modes and connections are lost).
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, ClassVar

from kioskhub.simulators.base import Simulator
from kioskhub.simulators.control import CommandError
from kioskhub.simulators.escpos_commands import Realtime
from kioskhub.simulators.escpos_interp import EscposInterpreter, EscposState
from kioskhub.simulators.ports import Port, PtyPort, StreamPort

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
        self._one_at_a_time = asyncio.Lock()
        self._active: Port | None = None
        """The connection being served: where responses go."""
        self._backlog = bytearray()
        """Received but not yet handed to the print engine (``slow_bps``)."""

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
        if self.state.slow_bps:
            self._backlog += data  # the engine prints it at slow_bps
        else:
            self.interp.receive(data)
            self.interp.run()
        return [] if self.state.silent else [bytes([self.interp.status_byte(n)]) for n in asks]

    def take_responses(self) -> bytes:
        """What processed commands send back (nothing while ``silent``: it is lost)."""
        out = b"".join(self.interp.responses)
        self.interp.responses.clear()
        return b"" if self.state.silent else out

    def power_cycle(self) -> None:
        """Power off and on: the printed part of a receipt stays on paper, the rest is lost."""
        log.info("power cycle: %d bytes lost", self.interp.pending + len(self._backlog))
        self.interp.power_cycle()
        self._backlog.clear()
        for port in list(self._ports):
            if isinstance(port, StreamPort):
                port.writer.transport.abort()  # the host's connection is gone: RST

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

        def power(args: list[str]) -> str:
            if args != ["cycle"]:
                raise CommandError("power cycle")
            self.power_cycle()
            return "power cycled"

        def jobs(args: list[str]) -> str:
            return json.dumps([{"job": r.number, "files": r.files, "ids": r.ids, "cut": r.cut,
                                "lines": len(r.lines), "rows": r.paper.y} for r in self.interp.receipts])

        return {
            "paper": ("paper out|near|in", paper),
            "cover": ("cover open|closed", cover),
            "status": ("status", lambda args: json.dumps(self.snapshot()["status"])),
            "end_job": ("end_job", end_job),
            "jobs": ("jobs", jobs),
            "power": ("power cycle", power),
        }

    async def start(self, listen: str) -> str:
        """Serve ``listen``; also start the print engine that resumes a stopped printer."""
        if self._engine is None or self._engine.done():
            self._engine = asyncio.get_running_loop().create_task(self._run_engine())
            self._tasks.add(self._engine)
            self._engine.add_done_callback(self._tasks.discard)
        return await super().start(listen)

    async def _run_engine(self) -> None:
        """Print what waits (after paper is loaded; at ``slow_bps``) and send what it answers."""
        while True:
            await asyncio.sleep(POLL)
            bps = self.state.slow_bps
            if self._backlog and not self.interp.blocked:
                take = len(self._backlog) if not bps else max(1, int(bps * POLL))
                self.interp.receive(bytes(self._backlog[:take]))
                del self._backlog[:take]
            if self.interp.pending and not self.interp.blocked:
                self.interp.run()
            if self._active is not None:
                await self._send_responses(self._active)

    async def _send_responses(self, port: Port) -> None:
        if (out := self.take_responses()) and not self.unplugged:
            await self._reply(port, out)

    def _full(self) -> bool:
        """The receive buffer is full: the printer reads nothing more for now."""
        waiting = len(self._backlog) + (self.interp.pending if self.interp.blocked else 0)
        return waiting >= self.state.buffer_bytes

    async def _serve(self, port: Port) -> None:
        """One connection at a time; answer DLE EOT at once; stop reading while the buffer is full."""
        per_connection = not isinstance(port, PtyPort)
        if per_connection:  # the next connection waits, unread, as in a port-9100 listen backlog
            async with self._one_at_a_time:
                await self._serve_one(port, per_connection)
        else:
            await self._serve_one(port, per_connection)

    async def _serve_one(self, port: Port, per_connection: bool) -> None:
        received = 0
        self._active = port
        try:
            async with self._connection(port, self.interp.close_stream if per_connection else None):
                while True:
                    if self._full():
                        await asyncio.sleep(POLL)  # the host's writes stall
                        continue
                    data = await port.read()
                    if not data:
                        while self._backlog:  # the host is done: the rest still comes out
                            await asyncio.sleep(POLL)
                        break
                    if self.unplugged:
                        continue
                    limit = self.state.disconnect_after_bytes
                    if limit is not None:
                        data = data[: max(0, limit - received)]
                    received += len(data)
                    for reply in self.on_bytes(port.session, data):
                        await self._reply(port, reply)
                    await self._send_responses(port)
                    if limit is not None and received >= limit:
                        log.info("cable pulled after %d bytes", received)
                        self.state.disconnect_after_bytes = None
                        if not per_connection:
                            self.unplug()
                        return
        finally:
            if self._active is port:
                self._active = None
