"""One supervisor per device: poll on a timer, time out, back off, go stale, publish transitions."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from hubd.clock import Clock
from hubd.config import DeviceConfig
from hubd.device import Device, DeviceState, DeviceStatus, DriverInfo
from hubd.errors import DeviceUnavailable, HubError
from hubd.events import EventBus
from hubd.tasks import supervise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceChange:
    """The payload of DEVICE_AVAILABLE / DEVICE_UNAVAILABLE: the device's status at that moment."""

    device_id: str
    status: DeviceStatus
    reason_detail: str


class Supervisor:
    """Keeps one device's honest status: UNKNOWN until observed, UNAVAILABLE after missed polls."""

    def __init__(
        self,
        device: Device,
        config: DeviceConfig,
        driver: DriverInfo,
        clock: Clock,
        bus: EventBus,
        simulated: bool = False,
    ) -> None:
        self.device = device
        self.config = config
        self.driver = driver
        self.clock = clock
        self.bus = bus
        self.simulated = simulated
        self.poll_interval = (config.poll_interval if config.poll_interval is not None
                              else device.DEFAULT_POLL_INTERVAL)
        self.status = DeviceStatus(DeviceState.UNKNOWN, "NOT_POLLED_YET", device.status_source)
        self.reason_detail = "the hub has not polled this device yet"
        self.reading: object | None = None
        """The last successful reading (kept even when stale; see ``current``)."""
        self.missed = 0
        self.fault: tuple[str, str] | None = None
        self.version = 0
        """Bumped on every observation or change: callers cache what they derive from it."""
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def id(self) -> str:
        """The device id."""
        return self.device.id

    @property
    def current(self) -> object | None:
        """The last reading while it is current: the last poll answered, or the device is still
        within its ``stale_after`` missed polls and shown AVAILABLE. None when it never answered, or
        its status is UNAVAILABLE because it stopped answering: its values are then unknown (the
        last reading stays in ``reading``, from ``status.last_seen``)."""
        if not self.missed:
            return self.reading
        fresh = self.missed < self.config.stale_after and self.status.state is DeviceState.AVAILABLE
        return self.reading if fresh else None

    def start(self) -> None:
        """Start polling in the background (supervised: a bug in the loop restarts it)."""
        self._task, _ = supervise(f"supervisor:{self.id}", self.run, self.clock)

    async def stop(self) -> None:
        """Stop polling and close the device."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.device.close()

    def _publish_state(self, kind: str, message: str) -> None:
        """DEVICE_AVAILABLE / DEVICE_UNAVAILABLE with the device's status as it is now."""
        snapshot = DeviceChange(self.id, self.status, self.reason_detail)
        self.bus.publish(kind, self.id, reason=self.status.reason, message=message, payload=snapshot)

    def set_fault(self, reason: str, detail: str) -> None:
        """Something of the hub's own that serves this device failed (its print worker): the device
        is UNAVAILABLE with that reason until ``clear_fault``, whatever its polls say."""
        self.fault = (reason, detail)
        if self.status.reason != reason:
            self.status = DeviceStatus(DeviceState.UNAVAILABLE, reason, self.device.status_source,
                                       self.status.last_seen)
            self.reason_detail = detail
            self._publish_state("DEVICE_UNAVAILABLE", detail)
            self.version += 1
            self._notify()

    def clear_fault(self) -> None:
        """The failure reported with ``set_fault`` is over: the next reading sets the status."""
        if self.fault is not None:
            self.fault = None
            if self.reading is not None and not self.missed:
                self._succeeded(self.reading)

    async def wait_changed(self) -> None:
        """Return at the next change of status or reading."""
        await self._changed.wait()

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def run(self) -> None:
        """Poll forever: ``poll_interval`` while healthy, exponential backoff while failing."""
        while True:
            await self.poll_once()
            await self.clock.sleep(self.next_interval())

    def next_interval(self) -> float:
        """Seconds until the next poll."""
        if not self.missed:
            return self.poll_interval
        backoff = self.poll_interval * 2 ** (self.missed - 1)
        return float(min(backoff, max(self.config.max_backoff, self.poll_interval)))

    async def poll_once(self) -> None:
        """Poll the device once and record the outcome."""
        try:
            reading = await asyncio.wait_for(self.device.poll(), self.device.timeout + 1.0)
        except (DeviceUnavailable, TimeoutError) as err:
            reason = err.reason if isinstance(err, HubError) else "TIMEOUT"
            await self._failed(reason, str(err) or "poll timed out")
        except HubError as err:
            await self._failed(err.reason, str(err))
        except Exception as err:  # noqa: BLE001 - a driver bug must not kill the supervisor
            if not self.missed:
                log.exception("device %s: driver raised unexpectedly", self.id)
            await self._failed("DRIVER_ERROR", f"{type(err).__name__}: {err}")
        else:
            self._succeeded(reading)

    def observe(self, reading: object) -> None:
        """Record a reading someone else took (a print worker asking why the printer stalled)."""
        self._succeeded(reading)

    def _succeeded(self, reading: object) -> None:
        previous, was = self.reading, self.status.state
        if self.missed:
            log.info("device %s: answering again after %d missed polls", self.id, self.missed)
        self.missed = 0
        self.reading = reading
        state, reason, detail = self.device.assess(reading)
        if self.fault is not None:
            state, (reason, detail) = DeviceState.UNAVAILABLE, self.fault
        self.status = DeviceStatus(state, reason, self.device.status_source, self.clock.now())
        self.reason_detail = detail
        if state is DeviceState.AVAILABLE and was is not DeviceState.AVAILABLE:
            self._publish_state("DEVICE_AVAILABLE", self.device.describe())
        elif state is DeviceState.UNAVAILABLE and was is not DeviceState.UNAVAILABLE:
            self._publish_state("DEVICE_UNAVAILABLE", detail)
        for event in self.device.events_between(previous, reading):
            self.bus.publish(event.kind, self.id, attributes=event.attributes, payload=reading)
        self.version += 1
        if state is not was or reading != previous:
            self._notify()

    async def _failed(self, reason: str, detail: str) -> None:
        self.missed += 1
        self.version += 1
        if self.missed == 1:
            log.warning("device %s: %s (%s)", self.id, detail, reason)
        await self.device.close()
        stale = self.missed >= self.config.stale_after
        if self.status.state is DeviceState.AVAILABLE and not stale:
            return
        if self.status.state is DeviceState.UNAVAILABLE and self.status.reason == reason:
            return
        self.status = DeviceStatus(
            DeviceState.UNAVAILABLE, reason, self.device.status_source, self.status.last_seen
        )
        self.reason_detail = detail
        self._publish_state("DEVICE_UNAVAILABLE", detail)
        self._notify()
