"""The SNMP agent of the simulated ESC/P print server (RFC 1157 / RFC 3416 BER).

It answers GetRequest (v1 and v2c, one community) for the three HOST-RESOURCES-MIB printer objects
(RFC 2790) - hrDeviceStatus, hrPrinterStatus, hrPrinterDetectedErrorState - filled from the
printer's port status byte (protocols.md §1.3) as network print servers do from the IEEE 1284
status lines, so paper-out is visible out of band; sysUpTime.0 (RFC 3418, TimeTicks since the
printer was switched on) and prtMarkerLifeCount.1.1 (RFC 3805 Printer-MIB, Counter32: pages
printed). Written from the RFCs, never from our driver; the BER here is the minimum an agent
needs: definite lengths, INTEGER, OCTET STRING, OID, SEQUENCE, the two application types.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from kioskhub.simulators.escp_printer import EscpPrinterSim

log = logging.getLogger(__name__)

HR_DEVICE_STATUS = (1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5, 1)
HR_PRINTER_STATUS = (1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 1, 1)
HR_PRINTER_ERROR_STATE = (1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 2, 1)
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
PRT_MARKER_LIFE_COUNT = (1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4, 1, 1)
COUNTER32, TIMETICKS = 0x41, 0x43  # RFC 2578 [APPLICATION 1] and [APPLICATION 3], unsigned
NO_PAPER, OFFLINE = 0x40, 0x02  # hrPrinterDetectedErrorState bits 1 and 6 (bit 0 = MSB)


def _ber_take(buf: bytes, pos: int) -> tuple[int, bytes, int]:
    """(tag, contents, position after) of the BER item at ``pos``; ValueError if cut short."""
    tag, size = buf[pos], buf[pos + 1]
    pos += 2
    if size & 0x80:
        count = size & 0x7F
        if not 1 <= count <= 4:
            raise ValueError("unsupported BER length form")
        size = int.from_bytes(buf[pos : pos + count], "big")
        pos += count
    if pos + size > len(buf):
        raise ValueError("BER item runs past the end")
    return tag, buf[pos : pos + size], pos + size


def _ber_items(body: bytes) -> list[tuple[int, bytes]]:
    """The items of a SEQUENCE's contents."""
    items, pos = [], 0
    while pos < len(body):
        tag, contents, pos = _ber_take(body, pos)
        items.append((tag, contents))
    return items


def _ber(tag: int, contents: bytes) -> bytes:
    n = len(contents)
    if n < 128:
        return bytes([tag, n]) + contents
    size = n.to_bytes(4, "big").lstrip(b"\x00")
    return bytes([tag, 0x80 + len(size)]) + size + contents


def _ber_int(n: int) -> bytes:
    body = n.to_bytes(8, "big", signed=True)
    while len(body) > 1 and ((body[0] == 0 and body[1] < 0x80) or (body[0] == 0xFF and body[1] >= 0x80)):
        body = body[1:]
    return _ber(0x02, body)


def _ber_unsigned(tag: int, n: int) -> bytes:
    """A Counter32 / TimeTicks: big-endian, a leading 00 when the top bit is set."""
    n %= 2**32
    body = n.to_bytes(5, "big").lstrip(b"\x00") or b"\x00"
    if body[0] & 0x80:
        body = b"\x00" + body
    return _ber(tag, body)


def _oid_arcs(body: bytes) -> tuple[int, ...]:
    arcs, acc = [], 0
    for b in body:
        acc = acc * 128 + (b & 0x7F)
        if b < 0x80:
            arcs.append(acc)
            acc = 0
    if not arcs or body[-1] >= 0x80:
        raise ValueError("bad OBJECT IDENTIFIER")
    x = min(arcs[0] // 40, 2)
    return (x, arcs[0] - 40 * x, *arcs[1:])


def _oid_bytes(arcs: tuple[int, ...]) -> bytes:
    out = bytearray()
    for arc in (40 * arcs[0] + arcs[1], *arcs[2:]):
        septets = [arc & 0x7F]
        while arc > 0x7F:
            arc //= 128
            septets.insert(0, 0x80 | (arc & 0x7F))
        out += bytes(septets)
    return _ber(0x06, bytes(out))


class PrinterSnmpAgent(asyncio.DatagramProtocol):
    """The print server's SNMP agent: GetRequest (v1/v2c) for the three printer objects,
    filled from the printer's port status byte as print servers do from the 1284 lines."""

    def __init__(self, sim: EscpPrinterSim) -> None:
        self.sim = sim
        self.transport: asyncio.DatagramTransport | None = None
        self.requests = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the socket to answer on."""
        self.transport = cast(asyncio.DatagramTransport, transport)

    def mib(self) -> dict[tuple[int, ...], bytes]:
        """The answerable objects as encoded values."""
        status = self.sim.port_status
        bits = (NO_PAPER if status & 0x20 else 0) | (0 if status & 0x10 else OFFLINE)
        down = bool(bits) or not status & 0x08
        printing = 4 if self.sim.interp.job is not None else 3
        uptime = int((time.monotonic() - self.sim.booted) * 100)
        return {
            HR_DEVICE_STATUS: _ber_int(5 if down else 2),  # down(5) / running(2)
            HR_PRINTER_STATUS: _ber_int(1 if down else printing),  # other(1) / printing / idle
            HR_PRINTER_ERROR_STATE: _ber(0x04, bytes([bits, 0])),
            SYS_UPTIME: _ber_unsigned(TIMETICKS, uptime),
            PRT_MARKER_LIFE_COUNT: _ber_unsigned(COUNTER32, self.sim.interp.stats["pages"]),
        }

    def answer(self, data: bytes) -> bytes | None:
        """The GetResponse to a request, or None to stay silent (not a Get, wrong community)."""
        tag, body, end = _ber_take(data, 0)
        if tag != 0x30 or end != len(data):
            raise ValueError("not one SEQUENCE")
        (t_ver, ver), (t_com, community), (t_pdu, pdu) = _ber_items(body)
        version = int.from_bytes(ver, "big", signed=True)
        if (t_ver, t_com, t_pdu) != (0x02, 0x04, 0xA0) or version not in (0, 1):
            return None
        if community != self.sim.state.snmp_community.encode():
            log.info("snmp: wrong community %r ignored", community)
            return None
        (t_id, request_id), _, _, (t_list, varbinds) = _ber_items(pdu)
        if t_id != 0x02 or t_list != 0x30:
            raise ValueError("bad PDU")
        names = [_oid_arcs(_ber_items(vb)[0][1]) for _, vb in _ber_items(varbinds)]
        mib = self.mib()
        missing = [i for i, name in enumerate(names) if name not in mib]
        error, index = (2, missing[0] + 1) if version == 0 and missing else (0, 0)  # noSuchName
        out = b""
        for name in names:
            value = b"\x05\x00" if error else mib.get(name, b"\x80\x00")  # v2c: noSuchObject
            out += _ber(0x30, _oid_bytes(name) + value)
        response = _ber(0x02, request_id) + _ber_int(error) + _ber_int(index) + _ber(0x30, out)
        return _ber(0x30, _ber_int(version) + _ber(0x04, community) + _ber(0xA2, response))

    def datagram_received(self, data: bytes, addr: Any) -> None:
        """Answer one request (honouring unplug, garbage and delay); drop what does not parse."""
        sim = self.sim
        if sim.unplugged or sim.state.silent or self.transport is None:
            return
        self.requests += 1
        try:
            reply = self.answer(data)
        except (ValueError, IndexError) as err:
            log.info("snmp: malformed request dropped: %s", err)
            return
        if reply is None:
            return
        if sim.garbage:
            reply = sim.junk(reply)
        if sim.delay > 0:
            asyncio.get_running_loop().call_later(sim.delay, self.transport.sendto, reply, addr)
        else:
            self.transport.sendto(reply, addr)
