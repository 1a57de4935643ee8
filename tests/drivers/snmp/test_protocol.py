"""SNMP BER codec: bytes written by hand from RFC 1157 §4.1 / RFC 3416 §3 / X.690, both ways;
the UDP client against the ESC/P simulator's SNMP agent (written separately, in simulators/)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.errors import InvalidArgument, ProtocolError, TransportError, TransportTimeout
from kioskhub.drivers.snmp import ber
from kioskhub.drivers.snmp import printer_mib as mib
from kioskhub.drivers.snmp import protocol as p
from kioskhub.drivers.snmp.client import snmp_get
from kioskhub.drivers.snmp.protocol import Missing
from kioskhub.simulators.escp_printer import EscpPrinterSim

H = bytes.fromhex
PUBLIC = H("04 06") + b"public"  # OCTET STRING "public"
V1 = H("02 01 00")  # INTEGER 0 = version-1
V2C = H("02 01 01")  # INTEGER 1 = version-2c
# OBJECT IDENTIFIERs: 1.3 packs to 40*1+3 = 0x2B, the other arcs are < 128 so one octet each.
OID_DEVICE_STATUS = H("06 0B 2B 06 01 02 01 19 03 02 01 05 01")  # 1.3.6.1.2.1.25.3.2.1.5.1
OID_PRINTER_STATUS = H("06 0B 2B 06 01 02 01 19 03 05 01 01 01")  # 1.3.6.1.2.1.25.3.5.1.1.1
OID_ERROR_STATE = H("06 0B 2B 06 01 02 01 19 03 05 01 02 01")  # 1.3.6.1.2.1.25.3.5.1.2.1


def test_get_request_one_oid_exact_bytes() -> None:
    varbind = H("30 0F") + OID_DEVICE_STATUS + H("05 00")  # SEQUENCE { name, NULL }: 13 + 2
    varbinds = H("30 11") + varbind  # 17
    pdu = H("A0 1C") + H("02 01 01") + H("02 01 00") + H("02 01 00") + varbinds  # 9 + 19 = 28
    message = H("30 29") + V1 + PUBLIC + pdu  # 3 + 8 + 30 = 41
    assert len(message) == 43
    assert p.encode_get_request("public", 1, [mib.HR_DEVICE_STATUS]) == message


def test_get_request_v2c_three_oids_and_a_two_octet_request_id() -> None:
    vbs = b"".join(H("30 0F") + oid + H("05 00") for oid in
                   (OID_DEVICE_STATUS, OID_PRINTER_STATUS, OID_ERROR_STATE))
    pdu_body = H("02 02 00 C8") + H("02 01 00 02 01 00") + H("30 33") + vbs  # 200 needs 00 C8
    expected = H("30 4C") + V2C + PUBLIC + H("A0 3F") + pdu_body  # 3 + 8 + 65 = 76
    assert len(vbs) == 51 and len(pdu_body) == 63 and len(expected) == 78
    assert p.encode_get_request(b"public", 200, mib.PRINTER_OIDS, version=p.VERSION_2C) == expected


def test_oid_arcs_over_127_and_integers() -> None:
    # 2435 = 19 * 128 + 3 -> 0x93 0x03 (high bit = more octets follow).
    assert ber.encode_oid("1.3.6.1.4.1.2435.2") == H("06 08 2B 06 01 04 01 93 03 02")
    assert ber.encode_oid(".2.999") == H("06 02 88 37")  # 2*40 + 999 = 1079 = 8*128 + 55
    assert ber.decode_oid(H("2B 06 01 04 01 93 03 02")) == "1.3.6.1.4.1.2435.2"
    assert ber.decode_oid(H("88 37")) == "2.999"
    assert ber.encode_integer(0) == H("02 01 00")
    assert ber.encode_integer(127) == H("02 01 7F")
    assert ber.encode_integer(128) == H("02 02 00 80")
    assert ber.encode_integer(-1) == H("02 01 FF")
    assert ber.encode_integer(-128) == H("02 01 80")
    assert ber.encode_integer(-129) == H("02 02 FF 7F")
    assert ber.encode_length(0x7F) == H("7F")
    assert ber.encode_length(0x80) == H("81 80")
    assert ber.encode_length(0x1234) == H("82 12 34")


@pytest.mark.parametrize("bad", ["", "1", "1.3.x", "3.1", "1.40", "1..3"])
def test_bad_oids_are_invalid_arguments(bad: str) -> None:
    with pytest.raises(InvalidArgument):
        ber.encode_oid(bad)


def response(version: bytes, pdu_body: bytes, community: bytes = PUBLIC) -> bytes:
    """Wrap hand-built PDU contents (lengths < 128) as a GetResponse message."""
    pdu = bytes([0xA2, len(pdu_body)]) + pdu_body
    body = version + community + pdu
    return bytes([0x30, len(body)]) + body


def test_decode_get_response_paper_out() -> None:
    vb1 = H("30 10") + OID_DEVICE_STATUS + H("02 01 05")  # down(5)
    vb2 = H("30 10") + OID_PRINTER_STATUS + H("02 01 01")  # other(1)
    vb3 = H("30 11") + OID_ERROR_STATE + H("04 02 40 00")  # noPaper = bit 1 = 0x40
    pdu = H("02 04 12 34 56 78") + H("02 01 00 02 01 00") + H("30 37") + vb1 + vb2 + vb3
    data = response(V1, pdu)
    assert len(data) == 84
    msg = p.decode_get_response(data)
    assert (msg.version, msg.community, msg.pdu_type) == (0, b"public", 0xA2)
    assert (msg.request_id, msg.error_status, msg.error_index) == (0x12345678, 0, 0)
    assert msg.varbinds == (
        (mib.HR_DEVICE_STATUS, 5),
        (mib.HR_PRINTER_STATUS, 1),
        (mib.HR_PRINTER_DETECTED_ERROR_STATE, b"\x40\x00"),
    )
    assert mib.error_state_flags(b"\x40\x00") == {"noPaper"}


def test_decode_exceptions_null_negative_and_v1_error() -> None:
    vbs = (H("30 0F") + OID_DEVICE_STATUS + H("80 00")  # noSuchObject
           + H("30 0F") + OID_PRINTER_STATUS + H("81 00")  # noSuchInstance
           + H("30 0F") + OID_ERROR_STATE + H("05 00"))  # NULL
    msg = p.decode_message(response(V2C, H("02 01 FF 02 01 00 02 01 00 30 33") + vbs))
    assert msg.request_id == -1 and msg.version == 1
    assert [v for _, v in msg.varbinds] == [Missing.NO_SUCH_OBJECT, Missing.NO_SUCH_INSTANCE, None]
    # SNMPv1: error-status noSuchName(2), error-index 1, the request's varbinds echoed.
    v1 = p.decode_message(response(V1, H("02 01 07 02 01 02 02 01 01 30 11 30 0F") + OID_DEVICE_STATUS
                                   + H("05 00")))
    assert (v1.error_status, v1.error_index, v1.error_name) == (2, 1, "noSuchName")


def test_decode_long_form_lengths() -> None:
    value = H("04 81 C8") + bytes(range(200))  # OCTET STRING of 200 octets: 0x81 = one length octet
    varbind = H("30 81 D8") + OID_ERROR_STATE + value  # 13 + 203 = 216
    varbinds = H("30 81 DB") + varbind  # 219
    pdu = H("A2 81 E7") + H("02 01 07 02 01 00 02 01 00") + varbinds  # 9 + 222 = 231
    data = H("30 81 F5") + V1 + PUBLIC + pdu  # 11 + 234 = 245
    assert len(data) == 248
    msg = p.decode_get_response(data)
    assert msg.varbinds == ((mib.HR_PRINTER_DETECTED_ERROR_STATE, bytes(range(200))),)
    # The same with a (legal, non-minimal) two-octet length on the outer SEQUENCE.
    assert p.decode_get_response(H("30 82 00 F5") + data[3:]) == msg


def test_application_types() -> None:
    vbs = (H("30 10") + OID_DEVICE_STATUS + H("43 01 FF")  # TimeTicks 255 (unsigned)
           + H("30 13") + OID_PRINTER_STATUS + H("40 04 7F 00 00 01"))  # IpAddress 127.0.0.1
    msg = p.decode_message(response(V1, H("02 01 01 02 01 00 02 01 00 30 27") + vbs))
    assert [v for _, v in msg.varbinds] == [255, b"\x7f\x00\x00\x01"]


GOOD = response(V1, H("02 01 01 02 01 00 02 01 00 30 11 30 0F") + OID_DEVICE_STATUS + H("05 00"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        H("30"),
        H("30 80") + GOOD[2:] + H("00 00"),  # indefinite length: not allowed in SNMP
        GOOD + H("00"),  # trailing octet after the message
        GOOD[:-1],  # cut short
        H("1F") + GOOD[1:],  # multi-octet tag form
        H("30 85 00 00 00 00 20"),  # 5 length octets
        response(H("02 01 03"), GOOD[13:]),  # version 3 is not v1/v2c
        response(V1, H("02 00 02 01 00 02 01 00 30 00")),  # empty INTEGER
        response(V1, H("02 01 01 02 01 00 02 01 00 30 06 30 04 06 02 80 01")),  # 0x80-led arc
        response(V1, H("02 01 01 02 01 00 02 01 00 30 06 30 04 06 01 2B 05")),  # value missing
        response(V1, H("02 01 01 02 01 00 02 01 00 30 07 30 05 06 01 2B 05 01")),  # NULL with contents
        response(V1, H("02 01 01 02 01 00 02 01 00 30 07 30 05 06 01 2B 09 00")),  # REAL: unsupported
        response(V1, H("02 01 01 02 01 00 02 01 00 30 05 30 03 06 01 81")),  # OID ends in an arc
    ],
)
def test_malformed_is_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        p.decode_message(data)


def test_a_request_is_not_a_response() -> None:
    with pytest.raises(ProtocolError, match="GetResponse"):
        p.decode_get_response(p.encode_get_request("public", 1, [mib.HR_DEVICE_STATUS]))


def test_error_state_bits_msb_first() -> None:
    assert mib.error_state_flags(b"") == frozenset()
    assert mib.error_state_flags(b"\x80") == {"lowPaper"}
    assert mib.error_state_flags(b"\x02") == {"offline"}
    assert mib.error_state_flags(b"\x05") == {"jammed", "serviceRequested"}
    assert mib.error_state_flags(b"\x00\x80") == {"inputTrayMissing"}
    assert mib.error_state_flags(b"\x00\x01\xff") == frozenset()  # bit 15 and beyond: not defined


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_any_bytes(data: bytes) -> None:
    try:
        msg = p.decode_message(data)
    except ProtocolError:
        return
    assert isinstance(msg, p.SnmpMessage)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(GOOD) - 1), st.integers(0, 255), st.integers(0, 8))
def test_fuzz_mutated_response(pos: int, value: int, cut: int) -> None:
    data = bytearray(GOOD)
    data[pos] = value
    try:
        p.decode_message(bytes(data[: len(data) - cut]))
    except ProtocolError:
        pass


_ARCS = st.lists(st.integers(0, 2**32), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.integers(-(2**31), 2**31 - 1), st.binary(max_size=40), st.lists(_ARCS, min_size=1, max_size=5))
def test_request_round_trip(request_id: int, community: bytes, tails: list[list[int]]) -> None:
    oids = [".".join(str(a) for a in [1, 3, *tail]) for tail in tails]
    msg = p.decode_message(p.encode_get_request(community, request_id, oids))
    assert (msg.pdu_type, msg.request_id, msg.community) == (p.GET_REQUEST, request_id, community)
    assert msg.varbinds == tuple((oid, None) for oid in oids)


# -- the UDP client against the simulator's agent ------------------------------------------------


@pytest.fixture
async def agent() -> tuple[EscpPrinterSim, int]:
    sim = EscpPrinterSim()
    url = await sim.start("tcp://127.0.0.1:0")
    assert sim.snmp_port is not None and url.endswith(f"?status=snmp://127.0.0.1:{sim.snmp_port}")
    yield sim, sim.snmp_port  # type: ignore[misc]
    await sim.stop()


async def test_client_reads_printer_objects(agent: tuple[EscpPrinterSim, int]) -> None:
    sim, port = agent
    values = await snmp_get("127.0.0.1", port, mib.PRINTER_OIDS, timeout=1.0)
    assert values == {mib.HR_DEVICE_STATUS: 2, mib.HR_PRINTER_STATUS: 3,
                      mib.HR_PRINTER_DETECTED_ERROR_STATE: b"\x00\x00"}
    sim.state.paper_empty = True
    values = await snmp_get("127.0.0.1", port, mib.PRINTER_OIDS, version=p.VERSION_2C)
    assert values[mib.HR_DEVICE_STATUS] == 5
    assert mib.error_state_flags(values[mib.HR_PRINTER_DETECTED_ERROR_STATE]) == {"noPaper"}  # type: ignore[arg-type]


async def test_client_unknown_oid_v1_and_v2c(agent: tuple[EscpPrinterSim, int]) -> None:
    _, port = agent
    sys_descr = "1.3.6.1.2.1.1.1.0"
    for version in (p.VERSION_1, p.VERSION_2C):
        values = await snmp_get("127.0.0.1", port, [sys_descr, mib.HR_DEVICE_STATUS], version=version)
        assert values == {sys_descr: Missing.NO_SUCH_OBJECT, mib.HR_DEVICE_STATUS: 2}


async def test_client_timeouts_refused_and_junk(agent: tuple[EscpPrinterSim, int]) -> None:
    sim, port = agent
    with pytest.raises(TransportTimeout):  # agents drop a wrong community silently
        await snmp_get("127.0.0.1", port, [mib.HR_DEVICE_STATUS], community="private", timeout=0.1)
    assert sim.snmp is not None and sim.snmp.requests == 2  # one try plus one retry
    sim.garbage = True
    with pytest.raises(ProtocolError):
        await snmp_get("127.0.0.1", port, [mib.HR_DEVICE_STATUS], timeout=1.0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(TransportError) as err:
        await snmp_get("127.0.0.1", closed, [mib.HR_DEVICE_STATUS], timeout=1.0)
    assert err.value.reason == "CONNECTION_REFUSED"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # bound, never answers
        silent.bind(("127.0.0.1", 0))
        start = asyncio.get_running_loop().time()
        with pytest.raises(TransportTimeout):
            await snmp_get("127.0.0.1", silent.getsockname()[1], [mib.HR_DEVICE_STATUS],
                           timeout=0.1, retries=2)
        assert asyncio.get_running_loop().time() - start >= 0.3
        silent.setblocking(False)
        tries = [p.decode_message(silent.recv(1500)) for _ in range(3)]  # 1 try + 2 retries
        assert {(m.pdu_type, m.varbinds) for m in tries} == {(p.GET_REQUEST, ((mib.HR_DEVICE_STATUS, None),))}
        assert len({m.request_id for m in tries}) == 1  # a retry repeats the request
