"""Conversions for ``kioskhub.v1.UpsService``."""

from __future__ import annotations

from hubd.classes.ups.contract import UpsReading
from hubd.rpc.convert import source_to_pb, state_to_pb, timestamp
from hubd.supervisor import Supervisor
from kioskhub.v1 import ups_pb2


def ups_status_to_pb(sup: Supervisor) -> ups_pb2.UpsStatus:
    """A supervised UPS's latest reading and status as ``UpsStatus``."""
    status = sup.status
    msg = ups_pb2.UpsStatus(
        device_id=sup.id,
        state=state_to_pb(status.state),
        reason=status.reason,
        source=source_to_pb(status.source),
        last_seen=timestamp(status.last_seen),
    )
    reading = sup.reading
    if isinstance(reading, UpsReading):
        msg.status.extend(reading.status)
        msg.on_battery = reading.on_battery
        msg.low_battery = reading.low_battery
        msg.battery_charge_estimated = reading.battery_charge_estimated
        msg.model = reading.model
        msg.variables.update(reading.variables)
        for name in (
            "battery_charge", "battery_runtime", "battery_voltage", "input_voltage",
            "output_voltage", "input_frequency", "load", "temperature",
        ):
            value = getattr(reading, name)
            if value is not None:
                setattr(msg, name, value)
    return msg
