"""An Epson ESC/P dot-matrix printer (9-pin FX/LX class or 24-pin LQ class) as a simulator.

Written from the ESC/P reference (protocols.md §1), never from our driver. ``EscpPrinterSim``
serves the ``EscpInterpreter`` (``escp_interp``: bytes -> pages as PNG, a text transcript and the
raw bytes per job) on TCP, a pty or a FIFO standing in for /dev/usb/lp0, and models paper-out,
off line, a slow link and a cable pulled mid-job. On TCP it is a print server: AppSocket for the
data (one connection at a time: a second waits unread, as in the listen backlog, until the first
has ended) and an SNMP agent (``snmp_agent``: UDP, HOST-RESOURCES-MIB printer objects from the
port status byte, sysUpTime, the Printer-MIB page counter), so paper-out is visible out of band
as on a real network print server.

Faults: ``paper out|in``, ``set online off``, ``set slow_bps N``, ``set paper_out_after_lines N``,
``set disconnect_after_bytes N``, ``set silent on`` (the SNMP agent answers nothing), ``unplug``,
``power cycle`` (what was printed stays; connections reset, the uptime starts again).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import time
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from kioskhub.simulators.base import Simulator, SimulatorError
from kioskhub.simulators.control import CommandError
from kioskhub.simulators.escp_interp import EscpInterpreter
from kioskhub.simulators.escp_modes import EscpState
from kioskhub.simulators.ports import FifoPort, Port, PtyPort, StreamPort
from kioskhub.simulators.snmp_agent import PrinterSnmpAgent

log = logging.getLogger(__name__)


class EscpPrinterSim(Simulator):
    """A 9-pin, 80-column ESC/P printer on TCP (like port 9100), a pty or a FIFO (usblp)."""

    name: ClassVar[str] = "escp_printer"
    description: ClassVar[str] = "Epson ESC/P 9-pin 80-column dot-matrix printer (PNG + text)"
    pins: ClassVar[int] = 9
    columns: ClassVar[int] = 80
    job_idle_s: float = 2.0
    """On a pty or FIFO (no connection per job) a job also ends after this long without bytes."""

    def __init__(
        self, state: EscpState | None = None, *, seed: int | None = None,
        out_dir: str | Path | None = None, font_path: str | None = None,
    ) -> None:
        super().__init__(state, seed=seed)
        self.state: EscpState
        self.interp = EscpInterpreter(
            self.pins, self.columns, state=self.state, out_dir=out_dir, font_path=font_path
        )
        self.snmp: PrinterSnmpAgent | None = None
        self.snmp_port: int | None = None
        self._fifo_waiting: dict[str, asyncio.Future[int]] = {}
        self._one_at_a_time = asyncio.Lock()
        self.booted = time.monotonic()
        """When the printer was (last) switched on: the SNMP agent's sysUpTime counts from it."""

    def power_cycle(self) -> None:
        """Power off and on: the job ends where printing stopped; connections reset; a pty's
        unread input is lost; the uptime starts again."""
        log.info("power cycle")
        self.interp.power_cycle()
        self.booted = time.monotonic()
        for port in list(self._ports):
            if isinstance(port, StreamPort):
                port.writer.transport.abort()
            elif isinstance(port, PtyPort):
                port.discard_input()

    @classmethod
    def default_state(cls) -> EscpState:
        """Paper loaded, on line, 11" pages."""
        return EscpState()

    @property
    def port_status(self) -> int:
        """The port status byte: 0x18 ok, 0x30 paper empty, 0x08 off line."""
        return self.interp.port_status

    def on_bytes(self, session: Any, data: bytes) -> list[bytes]:
        """Feed bytes (a printer never answers on the data channel)."""
        self.interp.feed(data)
        return []

    def snapshot(self) -> dict[str, Any]:
        """The state plus the port status byte, counters and the SNMP agent's port."""
        return {**super().snapshot(), "port_status": self.port_status, "stats": self.interp.stats,
                "snmp_port": self.snmp_port}

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """``paper out|in``, ``port_status``, ``end_job``, ``jobs``."""

        def paper(args: list[str]) -> str:
            if args == ["out"]:
                self.state.paper_empty = True
            elif args == ["in"]:
                self.interp.load_paper()
            else:
                raise CommandError("paper out|in")
            return f"paper {args[0]} port_status=0x{self.port_status:02x}"

        def jobs(args: list[str]) -> str:
            return json.dumps([{"job": j.number, "files": j.files, "ids": j.ids,
                                "lines": len(j.lines), "pages": len(j.pages),
                                "bytes": len(j.raw), "raw": j.raw_file}
                               for j in self.interp.jobs])

        def end_job(args: list[str]) -> str:
            job = self.interp.end_job()
            return f"job {job.number}" if job else "no job"

        def power(args: list[str]) -> str:
            if args != ["cycle"]:
                raise CommandError("power cycle")
            self.power_cycle()
            return "power cycled"

        return {
            "paper": ("paper out|in", paper),
            "port_status": ("port_status", lambda args: f"0x{self.port_status:02x}"),
            "end_job": ("end_job", end_job),
            "jobs": ("jobs", jobs),
            "power": ("power cycle", power),
        }

    async def _listen(self, listen: str) -> str:
        """Also ``fifo:///path`` (or ``file:///path``): a FIFO read like /dev/usb/lp0.

        On TCP (AppSocket, like a print server's port 9100) the print server's SNMP agent
        starts too, on UDP 127.0.0.1 at the same port number when free (else any free port),
        and the URL says where: ``tcp://127.0.0.1:P?status=snmp://127.0.0.1:S``. That URL as
        the listen URL takes both ports again (a restarted printer at its old address).
        """
        parts = urlsplit(listen)
        if parts.scheme == "tcp":
            url = await super()._listen(listen.split("?", 1)[0])
            wanted = urlsplit(parts.query.removeprefix("status="))
            if parts.query and (wanted.scheme != "snmp" or wanted.hostname != "127.0.0.1" or not wanted.port):
                raise SimulatorError(f"{listen!r}: the query may only be status=snmp://127.0.0.1:PORT")
            port = await self._start_snmp(wanted.port or int(url.rsplit(":", 1)[1]), strict=bool(parts.query))
            return f"{url}?status=snmp://127.0.0.1:{port}"
        if parts.scheme not in ("fifo", "file"):
            return await super()._listen(listen)
        path = parts.path
        if parts.netloc or not path.startswith("/"):
            raise SimulatorError(f"{listen!r}: needs an absolute path, like fifo:///tmp/lp0")
        if not os.path.exists(path):
            os.mkfifo(path, 0o660)
            self._paths.append(path)
        elif not stat.S_ISFIFO(os.stat(path).st_mode):
            raise SimulatorError(f"{listen!r}: {path} exists and is not a FIFO")
        first = FifoPort(path, self.new_session())  # open before the URL is handed out
        task = asyncio.get_running_loop().create_task(self._serve_fifo(first))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return f"usblp://{path}"

    def replug(self) -> None:
        """Answer again; an unplugged FIFO gets its reader back at once."""
        super().replug()
        for path, waiter in list(self._fifo_waiting.items()):
            del self._fifo_waiting[path]
            if not waiter.done():
                waiter.set_result(os.open(path, os.O_RDONLY | os.O_NONBLOCK))

    async def _start_snmp(self, preferred: int, strict: bool = False) -> int:
        """Start the SNMP agent once (on ``preferred``, else any port unless ``strict``); its port."""
        if self.snmp_port is not None:
            return self.snmp_port
        loop = asyncio.get_running_loop()
        for port in (preferred,) if strict else (preferred, 0):
            try:
                transport, agent = await loop.create_datagram_endpoint(
                    lambda: PrinterSnmpAgent(self), local_addr=("127.0.0.1", port)
                )
            except OSError as err:
                if port == 0 or strict:
                    raise SimulatorError(f"SNMP agent: {err.strerror or err}") from err
                continue
            self.snmp = agent
            self.snmp_port = int(transport.get_extra_info("sockname")[1])
            break
        assert self.snmp_port is not None
        return self.snmp_port

    async def stop(self) -> None:
        """Stop serving, the SNMP agent too."""
        if self.snmp is not None and self.snmp.transport is not None:
            self.snmp.transport.close()
        self.snmp, self.snmp_port = None, None
        await super().stop()

    async def _serve_fifo(self, port: FifoPort) -> None:
        try:
            while True:  # one job per writer: open, write, close
                await self._serve(port)
                fd, port.next_fd = port.next_fd, -1
                if self.unplugged:  # cable pulled: no reader (writes fail) until replug()
                    if fd >= 0:
                        os.close(fd)
                    waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
                    self._fifo_waiting[port.path] = waiter
                    fd = await waiter
                port = FifoPort(port.path, self.new_session(), fd if fd >= 0 else None)
        finally:
            await port.close()
            if port.next_fd >= 0:
                os.close(port.next_fd)

    async def _serve(self, port: Port) -> None:
        """One AppSocket connection at a time (the next waits unread); a FIFO writer or a pty as is."""
        if isinstance(port, StreamPort):
            async with self._one_at_a_time:
                await self._serve_one(port)
        else:
            await self._serve_one(port)

    async def _serve_one(self, port: Port) -> None:
        """Feed bytes as the printer accepts them: none while out of paper or off line."""
        per_job = not isinstance(port, PtyPort)
        if per_job:
            self.interp.end_job()
        received = 0
        async with self._connection(port, self.interp.end_job if per_job else None):
            while data := await self._read(port, per_job):
                if self.unplugged:
                    continue
                while data:
                    limit = self.state.disconnect_after_bytes
                    bps = self.state.slow_bps
                    chunk = data[: max(1, bps // 10)] if bps else data
                    if limit is not None:
                        chunk = chunk[: max(0, limit - received)]
                    used = self.interp.feed(chunk)
                    received += used
                    data = data[used:]
                    if limit is not None and received >= limit:
                        log.info("cable pulled after %d bytes", received)
                        self.state.disconnect_after_bytes = None
                        if not per_job or isinstance(port, FifoPort):
                            self.unplug()  # until replug(): a FIFO gets no reader (EPIPE)
                        await port.abort()  # a socket resets: the host knows the job was cut
                        return
                    if bps and used:
                        await asyncio.sleep(used / bps)
                    while self.interp.blocked and not self.unplugged:
                        await asyncio.sleep(0.05)  # a stopped printer reads nothing

    async def _read(self, port: Port, per_job: bool) -> bytes:
        """The next bytes; on a pty a pause of ``job_idle_s`` ends the current job."""
        if per_job or self.interp.job is None:
            return await port.read()
        try:
            return await asyncio.wait_for(port.read(), self.job_idle_s)
        except TimeoutError:
            self.interp.end_job()
            return await port.read()


class Escp24PinSim(EscpPrinterSim):
    """A 24-pin, 80-column ESC/P printer (LQ class: ESC 3 n/180", ESC * 39)."""

    name: ClassVar[str] = "escp_printer_24"
    description: ClassVar[str] = "Epson ESC/P 24-pin 80-column dot-matrix printer (PNG + text)"
    pins: ClassVar[int] = 24
