"""Simulator base: serve a device's wire protocol on tcp://127.0.0.1, a unix socket or a pty.

A simulator is written from the protocol reference, never from our drivers, and imports nothing
from ``hubd`` or ``drivers``. ``await sim.start(listen)`` returns the URL a driver should use:

    tcp://127.0.0.1:0   -> tcp://127.0.0.1:<real port>   (only 127.0.0.1 is accepted)
    unix:///path/sock   -> unix:///path/sock
    pty                 -> serial:///dev/pts/N?<default_query>   (e.g. ?baudrate=2400)
    pty:///path/ttyX    -> serial:///path/ttyX?<default_query>   (a symlink to the pty, replaced
                           when a restarted simulator takes the same path, as udev's by-id links)

Fault switches shared by every simulator: ``unplug()`` / ``replug()`` (input is discarded, nothing
is sent), ``garbage`` (each reply is replaced by junk) and ``delay`` (seconds before each reply).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import random
import tty
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

from kioskhub.simulators.control import handle_control
from kioskhub.simulators.ports import Port, PtyPort, StreamPort

log = logging.getLogger(__name__)

ClientCallback = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class SimulatorError(Exception):
    """A simulator cannot start: bad listen URL, non-loopback host, OS error."""


def _loopback_port(listen: str) -> int:
    """The port of a tcp://127.0.0.1:PORT listen URL; anything but 127.0.0.1 is refused."""
    parts = urlsplit(listen)
    if parts.hostname != "127.0.0.1":
        raise SimulatorError(f"{listen!r}: only 127.0.0.1 is allowed (loopback only)")
    try:
        port = parts.port
    except ValueError as err:
        raise SimulatorError(f"{listen!r}: bad port") from err
    if port is None:
        raise SimulatorError(f"{listen!r}: needs a port (0 picks a free one)")
    return port


class Simulator(abc.ABC):
    """A device simulator serving its wire protocol on any number of listen URLs."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    default_query: ClassVar[str] = ""

    def __init__(self, state: Any = None, *, seed: int | None = None) -> None:
        self.state: Any = state if state is not None else self.default_state()
        self.unplugged = False
        self.garbage = False
        self.delay = 0.0
        self.replies_sent = 0
        self.rng = random.Random(seed)
        self.urls: list[str] = []
        self.control_url: str | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._ports: set[Port] = set()
        self._fds: list[int] = []
        self._paths: list[str] = []

    @classmethod
    def default_state(cls) -> Any:
        """A fresh state dataclass with realistic values (subclasses override)."""
        return None

    def new_session(self) -> Any:
        """Per-connection protocol state (e.g. a line buffer)."""
        return None

    @abc.abstractmethod
    def on_bytes(self, session: Any, data: bytes) -> list[bytes]:
        """Consume received bytes; return the replies to send, in order."""

    def junk(self, reply: bytes) -> bytes:
        """What a ``garbage`` fault sends instead of ``reply`` (line noise: high-bit bytes)."""
        return bytes(self.rng.randrange(0x80, 0x100) for _ in range(max(1, len(reply))))

    def refresh(self) -> None:
        """Bring time-dependent state up to date (before replies and ``get``)."""

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """Extra control-socket commands: name -> (help text, handler(args) -> reply)."""
        return {}

    def unplug(self) -> None:
        """Go silent: discard input and send nothing until ``replug``."""
        self.unplugged = True
        for port in self._ports:
            port.session = self.new_session()

    def replug(self) -> None:
        """Answer again."""
        self.unplugged = False

    def snapshot(self) -> dict[str, Any]:
        """The state as a JSON-able dict."""
        self.refresh()
        if dataclasses.is_dataclass(self.state) and not isinstance(self.state, type):
            return dataclasses.asdict(self.state)
        return {}

    def faults(self) -> dict[str, Any]:
        """The fault switches as a JSON-able dict."""
        return {"unplugged": self.unplugged, "garbage": self.garbage, "delay": self.delay}

    async def start(self, listen: str) -> str:
        """Serve on ``listen`` in the running loop; return the URL a driver should open."""
        url = await self._listen(listen)
        self.urls.append(url)
        log.info("%s simulator serving at %s", self.name or type(self).__name__, url)
        return url

    async def start_control(self, listen: str) -> str:
        """Serve the text control socket (tcp://127.0.0.1:0 or unix:///path); return its URL."""
        self.control_url = await self._serve_stream(listen, functools.partial(handle_control, self))
        return self.control_url

    async def stop(self) -> None:
        """Stop serving, close every connection and pty, remove socket files."""
        for server in self._servers:
            server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in self._servers:
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 1.0)
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        for path in self._paths:
            with contextlib.suppress(OSError):
                os.unlink(path)
        self._servers, self._fds, self._paths = [], [], []

    async def _listen(self, listen: str) -> str:
        """Dispatch on the listen URL; subclasses may handle more forms and call super."""
        if listen in ("pty", "pty://", "pty:"):
            return self._listen_pty()
        scheme = urlsplit(listen).scheme
        if scheme == "pty":
            link = urlsplit(listen).path
            if not link.startswith("/") or urlsplit(listen).netloc:
                raise SimulatorError(f"{listen!r}: use pty or pty:///absolute/path")
            return self._listen_pty(link)
        if scheme not in ("tcp", "unix"):
            raise SimulatorError(
                f"unsupported listen URL {listen!r} (use tcp://127.0.0.1:0, unix:///path or pty)"
            )
        return await self._serve_stream(
            listen, lambda reader, writer: self._serve(StreamPort(reader, writer, self.new_session()))
        )

    async def _serve_stream(self, listen: str, client: ClientCallback) -> str:
        """Listen on tcp://127.0.0.1:PORT or unix:///path; each connection runs ``client``."""

        async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            if task is not None:  # so stop() can end open connections
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            with contextlib.suppress(asyncio.CancelledError):
                await client(reader, writer)

        parts = urlsplit(listen)
        try:
            if parts.scheme == "tcp":
                server = await asyncio.start_server(tracked, "127.0.0.1", _loopback_port(listen))
                self._servers.append(server)
                return f"tcp://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            if parts.scheme == "unix" and not parts.netloc and parts.path.startswith("/"):
                server = await asyncio.start_unix_server(tracked, parts.path)
                self._servers.append(server)
                self._paths.append(parts.path)
                return f"unix://{parts.path}"
        except OSError as err:
            raise SimulatorError(f"{listen!r}: {err.strerror or err}") from err
        raise SimulatorError(f"{listen!r}: use tcp://127.0.0.1:PORT or unix:///absolute/path")

    def _listen_pty(self, link: str = "") -> str:
        """Open a pty pair; serve the master; return ``serial://<slave>?<default_query>`` (the
        slave as ``link`` when given: a symlink to it, atomically replacing an old one)."""
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)  # keep the slave open so drivers can close and reopen it
        os.set_blocking(master, False)
        self._fds += [master, slave]
        path = os.ttyname(slave)
        if link:
            tmp = f"{link}.{os.getpid()}.tmp"
            try:
                os.symlink(path, tmp)
                os.replace(tmp, link)
            except OSError as err:
                raise SimulatorError(f"pty link {link}: {err.strerror or err}") from err
            self._paths.append(link)
            path = link
        task = asyncio.get_running_loop().create_task(self._serve(PtyPort(master, self.new_session())))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return f"serial://{path}" + (f"?{self.default_query}" if self.default_query else "")

    @contextlib.asynccontextmanager
    async def _connection(
        self, port: Port, ended: Callable[[], object] | None = None
    ) -> AsyncIterator[None]:
        """Track ``port`` while it is served; when the host goes away (or an OSError or cancel
        ends it) call ``ended`` and close the port."""
        self._ports.add(port)
        try:
            yield
        except OSError as err:
            log.debug("connection ended: %s", err)
        finally:
            self._ports.discard(port)
            await port.close()  # first, as a printer does: the host need not wait for the page
            if ended is not None:
                ended()

    async def _serve(self, port: Port) -> None:
        """Feed received bytes to the protocol and send its replies, honouring the faults."""
        async with self._connection(port):
            while data := await port.read():
                if self.unplugged:
                    continue
                for reply in self.on_bytes(port.session, data):
                    await self._reply(port, reply)

    async def _reply(self, port: Port, reply: bytes) -> None:
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        if self.unplugged:
            return
        await port.write(self.junk(reply) if self.garbage else reply)
        self.replies_sent += 1


class LineSimulator(Simulator):
    """A simulator for line protocols: split input at ``terminator`` and answer each line."""

    terminator: ClassVar[bytes] = b"\r"
    max_line: ClassVar[int] = 1024

    def new_session(self) -> bytearray:
        """A line buffer per connection."""
        return bytearray()

    @abc.abstractmethod
    def on_line(self, line: bytes) -> bytes | None:
        """Answer one line (without its terminator); None sends nothing."""

    def on_bytes(self, session: bytearray, data: bytes) -> list[bytes]:
        """Buffer bytes and answer each complete line."""
        session += data
        replies: list[bytes] = []
        while (idx := session.find(self.terminator)) >= 0:
            line = bytes(session[:idx])
            del session[: idx + len(self.terminator)]
            self.refresh()
            reply = self.on_line(line)
            if reply is not None:
                replies.append(reply)
        if len(session) > self.max_line:
            session.clear()
        return replies

    def junk(self, reply: bytes) -> bytes:
        """High-bit line noise, then the terminator, so the host reads one bad line."""
        body = bytes(self.rng.randrange(0x80, 0x100) for _ in range(max(1, len(reply) - 1)))
        return body + self.terminator
