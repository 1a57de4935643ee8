"""Conversions for ``kioskhub.v1.UpsService`` (and the UPS arm of ``Event.payload``)."""

from __future__ import annotations

from google.protobuf.duration_pb2 import Duration

from hubd.classes.ups.contract import UpsReading
from hubd.rpc.convert import source_to_pb, state_to_pb, timestamp
from hubd.supervisor import Supervisor
from kioskhub.v1 import ups_pb2

# reading field → UpsStatus field (the proto names carry their units)
_NUMBERS = {
    "battery_charge": "battery_charge_percent",
    "battery_voltage": "battery_voltage_volts",
    "input_voltage": "input_voltage_volts",
    "output_voltage": "output_voltage_volts",
    "input_frequency": "input_frequency_hz",
    "load": "load_percent",
    "temperature": "temperature_celsius",
}


def reading_to_pb(msg: ups_pb2.UpsStatus, reading: UpsReading) -> None:
    """Fill the observed values of ``reading`` into ``msg``."""
    msg.status.extend(reading.status)
    msg.on_battery = reading.on_battery
    msg.low_battery = reading.low_battery
    msg.battery_charge_estimated = reading.battery_charge_estimated
    msg.model = reading.model
    msg.variables.update(reading.variables)
    if reading.battery_runtime is not None:
        msg.battery_runtime.CopyFrom(Duration(seconds=int(reading.battery_runtime)))
    for name, field in _NUMBERS.items():
        value = getattr(reading, name)
        if value is not None:
            setattr(msg, field, value)


def ups_status_to_pb(sup: Supervisor) -> ups_pb2.UpsStatus:
    """A supervised UPS's status; the reading's values only while it is current (else unknown)."""
    status = sup.status
    msg = ups_pb2.UpsStatus(
        device_id=sup.id,
        state=state_to_pb(status.state),
        reason=status.reason,
        source=source_to_pb(status.source),
        last_seen_time=timestamp(status.last_seen),
    )
    reading = sup.current
    if isinstance(reading, UpsReading):
        reading_to_pb(msg, reading)
    return msg


def event_payload(payload: object) -> tuple[str, ups_pb2.UpsStatus] | None:
    """The ``ups_status`` arm for a UPS reading carried by an event."""
    if isinstance(payload, UpsReading):
        msg = ups_pb2.UpsStatus()
        reading_to_pb(msg, payload)
        return "ups_status", msg
    return None
