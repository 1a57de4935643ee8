"""IPP codec: bytes written by hand from RFC 8010 (§3 and the Appendix A examples), both ways,
and the decoder fuzzed: whatever the bytes, a Message or a ProtocolError, nothing else."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubd.errors import InvalidArgument, ProtocolError
from hubd.transport.ipp import protocol as ipp
from hubd.transport.ipp.codes import JOB_GROUP, OPERATION_GROUP, Op, Tag


def field(tag: int, name: bytes, value: bytes) -> bytes:
    """value-tag, name-length, name, value-length, value (RFC 8010 §3.1.4) — for readability only."""
    return bytes([tag]) + struct.pack(">H", len(name)) + name + struct.pack(">H", len(value)) + value


# The Print-Job request of RFC 8010 Appendix A.1 (version 1.1, request-id 1), octet by octet.
PRINT_JOB_REQUEST = (
    b"\x01\x01"  # version-number 1.1
    b"\x00\x02"  # operation-id Print-Job
    b"\x00\x00\x00\x01"  # request-id 1
    b"\x01"  # operation-attributes-tag
    b"\x47\x00\x12attributes-charset\x00\x08us-ascii"
    b"\x48\x00\x1battributes-natural-language\x00\x05en-us"
    b"\x45\x00\x0bprinter-uri\x00\x2cipp://printer.example.com/ipp/print/pinetree"
    b"\x42\x00\x08job-name\x00\x06foobar"
    b"\x22\x00\x16ipp-attribute-fidelity\x00\x01\x01"
    b"\x02"  # job-attributes-tag
    b"\x21\x00\x06copies\x00\x04\x00\x00\x00\x14"  # integer 20
    b"\x44\x00\x05sides\x00\x13two-sided-long-edge"
    b"\x03"  # end-of-attributes-tag
)

# The successful Print-Job response of RFC 8010 Appendix A.2.
PRINT_JOB_RESPONSE = (
    b"\x01\x01\x00\x00\x00\x00\x00\x01"  # 1.1, successful-ok, request-id 1
    b"\x01"
    b"\x47\x00\x12attributes-charset\x00\x08us-ascii"
    b"\x48\x00\x1battributes-natural-language\x00\x05en-us"
    b"\x41\x00\x0estatus-message\x00\x0dsuccessful-ok"
    b"\x02"
    b"\x21\x00\x06job-id\x00\x04\x00\x00\x00\x93"  # 147
    b"\x45\x00\x07job-uri\x00\x30ipp://printer.example.com/ipp/print/pinetree/147"
    b"\x23\x00\x09job-state\x00\x04\x00\x00\x00\x03"  # pending
    b"\x03"
)

# RFC 8010 §3.1.6: media-col = {media-size = {x-dimension 21000, y-dimension 29700},
# media-type = "stationery"}, then a second value of the attribute (name-length 0).
MEDIA_COL = (
    b"\x34\x00\x09media-col\x00\x00"  # begCollection, name, empty value
    b"\x4a\x00\x00\x00\x0amedia-size"  # memberAttrName
    b"\x34\x00\x00\x00\x00"  # nested begCollection
    b"\x4a\x00\x00\x00\x0bx-dimension" b"\x21\x00\x00\x00\x04\x00\x00\x52\x08"  # 21000
    b"\x4a\x00\x00\x00\x0by-dimension" b"\x21\x00\x00\x00\x04\x00\x00\x74\x04"  # 29700
    b"\x37\x00\x00\x00\x00"  # endCollection (media-size)
    b"\x4a\x00\x00\x00\x0amedia-type" b"\x44\x00\x00\x00\x0astationery"
    b"\x37\x00\x00\x00\x00"  # endCollection (media-col)
)


def test_print_job_request_encodes_as_rfc8010_a1() -> None:
    operation = ipp.Group(OPERATION_GROUP, (
        ipp.attr("attributes-charset", Tag.CHARSET, "us-ascii"),
        ipp.attr("attributes-natural-language", Tag.LANGUAGE, "en-us"),
        ipp.attr("printer-uri", Tag.URI, "ipp://printer.example.com/ipp/print/pinetree"),
        ipp.attr("job-name", Tag.NAME, "foobar"),
        ipp.attr("ipp-attribute-fidelity", Tag.BOOLEAN, True),
    ))
    job = ipp.Group(JOB_GROUP, (
        ipp.attr("copies", Tag.INTEGER, 20), ipp.attr("sides", Tag.KEYWORD, "two-sided-long-edge"),
    ))
    assert ipp.encode((1, 1), Op.PRINT_JOB, 1, [operation, job]) == PRINT_JOB_REQUEST


def test_print_job_request_decodes_with_its_document_offset() -> None:
    message, offset = ipp.decode(PRINT_JOB_REQUEST + b"%!PS-Adobe-3.0")
    assert (message.version, message.code, message.request_id) == ((1, 1), Op.PRINT_JOB, 1)
    assert offset == len(PRINT_JOB_REQUEST)
    assert message.get("copies", JOB_GROUP) == ipp.Attribute("copies", Tag.INTEGER, (20,))
    fidelity = message.get("ipp-attribute-fidelity")
    assert fidelity == ipp.Attribute("ipp-attribute-fidelity", Tag.BOOLEAN, (True,))


def test_print_job_response_decodes_as_rfc8010_a2() -> None:
    message, _ = ipp.decode(PRINT_JOB_RESPONSE)
    assert message.code == 0x0000
    assert ipp.values_of(message, "status-message") == ("successful-ok",)
    assert ipp.values_of(message, "job-id", JOB_GROUP) == (147,)
    assert ipp.values_of(message, "job-uri") == ("ipp://printer.example.com/ipp/print/pinetree/147",)
    assert ipp.values_of(message, "job-state") == (3,)


def test_collection_both_ways() -> None:
    size = ipp.Collection((ipp.attr("x-dimension", Tag.INTEGER, 21000),
                           ipp.attr("y-dimension", Tag.INTEGER, 29700)))
    media_col = ipp.Collection((ipp.attr("media-size", Tag.BEGIN_COLLECTION, size),
                                ipp.attr("media-type", Tag.KEYWORD, "stationery")))
    group = ipp.Group(JOB_GROUP, (ipp.attr("media-col", Tag.BEGIN_COLLECTION, media_col),))
    encoded = ipp.encode((2, 0), Op.PRINT_JOB, 7, [group])
    assert encoded == b"\x02\x00\x00\x02\x00\x00\x00\x07\x02" + MEDIA_COL + b"\x03"
    message, _ = ipp.decode(encoded)
    (value,) = ipp.values_of(message, "media-col")
    assert isinstance(value, ipp.Collection)
    inner = value.get("media-size")
    assert inner is not None and isinstance(inner.value, ipp.Collection)
    assert inner.value.get("y-dimension") == ipp.Attribute("y-dimension", Tag.INTEGER, (29700,))
    assert value.get("media-type") == ipp.Attribute("media-type", Tag.KEYWORD, ("stationery",))


def test_additional_values_and_typed_scalars() -> None:
    body = (
        b"\x02\x00\x00\x00\x00\x00\x00\x05\x04"
        + field(0x44, b"printer-state-reasons", b"media-empty-error")
        + field(0x44, b"", b"toner-low-warning")  # name-length 0: a second value
        + field(0x32, b"printer-resolution-default", struct.pack(">iiB", 600, 600, 3))
        + field(0x33, b"copies-supported", struct.pack(">ii", 1, 99))
        + field(0x35, b"printer-info", b"\x00\x02hi\x00\x05Laser")  # textWithLanguage
        + field(0x31, b"printer-current-time", b"\x07\xea\x0c\x05\x0a\x1e\x00\x05+\x05\x1e")
        + field(0x13, b"printer-geo-location", b"")  # no-value
        + field(0x7F, b"vendor-x", b"\x40\x00\x00\x01ab")  # extension: 4-byte tag, then data
        + field(0x5F, b"future-string", b"text")  # an unassigned string tag
        + b"\x03"
    )
    message, _ = ipp.decode(body)
    assert ipp.values_of(message, "printer-state-reasons") == ("media-empty-error", "toner-low-warning")
    assert ipp.values_of(message, "printer-resolution-default") == (ipp.Resolution(600, 600, 3),)
    assert ipp.values_of(message, "copies-supported") == (ipp.IntRange(1, 99),)
    assert ipp.values_of(message, "printer-info") == ("Laser",)
    when = datetime(2026, 12, 5, 10, 30, 0, 500_000, timezone(timedelta(hours=5, minutes=30)))
    assert ipp.values_of(message, "printer-current-time") == (when,)
    assert ipp.values_of(message, "printer-geo-location") == (ipp.OutOfBand(0x13),)
    assert ipp.values_of(message, "vendor-x") == (ipp.Unknown(0x40000001, b"ab"),)
    assert ipp.values_of(message, "future-string") == ("text",)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"\x02\x00\x00\x00\x00\x00", "header"),
        (b"\x07\x00\x00\x00\x00\x00\x00\x01\x03", "version 7.0"),
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01", "truncated"),  # no end-of-attributes
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x00\x03", "group tag"),  # reserved delimiter 0x00
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01" + field(0x21, b"", b"\x00\x00\x00\x01") + b"\x03",
         "without an attribute"),
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01" + field(0x21, b"copies", b"\x00\x01") + b"\x03",
         "needs 4 bytes"),
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01" + field(0x21, b"copies", b"\x00\x00\x00\x01")[:-3],
         "truncated"),
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01" + field(0x37, b"x", b"") + b"\x03", "outside a collection"),
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01" + MEDIA_COL[:-5] + b"\x03", "not closed"),
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01" + field(0x34, b"c", b"")
         + b"\x4a\x00\x00\x00\x01m\x34\x00\x00\x00\x00" * 20, "nested deeper"),
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01"
         + field(0x31, b"t", b"\x07\xea\x0d\x01\x00\x00\x00\x00+\x00\x00") + b"\x03", "dateTime"),  # month 13
        (b"\x02\x00\x00\x00\x00\x00\x00\x01\x01" + field(0x35, b"t", b"\x00\x09en\x00\x01x") + b"\x03",
         "truncated"),
    ],
)
def test_malformed_messages_are_protocol_errors(body: bytes, words: str) -> None:
    with pytest.raises(ProtocolError) as err:
        ipp.decode(body)
    assert words in err.value.message


def test_encoder_refuses_what_it_cannot_encode() -> None:
    group = ipp.Group(OPERATION_GROUP, (ipp.attr("copies", Tag.INTEGER, "two"),))
    with pytest.raises(InvalidArgument, match="copies"):
        ipp.encode((2, 0), Op.PRINT_JOB, 1, [group])
    with pytest.raises(InvalidArgument):
        long_name = ipp.Group(OPERATION_GROUP, (ipp.attr("job-name", Tag.NAME, "x" * 40000),))
        ipp.encode((2, 0), Op.PRINT_JOB, 1, [long_name])


def _mutations() -> st.SearchStrategy[bytes]:
    """Valid messages cut short, with bytes flipped, or with random tags spliced in."""
    valid = st.sampled_from([PRINT_JOB_REQUEST, PRINT_JOB_RESPONSE,
                             b"\x02\x00\x00\x02\x00\x00\x00\x07\x02" + MEDIA_COL + b"\x03"])

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(valid))
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(data)))
            kind = draw(st.sampled_from(["flip", "insert", "cut"]))
            if kind == "flip" and at < len(data):
                data[at] = draw(st.integers(0, 255))
            elif kind == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=6))
            else:
                del data[at:]
        return bytes(data)

    return mutate()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_mutations(), st.binary(max_size=200)))
def test_decoder_fuzz_gives_a_message_or_a_protocol_error(data: bytes) -> None:
    try:
        message, offset = ipp.decode(data)
    except ProtocolError as err:
        assert err.reason == "PROTOCOL_ERROR" and err.message
        return
    assert 8 < offset <= len(data)
    for group in message.groups:
        assert all(attr.values for attr in group.attributes)


scalar = st.one_of(
    st.tuples(st.just(Tag.INTEGER), st.integers(-(2**31), 2**31 - 1)),
    st.tuples(st.just(Tag.BOOLEAN), st.booleans()),
    st.tuples(st.just(Tag.KEYWORD), st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=30)),
    st.tuples(st.just(Tag.TEXT), st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)),
    st.tuples(st.just(Tag.RANGE), st.builds(ipp.IntRange, st.integers(0, 1000), st.integers(0, 1000))),
    st.tuples(st.just(Tag.OCTET_STRING), st.binary(max_size=30)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20),
                          st.lists(scalar, min_size=1, max_size=3)), max_size=8))
def test_what_is_encoded_decodes_the_same(attributes: list[tuple[str, list[tuple[int, object]]]]) -> None:
    attrs = []
    for name, values in attributes:
        tag = values[0][0]
        attrs.append(ipp.Attribute(name, tag, tuple(v for t, v in values if t == tag)))  # type: ignore[misc]
    message, _ = ipp.decode(ipp.encode((2, 0), Op.GET_JOBS, 3, [ipp.Group(JOB_GROUP, tuple(attrs))]))
    got = message.groups[0].attributes if message.groups else ()
    assert [(a.name, a.values) for a in got] == [(a.name, a.values) for a in attrs]
