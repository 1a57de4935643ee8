import asyncio
import sys
from pathlib import Path

import pytest

from hubd.classes.ups.power import PowerConfig, PowerPolicy
from hubd.clock import FakeClock, settle
from hubd.errors import ShuttingDown
from hubd.events import EventBus


async def policy(tmp_path: Path, grace=60.0):
    marker = tmp_path / "ran"
    cmd = (sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x')")
    clock = FakeClock()
    bus = EventBus(clock)
    p = PowerPolicy(bus, clock, PowerConfig(low_battery_grace=grace, shutdown_command=cmd))
    await p.start()
    return clock, bus, p, marker


async def wait_file(path: Path):
    for _ in range(500):
        if path.exists() and path.read_text():  # the command may have opened it but not written yet
            return path.read_text()
        await asyncio.sleep(0.01)
    raise AssertionError("command did not run")


async def test_low_battery_then_grace_makes_shutdown_imminent(tmp_path):
    clock, bus, p, marker = await policy(tmp_path)
    watcher = bus.subscribe()
    await settle()
    async with p.work("payment"):  # in progress before the battery runs low
        bus.publish("LOW_BATTERY", "ups")
        await settle()
        await clock.advance(59)
        p.admit("payment")  # still accepted within the grace period
        await clock.advance(1)
        assert p.imminent
        with pytest.raises(ShuttingDown) as err:
            p.admit("biometric_capture")
        assert err.value.reason == "SHUTDOWN_IMMINENT"
        assert err.value.metadata["workKind"] == "biometric_capture"
        with pytest.raises(ShuttingDown):
            async with p.work("payment"):
                pass
    # the payment that was in progress finished normally
    assert p.in_progress["payment"] == 0
    await asyncio.wait_for(p.drained(), 1)
    assert await wait_file(marker) == "x"
    await clock.advance(600)
    bus.publish("LOW_BATTERY", "ups")
    await clock.advance(600)
    await asyncio.sleep(0.2)
    assert marker.read_text() == "x" and p.commands_run == 1  # once
    kinds = [e.type for e in watcher._items]
    assert kinds.count("SHUTDOWN_IMMINENT") == 1
    imminent = next(e for e in watcher._items if e.type == "SHUTDOWN_IMMINENT")
    assert imminent.attributes["in_progress"] == "1"
    await p.stop()


async def test_power_back_cancels_the_countdown(tmp_path):
    clock, bus, p, marker = await policy(tmp_path)
    await settle()
    bus.publish("LOW_BATTERY", "ups")
    await clock.advance(30)
    bus.publish("ON_LINE", "ups")
    await clock.advance(120)
    assert not p.imminent and p.commands_run == 0 and not marker.exists()
    p.admit("payment")
    await p.stop()


async def test_no_command_by_default():
    clock = FakeClock()
    bus = EventBus(clock)
    p = PowerPolicy(bus, clock, PowerConfig(low_battery_grace=5))
    await p.start()
    await settle()
    bus.publish("LOW_BATTERY", "ups")
    await clock.advance(5)
    assert p.imminent and p.commands_run == 0
    await p.stop()
