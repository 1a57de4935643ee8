"""The low-battery policy: after LB (or FSD) for a grace period, shutdown is imminent.

Then the hub emits SHUTDOWN_IMMINENT, refuses new work that must not be cut by a power loss
(payments, biometric capture: callers wrap such work in ``policy.work(kind)``) while letting work
already in progress finish, and runs the configured command once (none by default). Mains power
coming back (ON_LINE) before that cancels the countdown and lifts the refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubd.classes.ups.contract import LOW_BATTERY, ON_LINE
from hubd.clock import Clock
from hubd.config import HubConfig
from hubd.errors import DeviceUnavailable, ShuttingDown
from hubd.events import Event, EventBus
from hubd.tasks import supervise

if TYPE_CHECKING:
    from hubd.app import Hub
    from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
SHUTDOWN_IMMINENT = "SHUTDOWN_IMMINENT"


@dataclass(frozen=True)
class PowerConfig:
    """``[power]``: what to do when the UPS battery runs low."""

    low_battery_grace: float = 60.0
    shutdown_command: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: HubConfig) -> PowerConfig:
        """The ``[power]`` section, checked."""
        section = config.section("power")
        return cls(float(section["low_battery_grace"]), tuple(section["shutdown_command"]))


def runner(hub: Hub) -> PowerPolicy:
    """The UPS class's runner: the power policy, following the hub's events."""
    return PowerPolicy(hub.bus, hub.clock, PowerConfig.from_config(hub.config))


class PowerPolicy:
    """Watches UPS events on the bus and guards power-critical work."""

    def __init__(self, bus: EventBus, clock: Clock, config: PowerConfig) -> None:
        self.bus = bus
        self.clock = clock
        self.config = config
        self.imminent = False
        self.in_progress: dict[str, int] = {}
        self.commands_run = 0
        self._countdown: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self, devices: list[Supervisor] | None = None) -> None:
        """Follow the event bus in the background (supervised)."""
        self._task, _ = supervise("power-policy", self._follow, self.clock)

    async def stop(self) -> None:
        """Stop following events and any countdown."""
        for task in (self._countdown, self._task):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def _follow(self) -> None:
        try:
            async for event in self.bus.subscribe():
                self._on_event(event)
        except DeviceUnavailable:
            if not self.bus.closed:
                raise

    def _on_event(self, event: Event) -> None:
        if event.type == LOW_BATTERY and self._countdown is None and not self.imminent:
            log.warning("UPS %s battery low: shutdown in %.0f s unless power returns",
                        event.device_id, self.config.low_battery_grace)
            self._countdown = asyncio.create_task(self._count_down(event.device_id))
        elif event.type == ON_LINE:
            self._power_back()

    def _power_back(self) -> None:
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None
        if self.imminent:
            log.info("mains power is back: accepting power-critical work again")
        self.imminent = False

    async def _count_down(self, device_id: str) -> None:
        await self.clock.sleep(self.config.low_battery_grace)
        self.imminent = True
        self._countdown = None
        self.bus.publish(
            SHUTDOWN_IMMINENT, device_id, reason="LOW_BATTERY",
            message="battery low: finish work in progress; new payments and captures are refused",
            attributes={"in_progress": str(sum(self.in_progress.values()))},
        )
        await self._run_command()

    async def _run_command(self) -> None:
        if not self.config.shutdown_command:
            return
        self.commands_run += 1
        log.warning("running the low-battery command: %s", " ".join(self.config.shutdown_command))
        try:
            proc = await asyncio.create_subprocess_exec(*self.config.shutdown_command)
            code = await proc.wait()
        except OSError as err:
            log.error("low-battery command failed to start: %s", err)
            return
        if code:
            log.error("low-battery command exited with %d", code)

    def admit(self, kind: str) -> None:
        """Raise ``ShuttingDown`` when new work of ``kind`` must not start now."""
        if self.imminent:
            raise ShuttingDown(
                f"{kind} refused: UPS battery low and shutdown imminent",
                metadata={"workKind": kind},
            )

    @contextlib.asynccontextmanager
    async def work(self, kind: str) -> AsyncIterator[None]:
        """Hold power-critical work of ``kind``; refused when shutdown is imminent."""
        self.admit(kind)
        self.in_progress[kind] = self.in_progress.get(kind, 0) + 1
        self._idle.clear()
        try:
            yield
        finally:
            self.in_progress[kind] -= 1
            if not any(self.in_progress.values()):
                self._idle.set()

    async def drained(self) -> None:
        """Return once no power-critical work is in progress."""
        await self._idle.wait()
