"""The Hub: configured devices under supervisors, the event bus, leases, the clock, and the runners
of the device classes (``hubd.classes``), which it starts and stops without naming any."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from hubd import __version__, crash
from hubd.classes import ClassSpec, resolve, spec_for, specs
from hubd.classes.spec import Runner
from hubd.clock import Clock, SystemClock
from hubd.config import DEVICE_ID, DeviceConfig, HubConfig
from hubd.device import Device, DeviceClass, DriverInfo
from hubd.errors import (
    ConfigError,
    DeviceUnavailable,
    HubError,
    InvalidArgument,
    NotFound,
    quote,
)
from hubd.events import EventBus
from hubd.leases import LeaseManager
from hubd.registry import DriverRegistry
from hubd.supervisor import Supervisor

log = logging.getLogger(__name__)
STOP_LIMIT = 3.0
R = TypeVar("R")

CALLER_LEASE: contextvars.ContextVar[str | Callable[[], str]] = contextvars.ContextVar(
    "caller_lease", default=""
)
"""The lease id the current caller presented (request metadata ``kioskhub-lease-id``), or a
function that reads it (the gRPC layer reads metadata only when an exclusive device asks)."""


class MissingDevice(Device):
    """Stands in for a device whose stack is not installed: always UNAVAILABLE with the reason."""

    def __init__(self, device_id: str, url: str, device_class: DeviceClass, reason: str, detail: str) -> None:
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
        self.leases = LeaseManager(self.clock, self.bus, grace=config.lease_release_grace)
        self.specs: tuple[ClassSpec, ...] = specs()
        self.runners: dict[str, Runner] = {}
        self.started_at: datetime = self.clock.now()
        self.version = __version__
        self.devices: dict[str, Supervisor] = {}
        self.stopping = asyncio.Event()

    # -- devices -------------------------------------------------------------------------------

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

    def _create_devices(self) -> None:
        for cfg in self.config.devices.values():
            if cfg.enabled and cfg.id not in self.devices:
                try:
                    self.add_device(cfg)
                except ConfigError:
                    raise
                except InvalidArgument as err:
                    raise ConfigError(
                        f"{self.config.source}: devices.{cfg.id}.{err.field}: {err.description}"
                    ) from err
                except HubError as err:
                    raise ConfigError(f"{self.config.source}: devices.{cfg.id}: {err}") from err
        by_class: dict[DeviceClass, list[str]] = {}
        for sup in self.devices.values():
            if sup.config.default:
                by_class.setdefault(sup.device.device_class, []).append(sup.id)
        for device_class, ids in by_class.items():
            if len(ids) > 1:
                raise ConfigError(
                    f"{self.config.source}: several default {device_class.value}s: "
                    f"{', '.join(ids)} (at most one per class)"
                )

    # -- life ----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Create every configured device, start its supervisor, then each class's runner."""
        self._create_devices()
        factories = {s.name: resolve(s.runner) for s in self.specs if s.runner}
        crash.load()  # after every class registered its crash points: a typo fails now
        for sup in self.devices.values():
            sup.start()
        for spec in self.specs:
            if spec.name in factories:
                runner: Runner = factories[spec.name](self)
                self.runners[spec.name] = runner
                devices = [s for s in self.devices.values() if s.device.device_class in spec.device_classes]
                await runner.start(devices)
        self.leases.start()
        log.info("hub started with %d devices", len(self.devices))

    async def stop(self) -> None:
        """End event streams, stop runners and supervisors, close devices."""
        self.stopping.set()
        self.bus.close()
        await self.leases.stop()
        for name, runner in reversed(list(self.runners.items())):
            try:
                await asyncio.wait_for(runner.stop(), STOP_LIMIT * 3)
            except TimeoutError:
                log.error("runner %s did not stop within %.0f s", name, STOP_LIMIT * 3)
        for sup in self.devices.values():
            try:
                await asyncio.wait_for(sup.stop(), STOP_LIMIT)
            except TimeoutError:
                log.error("device %s did not stop within %.0f s", sup.id, STOP_LIMIT)

    def stopped_error(self) -> DeviceUnavailable:
        """What a stream ends with when the hub stops (UNAVAILABLE: try again after restart)."""
        return DeviceUnavailable("the hub is stopping; try again when it is back", reason="HUB_STOPPING")

    def runner(self, name: str, kind: type[R]) -> R:
        """The running runner of class ``name`` (FAILED_PRECONDITION-free: a bug if absent)."""
        runner = self.runners.get(name)
        if not isinstance(runner, kind):
            raise HubError(f"class {name!r} has no running {kind.__name__}")
        return runner

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

    # -- lookups -------------------------------------------------------------------------------

    def get(self, device_id: str, field: str = "device_id") -> Supervisor:
        """The device ``device_id``; INVALID_ARGUMENT if malformed, NOT_FOUND if absent."""
        if not DEVICE_ID.match(device_id):
            raise InvalidArgument(field, f"{quote(device_id)} is not a device id")
        sup = self.devices.get(device_id)
        if sup is None:
            raise NotFound(
                f"no device {device_id!r}", reason="DEVICE_NOT_FOUND", metadata={"deviceId": device_id}
            )
        return sup

    def find(self, device_class: DeviceClass, device_id: str = "", field: str = "device_id") -> Supervisor:
        """A device of ``device_class``: by id, else the only one, else the class's default."""
        if device_id:
            sup = self.get(device_id, field)
            if sup.device.device_class is not device_class:
                raise InvalidArgument(field, f"{device_id!r} is not a {device_class.value}")
            return sup
        matches = self.list(device_class)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFound(
                f"this hub has no {device_class.value} device",
                reason="DEVICE_NOT_FOUND",
                metadata={"deviceClass": device_class.value},
            )
        default = [s for s in matches if s.config.default]
        if default:
            return default[0]
        ids = ", ".join(s.id for s in matches)
        raise InvalidArgument(
            field,
            f"required: several {device_class.value}s ({ids}) and none is "
            "the default (set default = true on one)",
        )

    def use(self, sup: Supervisor) -> Supervisor:
        """``sup``, after checking the caller may use it now: an exclusive device needs the caller's
        lease (metadata ``kioskhub-lease-id``); another holder's is DEVICE_BUSY."""
        spec = spec_for(sup.device.device_class)
        if spec is not None and spec.leased:
            lease = CALLER_LEASE.get()
            self.leases.authorize(sup.id, lease if isinstance(lease, str) else lease())
        return sup

    def list(self, device_class: DeviceClass | None = None) -> list[Supervisor]:
        """Devices, optionally of one class, in configuration order."""
        return [
            s for s in self.devices.values() if device_class is None or s.device.device_class is device_class
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
