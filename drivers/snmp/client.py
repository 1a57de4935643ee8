"""A minimal asyncio SNMP GET client over UDP (one request in flight, retries, honest errors)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence

from hubd.driver_api import InvalidArgument, ProtocolError, TransportTimeout, os_error
from kioskhub.drivers.snmp import protocol
from kioskhub.drivers.snmp.ber import parse_oid
from kioskhub.drivers.snmp.protocol import Missing, SnmpValue

__all__ = ["DEFAULT_PORT", "Missing", "SnmpValue", "snmp_get"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 161
MAX_DATAGRAM = 65507


class _Inbox(asyncio.DatagramProtocol):
    """Datagrams and socket errors, in arrival order."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | OSError] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.queue.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        if isinstance(exc, OSError):  # e.g. ICMP port unreachable -> ConnectionRefusedError
            self.queue.put_nowait(exc)


async def snmp_get(
    host: str,
    port: int,
    oids: Sequence[str],
    community: str = "public",
    timeout: float = 1.0,
    retries: int = 1,
    version: int = protocol.VERSION_1,
) -> dict[str, SnmpValue]:
    """GET ``oids`` from the agent at ``host:port``; returns oid -> value (``Missing`` if absent).

    Raises ``TransportTimeout`` when no answer comes after ``1 + retries`` tries of ``timeout``
    seconds, ``TransportError`` when the agent's port is closed (ICMP refused) or the socket
    fails, and ``ProtocolError`` on a malformed or mismatched reply or an SNMP error-status.
    An SNMPv1 ``noSuchName`` marks that OID ``Missing.NO_SUCH_OBJECT`` and asks for the rest.
    """
    if not oids:
        raise InvalidArgument("oids", "at least one OID is needed")
    if timeout <= 0 or retries < 0:
        raise InvalidArgument("timeout", "timeout must be > 0 and retries >= 0")
    for oid in oids:
        parse_oid(oid)
    url = f"snmp://{host}:{port}"
    loop = asyncio.get_running_loop()
    try:
        transport, inbox = await asyncio.wait_for(
            loop.create_datagram_endpoint(_Inbox, remote_addr=(host, port)), timeout
        )
    except TimeoutError as err:
        raise TransportTimeout(f"{url}: could not resolve or bind within {timeout:.1f}s") from err
    except OSError as err:
        raise os_error(url, "open", err) from err
    result: dict[str, SnmpValue] = {}
    wanted = [o.lstrip(".") for o in oids]
    try:
        while wanted:
            got = await _get_once(transport, inbox, url, wanted, community, timeout, retries, version)
            if isinstance(got, dict):
                result.update(got)
                break
            result[wanted[got]] = Missing.NO_SUCH_OBJECT
            del wanted[got]
    finally:
        transport.close()
    return {o.lstrip("."): result[o.lstrip(".")] for o in oids}


async def _get_once(
    transport: asyncio.DatagramTransport,
    inbox: _Inbox,
    url: str,
    oids: list[str],
    community: str,
    timeout: float,
    retries: int,
    version: int,
) -> dict[str, SnmpValue] | int:
    """One GET (with retries): the values, or the index of the OID the v1 agent does not know."""
    request_id = random.randrange(1, 2**31)
    request = protocol.encode_get_request(community, request_id, oids, version)
    loop = asyncio.get_running_loop()
    for attempt in range(1 + retries):
        try:
            transport.sendto(request)
        except OSError as err:
            raise os_error(url, "send", err) from err
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            try:
                item = await asyncio.wait_for(inbox.queue.get(), remaining)
            except TimeoutError:
                break
            if isinstance(item, OSError):
                raise os_error(url, "query", item) from item
            reply = protocol.decode_get_response(item)
            if reply.request_id != request_id:
                log.debug("%s: ignoring a reply to request %d", url, reply.request_id)
                continue
            return _accept(reply, url, oids)
        log.debug("%s: no reply to try %d of %d", url, attempt + 1, 1 + retries)
    raise TransportTimeout(f"{url}: no SNMP reply after {1 + retries} tries of {timeout:.1f}s")


def _accept(reply: protocol.SnmpMessage, url: str, oids: list[str]) -> dict[str, SnmpValue] | int:
    """Check a reply against the request: its values, or the index a noSuchName points at."""
    if reply.error_status == protocol.NO_SUCH_NAME and 1 <= reply.error_index <= len(oids):
        return reply.error_index - 1
    if reply.error_status != 0:
        raise ProtocolError(
            f"{url}: agent answered {reply.error_name} (index {reply.error_index})",
            metadata={"errorStatus": str(reply.error_status)},
        )
    names = [name for name, _ in reply.varbinds]
    if names != oids:
        raise ProtocolError(f"{url}: reply names {names} do not match the request {oids}")
    return dict(reply.varbinds)

