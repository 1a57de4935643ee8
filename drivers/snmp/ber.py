"""BER (ITU-T X.690) as SNMP uses it: tag-length-contents items, INTEGERs and OBJECT IDENTIFIERs.

Framing: every item is tag, length, contents. Tags are one octet here (class, constructed bit,
number < 31). Lengths are short (one octet < 0x80) or long (0x81..0x84 then that many big-endian
octets); the indefinite form (0x80) is not allowed in SNMP. INTEGERs are big-endian two's
complement; an OBJECT IDENTIFIER packs its first two arcs as ``40 * X + Y`` and every arc in base
128, high bit = more octets follow. The SNMP message built from these items is
``kioskhub.drivers.snmp.protocol``.

Sans-IO: bytes in, values out. No sockets, no asyncio, no logging. Anything malformed raises
``ProtocolError`` (a bad value to encode, ``InvalidArgument``).
"""

from __future__ import annotations

import re

from hubd.driver_api import InvalidArgument, ProtocolError

INTEGER, OCTET_STRING, NULL, OID, SEQUENCE = 0x02, 0x04, 0x05, 0x06, 0x30
"""The universal tags SNMP uses."""
_MAX_LENGTH_OCTETS = 4
_OID_TEXT = re.compile(r"\.?\d+(\.\d+)+")


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
    return tlv(INTEGER, n.to_bytes(size, "big", signed=True))


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
    return tlv(OID, bytes(out))


class Reader:
    """Walks BER items inside ``data[pos:end]``."""

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    @property
    def done(self) -> bool:
        """True once every item in range has been read."""
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
        start, end = self.expect(INTEGER, what)
        return decode_integer(self.data[start:end], what)

    def sub(self, start: int, end: int) -> Reader:
        """A reader over contents ``[start, end)``."""
        return Reader(self.data, start, end)


def decode_integer(octets: bytes, what: str) -> int:
    """INTEGER contents (big-endian two's complement); ``what`` names it in the error."""
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

