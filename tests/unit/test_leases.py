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
