"""Leases: exclusive holds on a device with a TTL, renewed by heartbeat, expiring by themselves."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hubd.clock import Clock
from hubd.errors import DeviceBusy, InvalidArgument, NotFound

MIN_TTL = 1.0
MAX_TTL = 3600.0
DEFAULT_TTL = 30.0


@dataclass(frozen=True)
class Lease:
    """A client's exclusive hold on one device until ``expires`` (monotonic seconds)."""

    lease_id: str
    device_id: str
    holder: str
    expires: float
    expires_at: datetime


class LeaseManager:
    """Grants, renews and releases leases; expiry is judged against the Clock when asked."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._by_device: dict[str, Lease] = {}

    def _live(self, device_id: str) -> Lease | None:
        lease = self._by_device.get(device_id)
        if lease is not None and lease.expires <= self.clock.monotonic():
            del self._by_device[device_id]
            return None
        return lease

    def _stamp(self, lease_id: str, device_id: str, holder: str, ttl: float) -> Lease:
        ttl = ttl or DEFAULT_TTL
        if not MIN_TTL <= ttl <= MAX_TTL:
            raise InvalidArgument("ttl", f"must be between {MIN_TTL:g} s and {MAX_TTL:g} s")
        lease = Lease(
            lease_id, device_id, holder, self.clock.monotonic() + ttl,
            self.clock.now() + timedelta(seconds=ttl),
        )
        self._by_device[device_id] = lease
        return lease

    def acquire(self, device_id: str, holder: str, ttl: float) -> Lease:
        """Take the device; the same holder re-acquiring renews; another holder gets DeviceBusy."""
        if not holder or len(holder) > 128 or not holder.isprintable():
            raise InvalidArgument("holder", "must be 1-128 printable characters")
        current = self._live(device_id)
        if current is not None and current.holder != holder:
            raise DeviceBusy(device_id, current.holder, current.expires_at.isoformat())
        lease_id = current.lease_id if current else "l-" + secrets.token_hex(8)
        return self._stamp(lease_id, device_id, holder, ttl)

    def renew(self, lease_id: str, ttl: float) -> Lease:
        """Extend a live lease (heartbeat); an expired or unknown one is NOT_FOUND."""
        lease = self._find(lease_id)
        return self._stamp(lease.lease_id, lease.device_id, lease.holder, ttl)

    def release(self, lease_id: str) -> Lease:
        """Give a lease back."""
        lease = self._find(lease_id)
        del self._by_device[lease.device_id]
        return lease

    def check(self, device_id: str, lease_id: str) -> None:
        """For exclusive work: raise DeviceBusy unless the device is free or held by ``lease_id``."""
        current = self._live(device_id)
        if current is not None and current.lease_id != lease_id:
            raise DeviceBusy(device_id, current.holder, current.expires_at.isoformat())

    def holder(self, device_id: str) -> Lease | None:
        """The live lease on a device, if any."""
        return self._live(device_id)

    def _find(self, lease_id: str) -> Lease:
        for device_id, lease in list(self._by_device.items()):
            if lease.lease_id == lease_id and self._live(device_id) is not None:
                return replace(lease)
        raise NotFound(f"lease {lease_id!r} does not exist or has expired")
