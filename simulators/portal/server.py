"""``PortalSim``: an e-Mitra-style portal over HTTP on 127.0.0.1 (docs/portal-protocol.md).

Requests are checked (kiosk known, HMAC signature, timestamp within the window, nonce unseen,
token valid) before anything is done; every reply to a known kiosk is signed. Faults
(``kioskhub.simulators.portal.faults``) are state on the simulator; ``unplug()`` stops listening (clients
get "connection refused") and ``replug()`` listens on the same port again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import socket
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from kioskhub.simulators.base import Simulator, SimulatorError, _loopback_port
from kioskhub.simulators.portal import api
from kioskhub.simulators.portal.auth import Gate, plain
from kioskhub.simulators.portal.catalog import DEFAULT_KIOSK_ID, DEFAULT_KIOSK_NAMES, DEFAULT_WALLET_PAISE
from kioskhub.simulators.portal.control import portal_commands
from kioskhub.simulators.portal.faults import Faults
from kioskhub.simulators.portal.http import Request, Response, serve_http
from kioskhub.simulators.portal.ledger import Ledger

log = logging.getLogger(__name__)

ROUTES = {
    ("POST", "/v1/login"): "login",
    ("GET", "/v1/wallet"): "wallet",
    ("GET", "/v1/services"): "services",
    ("POST", "/v1/bill"): "bill",
    ("POST", "/v1/pay"): "pay",
    ("POST", "/v1/verify"): "verify",
    ("GET", "/v1/statement"): "statement",
}


@dataclass
class PortalState:
    """Settings (``set KEY VALUE``); secret_file and ledger_path are read when serving starts."""

    kiosk_id: str = DEFAULT_KIOSK_ID
    secret_file: str = ""
    ledger_path: str = ""
    token_ttl: float = 900.0
    window: float = 300.0
    slow_seconds: float = 3.0
    hang_seconds: float = 30.0
    pending_polls: int = 2


class PortalSim(Simulator):
    """The portal: catalog, bills, kiosk wallets and a payment ledger in SQLite."""

    name: ClassVar[str] = "portal"
    description: ClassVar[str] = "e-Mitra-style portal: signed HTTP JSON, SQLite ledger, kiosk wallets"
    state: PortalState

    def __init__(self, state: PortalState | None = None, *, seed: int | None = None) -> None:
        super().__init__(state, seed=seed)
        self.clock: Callable[[], float] = time.time  # Unix seconds; tests may substitute
        self._faults = Faults()
        self.requests: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()  # requests fully handled (replied, or dropped by a fault)
        self.secret = b""
        self._ledger: Ledger | None = None
        self._tmp: str | None = None
        self.gate = Gate(lambda: self.clock())
        self._replay: Response | None = None
        self._listen_ports: set[int] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @classmethod
    def default_state(cls) -> PortalState:
        """One kiosk, the default catalog, a temporary ledger."""
        return PortalState()

    @property
    def url(self) -> str:
        """The base URL clients use (after ``start``)."""
        return self.urls[0]

    @property
    def ledger(self) -> Ledger:
        """The ledger (opened by ``start``)."""
        if self._ledger is None:
            raise RuntimeError("the portal simulator has not started")
        return self._ledger

    def on_bytes(self, session: Any, data: bytes) -> list[bytes]:
        """Unused: HTTP is served by ``_http``."""
        return []

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """fault, faults, wallet, rate, fee, bill, kiosk, ledger."""
        return portal_commands(self)

    def arm(self, fault: str, endpoint: str = "pay", count: int = 1) -> None:
        """Arm a fault (``kioskhub.simulators.portal.faults``) for ``count`` requests (-1: until disarmed)."""
        self._faults.arm(fault, endpoint, count)

    def disarm(self, fault: str | None = None) -> None:
        """Disarm one fault everywhere, or all of them."""
        self._faults.disarm(fault)

    def faults(self) -> dict[str, Any]:
        """The shared switches and the armed portal faults (``name@endpoint``: count)."""
        return {**super().faults(), "armed": self._faults.snapshot()}

    # -- serving -----------------------------------------------------------------------------

    async def start(self, listen: str) -> str:
        """Open the ledger and provision the kiosk (first time), then serve HTTP on ``listen``."""
        if self._ledger is None:
            self._open()
        return await super().start(listen)

    def _open(self) -> None:
        path = self.state.ledger_path
        if not path:
            self._tmp = tempfile.mkdtemp(prefix="portal-sim-")
            path = str(Path(self._tmp) / "ledger.db")
        self._ledger = Ledger(Path(path))
        self.secret = self._kiosk_secret()
        row = self._ledger.kiosk(self.state.kiosk_id)
        balance = int(row["balance_paise"]) if row else DEFAULT_WALLET_PAISE
        self._ledger.put_kiosk(self.state.kiosk_id, self.secret, DEFAULT_KIOSK_NAMES, balance)

    def _kiosk_secret(self) -> bytes:
        """The secret file's content; a new random secret (written 0600 when a file is named)."""
        path = self.state.secret_file
        if path and Path(path).exists():
            return Path(path).read_bytes().strip()
        secret = secrets.token_hex(32).encode()
        if path:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secret + b"\n")
        return secret

    async def _listen(self, listen: str) -> str:
        parts = urlsplit(listen)
        if parts.scheme != "tcp":
            raise SimulatorError(f"{listen!r}: the portal listens on tcp://127.0.0.1:PORT")
        port = _loopback_port(listen)
        try:
            sock = _bind(port)
        except OSError as err:
            raise SimulatorError(f"{listen!r}: {err.strerror or err}") from err
        port = sock.getsockname()[1]
        self._listen_ports.add(port)
        await self._serve_socket(sock)
        return f"http://127.0.0.1:{port}"

    async def _serve_socket(self, sock: socket.socket) -> None:
        self._servers.append(await asyncio.start_server(self._connection_task, sock=sock))

    async def _connection_task(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._writers.add(writer)
        try:
            await serve_http(reader, writer, self._handle)
        except asyncio.CancelledError:
            pass
        finally:
            self._writers.discard(writer)

    def unplug(self) -> None:
        """Stop listening and drop open connections: clients get "connection refused"."""
        self.unplugged = True
        for server in self._servers:
            server.close()
        self._servers.clear()
        for writer in list(self._writers):
            writer.transport.abort()

    def replug(self) -> None:
        """Listen again on the same ports (bound before this returns)."""
        if not self.unplugged:
            return
        self.unplugged = False
        loop = asyncio.get_running_loop()
        for port in self._listen_ports:
            task = loop.create_task(self._serve_socket(_bind(port)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Stop serving and close the ledger (a temporary one is deleted)."""
        await super().stop()
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # -- requests ----------------------------------------------------------------------------

    async def _handle(self, req: Request) -> Response | None:
        endpoint = ROUTES.get((req.method, req.path))
        if endpoint is None:
            return plain(404, "NOT_FOUND", f"no {req.method} {req.path}")
        self.requests[endpoint] += 1
        kiosk_id = req.headers.get("x-kiosk-id", "")
        row = self.ledger.kiosk(kiosk_id)
        if row is None:
            return plain(401, "UNKNOWN_KIOSK", f"no kiosk {kiosk_id[:40]!r}")
        secret, nonce = bytes(row["secret"]), req.headers.get("x-nonce", "")
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        try:
            self.gate.check(req, endpoint == "login", kiosk_id, secret, self.state.window)
            if self._faults.take("slow", endpoint):
                await asyncio.sleep(self.state.slow_seconds)
            if self._faults.take("error_before_commit", endpoint):
                raise api.ApiError(503, "PORTAL_ERROR", "service temporarily unavailable")
            status, body = 200, self._call(endpoint, req, kiosk_id)
        except api.ApiError as err:
            status, body = err.status, err.body()
        self.answered[endpoint] += 1
        if self._faults.take("timeout_after_commit", endpoint):
            await asyncio.sleep(self.state.hang_seconds)
            return None
        corrupt = self._faults.take("bad_signature", endpoint)
        response = self.gate.sign(status, body, kiosk_id, secret, nonce, corrupt)
        if self._replay is not None:
            response, self._replay = self._replay, None
        elif self._faults.take("duplicate_reply", endpoint):
            self._replay = response
        if self.garbage:
            response = Response(200, self.junk(response.body))
        return response

    def _call(self, endpoint: str, req: Request, kiosk_id: str) -> dict[str, Any]:
        ledger, now = self.ledger, self.clock()
        if endpoint == "login":
            if api.json_body(req.body).get("kiosk_id") != kiosk_id:
                raise api.ApiError(400, "BAD_REQUEST", "kiosk_id: must match X-Kiosk-Id")
            token, expires = self.gate.issue(kiosk_id, self.state.token_ttl)
            row = ledger.kiosk(kiosk_id)
            assert row is not None
            kiosk = {"kiosk_id": kiosk_id, "name_en": row["name_en"], "name_hi": row["name_hi"]}
            return {"token": token, "expires_at": expires, "kiosk": kiosk}
        if endpoint == "wallet":
            return api.wallet(ledger, kiosk_id, now)
        if endpoint == "services":
            return api.services(ledger)
        if endpoint == "bill":
            return api.bill(ledger, req.body)
        if endpoint == "pay":
            hold = (
                "reversed"
                if self._faults.take("reversed", "pay")
                else ("pending" if self._faults.take("pending", "pay") else "")
            )
            return api.pay(ledger, kiosk_id, req.body, now, hold, self.state.pending_polls)
        if endpoint == "verify":
            return api.verify(ledger, kiosk_id, req.body, now)
        return api.statement(ledger, kiosk_id, req.query)


def _bind(port: int) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:port (0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock
