"""The gRPC server: listeners (unix sockets, loopback TCP), health, reflection, servicers."""

from __future__ import annotations

import contextlib
import grp
import ipaddress
import logging
import os
import socket
import stat
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import _async as health_aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from hubd.app import Hub
from hubd.classes import resolve
from hubd.errors import ConfigError
from hubd.rpc.hub_service import HubServicer
from hubd.rpc.status import handlers

log = logging.getLogger(__name__)

SOCKET_GROUP = "kioskhub"


@dataclass(frozen=True)
class Listener:
    """One ``--listen`` address: a unix socket path or a loopback host:port."""

    spec: str
    path: Path | None = None
    host: str = ""
    port: int = 0

    @property
    def grpc_address(self) -> str:
        """The address in gRPC's syntax."""
        return f"unix:{self.path}" if self.path else f"{self.host}:{self.port}"


def parse_listen(spec: str) -> Listener:
    """Parse ``unix:PATH``, ``unix:///PATH`` or ``127.0.0.1:PORT``; refuse non-loopback TCP."""
    if spec.startswith("unix:"):
        raw = spec.removeprefix("unix://") if spec.startswith("unix://") else spec[5:]
        path = Path(raw)
        if not path.is_absolute():
            raise ConfigError(f"listen {spec!r}: the socket path must be absolute")
        return Listener(spec, path=path)
    host, sep, port = spec.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"listen {spec!r}: expected unix:PATH or 127.0.0.1:PORT")
    bare = host.strip("[]")
    loopback = bare == "localhost"
    with contextlib.suppress(ValueError):
        loopback = loopback or ipaddress.ip_address(bare).is_loopback
    if not loopback:
        raise ConfigError(
            f"listen {spec!r}: refused, only loopback addresses are allowed "
            "(LAN access needs mTLS and a technician role, not available yet)"
        )
    return Listener(spec, host=host, port=int(port))


def _prepare_socket_path(path: Path) -> None:
    """Create the directory (0750, group kioskhub, when we create it); remove a stale socket left
    by a crash; refuse a live one."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True)
        os.chmod(path.parent, 0o750)
        with contextlib.suppress(KeyError, PermissionError):
            os.chown(path.parent, -1, grp.getgrnam(SOCKET_GROUP).gr_gid)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise ConfigError(f"listen {path}: exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except OSError:
        log.info("removing stale socket %s", path)
        path.unlink(missing_ok=True)
    else:
        raise ConfigError(f"listen {path}: another hub is already serving on this socket")
    finally:
        probe.close()


def _secure_socket(path: Path) -> None:
    """Mode 0660 and, where the group exists, group ``kioskhub``."""
    os.chmod(path, 0o660)
    with contextlib.suppress(KeyError, PermissionError):
        os.chown(path, -1, grp.getgrnam(SOCKET_GROUP).gr_gid)


class HubServer:
    """grpc.aio server for a Hub: the HubService and every class's services (``ClassSpec.services``)."""

    def __init__(self, hub: Hub, listen: list[str]) -> None:
        self.hub = hub
        self.listeners = [parse_listen(s) for s in listen]
        self.addresses: list[str] = []
        self.health = health_aio.HealthServicer()
        self.server = grpc.aio.server(
            options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 8 * 2**20)],
        )
        classes = [resolve(path) for spec in hub.specs for path in spec.services]
        self.services = [HubServicer.SERVICE.full_name, *(cls.SERVICE.full_name for cls in classes)]
        servicers = [HubServicer(hub, self.services), *(cls(hub) for cls in classes)]
        self.server.add_generic_rpc_handlers(
            [handlers(servicer, type(servicer).SERVICE) for servicer in servicers]
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            [*self.services, health.SERVICE_NAME, reflection.SERVICE_NAME], self.server
        )

    async def start(self) -> list[str]:
        """Bind every listener, start serving, mark services SERVING; return bound addresses."""
        for lst in self.listeners:
            if lst.path is not None:
                _prepare_socket_path(lst.path)
            try:
                port = self.server.add_insecure_port(lst.grpc_address)
            except RuntimeError as err:
                raise ConfigError(f"listen {lst.spec!r}: cannot bind ({err})") from err
            if lst.path is not None:
                self.addresses.append(f"unix://{lst.path}")
            else:
                self.addresses.append(f"{lst.host}:{port}")
        await self.server.start()
        for lst in self.listeners:
            if lst.path is not None:
                _secure_socket(lst.path)
        for name in ["", *self.services]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        return self.addresses

    async def stop(self, grace: float = 5.0) -> None:
        """Refuse new calls, let in-flight calls finish within ``grace`` seconds."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        for lst in self.listeners:
            if lst.path is not None:
                lst.path.unlink(missing_ok=True)
