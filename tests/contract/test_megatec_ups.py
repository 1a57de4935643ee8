"""Megatec UPS contract: the same tests against the simulator (pty and tcp) or real hardware.

    pytest tests/contract/test_megatec_ups.py --hw megatec_ups=serial:///dev/ttyUSB0?baudrate=2400

Tests that need fault injection run on the simulator only and skip under --hw.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from hubd.classes.ups.contract import LOW_BATTERY, ON_BATTERY, ON_LINE, UpsReading
from hubd.errors import ProtocolError, TransportError, TransportTimeout
from kioskhub.drivers.megatec_ups import DRIVER, MegatecUps
from kioskhub.simulators.megatec_ups import MegatecUpsSim
from tests.conftest import hw_url

TIMEOUT = 0.25  # seconds; the simulator answers in well under a millisecond


@dataclass
class Rig:
    """A driver instance and, unless on hardware, the simulator behind it."""

    ups: MegatecUps
    sim: MegatecUpsSim | None
    link: str

    def need_sim(self) -> MegatecUpsSim:
        if self.sim is None:
            pytest.skip("needs fault injection: simulator only")
        return self.sim


@pytest.fixture(params=["serial", "tcp"])
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    url = hw_url(request.config, "megatec_ups")
    sim = None
    if url is not None:
        if request.param != "serial":
            pytest.skip("hardware runs once, on its own URL")
    else:
        sim = MegatecUpsSim(seed=7)
        url = await sim.start("pty" if request.param == "serial" else "tcp://127.0.0.1:0")
        assert url.startswith("serial://" if request.param == "serial" else "tcp://127.0.0.1:")
    ups = DRIVER.factory("ups", url, timeout=TIMEOUT if sim else 2.0)
    assert isinstance(ups, MegatecUps)
    try:
        yield Rig(ups, sim, request.param)
    finally:
        await ups.close()
        if sim is not None:
            await sim.stop()


def check_consistent(r: UpsReading) -> None:
    """What every reading must satisfy, from any UPS."""
    assert r.status and r.status[-1] != "ALARM"
    assert ("OL" in r.status) != ("OB" in r.status)
    assert r.variables["ups.status"] == " ".join(r.status)
    assert r.battery_charge_estimated == (r.battery_charge is not None)
    if r.battery_charge is not None:
        assert 0 <= r.battery_charge <= 100
        assert r.variables["battery.charge"] == f"{r.battery_charge:.0f}"
    for value in (r.input_voltage, r.output_voltage, r.battery_voltage, r.input_frequency):
        assert value is None or 0 <= value < 1000
    assert r.load is None or 0 <= r.load <= 999


async def test_normal_read(rig: Rig):
    first = await rig.ups.read()  # the rating (F) is asked on the first poll, I on the next
    check_consistent(first)
    r = await rig.ups.read()
    check_consistent(r)
    if rig.sim is None:
        return
    assert first.model == "" and first.battery_charge == 100.0
    s = rig.sim.state
    assert r.status == ("OL",) and not r.on_battery and not r.low_battery
    assert (r.input_voltage, r.output_voltage, r.input_frequency) == (229.8, 229.8, 50.0)
    assert (r.load, r.battery_voltage, r.temperature) == (18, 27.4, 31.0)
    assert r.battery_charge == 100.0 and r.battery_charge_estimated
    assert r.model == s.model == "LI-600VA"
    assert rig.ups.describe() == "KIOSKHUB-SIM LI-600VA (firmware SIM-1.0)"
    assert r.variables["battery.voltage.nominal"] == "24.0"
    assert r.variables["ups.type"] == "offline / line interactive"
    assert rig.ups.events_between(None, r) == []


async def test_on_battery_then_low_battery_then_mains(rig: Rig):
    sim = rig.need_sim()
    first = await rig.ups.read()
    sim.state.discharge_rate = 0.0  # hold the battery voltage still for exact numbers
    sim.set_on_battery(True)
    ob = await rig.ups.read()
    check_consistent(ob)
    assert ob.status == ("OB",) and ob.on_battery and not ob.low_battery
    assert ob.input_voltage == 0.0
    assert ob.battery_voltage == 25.8
    assert ob.battery_charge == pytest.approx(96.2)  # (25.8 - 20.8) / (26.0 - 20.8)
    assert [e.kind for e in rig.ups.events_between(first, ob)] == [ON_BATTERY]

    sim.set_low_battery(True)
    lb = await rig.ups.read()
    assert lb.status == ("OB", "LB") and lb.low_battery
    assert lb.battery_charge == pytest.approx(15.4)  # 21.6 V
    assert [e.kind for e in rig.ups.events_between(ob, lb)] == [LOW_BATTERY]

    sim.set_on_battery(False)
    ol = await rig.ups.read()
    assert ol.status == ("OL",)
    assert [e.kind for e in rig.ups.events_between(lb, ol)] == [ON_LINE]


async def test_battery_drains_on_battery_until_low(rig: Rig):
    sim = rig.need_sim()
    sim.set_on_battery(True)
    sim.state.battery_voltage = sim.state.low_voltage + 0.001
    sim.state.discharge_rate = 100.0  # volts per second: low almost at once
    r = await rig.ups.read()
    deadline = 50
    while "LB" not in r.status and deadline:
        r, deadline = await rig.ups.read(), deadline - 1
    assert r.status == ("OB", "LB")


async def test_silent_ups_times_out_then_recovers(rig: Rig):
    sim = rig.need_sim()
    await rig.ups.read()
    sim.unplug()
    with pytest.raises(TransportTimeout) as err:
        await rig.ups.read()
    assert err.value.reason == "TIMEOUT"
    assert isinstance(err.value, TransportError)
    sim.replug()
    r = await rig.ups.read()
    assert r.status == ("OL",) and r.input_voltage == 229.8


async def test_garbage_is_a_protocol_error_then_recovers(rig: Rig):
    sim = rig.need_sim()
    await rig.ups.read()
    sim.garbage = True
    with pytest.raises(ProtocolError) as err:
        await rig.ups.read()
    assert err.value.reason == "PROTOCOL_ERROR"
    sim.garbage = False
    assert (await rig.ups.read()).status == ("OL",)


async def test_slow_link(rig: Rig):
    sim = rig.need_sim()
    sim.delay = TIMEOUT / 4
    assert (await rig.ups.read()).status == ("OL",)
    sim.delay = TIMEOUT * 3
    with pytest.raises(TransportTimeout):
        await rig.ups.read()


async def until(condition: Callable[[], bool], deadline: float = 5.0) -> None:
    """Poll ``condition`` until true or the deadline passes (no fixed sleeps)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not condition():
        assert loop.time() < end, "condition not reached"
        await asyncio.sleep(0.01)


async def test_late_reply_is_not_read_at_the_next_poll(rig: Rig):
    sim = rig.need_sim()
    await rig.ups.read()
    sent = sim.replies_sent
    sim.delay = TIMEOUT * 1.5
    with pytest.raises(TransportTimeout):
        await rig.ups.read()
    await until(lambda: sim.replies_sent > sent)  # the late reply arrived between polls
    sim.delay = 0.0
    sim.state.battery_voltage = 25.0
    assert (await rig.ups.read()).battery_voltage == 25.0


async def test_cancelled_read_then_fresh_reading(rig: Rig):
    sim = rig.need_sim()
    await rig.ups.read()
    sent = sim.replies_sent
    sim.delay = TIMEOUT / 2
    with pytest.raises(TimeoutError):  # a caller's deadline cancels the read mid-request
        await asyncio.wait_for(rig.ups.read(), TIMEOUT / 8)
    await until(lambda: sim.replies_sent > sent)  # its reply still arrives
    sim.delay = 0.0
    sim.state.battery_voltage = 25.0
    assert (await rig.ups.read()).battery_voltage == 25.0


async def test_silent_on_rating_gives_up_after_three_tries(rig: Rig):
    sim = rig.need_sim()
    seen: list[bytes] = []
    on_line = sim.on_line

    def no_rating(line: bytes) -> bytes | None:
        seen.append(line)
        return None if line == b"F" else on_line(line)

    sim.on_line = no_rating  # type: ignore[method-assign]
    for _ in range(5):
        r = await rig.ups.read()
        assert r.status == ("OL",) and r.battery_charge is None
    assert seen.count(b"F") == 3 and seen.count(b"I") == 1
    assert r.model == "LI-600VA"


async def test_rating_and_info_read_once(rig: Rig):
    sim = rig.need_sim()
    seen: list[bytes] = []
    on_line = sim.on_line

    def spy(line: bytes) -> bytes | None:
        seen.append(line)
        return on_line(line)

    sim.on_line = spy  # type: ignore[method-assign]
    for _ in range(3):
        await rig.ups.read()
    assert seen == [b"Q1", b"F", b"Q1", b"I", b"Q1"]  # one extra question per poll


async def test_ups_without_rating_or_info(rig: Rig):
    sim = rig.need_sim()
    on_line = sim.on_line
    sim.on_line = lambda line: line + b"\r" if line in (b"F", b"I") else on_line(line)  # type: ignore[method-assign]
    await rig.ups.read()
    r = await rig.ups.read()
    check_consistent(r)
    assert r.battery_charge is None and not r.battery_charge_estimated
    assert r.battery_voltage == 27.4 and r.model == "" and "battery.charge" not in r.variables
    assert rig.ups.describe() == ""
