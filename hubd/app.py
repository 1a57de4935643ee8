"""The Hub: configured devices under supervisors, the event bus, leases and the clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from hubd import __version__
from hubd.classes.printer.queue import JobQueue
from hubd.classes.printer.spooler import PRINTER_CLASSES, Printing
from hubd.classes.ups.power import PowerPolicy
from hubd.clock import Clock, SystemClock
from hubd.config import DEVICE_ID, DeviceConfig, HubConfig
from hubd.device import Device, DeviceClass, DriverInfo
from hubd.errors import ConfigError, DeviceUnavailable, HubError, InvalidArgument, NotFound
from hubd.events import EventBus
from hubd.leases import LeaseManager
from hubd.registry import DriverRegistry
from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
STOP_LIMIT = 3.0


class MissingDevice(Device):
    """Stands in for a device whose stack is not installed: always UNAVAILABLE with the reason."""

    def __init__(
        self, device_id: str, url: str, device_class: DeviceClass, reason: str, detail: str
    ) -> None:
        super().__init__(device_id, url)
        self.device_class = device_class
        self._reason, self._detail = reason, detail

    async def poll(self) -> object:
        """Always fails with the reason it was created with."""
        raise DeviceUnavailable(self._detail, reason=self._reason)


class Hub:
    """Owns every device of the kiosk PC."""

    def __init__(
        self,
        config: HubConfig,
        state_dir: Path,
        *,
        clock: Clock | None = None,
        registry: DriverRegistry | None = None,
        simulated: frozenset[str] = frozenset(),
    ) -> None:
        self.config = config
        self.state_dir = state_dir
        self.clock = clock or SystemClock()
        self.registry = registry or DriverRegistry()
        self.simulated = simulated
        self.bus = EventBus(self.clock)
        self.leases = LeaseManager(self.clock)
        self.power = PowerPolicy(self.bus, self.clock, config.power)
        self._printing: Printing | None = None
        self.started_at: datetime = self.clock.now()
        self.version = __version__
        self.devices: dict[str, Supervisor] = {}
        self.stopping = asyncio.Event()

    def add_device(self, cfg: DeviceConfig, device: Device | None = None) -> Supervisor:
        """Create (or adopt) a device from its config and put it under a supervisor."""
        driver = self.registry.get(cfg.driver)
        if device is None:
            device = driver.factory(cfg.id, cfg.url or driver.default_url, cfg.options, timeout=cfg.timeout)
        sup = Supervisor(device, cfg, driver, self.clock, self.bus, cfg.id in self.simulated)
        self.devices[cfg.id] = sup
        return sup

    def add_missing(self, cfg: DeviceConfig, reason: str, detail: str) -> Supervisor:
        """List a device whose stack is absent, UNAVAILABLE with ``reason``."""
        driver: DriverInfo = self.registry.get(cfg.driver)
        url = cfg.url or driver.default_url
        return self.add_device(cfg, MissingDevice(cfg.id, url, driver.device_class, reason, detail))

    async def start(self) -> None:
        """Create every configured device and start its supervisor."""
        for cfg in self.config.devices.values():
            if cfg.enabled and cfg.id not in self.devices:
                try:
                    self.add_device(cfg)
                except ConfigError:
                    raise
                except HubError as err:
                    raise ConfigError(f"{self.config.source}: devices.{cfg.id}: {err}") from err
        self.power.start()
        for sup in self.devices.values():
            sup.start()
        printers = [s for c in PRINTER_CLASSES for s in self.list(c)]
        if printers:
            self.printing.start(printers)
        log.info("hub started with %d devices", len(self.devices))

    async def stop(self) -> None:
        """End event streams, stop supervisors and close devices."""
        self.stopping.set()
        self.bus.close()
        await self.power.stop()
        if self._printing is not None:
            await self._printing.stop()
        for sup in self.devices.values():
            try:
                await asyncio.wait_for(sup.stop(), STOP_LIMIT)
            except TimeoutError:
                log.error("device %s did not stop within %.0f s", sup.id, STOP_LIMIT)

    @property
    def printing(self) -> Printing:
        """The print queue (opened on first use: a hub with no printer never touches it)."""
        if self._printing is None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            queue = JobQueue(self.state_dir, self.clock)
            hold = self.config.printing.recovery == "hold"
            self._printing = Printing(queue, self.bus, self.clock, "hold" if hold else "reprint")
        return self._printing

    async def wait_changed(self, sup: Supervisor) -> bool:
        """Wait for a change of ``sup``; False when the hub is stopping instead."""
        changed = asyncio.ensure_future(sup.wait_changed())
        stopping = asyncio.ensure_future(self.stopping.wait())
        try:
            await asyncio.wait({changed, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            changed.cancel()
            stopping.cancel()
        return not self.stopping.is_set()

    def get(self, device_id: str, field: str = "device_id") -> Supervisor:
        """The device ``device_id``; INVALID_ARGUMENT if malformed, NOT_FOUND if absent."""
        if not DEVICE_ID.match(device_id):
            raise InvalidArgument(field, f"{device_id!r} is not a device id")
        sup = self.devices.get(device_id)
        if sup is None:
            raise NotFound(f"no device {device_id!r}", metadata={"deviceId": device_id})
        return sup

    def find(
        self, device_class: DeviceClass, device_id: str = "", field: str = "device_id"
    ) -> Supervisor:
        """A device of ``device_class``: by id, or the only one when the id is empty."""
        if device_id:
            sup = self.get(device_id, field)
            if sup.device.device_class is not device_class:
                raise InvalidArgument(field, f"{device_id!r} is not a {device_class.value}")
            return sup
        matches = self.list(device_class)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFound(f"this hub has no {device_class.value} device")
        ids = ", ".join(s.id for s in matches)
        raise InvalidArgument(field, f"required: several {device_class.value}s ({ids})")

    def list(self, device_class: DeviceClass | None = None) -> list[Supervisor]:
        """Devices, optionally of one class, in configuration order."""
        return [
            s for s in self.devices.values()
            if device_class is None or s.device.device_class is device_class
        ]

    def info(self) -> Mapping[str, Any]:
        """Identity of this running hub."""
        return {
            "version": self.version,
            "boot_id": self.bus.boot_id,
            "started_at": self.started_at,
            "simulate": bool(self.simulated),
            "last_sequence": self.bus.last_sequence,
        }
