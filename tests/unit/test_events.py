import asyncio

import pytest

from hubd.clock import FakeClock
from hubd.errors import DeviceUnavailable, InvalidArgument, ResourceExhausted
from hubd.events import GAP, EventBus


async def take(sub, n):
    return [await asyncio.wait_for(sub.__anext__(), 1) for _ in range(n)]


async def test_events_are_numbered_and_carry_boot_id():
    bus = EventBus(FakeClock())
    sub = bus.subscribe()
    bus.publish("ON_BATTERY", "ups")
    bus.publish("ON_LINE", "ups")
    got = await take(sub, 2)
    assert [e.sequence for e in got] == [1, 2]
    assert {e.boot_id for e in got} == {bus.boot_id}


async def test_resume_same_boot_replays_only_missed():
    bus = EventBus(FakeClock())
    for _ in range(5):
        bus.publish("DEVICE_AVAILABLE", "ups")
    sub = bus.subscribe(bus.boot_id, 3)
    assert [e.sequence for e in await take(sub, 2)] == [4, 5]


async def test_resume_across_restart_yields_gap_first():
    old = EventBus(FakeClock())
    old.publish("ON_BATTERY", "ups")
    new = EventBus(FakeClock())
    new.publish("DEVICE_AVAILABLE", "ups")
    sub = new.subscribe(old.boot_id, 1)
    gap, first = await take(sub, 2)
    assert gap.type == GAP and gap.reason == "HUB_RESTARTED" and gap.boot_id == new.boot_id
    assert first.sequence == 1 and gap.sequence == 0


async def test_resume_past_retained_window_yields_gap():
    bus = EventBus(FakeClock(), retain=3)
    for _ in range(10):
        bus.publish("ON_LINE", "ups")
    sub = bus.subscribe(bus.boot_id, 2)
    gap, *rest = await take(sub, 4)
    assert gap.type == GAP and gap.reason == "EVENTS_EXPIRED"
    assert [e.sequence for e in rest] == [8, 9, 10]


async def test_resume_from_the_future_is_invalid():
    bus = EventBus(FakeClock())
    with pytest.raises(InvalidArgument) as err:
        bus.subscribe(bus.boot_id, 7)
    assert err.value.field == "resume_after_sequence"
    with pytest.raises(InvalidArgument):
        bus.subscribe("", 7)


async def test_slow_subscriber_dropped_without_slowing_others():
    bus = EventBus(FakeClock(), queue_size=4)
    slow, fast = bus.subscribe(), bus.subscribe()
    for i in range(10):
        bus.publish("ON_LINE", "ups")
        assert (await take(fast, 1))[0].sequence == i + 1
    got = await take(slow, 4)
    assert [e.sequence for e in got] == [1, 2, 3, 4]
    with pytest.raises(ResourceExhausted) as err:
        await slow.__anext__()
    assert err.value.reason == "SLOW_CONSUMER"


async def test_device_filter_and_close():
    bus = EventBus(FakeClock())
    sub = bus.subscribe(device_ids=["printer"])
    bus.publish("ON_BATTERY", "ups")
    bus.publish("DEVICE_AVAILABLE", "printer")
    assert (await take(sub, 1))[0].device_id == "printer"
    bus.close()
    with pytest.raises(DeviceUnavailable) as err:  # a client can tell "hub stopped" from "no more"
        await sub.__anext__()
    assert err.value.reason == "HUB_STOPPING"
