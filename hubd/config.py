"""TOML configuration (``/etc/kioskhub/hubd.toml``).

Every key is declared (``hubd.device.Option``: type, range, choices) in one of three places: the
core's tables below (``[server]``, ``[hub]``, ``[devices.<id>]``), a device class's ``settings``
(its own section, e.g. ``[printing]``, ``[power]``), or a driver's ``OPTIONS`` (a device's
``options``). An unknown key, a wrong type, a number that is not finite or out of range is a
``ConfigError`` naming the file and the key, and hubd exits 2 with that one line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubd.device import Duration, Option, check_options
from hubd.errors import ConfigError, HubError, InvalidArgument

if TYPE_CHECKING:
    from hubd.registry import DriverRegistry

DEVICE_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

SERVER = {"listen": Option(list, [], "unix:PATH or 127.0.0.1:PORT addresses to serve on", items=str)}
HUB = {
    "state_dir": Option(str, "", "job queue and journal directory"),
    "lease_release_grace": Option(Duration, 10.0, "how long a holder asked to release keeps it", 1, 300),
}
DEVICE = {
    "driver": Option(str, "", "driver name (hubctl drivers lists them)"),
    "url": Option(str, "", "transport URL; empty: the driver's default"),
    "options": Option(dict, {}, "the driver's options"),
    "poll_interval": Option(float, None, "seconds between status reads (default: the device class's)",
                            0.05, 3600),
    "timeout": Option(float, None, "seconds a device may take to answer (default: the driver's)", 0.05, 60),
    "stale_after": Option(int, 3, "missed polls before an observed status is unavailable", 1, 1000),
    "max_backoff": Option(float, 5.0, "longest wait between polls while failing, seconds", 0.1, 3600),
    "enabled": Option(bool, True, "false keeps the device out of the hub"),
    "default": Option(bool, False, "the device used when a request names none of its class"),
}


@dataclass(frozen=True)
class DeviceConfig:
    """One ``[devices.<id>]`` table."""

    id: str
    driver: str
    url: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    poll_interval: float | None = None
    """None: the device class's ``DEFAULT_POLL_INTERVAL``."""
    timeout: float | None = None
    """None: the driver's ``DEFAULT_TIMEOUT``."""
    stale_after: int = 3
    max_backoff: float = 5.0
    enabled: bool = True
    default: bool = False

    def __post_init__(self) -> None:
        for key in ("poll_interval", "timeout", "stale_after", "max_backoff"):
            if getattr(self, key) is not None:
                DEVICE[key].check(key, getattr(self, key), f"devices.{self.id}.")


@dataclass(frozen=True)
class HubConfig:
    """The whole configuration; ``source`` is the file it came from (for messages)."""

    listen: tuple[str, ...] = ()
    state_dir: Path | None = None
    lease_release_grace: float = 10.0
    devices: dict[str, DeviceConfig] = field(default_factory=dict)
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Class sections (``[printing]``…) as given; ``section()`` checks them and fills defaults."""
    source: str = "<defaults>"

    def section(self, name: str) -> Mapping[str, Any]:
        """A class's settings, checked, with defaults for keys not given."""
        schema = class_sections().get(name, {})
        try:
            return check_options(schema, self.sections.get(name, {}), f"{name}.")
        except InvalidArgument as err:
            raise ConfigError(f"{self.source}: {err.message}", metadata={"file": self.source}) from err


def class_sections() -> dict[str, Mapping[str, Option]]:
    """Section name → declared keys, from every class spec."""
    from hubd.classes import specs

    return {s.settings_section: s.settings for s in specs() if s.settings_section}


def _error(source: str, key: str, message: str) -> ConfigError:
    return ConfigError(f"{source}: {key}: {message}", metadata={"file": source, "key": key})


def _checked(schema: Mapping[str, Option], table: Any, where: str, source: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _error(source, where.rstrip("."), "must be a table")
    try:
        return check_options(schema, table, where)
    except InvalidArgument as err:
        raise _error(source, err.field, err.description) from err


def _device(dev_id: str, table: Any, source: str, registry: DriverRegistry | None) -> DeviceConfig:
    where = f"devices.{dev_id}."
    if not DEVICE_ID.match(dev_id):
        raise _error(source, f"devices.{dev_id[:40]}", f"a device id must match {DEVICE_ID.pattern}")
    values = _checked(DEVICE, table, where, source)
    if not values["driver"]:
        raise _error(source, f"{where}driver", "required")
    if registry is not None:
        try:
            driver = registry.get(values["driver"])
            values["options"] = check_options(driver.options, values["options"])
        except InvalidArgument as err:
            raise _error(source, f"{where}{err.field}", err.description) from err
        except HubError as err:
            raise _error(source, f"{where}driver", err.message) from err
    return DeviceConfig(id=dev_id, **values)


def parse_config(
    data: dict[str, Any], source: str = "<string>", registry: DriverRegistry | None = None
) -> HubConfig:
    """Validate a parsed TOML document into a ``HubConfig`` (driver options too, given a registry)."""
    sections = class_sections()
    top = {"server", "hub", "devices", *sections}
    for key in data:
        if key not in top:
            raise _error(source, key, f"unknown key (allowed: {', '.join(sorted(top))})")
    server = _checked(SERVER, data.get("server", {}), "server.", source)
    hub = _checked(HUB, data.get("hub", {}), "hub.", source)
    given = {name: _checked(schema, data.get(name, {}), f"{name}.", source)
             for name, schema in sections.items()}
    devices_table = data.get("devices", {})
    if not isinstance(devices_table, dict):
        raise _error(source, "devices", "must be a table of [devices.<id>] tables")
    devices = {dev_id: _device(dev_id, table, source, registry) for dev_id, table in devices_table.items()}
    return HubConfig(
        listen=tuple(server["listen"]),
        state_dir=Path(hub["state_dir"]) if hub["state_dir"] else None,
        lease_release_grace=float(hub["lease_release_grace"]),
        devices=devices,
        sections=given,
        source=source,
    )


def load_config(path: Path, registry: DriverRegistry | None = None) -> HubConfig:
    """Read and validate ``path``; every problem is a ``ConfigError`` naming the file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from err
    except UnicodeDecodeError as err:
        bad = f"byte {err.object[err.start]:#04x} at offset {err.start}"
        raise ConfigError(f"{path}: not UTF-8 text ({bad})") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    return parse_config(data, str(path), registry)
