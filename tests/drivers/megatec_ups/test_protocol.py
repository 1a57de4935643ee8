"""Megatec Q1 codec: frames written by hand from megatec.txt and NUT's reference replies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.errors import DeviceUnavailable, ProtocolError
from kioskhub.drivers.megatec_ups import protocol
from kioskhub.drivers.megatec_ups.protocol import Info, Rating

# NUT drivers/nutdrv_qx_megatec.c / blazer.c reference replies.
NUT_Q1 = b"(226.0 195.0 226.0 014 49.0 27.5 30.0 00001000\r"
NUT_F = b"#220.0 000 024.0 50.0\r"
NUT_I = b"#-------------   ------     VT12046Q  \r"

RATING_24V = Rating(voltage=230.0, current=3.0, battery_voltage=24.0, frequency=50.0)


def test_query_bytes():
    assert protocol.QUERY_STATUS == bytes([0x51, 0x31, 0x0D])  # 'Q' '1' CR
    assert protocol.QUERY_RATING == bytes([0x46, 0x0D])  # 'F' CR
    assert protocol.QUERY_INFO == bytes([0x49, 0x0D])  # 'I' CR


def test_nut_reference_status_frame():
    assert len(NUT_Q1) == 47  # NUT's expected length, CR included
    q = protocol.parse_q1(NUT_Q1)
    assert (q.input_voltage, q.input_fault_voltage, q.output_voltage) == (226.0, 195.0, 226.0)
    assert (q.load, q.input_frequency, q.battery_voltage, q.temperature) == (14, 49.0, 27.5, 30.0)
    assert q.standby_type
    assert not any(
        (q.utility_fail, q.battery_low, q.bypass_boost_buck, q.ups_failed, q.test_in_progress)
    )
    assert not (q.shutdown_active or q.beeper_on)
    assert protocol.status_tokens(q) == ("OL",)
    v = protocol.q1_variables(q)
    assert v == {
        "ups.status": "OL",
        "input.voltage": "226.0",
        "input.voltage.fault": "195.0",
        "output.voltage": "226.0",
        "ups.load": "14",
        "input.frequency": "49.0",
        "battery.voltage": "27.50",
        "ups.temperature": "30.0",
        "ups.type": "offline / line interactive",
        "ups.beeper.status": "disabled",
    }


@pytest.mark.parametrize(
    "frame, tokens",
    [
        # utility fail, beeper on: on battery
        (b"(000.0 000.0 229.0 018 00.0 25.8 31.0 10001001\r", ("OB",)),
        # utility fail + battery low
        (b"(000.0 000.0 229.0 018 00.0 21.6 31.0 11001001\r", ("OB", "LB")),
        # shutdown active on mains; and on battery with battery low
        (b"(230.0 230.0 230.0 010 50.0 27.4 30.0 00000010\r", ("OL", "FSD")),
        (b"(000.0 000.0 230.0 010 00.0 21.0 30.0 11000010\r", ("OB", "LB", "FSD")),
        # battery test in progress
        (b"(230.0 230.0 230.0 010 50.0 25.1 30.0 00000100\r", ("OL", "CAL")),
        # UPS failed: NUT sets ups.alarm and shows ALARM first
        (b"(230.0 230.0 230.0 010 50.0 27.4 30.0 00010000\r", ("ALARM", "OL")),
        # b5 with out/in: 230/230 = 1.0 bypass, 218.5/190 = 1.15 boost, 228.8/260 = 0.88 trim
        (b"(230.0 230.0 230.0 010 50.0 27.4 30.0 00100000\r", ("OL", "BYPASS")),
        (b"(190.0 190.0 218.5 010 50.0 27.4 30.0 00101000\r", ("OL", "BOOST")),
        (b"(260.0 260.0 228.8 010 50.0 27.4 30.0 00101000\r", ("OL", "TRIM")),
        # ratio out of NUT's 0.5..1.5 window: no token
        (b"(230.0 230.0 100.0 010 50.0 27.4 30.0 00100000\r", ("OL",)),
        (b"(100.0 100.0 230.0 010 50.0 27.4 30.0 00100000\r", ("OL",)),
    ],
)
def test_status_bits_to_nut_tokens(frame: bytes, tokens: tuple[str, ...]):
    q = protocol.parse_q1(frame)
    assert protocol.status_tokens(q) == tokens
    assert protocol.q1_variables(q)["ups.status"] == " ".join(tokens)


def test_flag_positions_each_bit():
    names = [
        "utility_fail", "battery_low", "bypass_boost_buck", "ups_failed",
        "standby_type", "test_in_progress", "shutdown_active", "beeper_on",
    ]  # fmt: skip
    for i, name in enumerate(names):
        bits = "".join("1" if j == i else "0" for j in range(8))
        q = protocol.parse_q1(f"(230.0 230.0 230.0 010 50.0 27.4 30.0 {bits}\r".encode())
        assert [getattr(q, n) for n in names] == [n == name for n in names]


def test_alarm_and_beeper_variables():
    q = protocol.parse_q1(b"(230.0 230.0 230.0 010 50.0 27.4 30.0 00010001\r")
    v = protocol.q1_variables(q)
    assert v["ups.alarm"] == "UPS selftest failed!"
    assert v["ups.beeper.status"] == "enabled"
    assert v["ups.type"] == "online"


@pytest.mark.parametrize(
    "frame",
    [
        b"(@@@.@ @@@.@ 230.0 @@@ @@.@ 27.4 @@.@ 00001001\r",
        b"(@@@@@ @@@@@ 230.0 @@@ @@@@ 27.4 @@@@ 00001001\r",
    ],
)
def test_at_filled_fields_are_none(frame: bytes):
    q = protocol.parse_q1(frame)
    assert q.input_voltage is None and q.input_fault_voltage is None
    assert q.load is None and q.input_frequency is None and q.temperature is None
    assert q.output_voltage == 230.0 and q.battery_voltage == 27.4
    v = protocol.q1_variables(q)
    assert "input.voltage" not in v and "ups.temperature" not in v
    assert v["output.voltage"] == "230.0"


def test_per_cell_battery_voltage():
    q = protocol.parse_q1(b"(230.0 230.0 230.0 020 50.0 2.27 35.0 00000000\r")
    assert q.battery_voltage == 2.27


@pytest.mark.parametrize(
    "reply",
    [
        b"Q1\r",  # echoed: Q1 not supported
        b"(226.0 195.0 226.0 014 49.0 27.5 30.0 00001000",  # no CR
        b"(226.0 195.0 226.0 014 49.0 27.5 00001000\r",  # 7 fields
        b"(226.0 195.0 226.0 014 49.0 27.5 30.0 30.0 00001000\r",  # 9 fields
        b"(226.0 195.0 226.0 014 49.0 27.5 30.0 0000100\r",  # 7 bits
        b"(226.0 195.0 226.0 014 49.0 27.5 30.0 000010001\r",  # 9 bits
        b"(226.0 195.0 226.0 014 49.0 27.5 30.0 00002000\r",  # bit not 0/1
        b"#226.0 195.0 226.0 014 49.0 27.5 30.0 00001000\r",  # wrong lead
        b"226.0 195.0 226.0 014 49.0 27.5 30.0 00001000\r",  # no lead
        b"(226.0  195.0 226.0 014 49.0 27.5 30.0 00001000\r",  # double space
        b"(22a.0 195.0 226.0 014 49.0 27.5 30.0 00001000\r",  # not a number
        b"(226.0 195.0 226.0 -14 49.0 27.5 30.0 00001000\r",  # sign
        b"(226.0 195.0 226.0 014 49.0 27.5 30.0 00001000\r\r",  # two CRs
        b"(226.0 195.0 226.0 014 49.0 27.5 3\xb0.0 00001000\r",  # not ASCII
        b"(226.0 195.0 226.0 014 49.0 27.5 30.0 0000\t1000\r",  # control char
        b"\r",
        b"",
    ],
)
def test_bad_status_replies_raise_protocol_error(reply: bytes):
    with pytest.raises(ProtocolError) as err:
        protocol.parse_q1(reply)
    assert err.value.reason == "PROTOCOL_ERROR"
    assert isinstance(err.value, DeviceUnavailable)


def test_rating_reference_and_hand_frames():
    assert len(NUT_F) == 22
    assert protocol.parse_rating(NUT_F) == Rating(220.0, 0.0, 24.0, 50.0)
    assert protocol.parse_rating(b"#230.0 003 24.00 50.0\r") == Rating(230.0, 3.0, 24.0, 50.0)
    assert protocol.parse_rating(b"#230.0 @@@ 024.0 50.0\r").current is None


@pytest.mark.parametrize(
    "reply",
    [b"F\r", b"#220.0 000 024.0\r", b"(220.0 000 024.0 50.0\r", b"#220.0 000 024.0 50.0 1\r"],
)
def test_bad_rating_replies(reply: bytes):
    with pytest.raises(ProtocolError):
        protocol.parse_rating(reply)


def test_info_reference_and_hand_frames():
    assert protocol.parse_info(NUT_I) == Info("-------------", "------", "VT12046Q")
    frame = b"#KIOSKHUB-SIM    LI-600VA   SIM-1.0   \r"
    assert len(frame) == 39  # '#' + 15 + ' ' + 10 + ' ' + 10 + CR
    assert protocol.parse_info(frame) == Info("KIOSKHUB-SIM", "LI-600VA", "SIM-1.0")
    # trailing padding of the version dropped by some firmware
    assert protocol.parse_info(b"#KIOSKHUB-SIM    LI-600VA   SIM-1.0\r").version == "SIM-1.0"


@pytest.mark.parametrize(
    "reply",
    [
        b"I\r",  # echoed
        b"#KIOSKHUB-SIM LI-600VA SIM-1.0\r",  # not in columns
        b"#KIOSKHUB-SIM    LI-600VA   SIM-1.0    EXTRA\r",  # too long
        b"(KIOSKHUB-SIM    LI-600VA   SIM-1.0   \r",  # wrong lead
    ],
)
def test_bad_info_replies(reply: bytes):
    with pytest.raises(ProtocolError):
        protocol.parse_info(reply)


def test_echo_detection():
    assert protocol.is_echo(b"F\r", b"F\r")
    assert not protocol.is_echo(b"F\r", NUT_F)
    with pytest.raises(ProtocolError, match="not supported"):
        protocol.parse_rating(b"F\r")


def test_guessed_battery_limits_for_24v():
    # NUT: low = 104/120 * nominal, high = 130/120 * nominal
    assert protocol.battery_limits(24.0) == pytest.approx((20.8, 26.0))
    assert protocol.battery_limits(12.0) == pytest.approx((10.4, 13.0))


@pytest.mark.parametrize(
    "volts, packs, expected",
    [
        (23.4, None, 50.0),  # (23.4 - 20.8) / (26.0 - 20.8)
        (26.0, None, 100.0),
        (27.5, None, 100.0),  # float charge above "high" clamps to 100
        (20.8, None, 0.0),
        (19.0, None, 0.0),
        (1.95, None, 50.0),  # per-cell: 12 x 1.95 = 23.4
        (1.55, 12.0, 0.0),  # 12 x 1.55 = 18.6, below low
    ],
)
def test_estimate_charge_like_nut(volts: float, packs: float | None, expected: float):
    assert protocol.estimate_charge(volts, RATING_24V, packs) == pytest.approx(expected)


def test_battery_packs_autodetection():
    assert protocol.battery_packs(27.5, 24.0) == 1
    assert protocol.battery_packs(2.27, 24.0) == 12
    assert protocol.battery_packs(13.6, 12.0) == 1
    # a deeply discharged per-cell reading fits 18 packs: why NUT (and the driver) detect once
    assert protocol.battery_packs(1.55, 24.0) == 18
    assert protocol.battery_packs(48.0, 24.0) == 0.5  # half-voltage reporting
    assert protocol.battery_packs(100.0, 24.0) == 1  # fits no multiplier: 1
    assert protocol.battery_packs(0.1, 24.0) == 1


def test_estimate_charge_unknown_without_inputs():
    assert protocol.estimate_charge(None, RATING_24V) is None
    assert protocol.estimate_charge(27.0, None) is None
    assert protocol.estimate_charge(27.0, Rating(230.0, 3.0, None, 50.0)) is None


PARSERS = (protocol.parse_q1, protocol.parse_rating, protocol.parse_info)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_fuzz_arbitrary_bytes(data: bytes):
    for parse in PARSERS:
        try:
            parse(data)
        except ProtocolError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 46), st.binary(min_size=1, max_size=3))
def test_fuzz_mutated_reference_frame(pos: int, junk: bytes):
    data = NUT_Q1[:pos] + junk + NUT_Q1[pos + 1 :]
    try:
        q = protocol.parse_q1(data)
    except ProtocolError:
        return
    assert protocol.status_tokens(q)[-1] in {"OL", "OB", "LB", "TRIM", "BYPASS", "BOOST", "CAL", "FSD"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.decimals(0, 999, places=1)), min_size=7, max_size=7),
    st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_generated_frames_parse_to_their_values(values: list, bits: list[bool]):
    fields = ["@@@.@" if v is None else f"{v:05.1f}" for v in values]
    frame = "(" + " ".join(fields) + " " + "".join("1" if b else "0" for b in bits) + "\r"
    q = protocol.parse_q1(frame.encode())
    got = [
        q.input_voltage, q.input_fault_voltage, q.output_voltage, q.load,
        q.input_frequency, q.battery_voltage, q.temperature,
    ]  # fmt: skip
    assert got == [None if v is None else float(v) for v in values]
    assert q.utility_fail is bits[0] and q.beeper_on is bits[7]
    assert ("OB" in protocol.status_tokens(q)) is bits[0]
