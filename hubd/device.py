"""Device model of the core: classes, states, honest status, and the base every driver extends."""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hubd.errors import InvalidArgument


class DeviceClass(enum.Enum):
    """What kind of peripheral a device is (mirrors ``kioskhub.v1.DeviceClass``)."""

    UPS = "ups"
    RECEIPT_PRINTER = "receipt_printer"
    DOCUMENT_PRINTER = "document_printer"
    SCANNER = "scanner"
    BIOMETRIC = "biometric"
    CAMERA = "camera"
    AUDIO = "audio"
    SMART_CARD = "smart_card"


class DeviceState(enum.Enum):
    """Whether the device was observed working (mirrors ``kioskhub.v1.DeviceState``)."""

    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"


class StatusSource(enum.Enum):
    """Where a status came from: the device itself, an OS spooler/daemon, or inference."""

    DEVICE = "device"
    SPOOLER = "spooler"
    INFERRED = "inferred"


@dataclass(frozen=True)
class DeviceStatus:
    """A device's state as last observed; ``reason`` says why when not AVAILABLE."""

    state: DeviceState
    reason: str = ""
    source: StatusSource = StatusSource.INFERRED
    last_seen: datetime | None = None


@dataclass(frozen=True)
class DeviceEvent:
    """A class-specific happening derived from two readings (ON_BATTERY, PAPER_OUT…)."""

    kind: str
    attributes: Mapping[str, str] = field(default_factory=dict)


class Device(abc.ABC):
    """A peripheral reached through a driver; the supervisor calls ``poll`` on a timer."""

    device_class: DeviceClass
    status_source: StatusSource = StatusSource.DEVICE

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None) -> None:
        self.id = device_id
        self.url = url
        self.options: dict[str, Any] = dict(options or {})

    @abc.abstractmethod
    async def poll(self) -> object:
        """Read the device once; raise a ``DeviceUnavailable`` subclass on any failure."""

    def events_between(self, old: object | None, new: object) -> list[DeviceEvent]:
        """Class-specific events implied by a change of reading (none by default)."""
        return []

    def assess(self, reading: object) -> tuple[DeviceState, str, str]:
        """State, reason and detail implied by a successful poll (AVAILABLE by default)."""
        return DeviceState.AVAILABLE, "", ""

    async def close(self) -> None:
        """Release the transport; the next ``poll`` reopens it."""

    def describe(self) -> str:
        """A one-line human description (model, firmware) once known."""
        return ""


def option_timeout(options: Mapping[str, Any], default: float) -> float:
    """The ``timeout`` option of a device in seconds (0 < t <= 60); INVALID_ARGUMENT otherwise."""
    raw = options.get("timeout", default)
    try:
        value = float(raw)
    except (TypeError, ValueError) as err:
        raise InvalidArgument("options.timeout", f"not a number: {raw!r}") from err
    if not 0 < value <= 60:
        raise InvalidArgument("options.timeout", f"must be in (0, 60] seconds, got {value}")
    return value


DeviceFactory = Callable[[str, str, Mapping[str, Any]], Device]


@dataclass(frozen=True)
class DriverInfo:
    """What a driver declares: its name, device class, factory, URL schemes and default URL."""

    name: str
    device_class: DeviceClass
    factory: DeviceFactory
    schemes: frozenset[str]
    default_url: str
    description: str = ""
    exclusive: bool = False
    simulator: str | None = None
