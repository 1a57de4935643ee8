"""The vpcd card simulator on its own: framing (fuzzed) and ISO 7816-4 answers written by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kioskhub.simulators import load
from kioskhub.simulators.control import execute
from kioskhub.simulators.vpcd_applet import VpcdFramer, frame
from kioskhub.simulators.vpcd_card import VpcdCardSim

H = bytes.fromhex


def test_framing_by_hand() -> None:
    assert frame(b"\x04") == H("000104")
    assert frame(H("00A40400")) == H("000400A40400")
    framer = VpcdFramer()
    assert framer.feed(H("0001")) == []
    assert framer.feed(H("04" "0002")) == [b"\x04"]
    assert framer.feed(H("9000" "0000")) == [H("9000"), b""]
    with pytest.raises(ValueError):
        frame(bytes(0x10000))


@given(st.lists(st.binary(max_size=300), max_size=8), st.data())
def test_fuzz_framing_survives_any_split(payloads: list[bytes], data: st.DataObject) -> None:
    stream = b"".join(frame(p) for p in payloads)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    framer, got, last = VpcdFramer(), [], 0
    for cut in [*cuts, len(stream)]:
        got += framer.feed(stream[last:cut])
        last = cut
    assert got == payloads


@given(st.binary(max_size=600))
def test_fuzz_card_answers_anything(data: bytes) -> None:
    sim = VpcdCardSim()
    for reply in sim.on_bytes(sim.new_session(), data):
        assert len(reply) >= 2 and int.from_bytes(reply[:2], "big") == len(reply) - 2


def test_card_answers_by_hand() -> None:
    sim = VpcdCardSim()
    assert sim.answer(b"\x04") == H("3B084B494F534B53494D")
    assert sim.answer(b"\x01") is None and sim.state.powered
    assert sim.answer(H("00CA005A08")) == H("6985")  # nothing selected yet
    # SELECT F0 "KIOSKHUB": T=0, so the FCI (29 bytes) waits for GET RESPONSE.
    assert sim.answer(H("00A4040009F04B494F534B485542" "00")) == H("611D")
    assert sim.answer(H("00C0000020")) == H("6C1D")  # asked for too much: 6C with the exact length
    fci = ("6F1B" "8409F04B494F534B485542" "A50E" "500C" + b"KIOSKHUB SIM".hex()).upper()
    assert sim.answer(H("00C000001D")) == H(fci + "9000")
    assert sim.answer(H("00C000001D")) == H("6985")  # nothing pending any more
    assert sim.answer(H("00CA005A00")) == H("6C08")
    assert sim.answer(H("00CA005A08")) == H("4B48000000000001" "9000")
    assert sim.answer(H("00CA5F200E")) == b"KIOSK OPERATOR" + H("9000")
    assert sim.answer(H("00CA0101")) == H("6A88")
    assert sim.answer(H("00A4040003A00000")) == H("6A82")
    assert sim.answer(H("00B00000")) == H("6D00")
    assert sim.answer(H("FFCA000000")) == H("6E00")
    assert sim.answer(H("00A4")) == H("6700")
    assert sim.answer(b"\x00") is None and not sim.state.powered


def test_registered_and_controlled() -> None:
    sim = load("vpcd_card")()
    assert isinstance(sim, VpcdCardSim)
    assert execute(sim, "remove") == "OK removed" and not sim.state.inserted
    assert execute(sim, "insert") == "OK inserted" and sim.state.inserted
    assert execute(sim, "set serial 0102030405060708").startswith("OK")
    assert load("rdservice").name == "rdservice"
