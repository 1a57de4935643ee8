import pytest

from hubd.clock import FakeClock
from hubd.errors import DeviceBusy, InvalidArgument, NotFound
from hubd.leases import LeaseManager


async def test_second_client_gets_busy_naming_holder_and_expiry():
    leases = LeaseManager(FakeClock())
    first = leases.acquire("scanner", "counter-app", 10)
    with pytest.raises(DeviceBusy) as err:
        leases.acquire("scanner", "other-app", 10)
    assert err.value.metadata["holder"] == "counter-app"
    assert err.value.metadata["expireTime"] == first.expires_at.isoformat()


async def test_lease_expires_unless_renewed():
    clock = FakeClock()
    leases = LeaseManager(clock)
    lease = leases.acquire("scanner", "a", 10)
    await clock.advance(8)
    leases.renew(lease.lease_id, 10)
    await clock.advance(8)
    with pytest.raises(DeviceBusy):
        leases.acquire("scanner", "b", 5)
    await clock.advance(3)
    assert leases.acquire("scanner", "b", 5).holder == "b"
    with pytest.raises(NotFound):
        leases.renew(lease.lease_id, 10)


async def test_check_release_and_bad_ttl():
    leases = LeaseManager(FakeClock())
    lease = leases.acquire("camera", "a", 0)
    leases.check("camera", lease.lease_id)
    with pytest.raises(DeviceBusy):
        leases.check("camera", "l-other")
    leases.release(lease.lease_id)
    leases.check("camera", "")
    with pytest.raises(InvalidArgument) as err:
        leases.acquire("camera", "a", 99999)
    assert err.value.field == "ttl"
    with pytest.raises(InvalidArgument):
        leases.acquire("camera", "", 5)


def _kinds(bus) -> list[tuple[str, str]]:
    return [(e.type, e.payload.holder) for e in bus._retained if e.type.startswith("LEASE_")]


async def test_acquire_release_and_expiry_publish_events_with_the_lease():
    from hubd.clock import settle
    from hubd.events import EventBus

    clock = FakeClock()
    bus = EventBus(clock)
    leases = LeaseManager(clock, bus)
    leases.start()
    a = leases.acquire("scanner", "counter-app", 10)
    leases.release(a.lease_id)
    leases.acquire("scanner", "other-app", 5)
    await settle()
    await clock.advance(5.1)  # nobody renews: the expiry task publishes it, no caller needed
    assert _kinds(bus) == [
        ("LEASE_ACQUIRED", "counter-app"), ("LEASE_RELEASED", "counter-app"),
        ("LEASE_ACQUIRED", "other-app"), ("LEASE_EXPIRED", "other-app"),
    ]
    await leases.stop()


async def test_authorize_needs_the_live_lease_of_this_device():
    from hubd.errors import LeaseRequired

    clock = FakeClock()
    leases = LeaseManager(clock)
    with pytest.raises(LeaseRequired):
        leases.authorize("scanner", "")  # nobody holds it, and the caller has no lease
    lease = leases.acquire("scanner", "a", 5)
    leases.authorize("scanner", lease.lease_id)
    with pytest.raises(DeviceBusy) as busy:
        leases.authorize("scanner", "")  # held by another: who, and until when
    assert busy.value.metadata["holder"] == "a"
    with pytest.raises(DeviceBusy):
        leases.authorize("scanner", "l-forged")
    other = leases.acquire("camera", "a", 5)
    with pytest.raises(DeviceBusy):
        leases.authorize("scanner", other.lease_id)  # a lease on another device
    await clock.advance(6)
    with pytest.raises(LeaseRequired) as stale:
        leases.authorize("scanner", lease.lease_id)  # expired: not a licence any more
    assert "expired" in stale.value.message


async def test_preemption_is_cooperative_with_a_grace_window():
    from hubd.events import EventBus

    clock = FakeClock()
    bus = EventBus(clock)
    leases = LeaseManager(clock, bus, grace=10)
    held = leases.acquire("biometric", "counter-1", 60)
    asked = leases.request_release("biometric", "counter-2")
    assert asked.release_requested and asked.requested_by == "counter-2"
    assert [e.type for e in bus._retained][-1] == "LEASE_RELEASE_REQUESTED"
    await clock.advance(5)
    renewed = leases.renew(held.lease_id, 60)  # the holder may keep it, but not past the grace
    assert (renewed.expires_at - clock.now()).total_seconds() == pytest.approx(5)
    with pytest.raises(DeviceBusy):
        leases.acquire("biometric", "counter-2", 30)
    await clock.advance(5.1)
    assert leases.acquire("biometric", "counter-2", 30).holder == "counter-2"


async def test_preemption_kept_lease_can_be_released_early_and_needs_a_holder():
    leases = LeaseManager(FakeClock(), grace=10)
    with pytest.raises(NotFound):
        leases.request_release("camera", "b")
    held = leases.acquire("camera", "a", 60)
    with pytest.raises(InvalidArgument):
        leases.request_release("camera", "a")  # the holder asks itself: release instead
    leases.request_release("camera", "b")
    leases.release(held.lease_id)  # the cooperative holder gives it back at once
    assert leases.acquire("camera", "b", 30).holder == "b"


async def test_hub_use_checks_leases_only_for_leased_classes(monkeypatch, tmp_path):
    """``Hub.use`` is the one place an exclusive device's operations are checked."""
    from hubd.app import CALLER_LEASE, Hub
    from hubd.classes import ClassSpec
    from hubd.config import HubConfig
    from hubd.device import DeviceClass
    from hubd.errors import LeaseRequired

    hub = Hub(HubConfig(), tmp_path, clock=FakeClock())

    class Sup:
        id = "scanner"

        class device:  # noqa: N801 - a stand-in with the one attribute use() reads
            device_class = DeviceClass.SCANNER

    leased = ClassSpec("scanner", "t", (DeviceClass.SCANNER,), leased=True)
    monkeypatch.setattr("hubd.app.spec_for", lambda c: leased)
    with pytest.raises(LeaseRequired):
        hub.use(Sup)  # type: ignore[arg-type]
    lease = hub.leases.acquire("scanner", "app", 10)
    token = CALLER_LEASE.set(lease.lease_id)
    try:
        assert hub.use(Sup) is Sup  # type: ignore[arg-type]
    finally:
        CALLER_LEASE.reset(token)
    monkeypatch.setattr("hubd.app.spec_for", lambda c: ClassSpec("scanner", "t", (DeviceClass.SCANNER,)))
    assert hub.use(Sup) is Sup  # type: ignore[arg-type]  - not leased: no check
