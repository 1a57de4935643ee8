"""SNMP GetRequest / GetResponse over BER, for reading printer status from a print server.

Wire reference: SNMPv1 message and PDU layout from RFC 1157 §4.1 (``Message ::= SEQUENCE {
version INTEGER, community OCTET STRING, data PDUs }``; ``GetRequest-PDU ::= [0] IMPLICIT
SEQUENCE { request-id, error-status, error-index, variable-bindings }``, GetResponse is ``[2]``),
the SNMPv2c PDUs and the varbind exceptions of RFC 3416 §3 (``noSuchObject [0] IMPLICIT NULL``,
``noSuchInstance [1]``, ``endOfMibView [2]``) and the application types of RFC 2578 §7.1
(IpAddress [APPLICATION 0], Counter32 [1], Gauge32 [2], TimeTicks [3], Opaque [4], Counter64 [6]).

Framing is BER (ITU-T X.690), in ``kioskhub.drivers.snmp.ber``: tag, length, contents; one message
per UDP datagram.

The printer objects read through it are in ``kioskhub.drivers.snmp.printer_mib``.

Sans-IO: bytes in, values out. No sockets, no asyncio, no logging. Anything malformed raises
``ProtocolError``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from hubd.driver_api import InvalidArgument, ProtocolError
from kioskhub.drivers.snmp.ber import (
    INTEGER,
    NULL,
    OCTET_STRING,
    OID,
    SEQUENCE,
    Reader,
    decode_integer,
    decode_oid,
    encode_integer,
    encode_oid,
    tlv,
)

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

_UNSIGNED = {0x41: "Counter32", 0x42: "Gauge32", 0x43: "TimeTicks", 0x46: "Counter64"}
_IP_ADDRESS, _OPAQUE = 0x40, 0x44


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
    varbinds = b"".join(tlv(SEQUENCE, encode_oid(oid) + tlv(NULL, b"")) for oid in oids)
    pdu = encode_integer(request_id) + encode_integer(0) + encode_integer(0) + tlv(SEQUENCE, varbinds)
    return tlv(SEQUENCE, encode_integer(version) + tlv(OCTET_STRING, name) + tlv(GET_REQUEST, pdu))


# -- decoding --------------------------------------------------------------------------------------


def _value(tag: int, octets: bytes) -> SnmpValue:
    """A varbind value from its tag and contents."""
    if tag == INTEGER:
        return decode_integer(octets, "INTEGER value")
    if tag in _UNSIGNED:
        if not octets:
            raise ProtocolError(f"SNMP: empty {_UNSIGNED[tag]}")
        return int.from_bytes(octets, "big")
    if tag in (OCTET_STRING, _OPAQUE):
        return octets
    if tag == _IP_ADDRESS:
        if len(octets) != 4:
            raise ProtocolError(f"SNMP: IpAddress of {len(octets)} octets")
        return octets
    if tag == OID:
        return decode_oid(octets)
    if tag == NULL or tag in (0x80, 0x81, 0x82):
        if octets:
            raise ProtocolError(f"SNMP: NULL-like value 0x{tag:02x} with {len(octets)} octets")
        return None if tag == NULL else Missing(tag)
    raise ProtocolError(f"SNMP: unsupported value type 0x{tag:02x}")


def decode_message(data: bytes) -> SnmpMessage:
    """Decode one SNMPv1/v2c message; ``ProtocolError`` on anything malformed."""
    data = bytes(data)
    top = Reader(data)
    start, end = top.expect(SEQUENCE, "message")
    if not top.done:
        raise ProtocolError(f"SNMP: {len(data) - end} octets after the message")
    msg = top.sub(start, end)
    version = msg.integer("version")
    if version not in (VERSION_1, VERSION_2C):
        raise ProtocolError(f"SNMP: version {version} is not v1 (0) or v2c (1)")
    c_start, c_end = msg.expect(OCTET_STRING, "community")
    pdu_type, p_start, p_end = msg.item("PDU")
    if pdu_type not in _PDU_TYPES:
        raise ProtocolError(f"SNMP: unknown PDU type 0x{pdu_type:02x}")
    if not msg.done:
        raise ProtocolError("SNMP: octets after the PDU")
    pdu = msg.sub(p_start, p_end)
    request_id = pdu.integer("request-id")
    error_status = pdu.integer("error-status")
    error_index = pdu.integer("error-index")
    l_start, l_end = pdu.expect(SEQUENCE, "variable-bindings")
    if not pdu.done:
        raise ProtocolError("SNMP: octets after the variable-bindings")
    varbinds: list[tuple[str, SnmpValue]] = []
    bindings = pdu.sub(l_start, l_end)
    while not bindings.done:
        v_start, v_end = bindings.expect(SEQUENCE, "varbind")
        vb = bindings.sub(v_start, v_end)
        o_start, o_end = vb.expect(OID, "varbind name")
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
