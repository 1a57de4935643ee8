"""The event bus: numbered hub events, a retained window for resuming, bounded subscriber queues.

Each event carries the hub's boot id and a sequence number, its kind (listed with its meaning in
``hubd.vocabulary``) and, as ``payload``, the core value it is about (a Job, a Lease, a reading):
the gRPC layer turns that into the typed ``oneof payload`` arm. A client resumes after (boot id,
number); a resume across a restart or past the retained window first gets a GAP event. A slow
subscriber whose queue fills is dropped (it sees ``ResourceExhausted`` reason SLOW_CONSUMER after
draining what it had), so it never slows the others. When the hub stops, every subscription ends
with ``DeviceUnavailable`` HUB_STOPPING, which a client can tell from "no more events".
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from hubd.clock import Clock
from hubd.errors import DeviceUnavailable, InvalidArgument, ResourceExhausted

log = logging.getLogger(__name__)

GAP = "GAP"


@dataclass(frozen=True)
class Gap:
    """The payload of a GAP event: why events were lost, and the resume point asked for."""

    reason: str
    resume_boot_id: str
    resume_after_sequence: int


@dataclass(frozen=True)
class Event:
    """One hub event; ``type`` is its kind (ON_BATTERY, GAP…, see ``hubd.vocabulary``)."""

    boot_id: str
    sequence: int
    time: datetime
    type: str
    device_id: str = ""
    reason: str = ""
    message: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)
    payload: object | None = None
    """The value the event is about (a Job, a Lease, a reading, a Gap), as it is after it."""


class Subscription:
    """An async iterator of events for one client."""

    def __init__(self, bus: EventBus, device_ids: Iterable[str], size: int) -> None:
        self._bus = bus
        self._device_ids = frozenset(device_ids)
        self._size = size
        self._items: deque[Event] = deque()
        self._wake = asyncio.Event()
        self._dropped: str | None = None
        self._closed = False
        self._stopping = False

    def wants(self, event: Event) -> bool:
        """True if this subscriber asked for the event's device (GAP always)."""
        return not self._device_ids or event.type == GAP or event.device_id in self._device_ids

    def _offer(self, event: Event, replay: bool = False) -> bool:
        """Queue an event; False (and dropped) when the queue is full."""
        if not self.wants(event):
            return True
        if len(self._items) >= self._size and not replay:
            self._dropped = (
                f"event queue of {self._size} full: client too slow; resume after the last "
                "event received"
            )
            self._wake.set()
            return False
        self._items.append(event)
        self._wake.set()
        return True

    def close(self, stopping: bool = False) -> None:
        """End the iteration after queued events: the client is gone, or (``stopping``) the hub
        stops, which the iterator reports as UNAVAILABLE HUB_STOPPING."""
        self._closed = True
        self._stopping = self._stopping or stopping
        self._wake.set()
        self._bus._unsubscribe(self)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        while True:
            if self._items:
                return self._items.popleft()
            if self._dropped:
                raise ResourceExhausted(self._dropped, reason="SLOW_CONSUMER")
            if self._stopping:
                raise DeviceUnavailable("the hub is stopping; resume after it restarts",
                                        reason="HUB_STOPPING")
            if self._closed:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()


class EventBus:
    """Publishes events to subscribers and keeps the last ``retain`` for resumption."""

    def __init__(
        self, clock: Clock, retain: int = 1024, queue_size: int = 256, boot_id: str | None = None
    ) -> None:
        self.clock = clock
        self.boot_id = boot_id or uuid.uuid4().hex
        self.queue_size = queue_size
        self._retained: deque[Event] = deque(maxlen=retain)
        self._seq = 0
        self._subs: set[Subscription] = set()
        self.closed = False

    @property
    def last_sequence(self) -> int:
        """Sequence of the newest event (0 before any)."""
        return self._seq

    def publish(
        self,
        type: str,
        device_id: str = "",
        reason: str = "",
        message: str = "",
        attributes: Mapping[str, str] | None = None,
        payload: object | None = None,
    ) -> Event:
        """Number, retain and fan out one event."""
        self._seq += 1
        event = Event(
            self.boot_id, self._seq, self.clock.now(), type, device_id, reason, message,
            dict(attributes or {}), payload,
        )
        self._retained.append(event)
        for sub in list(self._subs):
            if not sub._offer(event):
                log.warning("dropped a slow event subscriber (queue of %d full)", self.queue_size)
                self._subs.discard(sub)
        return event

    def subscribe(
        self, resume_boot_id: str = "", resume_after: int = 0, device_ids: Iterable[str] = ()
    ) -> Subscription:
        """A subscription; with a resume point, missed events are replayed (or a GAP says why not)."""
        sub = Subscription(self, device_ids, self.queue_size)
        if resume_boot_id:
            for event in self._replay(resume_boot_id, resume_after):
                sub._offer(event, replay=True)
        elif resume_after:
            raise InvalidArgument("resume_boot_id", "is required with resume_after_sequence")
        if self.closed:
            sub.close(stopping=True)
        else:
            self._subs.add(sub)
        return sub

    def _replay(self, boot_id: str, after: int) -> list[Event]:
        retained = list(self._retained)
        oldest = retained[0].sequence if retained else self._seq + 1
        if boot_id == self.boot_id:
            if after > self._seq:
                raise InvalidArgument(
                    "resume_after_sequence", f"{after} is ahead of the newest event {self._seq}"
                )
            if after >= oldest - 1:
                return [e for e in retained if e.sequence > after]
            reason, message = "EVENTS_EXPIRED", f"events {after + 1}..{oldest - 1} are gone"
        else:
            reason, message = "HUB_RESTARTED", f"the hub restarted; events after {after} are lost"
        gap = Event(
            self.boot_id, oldest - 1, self.clock.now(), GAP, reason=reason, message=message,
            payload=Gap(reason, boot_id, after),
        )
        return [gap, *retained]

    def _unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    def close(self) -> None:
        """End every subscription: the hub is stopping."""
        self.closed = True
        for sub in list(self._subs):
            sub.close(stopping=True)
