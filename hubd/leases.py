"""Leases: exclusive holds on a device with a TTL, renewed by heartbeat, expiring by themselves.

Every operation on a device of a leased class (scanner, fingerprint device, smart card, camera)
is checked by ``Hub.use`` → ``authorize``: the caller's lease id (request metadata
``kioskhub-lease-id``) must be the device's live lease. Acquire, release, expiry and a request to
release are published as LEASE_* events with the lease as payload.

Pre-emption is cooperative (as UnifiedPOS's claim): another client may ask the holder to release
(``request_release``); the holder hears LEASE_RELEASE_REQUESTED and keeps the lease at most for
the grace window, after which it expires (LEASE_EXPIRED) and the device is free.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hubd.clock import Clock
from hubd.errors import DeviceBusy, InvalidArgument, LeaseRequired, NotFound, quote
from hubd.events import EventBus
from hubd.tasks import supervise

MIN_TTL = 1.0
MAX_TTL = 3600.0
DEFAULT_TTL = 30.0
RELEASE_GRACE = 10.0
"""Seconds a holder asked to release may keep its lease."""


@dataclass(frozen=True)
class Lease:
    """A client's exclusive hold on one device until ``expires`` (monotonic seconds)."""

    lease_id: str
    device_id: str
    holder: str
    expires: float
    expires_at: datetime
    release_requested: bool = False
    requested_by: str = ""
    cap: float | None = None
    """Once a release was requested: the monotonic time the lease cannot be renewed past."""


def _check_holder(field: str, holder: str) -> None:
    if not holder or len(holder) > 128 or not holder.isprintable():
        raise InvalidArgument(field, f"must be 1-128 printable characters, got {quote(holder)}")


class LeaseManager:
    """Grants, renews and releases leases, and expires them on time (events for each)."""

    def __init__(self, clock: Clock, bus: EventBus | None = None, grace: float = RELEASE_GRACE) -> None:
        self.clock = clock
        self.bus = bus
        self.grace = grace
        self._by_device: dict[str, Lease] = {}
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- life ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Expire leases on time in the background (a LEASE_EXPIRED event for each)."""
        self._task, _ = supervise("lease-expiry", self._expire_forever, self.clock)

    async def stop(self) -> None:
        """Stop the expiry task."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _expire_forever(self) -> None:
        while True:
            self._expire_due()
            nearest = min((lease.expires for lease in self._by_device.values()), default=None)
            wait = 3600.0 if nearest is None else max(0.0, nearest - self.clock.monotonic())
            self._changed.clear()
            sleeper = asyncio.ensure_future(self.clock.sleep(wait))
            woken = asyncio.ensure_future(self._changed.wait())
            try:
                await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                woken.cancel()

    def _expire_due(self) -> None:
        now = self.clock.monotonic()
        for device_id, lease in list(self._by_device.items()):
            if lease.expires <= now:
                del self._by_device[device_id]
                self._publish("LEASE_EXPIRED", lease, "not renewed in time")

    def _publish(self, kind: str, lease: Lease, message: str = "") -> None:
        if self.bus is not None:
            self.bus.publish(kind, lease.device_id, message=message, payload=lease)

    # -- operations ----------------------------------------------------------------------------

    def _live(self, device_id: str) -> Lease | None:
        lease = self._by_device.get(device_id)
        if lease is not None and lease.expires <= self.clock.monotonic():
            del self._by_device[device_id]
            self._publish("LEASE_EXPIRED", lease, "not renewed in time")
            return None
        return lease

    def _stamp(self, lease: Lease, ttl: float) -> Lease:
        ttl = ttl or DEFAULT_TTL
        if not MIN_TTL <= ttl <= MAX_TTL:
            raise InvalidArgument("ttl", f"must be between {MIN_TTL:g} s and {MAX_TTL:g} s, got {ttl:g}")
        expires = self.clock.monotonic() + ttl
        if lease.cap is not None:
            expires = min(expires, lease.cap)
        left = expires - self.clock.monotonic()
        stamped = replace(lease, expires=expires, expires_at=self.clock.now() + timedelta(seconds=left))
        self._by_device[lease.device_id] = stamped
        self._changed.set()
        return stamped

    def acquire(self, device_id: str, holder: str, ttl: float) -> Lease:
        """Take the device; the same holder re-acquiring renews; another holder gets DeviceBusy."""
        _check_holder("holder", holder)
        current = self._live(device_id)
        if current is not None and current.holder != holder:
            raise DeviceBusy(device_id, current.holder, current.expires_at.isoformat())
        if current is not None:
            return self._stamp(current, ttl)
        fresh = Lease("l-" + secrets.token_hex(8), device_id, holder, 0.0, self.clock.now())
        lease = self._stamp(fresh, ttl)
        self._publish("LEASE_ACQUIRED", lease, f"leased by {holder}")
        return lease

    def renew(self, lease_id: str, ttl: float) -> Lease:
        """Extend a live lease (heartbeat); an expired or unknown one is NOT_FOUND. A lease asked to
        be released cannot be renewed past its grace window."""
        return self._stamp(self._find(lease_id), ttl)

    def release(self, lease_id: str) -> Lease:
        """Give a lease back."""
        lease = self._find(lease_id)
        del self._by_device[lease.device_id]
        self._changed.set()
        self._publish("LEASE_RELEASED", lease, f"released by {lease.holder}")
        return lease

    def request_release(self, device_id: str, requester: str) -> Lease:
        """Ask the holder of ``device_id`` to release it: it keeps it at most ``grace`` more seconds.
        NOT_FOUND LEASE_NOT_FOUND when the device is not leased."""
        _check_holder("requester", requester)
        current = self._live(device_id)
        if current is None:
            raise NotFound(f"device {device_id!r} is not leased", reason="LEASE_NOT_FOUND",
                           metadata={"deviceId": device_id})
        if current.holder == requester:
            raise InvalidArgument("requester", "is the holder itself: release the lease instead")
        cap = self.clock.monotonic() + self.grace
        if current.cap is not None:
            cap = min(cap, current.cap)
        asked = replace(current, release_requested=True, requested_by=requester, cap=cap)
        lease = self._stamp(asked, max(MIN_TTL, min(MAX_TTL, current.expires - self.clock.monotonic())))
        self._publish("LEASE_RELEASE_REQUESTED", lease, f"{requester} asks {lease.holder} to release")
        return lease

    def authorize(self, device_id: str, lease_id: str) -> None:
        """For exclusive work: pass only when ``lease_id`` is the device's live lease. Another
        holder's lease → DeviceBusy (holder, expiry); none, or a stale id → LeaseRequired."""
        current = self._live(device_id)
        if current is not None and current.lease_id == lease_id:
            return
        if current is not None:
            raise DeviceBusy(device_id, current.holder, current.expires_at.isoformat())
        why = "expired or was released" if lease_id else "is needed"
        raise LeaseRequired(
            f"device {device_id!r}: a lease {why}: AcquireLease, then send its id as request "
            "metadata kioskhub-lease-id", metadata={"deviceId": device_id})

    def check(self, device_id: str, lease_id: str) -> None:
        """Raise DeviceBusy unless the device is free or held by ``lease_id``."""
        current = self._live(device_id)
        if current is not None and current.lease_id != lease_id:
            raise DeviceBusy(device_id, current.holder, current.expires_at.isoformat())

    def holder(self, device_id: str) -> Lease | None:
        """The live lease on a device, if any."""
        return self._live(device_id)

    def _find(self, lease_id: str) -> Lease:
        for device_id, lease in list(self._by_device.items()):
            if lease.lease_id == lease_id and self._live(device_id) is not None:
                return lease
        raise NotFound(f"lease {quote(lease_id)} does not exist or has expired", reason="LEASE_NOT_FOUND",
                       metadata={"leaseId": lease_id[:64]})
