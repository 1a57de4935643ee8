"""TOML configuration (``/etc/kioskhub/hubd.toml``). An unknown key is an error naming key and file."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hubd.errors import ConfigError

DEVICE_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class DeviceConfig:
    """One ``[devices.<id>]`` table."""

    id: str
    driver: str
    url: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    poll_interval: float = 1.0
    timeout: float = 2.0
    stale_after: int = 3
    max_backoff: float = 5.0
    enabled: bool = True


@dataclass(frozen=True)
class PowerConfig:
    """``[power]``: what to do when the UPS battery runs low."""

    low_battery_grace: float = 60.0
    shutdown_command: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrintingConfig:
    """``[printing]``: what to do with a job found printing after a crash; the receipts' time zone."""

    recovery: str = "reprint"
    timezone: str = "Asia/Kolkata"

    @property
    def zone(self) -> tzinfo:
        """The zone receipt times are printed in (India has one, without DST: a kiosk PC's own
        clock zone is often left at UTC, so it is not used)."""
        return zone(self.timezone)


def zone(name: str) -> tzinfo:
    """An IANA time zone; Asia/Kolkata works even on a PC without the zone database."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Asia/Kolkata":
            return timezone(timedelta(hours=5, minutes=30), "IST")
        raise


@dataclass(frozen=True)
class HubConfig:
    """The whole configuration; ``source`` is the file it came from (for messages)."""

    listen: tuple[str, ...] = ()
    state_dir: Path | None = None
    devices: dict[str, DeviceConfig] = field(default_factory=dict)
    power: PowerConfig = field(default_factory=PowerConfig)
    printing: PrintingConfig = field(default_factory=PrintingConfig)
    source: str = "<defaults>"


_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "server": {"listen": list},
    "hub": {"state_dir": str},
    "power": {"low_battery_grace": (int, float), "shutdown_command": list},
    "printing": {"recovery": str, "timezone": str},
    "device": {
        "driver": str,
        "url": str,
        "options": dict,
        "poll_interval": (int, float),
        "timeout": (int, float),
        "stale_after": int,
        "max_backoff": (int, float),
        "enabled": bool,
    },
}


def _check(table: dict[str, Any], schema: str, where: str, source: str) -> None:
    allowed = _SCHEMA[schema]
    for key, value in table.items():
        if key not in allowed:
            raise ConfigError(
                f"{source}: unknown key {where}{key!r} (allowed: {', '.join(sorted(allowed))})",
                metadata={"file": source, "key": f"{where}{key}"},
            )
        expected = allowed[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ConfigError(
                f"{source}: key {where}{key!r} has the wrong type ({type(value).__name__})",
                metadata={"file": source, "key": f"{where}{key}"},
            )


def parse_config(data: dict[str, Any], source: str = "<string>") -> HubConfig:
    """Validate a parsed TOML document into a ``HubConfig``."""
    top = {"server", "hub", "devices", "power", "printing"}
    for key in data:
        if key not in top:
            raise ConfigError(
                f"{source}: unknown key {key!r} (allowed: {', '.join(sorted(top))})",
                metadata={"file": source, "key": key},
            )
    server = data.get("server", {})
    hub = data.get("hub", {})
    power = data.get("power", {})
    printing = data.get("printing", {})
    _check(printing, "printing", "printing.", source)
    if printing.get("recovery", "reprint") not in ("reprint", "hold"):
        raise ConfigError(f"{source}: printing.recovery must be \"reprint\" or \"hold\"",
                          metadata={"file": source, "key": "printing.recovery"})
    try:
        zone(printing.get("timezone", "Asia/Kolkata"))
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"{source}: printing.timezone: unknown time zone {printing['timezone']!r}",
                          metadata={"file": source, "key": "printing.timezone"}) from err
    _check(server, "server", "server.", source)
    _check(hub, "hub", "hub.", source)
    _check(power, "power", "power.", source)
    devices: dict[str, DeviceConfig] = {}
    for dev_id, table in data.get("devices", {}).items():
        if not DEVICE_ID.match(dev_id):
            raise ConfigError(f"{source}: device id {dev_id!r} must match {DEVICE_ID.pattern}")
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: devices.{dev_id} must be a table")
        _check(table, "device", f"devices.{dev_id}.", source)
        if "driver" not in table:
            raise ConfigError(f"{source}: devices.{dev_id} needs a 'driver' key")
        devices[dev_id] = DeviceConfig(id=dev_id, **table)
        if devices[dev_id].poll_interval <= 0 or devices[dev_id].timeout <= 0:
            raise ConfigError(f"{source}: devices.{dev_id}: poll_interval and timeout must be > 0")
    state_dir = hub.get("state_dir")
    return HubConfig(
        listen=tuple(str(x) for x in server.get("listen", [])),
        state_dir=Path(state_dir) if state_dir else None,
        devices=devices,
        power=PowerConfig(
            low_battery_grace=float(power.get("low_battery_grace", 60.0)),
            shutdown_command=tuple(str(x) for x in power.get("shutdown_command", [])),
        ),
        printing=PrintingConfig(**printing),
        source=source,
    )


def load_config(path: Path) -> HubConfig:
    """Read and validate ``path``; every problem is a ``ConfigError`` naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    return parse_config(data, str(path))
