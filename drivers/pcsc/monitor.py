"""The card-event monitor: one supervised thread blocked in SCardGetStatusChange.

The thread waits (no timeout) on every reader plus pcsc-lite's PnP pseudo-reader, so a card
inserted or removed, or a reader plugged in or out, wakes it at once; it diffs the new states
against the last ones and hands ``CardEvent``s to each subscriber's asyncio queue. ``stop`` wakes
it with SCardCancel. A failure (pcscd gone) is logged once per distinct reason, kept in
``problem`` for diagnostics, and retried with backoff (0.5 s doubling to 10 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from types import ModuleType
from typing import Any

from hubd.classes.smartcard.contract import (
    CARD_INSERTED,
    CARD_REMOVED,
    READER_ADDED,
    READER_REMOVED,
    CardEvent,
    CardEventStream,
    CardReader,
)
from hubd.driver_api import DeviceUnavailable, HubError, ResourceExhausted
from kioskhub.drivers.pcsc import protocol

log = logging.getLogger(__name__)
QUEUE_SIZE = 256


def scard_module() -> ModuleType:
    """pyscard's low-level ``smartcard.scard``, imported on first use (it loads libpcsclite)."""
    try:
        from smartcard import scard
    except ImportError as err:
        message = "pyscard (libpcsclite) is not installed"
        raise DeviceUnavailable(message, reason="PCSC_NOT_INSTALLED") from err
    module: ModuleType = scard
    return module


def diff(old: dict[str, CardReader], new: dict[str, CardReader]) -> list[CardEvent]:
    """Events between two reader snapshots (by name)."""
    events = [CardEvent(READER_REMOVED, name) for name in old if name not in new]
    for name, reader in new.items():
        before = old.get(name)
        if before is None:
            events.append(CardEvent(READER_ADDED, name, after=replace(reader, card_present=False, atr=None)))
        had = before is not None and before.card_present
        same = had and before is not None and before.atr == reader.atr
        if had and not (reader.card_present and same):
            events.append(CardEvent(CARD_REMOVED, name, after=replace(reader, card_present=False, atr=None)))
        if reader.card_present and not same:
            events.append(CardEvent(CARD_INSERTED, name, reader.atr, after=reader))
    return events


class CardMonitor(threading.Thread):
    """The monitor thread; ``subscribers`` receive events, ``baseline`` is set once it watches."""

    def __init__(self, name: str) -> None:
        super().__init__(name=f"pcsc-monitor-{name}", daemon=True)
        self.baseline = threading.Event()
        self.problem = ""
        self.subscribers: set[EventStream] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ctx: Any = None

    def publish(self, events: list[CardEvent]) -> None:
        """Hand events to every subscriber (thread-safe)."""
        with self._lock:
            targets = list(self.subscribers)
        for stream in targets:
            for event in events:
                stream.push_threadsafe(event)

    def run(self) -> None:
        """Watch until stopped; on failure back off and start over."""
        delay = 0.5
        while not self._stopping.is_set():
            try:
                self._watch()
            except HubError as err:
                if err.message != self.problem:
                    log.warning("card monitor: %s (retrying)", err.message)
                self.problem = err.message
                self.baseline.clear()
                self._stopping.wait(delay)
                delay = min(delay * 2, 10.0)
            else:
                delay = 0.5

    def _watch(self) -> None:
        scard = scard_module()
        hr, self._ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != protocol.SCARD_S_SUCCESS:
            raise protocol.pcsc_error(hr, "card monitor connecting to pcscd")
        try:
            states: list[tuple[str, int]] = [(protocol.PNP_NOTIFICATION, scard.SCARD_STATE_UNAWARE)]
            known: dict[str, CardReader] = {}
            first = True
            while not self._stopping.is_set():
                hr, names = scard.SCardListReaders(self._ctx, [])
                names = [] if hr == protocol.SCARD_E_NO_READERS_AVAILABLE else names
                if hr not in (protocol.SCARD_S_SUCCESS, protocol.SCARD_E_NO_READERS_AVAILABLE):
                    raise protocol.pcsc_error(hr, "card monitor listing readers")
                current = dict(states)
                states = [states[0]] + [(n, current.get(n, scard.SCARD_STATE_UNAWARE)) for n in names]
                hr, result = scard.SCardGetStatusChange(self._ctx, 0 if first else scard.INFINITE, states)
                if hr == protocol.SCARD_E_CANCELLED or self._stopping.is_set():
                    return
                if hr != protocol.SCARD_S_SUCCESS and hr != protocol.SCARD_E_TIMEOUT:
                    raise protocol.pcsc_error(hr, "card monitor waiting for changes")
                states = [(n, s & ~protocol.STATE_CHANGED) for n, s, _ in result]
                now = {n: protocol.reader_from_state(n, s, bytes(a)) for n, s, a in result[1:]
                       if not s & (protocol.STATE_UNKNOWN | protocol.STATE_UNAVAILABLE)}
                if not first:
                    self.publish(diff(known, now))
                known, first = now, False
                self.problem = ""
                self.baseline.set()
        finally:
            with contextlib.suppress(Exception):
                scard.SCardReleaseContext(self._ctx)
            self._ctx = None

    def stop(self, timeout: float = 5.0) -> None:
        """Wake the thread with SCardCancel and wait for it to end."""
        self._stopping.set()
        ctx = self._ctx
        if ctx is not None:
            with contextlib.suppress(Exception):
                scard_module().SCardCancel(ctx)
        self.join(timeout)
        with self._lock:
            streams = list(self.subscribers)
        for stream in streams:
            stream.end_threadsafe()


class EventStream(CardEventStream):
    """One subscriber: a bounded queue on its event loop; a subscriber that falls 256 events behind
    is ended with RESOURCE_EXHAUSTED (SLOW_CONSUMER) rather than slowing the monitor."""

    def __init__(self, monitor: CardMonitor, loop: asyncio.AbstractEventLoop) -> None:
        self._monitor, self._loop = monitor, loop
        self._queue: asyncio.Queue[CardEvent | None] = asyncio.Queue(QUEUE_SIZE)
        self._overflow = False
        with monitor._lock:
            monitor.subscribers.add(self)

    def end_threadsafe(self) -> None:
        """End the stream from another thread (the monitor stopped)."""
        with self._monitor._lock:
            self._monitor.subscribers.discard(self)
        self.push_threadsafe(None)

    def push_threadsafe(self, event: CardEvent | None) -> None:
        """Queue ``event`` from any thread (None ends the stream)."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens any more
            self._loop.call_soon_threadsafe(self._push, event)

    def _push(self, event: CardEvent | None) -> None:
        if self._overflow:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self._overflow = True
            self.close()

    async def __aiter__(self) -> AsyncIterator[CardEvent]:
        while True:
            if self._overflow and self._queue.empty():
                raise ResourceExhausted("card events were not read in time", reason="SLOW_CONSUMER")
            event = await self._queue.get()
            if event is None:
                if self._overflow:
                    raise ResourceExhausted("card events were not read in time", reason="SLOW_CONSUMER")
                return
            yield event

    def close(self) -> None:
        """Unsubscribe; iteration ends after the events already queued."""
        with self._monitor._lock:
            self._monitor.subscribers.discard(self)
        if self._overflow:
            while not self._queue.empty():
                self._queue.get_nowait()
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
