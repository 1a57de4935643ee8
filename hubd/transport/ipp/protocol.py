"""IPP/1.1 and IPP/2.0 message codec (sans-IO: bytes in, values out; no I/O, no logging).

Wire reference: RFC 8010 "IPP/1.1: Encoding and Transport" §3 (message layout, tags, value
encodings, collections §3.1.6, out-of-band values §3.5.2) and RFC 8011 "IPP/1.1: Model and
Semantics" (operation ids §5.4.15, status codes Appendix B, enums); CUPS operations from "CUPS
Implementation of IPP" (cups.org/doc/spec-ipp.html). Every number is big-endian::

    version-number      2 bytes   major, minor (0x02 0x00 = IPP/2.0)
    operation-id        2 bytes   request: the operation; response: the status-code
    request-id          4 bytes   echoed by the response
    attribute groups    begin-attribute-group-tag (0x01 operation, 0x02 job, 0x04 printer,
                        0x05 unsupported; any 0x01-0x0F except 0x03) then attributes:
                          value-tag 1 | name-length 2 | name | value-length 2 | value
                        a name-length of 0 adds a value to the attribute before it
    end-of-attributes   0x03, then the document data (requests) to the end of the body

A collection (RFC 8010 §3.1.6) is ``begCollection`` (0x34), then per member a
``memberAttrName`` (0x4A, no name, the member's name as value) followed by the member's values
(no name), closed by ``endCollection`` (0x37, empty name and value).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from hubd.errors import InvalidArgument, ProtocolError
from hubd.transport.ipp.codes import END_OF_ATTRIBUTES, Tag

MAX_DEPTH = 8
"""Deepest collection nesting decoded (media-col-database nests 2 levels)."""
MAX_VALUES = 100_000
"""Most values one message may carry."""
_OUT_OF_BAND = range(0x10, 0x20)
_FIXED_SIZE: dict[int, int] = {
    Tag.INTEGER: 4, Tag.ENUM: 4, Tag.BOOLEAN: 1, Tag.RANGE: 8, Tag.RESOLUTION: 9, Tag.DATETIME: 11,
}


@dataclass(frozen=True)
class Resolution:
    """A ``resolution`` value: cross-feed × feed direction, units 3 = dots per inch, 4 = per cm."""

    x: int
    y: int
    units: int = 3


@dataclass(frozen=True)
class IntRange:
    """A ``rangeOfInteger`` value (inclusive)."""

    low: int
    high: int


@dataclass(frozen=True)
class OutOfBand:
    """An out-of-band value (``unknown``, ``no-value``, ``unsupported``...): a tag, no data."""

    tag: int


@dataclass(frozen=True)
class Unknown:
    """A value whose tag this codec does not know, kept as bytes."""

    tag: int
    data: bytes


@dataclass(frozen=True)
class Attribute:
    """One attribute: its name, the tag of its (first) value, and its values."""

    name: str
    tag: int
    values: tuple[Value, ...]

    @property
    def value(self) -> Value:
        """The first value."""
        return self.values[0]


@dataclass(frozen=True)
class Collection:
    """A ``collection`` value: its member attributes in order."""

    members: tuple[Attribute, ...]

    def get(self, name: str) -> Attribute | None:
        """The member called ``name``, if any."""
        return next((m for m in self.members if m.name == name), None)


Value = int | bool | str | bytes | datetime | Resolution | IntRange | Collection | OutOfBand | Unknown


@dataclass(frozen=True)
class Group:
    """An attribute group: its delimiter tag and attributes."""

    tag: int
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class Message:
    """A decoded IPP request or response; ``code`` is the operation or the status."""

    version: tuple[int, int]
    code: int
    request_id: int
    groups: tuple[Group, ...]

    def get(self, name: str, group: int | None = None) -> Attribute | None:
        """The first attribute called ``name`` (in groups tagged ``group`` if given)."""
        for g in self.groups:
            if group is None or g.tag == group:
                for attr in g.attributes:
                    if attr.name == name:
                        return attr
        return None

    def each(self, group: int) -> Iterator[Group]:
        """Every group tagged ``group`` (Get-Jobs answers one job group per job)."""
        return (g for g in self.groups if g.tag == group)


def attr(name: str, tag: int, *values: Value) -> Attribute:
    """An attribute to encode; every value gets ``tag``."""
    return Attribute(name, tag, tuple(values))


# ---------------------------------------------------------------- encoding


def encode(version: tuple[int, int], code: int, request_id: int, groups: Sequence[Group]) -> bytes:
    """The bytes of a message up to and including end-of-attributes (document data follows)."""
    out = bytearray(struct.pack(">BBHI", version[0], version[1], code, request_id))
    for group in groups:
        out.append(group.tag)
        for attribute in group.attributes:
            _encode_attribute(out, attribute.name, attribute)
    out.append(END_OF_ATTRIBUTES)
    return bytes(out)


def _encode_attribute(out: bytearray, name: str, attribute: Attribute) -> None:
    if not attribute.values:
        raise InvalidArgument(attribute.name, "an IPP attribute needs at least one value")
    for i, value in enumerate(attribute.values):
        label = name if i == 0 else ""
        if isinstance(value, Collection):
            _put(out, Tag.BEGIN_COLLECTION, label, b"")
            for member in value.members:
                _put(out, Tag.MEMBER_NAME, "", member.name.encode())
                _encode_attribute(out, "", member)
            _put(out, Tag.END_COLLECTION, "", b"")
        else:
            _put(out, attribute.tag, label, _encode_value(attribute.tag, value, attribute.name))


def _put(out: bytearray, tag: int, name: str, data: bytes) -> None:
    raw_name = name.encode()
    if len(raw_name) > 0x7FFF or len(data) > 0x7FFF:
        raise InvalidArgument(name or "value", "an IPP name or value is limited to 32767 bytes")
    out += struct.pack(">BH", tag, len(raw_name)) + raw_name + struct.pack(">H", len(data)) + data


def _encode_value(tag: int, value: Value, name: str) -> bytes:
    if tag in _OUT_OF_BAND:
        return b""
    if isinstance(value, bool) and tag == Tag.BOOLEAN:
        return b"\x01" if value else b"\x00"
    if isinstance(value, int) and not isinstance(value, bool) and tag in (Tag.INTEGER, Tag.ENUM):
        return struct.pack(">i", value)
    if isinstance(value, IntRange) and tag == Tag.RANGE:
        return struct.pack(">ii", value.low, value.high)
    if isinstance(value, Resolution) and tag == Tag.RESOLUTION:
        return struct.pack(">iiB", value.x, value.y, value.units)
    if isinstance(value, datetime) and tag == Tag.DATETIME:
        return _encode_datetime(value)
    if isinstance(value, bytes) and tag == Tag.OCTET_STRING:
        return value
    if isinstance(value, str) and 0x40 <= tag <= 0x5F:
        return value.encode()
    raise InvalidArgument(name, f"cannot encode {type(value).__name__} as IPP tag 0x{tag:02x}")


def _encode_datetime(value: datetime) -> bytes:
    """RFC 2579 DateAndTime: year(2) month day hour minute second deci-second, '+'/'-', hh, mm."""
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = b"+" if minutes >= 0 else b"-"
    return struct.pack(
        ">HBBBBBB", value.year, value.month, value.day, value.hour, value.minute, value.second,
        value.microsecond // 100_000,
    ) + sign + bytes([abs(minutes) // 60, abs(minutes) % 60])


# ---------------------------------------------------------------- decoding


class _Reader:
    """Bounds-checked reads from a message body: every overrun is a ProtocolError."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.values = 0

    def take(self, n: int, what: str) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise ProtocolError(f"IPP message truncated in {what} at byte {self.pos}")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def short(self, what: str) -> int:
        value: int = struct.unpack(">H", self.take(2, what))[0]
        return value


def decode(data: bytes) -> tuple[Message, int]:
    """Decode a message; returns it and the offset where document data starts.

    Raises ``ProtocolError`` for anything that is not a well-formed IPP message: truncation,
    a reserved delimiter, a value of the wrong size, collections that do not nest.
    """
    r = _Reader(data)
    major, minor, code, request_id = struct.unpack(">BBHI", r.take(8, "header"))
    if major not in (1, 2):
        raise ProtocolError(f"not an IPP message (version {major}.{minor})")
    groups: list[Group] = []
    while True:
        tag = r.take(1, "attribute group")[0]
        if tag == END_OF_ATTRIBUTES:
            break
        if tag == 0x00 or tag > 0x0F:
            raise ProtocolError(f"IPP message: expected a group tag at byte {r.pos - 1}, got 0x{tag:02x}")
        groups.append(Group(tag, tuple(_attributes(r))))
    return Message((major, minor), code, request_id, tuple(groups)), r.pos


def _attributes(r: _Reader) -> Iterator[Attribute]:
    """The attributes of one group, up to (not including) the next delimiter tag."""
    current: Attribute | None = None
    while r.pos < len(r.data) and r.data[r.pos] > 0x0F:
        tag = r.take(1, "value tag")[0]
        name = r.take(r.short("name length"), "name").decode("utf-8", "replace")
        value = _value(r, tag, name or (current.name if current else "?"), depth=0)
        if name:
            if current is not None:
                yield current
            current = Attribute(name, tag, (value,))
        elif current is None:
            raise ProtocolError(f"IPP message: additional value without an attribute at byte {r.pos}")
        else:
            current = Attribute(current.name, current.tag, (*current.values, value))
    if current is not None:
        yield current


def _value(r: _Reader, tag: int, name: str, depth: int) -> Value:
    """One value of ``tag``; for begCollection, the whole collection."""
    r.values += 1
    if r.values > MAX_VALUES:
        raise ProtocolError(f"IPP message holds more than {MAX_VALUES} values")
    data = r.take(r.short("value length"), f"value of {name}")
    if tag == Tag.EXTENSION:
        if len(data) < 4:
            raise ProtocolError(f"IPP extension tag without its 4-byte type in {name}")
        return Unknown(int.from_bytes(data[:4], "big"), data[4:])
    if tag == Tag.BEGIN_COLLECTION:
        return _collection(r, name, depth + 1)
    if tag in (Tag.END_COLLECTION, Tag.MEMBER_NAME):
        raise ProtocolError(f"IPP message: 0x{tag:02x} outside a collection in {name}")
    return _scalar(tag, data, name)


def _scalar(tag: int, data: bytes, name: str) -> Value:
    size = _FIXED_SIZE.get(tag)
    if size is not None and len(data) != size:
        raise ProtocolError(f"IPP value of {name}: tag 0x{tag:02x} needs {size} bytes, got {len(data)}")
    if tag in _OUT_OF_BAND:
        return OutOfBand(tag)
    if tag in (Tag.INTEGER, Tag.ENUM):
        number: int = struct.unpack(">i", data)[0]
        return number
    if tag == Tag.BOOLEAN:
        return data != b"\x00"
    if tag == Tag.RANGE:
        return IntRange(*struct.unpack(">ii", data))
    if tag == Tag.RESOLUTION:
        return Resolution(*struct.unpack(">iiB", data))
    if tag == Tag.DATETIME:
        return _decode_datetime(data, name)
    if tag in (Tag.TEXT_LANG, Tag.NAME_LANG):
        return _with_language(data, name)
    if tag == Tag.OCTET_STRING:
        return data
    if 0x40 <= tag <= 0x5F:
        return data.decode("utf-8", "replace")
    return Unknown(tag, data)


def _decode_datetime(data: bytes, name: str) -> datetime:
    year, month, day, hour, minute, second, deci = struct.unpack(">HBBBBBB", data[:8])
    sign, hours, minutes = data[8:9], data[9], data[10]
    if sign not in (b"+", b"-") or hours > 14 or minutes > 59:
        raise ProtocolError(f"IPP dateTime of {name}: bad UTC offset")
    offset = timedelta(hours=hours, minutes=minutes) * (1 if sign == b"+" else -1)
    try:
        return datetime(year, month, day, hour, minute, min(second, 59), deci * 100_000, timezone(offset))
    except ValueError as err:
        raise ProtocolError(f"IPP dateTime of {name}: {err}") from err


def _with_language(data: bytes, name: str) -> str:
    """textWithLanguage / nameWithLanguage: language then text, each length-prefixed."""
    r = _Reader(data)
    r.take(r.short("language length"), f"language of {name}")
    text = r.take(r.short("text length"), f"text of {name}")
    if r.pos != len(data):
        raise ProtocolError(f"IPP {name}: text-with-language lengths do not add up")
    return text.decode("utf-8", "replace")


def _collection(r: _Reader, name: str, depth: int) -> Collection:
    if depth > MAX_DEPTH:
        raise ProtocolError(f"IPP collection {name} nested deeper than {MAX_DEPTH}")
    members: list[Attribute] = []
    while True:
        tag = r.take(1, f"collection {name}")[0]
        if tag <= 0x0F:
            raise ProtocolError(f"IPP collection {name} is not closed")
        if r.short("name length") != 0:
            raise ProtocolError(f"IPP collection {name}: a member value carries a name")
        if tag == Tag.END_COLLECTION:
            r.take(r.short("value length"), f"end of {name}")
            if any(not m.values for m in members):
                raise ProtocolError(f"IPP collection {name}: a member without a value")
            return Collection(tuple(members))
        if tag == Tag.MEMBER_NAME:
            member = r.take(r.short("value length"), f"member name in {name}").decode("utf-8", "replace")
            members.append(Attribute(member, 0, ()))
            continue
        if not members:
            raise ProtocolError(f"IPP collection {name}: value 0x{tag:02x} without a member name")
        last = members[-1]
        value = _value(r, tag, last.name, depth)
        members[-1] = Attribute(last.name, last.tag or tag, (*last.values, value))


def values_of(message: Message, name: str, group: int | None = None) -> tuple[Value, ...]:
    """The values of an attribute, or () when absent."""
    found = message.get(name, group)
    return found.values if found is not None else ()


def strings(values: Iterable[Value]) -> tuple[str, ...]:
    """The string values among ``values`` (keywords, names, URIs...)."""
    return tuple(v for v in values if isinstance(v, str))
