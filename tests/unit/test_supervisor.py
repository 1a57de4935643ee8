import logging

from hubd.clock import FakeClock
from hubd.config import DeviceConfig
from hubd.device import DeviceClass, DeviceState, DriverInfo
from hubd.events import EventBus
from hubd.supervisor import Supervisor
from tests.fakes import ScriptedUps

DRIVER = DriverInfo("fake", DeviceClass.UPS, lambda *a: ScriptedUps(), frozenset({"fake"}), "fake://")


def make(stale_after=3):
    clock = FakeClock()
    bus = EventBus(clock)
    ups = ScriptedUps()
    cfg = DeviceConfig("ups", "fake", poll_interval=1.0, stale_after=stale_after, max_backoff=8)
    sup = Supervisor(ups, cfg, DRIVER, clock, bus)
    return clock, bus, ups, sup


def types(bus):
    return [(e.type, e.reason) for e in bus._retained]


async def test_unknown_until_polled_then_available():
    clock, bus, ups, sup = make()
    assert sup.status.state is DeviceState.UNKNOWN
    sup.start()
    await clock.advance(0)
    assert sup.status.state is DeviceState.AVAILABLE
    assert sup.status.last_seen == clock.now()
    assert types(bus) == [("DEVICE_AVAILABLE", "")]
    await sup.stop()


async def test_stale_after_missed_polls_with_backoff_and_recovery(caplog):
    clock, bus, ups, sup = make(stale_after=3)
    sup.start()
    await clock.advance(0)
    ups.fail("TIMEOUT")
    caplog.set_level(logging.INFO)
    await clock.advance(1)  # miss 1
    await clock.advance(1)  # miss 2
    assert sup.status.state is DeviceState.AVAILABLE
    assert sup.next_interval() == 2.0
    await clock.advance(2)  # miss 3 -> stale
    assert sup.status.state is DeviceState.UNAVAILABLE and sup.status.reason == "TIMEOUT"
    polls = ups.polls
    await clock.advance(3.9)
    assert ups.polls == polls  # backoff: next poll only after 4 s
    await clock.advance(0.1)
    assert ups.polls == polls + 1
    await clock.advance(8)
    ups.status("OL")
    await clock.advance(8)
    assert sup.status.state is DeviceState.AVAILABLE
    assert types(bus) == [("DEVICE_AVAILABLE", ""), ("DEVICE_UNAVAILABLE", "TIMEOUT"),
                          ("DEVICE_AVAILABLE", "")]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    recoveries = [r for r in caplog.records if "answering again" in r.getMessage()]
    assert len(warnings) == 1 and len(recoveries) == 1
    await sup.stop()


async def test_never_seen_device_is_unavailable_at_first_failure():
    clock, bus, ups, sup = make()
    ups.fail("CONNECTION_REFUSED")
    sup.start()
    await clock.advance(0)
    assert sup.status.state is DeviceState.UNAVAILABLE
    assert sup.status.reason == "CONNECTION_REFUSED"
    assert sup.status.last_seen is None
    await sup.stop()


async def test_ups_events_follow_status_tokens():
    clock, bus, ups, sup = make()
    sup.start()
    await clock.advance(0)
    ups.status("OB", "DISCHRG")
    await clock.advance(1)
    ups.status("OB", "LB")
    await clock.advance(1)
    ups.status("OL", "CHRG")
    await clock.advance(1)
    assert [t for t, _ in types(bus)] == ["DEVICE_AVAILABLE", "ON_BATTERY", "LOW_BATTERY", "ON_LINE"]
    await sup.stop()


async def test_driver_bug_does_not_kill_supervisor():
    clock, bus, ups, sup = make(stale_after=1)
    ups.reading = ZeroDivisionError("oops")
    sup.start()
    await clock.advance(0)
    assert sup.status.reason == "DRIVER_ERROR"
    ups.status("OL")
    await clock.advance(1)
    assert sup.status.state is DeviceState.AVAILABLE
    await sup.stop()
