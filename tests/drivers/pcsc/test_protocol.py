"""ISO 7816 / PC/SC codec: byte vectors written by hand from ISO 7816-3/-4 and pcsclite.h."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubd.classes.smartcard.contract import CARD_INSERTED, CARD_REMOVED, READER_ADDED, CardReader, ReaderKind
from hubd.errors import DeviceNotReady, DeviceUnavailable, InvalidArgument, NotFound, TransportError
from kioskhub.drivers.pcsc import protocol
from kioskhub.drivers.pcsc.monitor import diff

H = bytes.fromhex

# ---------------------------------------------------------------------------- command APDU cases


@pytest.mark.parametrize(("apdu", "data", "le", "extended"), [
    ("00A40400", "", None, False),  # case 1
    ("00CA005A08", "", 8, False),  # case 2 short
    ("00CA005A00", "", 256, False),  # Le=00 means 256
    ("00A4040002 3F00", "3F00", None, False),  # case 3 short
    ("00A4040002 3F00 00", "3F00", 256, False),  # case 4 short
    ("00B00000 000200", "", 512, True),  # case 2 extended
    ("00D60000 000003 010203", "010203", None, True),  # case 3 extended
    ("00D60000 000003 010203 0100", "010203", 256, True),  # case 4 extended
])
def test_command_cases(apdu: str, data: str, le: int | None, extended: bool) -> None:
    cmd = protocol.parse_command(H(apdu.replace(" ", "")))
    assert (cmd.data, cmd.le, cmd.extended) == (H(data), le, extended)


@pytest.mark.parametrize("apdu", ["", "00A404", "00A4040003 3F00", "00A4040000 01", "00B00000 000002 01"])
def test_malformed_commands_name_the_field(apdu: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        protocol.parse_command(H(apdu.replace(" ", "")))
    assert info.value.field == "apdu"


# ---------------------------------------------------------------------------- T=0 exchange


def run(command: str, replies: list[str]) -> tuple[list[str], protocol.Exchange]:
    """Feed hand-written replies; the commands the exchange sent, in hex."""
    ex = protocol.Exchange(H(command))
    sent, nxt = [], ex.first()
    for reply in replies:
        assert nxt is not None
        sent.append(nxt.hex().upper())
        nxt = ex.feed(H(reply))
    assert nxt is None
    return sent, ex


def test_61xx_chains_get_response_and_joins_the_data() -> None:
    sent, ex = run("00A4040002A00000", ["6110", "00112233445566778899AABBCCDDEEFF" "6104", "DEADBEEF9000"])
    assert sent == ["00A4040002A00000", "00C0000010", "00C0000004"]
    assert ex.result is not None and ex.result.ok and ex.result.exchanges == 3
    assert ex.result.data == H("00112233445566778899AABBCCDDEEFF" "DEADBEEF")


def test_6cxx_resends_with_the_exact_le() -> None:
    sent, ex = run("00CA005A00", ["6C08", "4B480000000000019000"])
    assert sent == ["00CA005A00", "00CA005A08"]
    assert ex.result is not None and ex.result.data == H("4B48000000000001")
    sent, _ = run("00B00000", ["6C10", "9000"])  # case 1: Le appended
    assert sent == ["00B00000", "00B0000010"]
    sent, _ = run("00CB3FFF02AABB", ["6C05", "01020304059000"])  # case 3: Le appended
    assert sent == ["00CB3FFF02AABB", "00CB3FFF02AABB05"]


def test_get_response_keeps_an_interindustry_channel_but_not_a_proprietary_class() -> None:
    assert run("01A40400", ["6102", "AABB9000"])[0][1] == "01C0000002"
    assert run("80CA9F7F00", ["6102", "AABB9000"])[0][1] == "00C0000002"


def test_a_card_that_never_stops_is_cut_off() -> None:
    ex = protocol.Exchange(H("00A40400"))
    nxt = ex.first()
    while nxt is not None:
        nxt = ex.feed(H("6101"))
    assert ex.result is not None and ex.result.sw1 == 0x61 and ex.result.exchanges == protocol.MAX_ROUNDS


def test_errors_and_short_replies() -> None:
    _, ex = run("00A4040003A00000", ["6A82"])
    assert ex.result is not None and ex.result.sw == 0x6A82 and not ex.result.ok
    with pytest.raises(TransportError):
        protocol.Exchange(H("00A40400")).feed(b"\x90")


# ---------------------------------------------------------------------------- ATR


def test_atr_t0_only_without_tck() -> None:
    atr = protocol.parse_atr(H("3B084B494F534B53494D"))
    assert atr == protocol.Atr((0,), b"KIOSKSIM", None)


def test_atr_pcsc_contactless_storage_card() -> None:
    # PC/SC part 3 ATR of a MIFARE Classic 1K: TD1=80 (T=0, TD2 follows), TD2=01 (T=1), 15 historical
    # bytes, TCK 6A (XOR of T0..TCK is 0, checked by hand).
    atr = protocol.parse_atr(H("3B8F8001804F0CA000000306030001000000006A"))
    assert atr.protocols == (0, 1) and len(atr.historical) == 15 and atr.tck_ok is True
    assert protocol.parse_atr(H("3B8F8001804F0CA000000306030001000000006B")).tck_ok is False


@pytest.mark.parametrize("atr", ["", "3B", "3C00", "3B8F80", "3B0A4B49"])
def test_bad_atrs(atr: str) -> None:
    with pytest.raises(ValueError):
        protocol.parse_atr(H(atr))


@given(st.binary(max_size=40))
def test_fuzz_atr_and_commands(data: bytes) -> None:
    try:
        protocol.parse_atr(data)
    except ValueError:
        pass
    try:
        protocol.parse_command(data)
    except InvalidArgument:
        pass


# ---------------------------------------------------------------------------- PC/SC codes and states


@pytest.mark.parametrize(("code", "kind", "reason"), [
    (0x8010000C, DeviceNotReady, "NO_CARD"),
    (0x80100069, DeviceNotReady, "CARD_REMOVED"),
    (0x8010000B, DeviceNotReady, "CARD_IN_USE"),
    (0x80100009, NotFound, "READER_NOT_FOUND"),
    (0x8010001D, DeviceUnavailable, "PCSC_UNAVAILABLE"),
    (0x80100001, TransportError, "PCSC_ERROR"),
    (-2146435063, NotFound, "READER_NOT_FOUND"),  # the same code as a signed 32-bit int
])
def test_pcsc_codes(code: int, kind: type, reason: str) -> None:
    err = protocol.pcsc_error(code, "doing", "R 00 00")
    assert type(err) is kind and err.reason == reason and err.metadata["reader"] == "R 00 00"


def test_reader_states_and_tokens() -> None:
    present = protocol.reader_from_state("Feitian ePass2003 00 00", 0x0022 | 0x0080, H("3B00"))
    assert present.card_present and present.exclusive and present.atr == H("3B00")
    assert present.kind is ReaderKind.TOKEN
    empty = protocol.reader_from_state("ACS ACR39U ICC Reader 00 00", 0x0012, b"")
    assert not empty.card_present and empty.atr is None and empty.kind is ReaderKind.READER
    mute = protocol.reader_from_state("R", 0x0020 | 0x0200, b"")
    assert mute.mute and not mute.card_present


def test_monitor_diff() -> None:
    a = CardReader("R", card_present=True, atr=H("3B00"))
    b = CardReader("R", card_present=True, atr=H("3B01"))
    assert [e.kind for e in diff({}, {"R": a})] == [READER_ADDED, CARD_INSERTED]
    assert [e.kind for e in diff({"R": a}, {"R": b})] == [CARD_REMOVED, CARD_INSERTED]
    assert diff({"R": a}, {"R": a}) == []
