"""The nut driver against a real upsd + dummy-ups (private config, free loopback port)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator

import psutil
import pytest

from hubd.classes.ups.contract import UpsReading
from hubd.device import StatusSource
from hubd.errors import DeviceUnavailable, HubError, TransportError
from kioskhub.drivers.nut import DRIVER, NutUps
from tests.stacks.base import eventually, private_dir
from tests.stacks.nut import NutStack, nut_stack_at

pytestmark = [pytest.mark.stack, pytest.mark.timeout(60)]

Outcome = UpsReading | HubError


async def outcome(ups: NutUps) -> Outcome:
    """One read: the reading, or the hub error it raised."""
    try:
        return await ups.read()
    except HubError as err:
        return err


def reason_is(reason: str) -> Callable[[Outcome], bool]:
    return lambda o: isinstance(o, DeviceUnavailable) and o.reason == reason


def status_is(*tokens: str) -> Callable[[Outcome], bool]:
    return lambda o: isinstance(o, UpsReading) and o.status == tokens


@pytest.fixture
async def ups(shared_nut_stack: NutStack) -> AsyncIterator[NutUps]:
    dev = NutUps("ups", shared_nut_stack.url, timeout=2)
    yield dev
    await dev.close()


def upsd_clients(stack: NutStack) -> int:
    """Established TCP connections upsd holds (seen from the kernel, not from our driver)."""
    assert stack.upsd is not None
    conns = psutil.Process(stack.upsd.pid).net_connections(kind="tcp")
    return sum(1 for c in conns if c.status == psutil.CONN_ESTABLISHED)


async def test_reads_online_with_nut_names(shared_nut_stack: NutStack, ups: NutUps) -> None:
    reading = await ups.read()
    assert reading.status == ("OL",)
    assert not reading.on_battery and not reading.low_battery
    assert reading.battery_charge == 100.0
    assert reading.battery_runtime == 1800.0  # seconds, as NUT reports it
    assert reading.battery_voltage == 13.5
    assert reading.input_voltage == 230.0 and reading.output_voltage == 230.0
    assert reading.input_frequency == 50.0
    assert reading.load == 23.0 and reading.temperature == 30.5
    assert reading.model == "Kiosk UPS 600"  # a quoted multi-word value through real upsd
    assert reading.variables["driver.name"] == "dummy-ups"
    assert ups.status_source is StatusSource.SPOOLER
    assert "Kiosk UPS 600" in ups.describe()
    # The connection is kept between polls: upsd sees exactly one client after several reads.
    for _ in range(3):
        await ups.read()
    assert upsd_clients(shared_nut_stack) == 1


async def test_username_and_password_file(shared_nut_stack: NutStack) -> None:
    options = {
        "username": shared_nut_stack.username,
        "password_file": str(shared_nut_stack.password_file),
    }
    dev = DRIVER.factory("ups", shared_nut_stack.url, options)
    assert isinstance(dev, NutUps)
    try:
        assert (await dev.read()).status == ("OL",)
    finally:
        await dev.close()


async def test_unknown_ups_name(shared_nut_stack: NutStack) -> None:
    dev = NutUps("ups", f"nut://nosuchups@127.0.0.1:{shared_nut_stack.port}")
    try:
        with pytest.raises(DeviceUnavailable) as info:
            await dev.read()
        assert info.value.reason == "UNKNOWN_UPS"
        assert info.value.metadata == {"nutError": "UNKNOWN-UPS"}
    finally:
        await dev.close()


async def test_on_battery_then_low_battery_then_back(nut_stack: NutStack) -> None:
    ups = NutUps("ups", nut_stack.url)
    try:
        assert (await ups.read()).status == ("OL",)
        nut_stack.write_vars({"ups.status": "OB DISCHRG", "battery.charge": "55"})
        reading = await eventually(
            lambda: outcome(ups), status_is("OB", "DISCHRG"), timeout=8, what="OB DISCHRG"
        )
        assert isinstance(reading, UpsReading)
        assert reading.on_battery and not reading.low_battery and reading.battery_charge == 55
        nut_stack.write_vars({"ups.status": "OB LB", "battery.charge": "9"})
        reading = await eventually(lambda: outcome(ups), status_is("OB", "LB"), timeout=8, what="OB LB")
        assert isinstance(reading, UpsReading)
        assert reading.on_battery and reading.low_battery and reading.battery_charge == 9
        events = ups.events_between(None, reading)
        assert {e.kind for e in events} == {"ON_BATTERY", "LOW_BATTERY"}
        nut_stack.set_status("OL CHRG")
        reading = await eventually(lambda: outcome(ups), status_is("OL", "CHRG"), timeout=8, what="OL CHRG")
        assert isinstance(reading, UpsReading) and not reading.on_battery
    finally:
        await ups.close()


async def test_driver_killed_then_restarted(nut_stack: NutStack) -> None:
    ups = NutUps("ups", nut_stack.url)
    try:
        assert (await ups.read()).status == ("OL",)
        nut_stack.kill_driver()
        # upsd answers DRIVER-NOT-CONNECTED at once; in a rare race it re-attaches to the
        # exiting driver's socket for a moment and shows ups.status WAIT (STATUS_UNKNOWN).
        transient: list[Outcome] = []

        def lost(o: Outcome) -> bool:
            if reason_is("DRIVER_NOT_CONNECTED")(o):
                return True
            assert status_is("OL")(o) or reason_is("STATUS_UNKNOWN")(o), o
            transient.append(o)
            return False

        err = await eventually(lambda: outcome(ups), lost, timeout=5, what="driver loss")
        assert isinstance(err, DeviceUnavailable)
        assert err.metadata == {"nutError": "DRIVER-NOT-CONNECTED"}
        assert reason_is("DRIVER_NOT_CONNECTED")(await outcome(ups))  # and it stays so
        assert nut_stack.status() is None
        nut_stack.start_driver()

        # While upsd re-attaches it may answer DRIVER-NOT-CONNECTED, then ups.status WAIT
        # (STATUS_UNKNOWN: never reported as OK), then the real status.
        def ok_or_expected(o: Outcome) -> bool:
            if isinstance(o, UpsReading):
                return True
            assert reason_is("DRIVER_NOT_CONNECTED")(o) or reason_is("STATUS_UNKNOWN")(o), o
            return False

        reading = await eventually(
            lambda: outcome(ups), ok_or_expected, timeout=10, interval=0.05, what="recovery"
        )
        assert isinstance(reading, UpsReading) and reading.status == ("OL",)
    finally:
        await ups.close()


@pytest.fixture
def quick_stale_stack() -> Iterator[NutStack]:
    """A stack whose upsd declares data stale after 3 s of silence (MAXAGE 3)."""
    yield from nut_stack_at(private_dir("nut"), maxage=3)


async def test_stalled_driver_is_data_stale(quick_stale_stack: NutStack) -> None:
    ups = NutUps("ups", quick_stale_stack.url)
    try:
        assert (await ups.read()).status == ("OL",)
        quick_stale_stack.pause_driver()
        t0 = time.monotonic()
        err = await eventually(
            lambda: outcome(ups),
            lambda o: not isinstance(o, UpsReading),
            timeout=10,
            what="stale data",
        )
        assert isinstance(err, DeviceUnavailable) and err.reason == "DATA_STALE", err
        assert err.metadata == {"nutError": "DATA-STALE"}
        assert time.monotonic() - t0 < 3 + 2  # about MAXAGE after the driver went quiet
        quick_stale_stack.resume_driver()
        await eventually(lambda: outcome(ups), status_is("OL"), timeout=8, what="fresh data")
    finally:
        await ups.close()


async def test_upsd_restart_reconnects(nut_stack: NutStack) -> None:
    ups = NutUps("ups", nut_stack.url)
    try:
        assert (await ups.read()).status == ("OL",)
        nut_stack.kill_upsd()
        with pytest.raises(TransportError) as info:
            await ups.read()  # the kept connection was closed by upsd
        assert info.value.reason in {"DISCONNECTED", "CONNECTION_REFUSED"}
        with pytest.raises(TransportError) as info:
            await ups.read()  # reconnecting: nobody listens now
        assert info.value.reason == "CONNECTION_REFUSED"
        nut_stack.start_upsd()
        assert (await ups.read()).status == ("OL",)
    finally:
        await ups.close()
