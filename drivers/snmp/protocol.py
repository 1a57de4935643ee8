"""SNMP GetRequest / GetResponse over BER, for reading printer status from a print server.

Wire reference: SNMPv1 message and PDU layout from RFC 1157 §4.1 (``Message ::= SEQUENCE {
version INTEGER, community OCTET STRING, data PDUs }``; ``GetRequest-PDU ::= [0] IMPLICIT
SEQUENCE { request-id, error-status, error-index, variable-bindings }``, GetResponse is ``[2]``),
the SNMPv2c PDUs and the varbind exceptions of RFC 3416 §3 (``noSuchObject [0] IMPLICIT NULL``,
``noSuchInstance [1]``, ``endOfMibView [2]``) and the application types of RFC 2578 §7.1
(IpAddress [APPLICATION 0], Counter32 [1], Gauge32 [2], TimeTicks [3], Opaque [4], Counter64 [6]).

Framing (ITU-T X.690 BER as used by SNMP): every item is tag, length, contents. Tags are one
octet here (class, constructed bit, number < 31). Lengths are short (one octet < 0x80) or long
(0x81..0x84 then that many big-endian octets); the indefinite form (0x80) is not allowed in SNMP.
INTEGERs are big-endian two's complement; an OBJECT IDENTIFIER packs its first two arcs as
``40 * X + Y`` and every arc in base 128, high bit = more octets follow. One message per UDP
datagram.

The printer objects read through it are in ``kioskhub.drivers.snmp.printer_mib``.

Sans-IO: bytes in, values out. No sockets, no asyncio, no logging. Anything malformed raises
``ProtocolError``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hubd.driver_api import InvalidArgument, ProtocolError

VERSION_1 = 0
VERSION_2C = 1
GET_REQUEST = 0xA0
GET_NEXT_REQUEST = 0xA1
GET_RESPONSE = 0xA2
_PDU_TYPES = frozenset({0xA0, 0xA1, 0xA2, 0xA3, 0xA5, 0xA6, 0xA7, 0xA8})

ERROR_STATUS = {
    0: "noError", 1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr",
    6: "noAccess", 7: "wrongType", 8: "wrongLength", 9: "wrongEncoding", 10: "wrongValue",
    11: "noCreation", 12: "inconsistentValue", 13: "resourceUnavailable", 14: "commitFailed",
    15: "undoFailed", 16: "authorizationError", 17: "notWritable", 18: "inconsistentName",
}
NO_SUCH_NAME = 2

_INTEGER, _OCTET_STRING, _NULL, _OID, _SEQUENCE = 0x02, 0x04, 0x05, 0x06, 0x30
_UNSIGNED = {0x41: "Counter32", 0x42: "Gauge32", 0x43: "TimeTicks", 0x46: "Counter64"}
_IP_ADDRESS, _OPAQUE = 0x40, 0x44
_MAX_LENGTH_OCTETS = 4
_OID_TEXT = re.compile(r"\.?\d+(\.\d+)+")


class Missing(enum.Enum):
    """A varbind that carries no value: RFC 3416 exceptions (or v1 ``noSuchName``)."""

    NO_SUCH_OBJECT = 0x80
    NO_SUCH_INSTANCE = 0x81
    END_OF_MIB_VIEW = 0x82


SnmpValue = int | bytes | str | None | Missing
"""INTEGER and unsigned types -> int, OCTET STRING / IpAddress / Opaque -> bytes,
OBJECT IDENTIFIER -> dotted str, NULL -> None, an exception -> ``Missing``."""


@dataclass(frozen=True)
class SnmpMessage:
    """One decoded SNMP message (any PDU type)."""

    version: int
    community: bytes
    pdu_type: int
    request_id: int
    error_status: int
    error_index: int
    varbinds: tuple[tuple[str, SnmpValue], ...]

    @property
    def error_name(self) -> str:
        """The error-status as its RFC name (``noError``, ``noSuchName``...)."""
        return ERROR_STATUS.get(self.error_status, f"error-status {self.error_status}")


# -- encoding --------------------------------------------------------------------------------------


def encode_length(n: int) -> bytes:
    """BER definite length: one octet below 128, else 0x80|count then big-endian octets."""
    if n < 0:
        raise InvalidArgument("length", f"{n} is negative")
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(body) > _MAX_LENGTH_OCTETS:
        raise InvalidArgument("length", f"{n} octets is too long for one SNMP message")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, contents: bytes) -> bytes:
    """Tag, length, contents."""
    return bytes([tag]) + encode_length(len(contents)) + contents


def encode_integer(n: int) -> bytes:
    """An INTEGER in the fewest two's-complement octets."""
    size = ((n if n >= 0 else ~n).bit_length() + 8) // 8
    return tlv(_INTEGER, n.to_bytes(size, "big", signed=True))


def parse_oid(text: str) -> tuple[int, ...]:
    """``"1.3.6.1.2.1"`` (a leading dot allowed) as arcs; INVALID_ARGUMENT if it is not an OID."""
    if not _OID_TEXT.fullmatch(text):
        raise InvalidArgument("oid", f"{text!r} is not a dotted object identifier")
    arcs = tuple(int(a) for a in text.lstrip(".").split("."))
    if arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40):
        raise InvalidArgument("oid", f"{text!r}: first arcs must be 0.0-0.39, 1.0-1.39 or 2.x")
    return arcs


def encode_oid(text: str) -> bytes:
    """An OBJECT IDENTIFIER: ``40 * X + Y`` then every arc in base 128."""
    arcs = parse_oid(text)
    out = bytearray()
    for arc in (arcs[0] * 40 + arcs[1], *arcs[2:]):
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return tlv(_OID, bytes(out))


def encode_get_request(
    community: str | bytes, request_id: int, oids: Sequence[str], version: int = VERSION_1
) -> bytes:
    """An SNMPv1 (or v2c) GetRequest for ``oids``, each varbind's value NULL."""
    if version not in (VERSION_1, VERSION_2C):
        raise InvalidArgument("version", f"{version} is not 0 (v1) or 1 (v2c)")
    if not -(2**31) <= request_id < 2**31:
        raise InvalidArgument("request_id", f"{request_id} is not an Integer32")
    if not oids:
        raise InvalidArgument("oids", "at least one OID is needed")
    name = community.encode("latin-1") if isinstance(community, str) else bytes(community)
    varbinds = b"".join(tlv(_SEQUENCE, encode_oid(oid) + tlv(_NULL, b"")) for oid in oids)
    pdu = encode_integer(request_id) + encode_integer(0) + encode_integer(0) + tlv(_SEQUENCE, varbinds)
    return tlv(_SEQUENCE, encode_integer(version) + tlv(_OCTET_STRING, name) + tlv(GET_REQUEST, pdu))


# -- decoding --------------------------------------------------------------------------------------


class _Reader:
    """Walks BER items inside ``data[pos:end]``."""

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    @property
    def done(self) -> bool:
        return self.pos >= self.end

    def item(self, what: str) -> tuple[int, int, int]:
        """The next item's (tag, contents start, contents end); moves past it."""
        if self.pos >= self.end:
            raise ProtocolError(f"SNMP: {what} missing (message ends early)")
        tag = self.data[self.pos]
        if tag & 0x1F == 0x1F:
            raise ProtocolError(f"SNMP: {what}: multi-octet tag 0x{tag:02x} is not used by SNMP")
        pos = self.pos + 1
        if pos >= self.end:
            raise ProtocolError(f"SNMP: {what}: length missing")
        first = self.data[pos]
        pos += 1
        if first < 0x80:
            length = first
        elif first == 0x80:
            raise ProtocolError(f"SNMP: {what}: indefinite length is not allowed")
        else:
            count = first & 0x7F
            if count > _MAX_LENGTH_OCTETS or pos + count > self.end:
                raise ProtocolError(f"SNMP: {what}: bad long-form length")
            length = int.from_bytes(self.data[pos : pos + count], "big")
            pos += count
        if pos + length > self.end:
            raise ProtocolError(f"SNMP: {what}: {length} octets claimed, {self.end - pos} left")
        self.pos = pos + length
        return tag, pos, pos + length

    def expect(self, tag: int, what: str) -> tuple[int, int]:
        """The next item, which must have ``tag``; its contents' (start, end)."""
        got, start, end = self.item(what)
        if got != tag:
            raise ProtocolError(f"SNMP: {what}: expected tag 0x{tag:02x}, got 0x{got:02x}")
        return start, end

    def integer(self, what: str) -> int:
        """An INTEGER item."""
        start, end = self.expect(_INTEGER, what)
        return _signed(self.data[start:end], what)

    def sub(self, start: int, end: int) -> _Reader:
        """A reader over contents ``[start, end)``."""
        return _Reader(self.data, start, end)


def _signed(octets: bytes, what: str) -> int:
    if not octets:
        raise ProtocolError(f"SNMP: {what}: empty INTEGER")
    return int.from_bytes(octets, "big", signed=True)


def decode_oid(octets: bytes) -> str:
    """The dotted form of OBJECT IDENTIFIER contents."""
    if not octets:
        raise ProtocolError("SNMP: empty OBJECT IDENTIFIER")
    if octets[-1] & 0x80:
        raise ProtocolError("SNMP: OBJECT IDENTIFIER ends inside an arc")
    arcs: list[int] = []
    value = 0
    fresh = True
    for b in octets:
        if fresh and b == 0x80:
            raise ProtocolError("SNMP: OBJECT IDENTIFIER arc has a leading 0x80 (not minimal)")
        value = (value << 7) | (b & 0x7F)
        fresh = not b & 0x80
        if fresh:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])


def _value(tag: int, octets: bytes) -> SnmpValue:
    """A varbind value from its tag and contents."""
    if tag == _INTEGER:
        return _signed(octets, "INTEGER value")
    if tag in _UNSIGNED:
        if not octets:
            raise ProtocolError(f"SNMP: empty {_UNSIGNED[tag]}")
        return int.from_bytes(octets, "big")
    if tag in (_OCTET_STRING, _OPAQUE):
        return octets
    if tag == _IP_ADDRESS:
        if len(octets) != 4:
            raise ProtocolError(f"SNMP: IpAddress of {len(octets)} octets")
        return octets
    if tag == _OID:
        return decode_oid(octets)
    if tag == _NULL or tag in (0x80, 0x81, 0x82):
        if octets:
            raise ProtocolError(f"SNMP: NULL-like value 0x{tag:02x} with {len(octets)} octets")
        return None if tag == _NULL else Missing(tag)
    raise ProtocolError(f"SNMP: unsupported value type 0x{tag:02x}")


def decode_message(data: bytes) -> SnmpMessage:
    """Decode one SNMPv1/v2c message; ``ProtocolError`` on anything malformed."""
    data = bytes(data)
    top = _Reader(data)
    start, end = top.expect(_SEQUENCE, "message")
    if not top.done:
        raise ProtocolError(f"SNMP: {len(data) - end} octets after the message")
    msg = top.sub(start, end)
    version = msg.integer("version")
    if version not in (VERSION_1, VERSION_2C):
        raise ProtocolError(f"SNMP: version {version} is not v1 (0) or v2c (1)")
    c_start, c_end = msg.expect(_OCTET_STRING, "community")
    pdu_type, p_start, p_end = msg.item("PDU")
    if pdu_type not in _PDU_TYPES:
        raise ProtocolError(f"SNMP: unknown PDU type 0x{pdu_type:02x}")
    if not msg.done:
        raise ProtocolError("SNMP: octets after the PDU")
    pdu = msg.sub(p_start, p_end)
    request_id = pdu.integer("request-id")
    error_status = pdu.integer("error-status")
    error_index = pdu.integer("error-index")
    l_start, l_end = pdu.expect(_SEQUENCE, "variable-bindings")
    if not pdu.done:
        raise ProtocolError("SNMP: octets after the variable-bindings")
    varbinds: list[tuple[str, SnmpValue]] = []
    bindings = pdu.sub(l_start, l_end)
    while not bindings.done:
        v_start, v_end = bindings.expect(_SEQUENCE, "varbind")
        vb = bindings.sub(v_start, v_end)
        o_start, o_end = vb.expect(_OID, "varbind name")
        tag, val_start, val_end = vb.item("varbind value")
        if not vb.done:
            raise ProtocolError("SNMP: octets after a varbind value")
        varbinds.append((decode_oid(data[o_start:o_end]), _value(tag, data[val_start:val_end])))
    return SnmpMessage(
        version, data[c_start:c_end], pdu_type, request_id, error_status, error_index, tuple(varbinds)
    )


def decode_get_response(data: bytes) -> SnmpMessage:
    """Decode a message that must be a GetResponse (``[2]``, tag 0xA2)."""
    message = decode_message(data)
    if message.pdu_type != GET_RESPONSE:
        raise ProtocolError(f"SNMP: expected a GetResponse, got PDU type 0x{message.pdu_type:02x}")
    return message
