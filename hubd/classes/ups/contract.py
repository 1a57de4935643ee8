"""The UPS device class: one reading shape for every UPS driver (serial Megatec, NUT…)."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

from hubd.device import Device, DeviceClass, DeviceEvent

ON_BATTERY = "ON_BATTERY"
LOW_BATTERY = "LOW_BATTERY"
ON_LINE = "ON_LINE"


@dataclass(frozen=True)
class UpsReading:
    """One observation of a UPS, in NUT's vocabulary (``ups.status`` tokens, seconds, volts)."""

    status: tuple[str, ...]
    battery_charge: float | None = None
    battery_charge_estimated: bool = False
    battery_runtime: float | None = None
    battery_voltage: float | None = None
    input_voltage: float | None = None
    output_voltage: float | None = None
    input_frequency: float | None = None
    load: float | None = None
    temperature: float | None = None
    model: str = ""
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def on_battery(self) -> bool:
        """True when the UPS runs from its battery (OB, or FSD which NUT treats as OB LB)."""
        return "OB" in self.status or "FSD" in self.status

    @property
    def low_battery(self) -> bool:
        """True when the battery is low (LB, or FSD)."""
        return "LB" in self.status or "FSD" in self.status


class UpsDevice(Device):
    """Base of UPS drivers: ``read`` returns a ``UpsReading``; events follow status tokens."""

    device_class = DeviceClass.UPS

    @abc.abstractmethod
    async def read(self) -> UpsReading:
        """Poll the UPS once; raise ``DeviceUnavailable``/``ProtocolError``, never partial data."""

    async def poll(self) -> UpsReading:
        """The supervisor's poll is a read."""
        return await self.read()

    def events_between(self, old: object | None, new: object) -> list[DeviceEvent]:
        """ON_BATTERY / LOW_BATTERY / ON_LINE when the status tokens change."""
        assert isinstance(new, UpsReading)
        prev = old if isinstance(old, UpsReading) else None
        attrs = {"status": " ".join(new.status)}
        events: list[DeviceEvent] = []
        if new.on_battery and (prev is None or not prev.on_battery):
            events.append(DeviceEvent(ON_BATTERY, attrs))
        if new.low_battery and (prev is None or not prev.low_battery):
            events.append(DeviceEvent(LOW_BATTERY, attrs))
        if prev is not None and prev.on_battery and not new.on_battery:
            events.append(DeviceEvent(ON_LINE, attrs))
        return events
