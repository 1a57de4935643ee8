"""Driver registry: drivers are found through the ``kioskhub.drivers`` entry point group."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from hubd.device import DriverInfo
from hubd.errors import ConfigError

log = logging.getLogger(__name__)
GROUP = "kioskhub.drivers"


class DriverRegistry:
    """Name → ``DriverInfo``, loaded lazily from entry points (third-party drivers welcome)."""

    def __init__(self, drivers: dict[str, DriverInfo] | None = None) -> None:
        self._drivers = drivers
        self._broken: dict[str, str] = {}

    def _load(self) -> dict[str, DriverInfo]:
        if self._drivers is None:
            found: dict[str, DriverInfo] = {}
            for ep in entry_points(group=GROUP):
                try:
                    info = ep.load()
                except Exception as err:  # noqa: BLE001 - a broken plug-in must not stop the hub
                    self._broken[ep.name] = f"{type(err).__name__}: {err}"
                    log.error("driver %s failed to load: %s", ep.name, err)
                    continue
                if not isinstance(info, DriverInfo):
                    self._broken[ep.name] = "entry point is not a DriverInfo"
                    continue
                found[info.name] = info
            self._drivers = found
        return self._drivers

    def get(self, name: str) -> DriverInfo:
        """The driver called ``name``; ConfigError naming the known ones otherwise."""
        drivers = self._load()
        if name in drivers:
            return drivers[name]
        if name in self._broken:
            raise ConfigError(f"driver {name!r} is installed but broken: {self._broken[name]}")
        raise ConfigError(f"unknown driver {name!r} (known: {', '.join(sorted(drivers))})")

    def all(self) -> list[DriverInfo]:
        """Every loadable driver, sorted by name."""
        return sorted(self._load().values(), key=lambda d: d.name)
