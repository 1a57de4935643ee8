"""Conversions between core values and ``kioskhub.v1`` messages (and nothing else)."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from hubd.device import DeviceClass, DeviceState, StatusSource
from hubd.errors import InvalidArgument
from hubd.events import Event
from hubd.leases import Lease
from hubd.supervisor import Supervisor
from kioskhub.v1 import common_pb2, hub_pb2


def timestamp(when: datetime | None) -> Timestamp | None:
    """A protobuf Timestamp, or None for "never"."""
    if when is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


def device_class_to_pb(value: DeviceClass) -> common_pb2.DeviceClass.ValueType:  # type: ignore[name-defined]
    """Core class → proto enum."""
    return common_pb2.DeviceClass.Value(f"DEVICE_CLASS_{value.name}")


def device_class_from_pb(value: int, field: str = "device_class") -> DeviceClass | None:
    """Proto enum → core class; UNSPECIFIED → None; an unknown number is INVALID_ARGUMENT."""
    if value == common_pb2.DEVICE_CLASS_UNSPECIFIED:
        return None
    try:
        name = common_pb2.DeviceClass.Name(value).removeprefix("DEVICE_CLASS_")
    except ValueError as err:
        raise InvalidArgument(field, f"{value} is not a DeviceClass") from err
    return DeviceClass[name]


def state_to_pb(value: DeviceState) -> common_pb2.DeviceState.ValueType:  # type: ignore[name-defined]
    """Core state → proto enum."""
    return common_pb2.DeviceState.Value(f"DEVICE_STATE_{value.name}")


def source_to_pb(value: StatusSource) -> common_pb2.StatusSource.ValueType:  # type: ignore[name-defined]
    """Core source → proto enum."""
    return common_pb2.StatusSource.Value(f"STATUS_SOURCE_{value.name}")


def device_to_pb(sup: Supervisor) -> common_pb2.Device:
    """A supervised device as a ``Device`` message."""
    status = sup.status
    return common_pb2.Device(
        id=sup.id,
        device_class=device_class_to_pb(sup.device.device_class),
        driver=sup.driver.name,
        url=sup.device.url,
        state=state_to_pb(status.state),
        reason=status.reason,
        reason_detail=sup.reason_detail,
        source=source_to_pb(status.source),
        last_seen=timestamp(status.last_seen),
        description=sup.device.describe(),
        simulated=sup.simulated,
    )


def event_to_pb(event: Event) -> hub_pb2.Event:
    """A core event as an ``Event`` message."""
    return hub_pb2.Event(
        boot_id=event.boot_id,
        sequence=event.sequence,
        time=timestamp(event.time),
        type=hub_pb2.EventType.Value(f"EVENT_TYPE_{event.type}"),  # type: ignore[arg-type]
        device_id=event.device_id,
        reason=event.reason,
        message=event.message,
        attributes=dict(event.attributes),
    )


def lease_to_pb(lease: Lease) -> hub_pb2.Lease:
    """A core lease as a ``Lease`` message."""
    return hub_pb2.Lease(
        lease_id=lease.lease_id,
        device_id=lease.device_id,
        holder=lease.holder,
        expires_at=timestamp(lease.expires_at),
    )
