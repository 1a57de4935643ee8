"""Device model of the core: classes, states, honest status, and the base every driver extends."""

from __future__ import annotations

import abc
import builtins
import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

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


class Duration(float):
    """An option type: seconds, given as a number or as ``"90s"``, ``"15m"``, ``"12h"``, ``"1d"``."""

    UNITS: ClassVar[Mapping[str, float]] = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    @classmethod
    def parse(cls, raw: Any) -> float | None:
        """Seconds for ``raw``, or None when it is neither a number nor ``<number><unit>``."""
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        if isinstance(raw, str) and len(raw) > 1 and raw[-1] in cls.UNITS:
            try:
                return float(raw[:-1]) * cls.UNITS[raw[-1]]
            except ValueError:
                return None
        return None


@dataclass(frozen=True)
class Option:
    """One driver option: its type, default, range or choices, and what it means.

    A driver lists its options in ``Device.OPTIONS``; the config loader checks every device's
    options against that table (an unknown key or a bad value names key, device and file), and
    the device receives them checked, with defaults filled in.
    """

    type: type[Any]
    default: Any = None
    help: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    items: builtins.type[Any] | None = None
    """For a ``list`` option: the type of every item."""
    validate: Callable[[Any], str] | None = None
    """A further check: returns "" when the value is good, else what is wrong with it."""

    def check(self, key: str, raw: Any, prefix: str = "options.") -> Any:
        """``raw`` as this option's type; INVALID_ARGUMENT naming ``<prefix><key>`` otherwise."""
        field_ = f"{prefix}{key}"
        if raw is None and self.default is None:
            return None  # an optional option left unset
        if self.type is Duration:
            seconds = Duration.parse(raw)
            if seconds is None:
                want = 'seconds or like "15m", "12h", "1d"'
                raise InvalidArgument(field_, f"must be {want}, got {raw!r:.40}")
            raw = seconds
        elif self.type is float and isinstance(raw, int) and not isinstance(raw, bool):
            raw = float(raw)
        expected = float if self.type is Duration else self.type
        if not isinstance(raw, expected) or (isinstance(raw, bool) and expected is not bool):
            got = f"{type(raw).__name__} {raw!r:.40}"
            raise InvalidArgument(field_, f"must be {expected.__name__}, got {got}")
        if self.items is not None and isinstance(raw, list):
            for i, item in enumerate(raw):
                if not isinstance(item, self.items):
                    raise InvalidArgument(f"{field_}[{i}]", f"must be {self.items.__name__}")
        if isinstance(raw, float) and not math.isfinite(raw):
            raise InvalidArgument(field_, f"must be a finite number, got {raw}")
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            if (self.low is not None and raw < self.low) or (self.high is not None and raw > self.high):
                raise InvalidArgument(field_, f"must be within {self.low:g}..{self.high:g}, got {raw:g}")
        if self.choices and raw not in self.choices:
            raise InvalidArgument(field_, f"must be one of {', '.join(self.choices)}, got {raw!r:.40}")
        problem = self.validate(raw) if self.validate is not None else ""
        if problem:
            raise InvalidArgument(field_, problem)
        return raw


def check_options(
    schema: Mapping[str, Option], options: Mapping[str, Any], prefix: str = "options."
) -> dict[str, Any]:
    """``options`` checked against ``schema`` with defaults filled in; INVALID_ARGUMENT naming the
    first unknown or bad key (as ``<prefix><key>``)."""
    for key in options:
        if key not in schema:
            known = ", ".join(sorted(schema)) or "none"
            raise InvalidArgument(f"{prefix}{key}", f"unknown key (known: {known})")
    return {
        key: opt.check(key, options[key], prefix) if key in options else opt.default
        for key, opt in schema.items()
    }


class Device(abc.ABC):
    """A peripheral reached through a driver; the supervisor calls ``poll`` on a timer.

    ``OPTIONS`` declares the driver's options (checked when the config loads); ``timeout`` is
    the device-level I/O timeout from the config (``DEFAULT_TIMEOUT`` when not given).
    """

    device_class: DeviceClass
    status_source: StatusSource = StatusSource.DEVICE
    OPTIONS: ClassVar[Mapping[str, Option]] = {}
    DEFAULT_TIMEOUT: ClassVar[float] = 2.0
    DEFAULT_POLL_INTERVAL: ClassVar[float] = 1.0
    """Seconds between status reads when the config names none: what a status read costs the
    device and the hub (a camera opened, an HTTP request) against how soon a change shows."""

    def __init__(
        self,
        device_id: str,
        url: str,
        options: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        self.id = device_id
        self.url = url
        self.options: dict[str, Any] = check_options(self.OPTIONS, options or {})
        if timeout is not None:
            number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
            if not number or not (math.isfinite(timeout) and 0 < timeout <= 60):
                raise InvalidArgument("timeout", f"must be in (0, 60] seconds, got {timeout!r:.40}")
        self.timeout: float = self.DEFAULT_TIMEOUT if timeout is None else float(timeout)

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


DeviceFactory = Callable[..., Device]
"""``factory(device_id, url, options, timeout=…)`` → a Device (usually the Device subclass)."""


@dataclass(frozen=True)
class DriverInfo:
    """What a driver declares: its name, device class, factory, URL schemes and default URL."""

    name: str
    device_class: DeviceClass
    factory: DeviceFactory
    schemes: frozenset[str]
    default_url: str
    description: str = ""
    simulator: str | None = None
    """The built-in simulator ``hubd --simulate`` wires this driver to (``kioskhub-sim`` name)."""
    stack: str | None = None
    """Or the private OS stack (``hubd.stacks`` name, e.g. ``nut``) that serves it under --simulate."""

    @property
    def options(self) -> Mapping[str, Option]:
        """The options the driver accepts (its device class's ``OPTIONS``)."""
        return getattr(self.factory, "OPTIONS", {})
