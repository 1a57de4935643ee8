"""Conversions between core values and ``kioskhub.v1`` messages shared by every service (devices,
leases, events); each class converts its own values (``hubd/classes/<class>/convert.py``)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from hubd.classes import resolve, spec_for, specs
from hubd.device import DeviceClass, DeviceState, StatusSource
from hubd.errors import InvalidArgument
from hubd.events import Event, Gap
from hubd.leases import Lease
from hubd.supervisor import DeviceChange, Supervisor
from kioskhub.v1 import common_pb2, hub_pb2

if TYPE_CHECKING:
    from hubd.leases import LeaseManager

log = logging.getLogger(__name__)


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


def lease_to_pb(lease: Lease) -> common_pb2.Lease:
    """A core lease as a ``Lease`` message."""
    return common_pb2.Lease(
        lease_id=lease.lease_id,
        device_id=lease.device_id,
        holder=lease.holder,
        expire_time=timestamp(lease.expires_at),
        release_requested=lease.release_requested,
        requested_by=lease.requested_by,
    )


def device_to_pb(sup: Supervisor, leases: LeaseManager | None = None) -> common_pb2.Device:
    """A supervised device as a ``Device`` message (with its live lease, if any)."""
    status = sup.status
    spec = spec_for(sup.device.device_class)
    msg = common_pb2.Device(
        device_id=sup.id,
        device_class=device_class_to_pb(sup.device.device_class),
        driver=sup.driver.name,
        url=sup.device.url,
        state=state_to_pb(status.state),
        reason=status.reason,
        reason_detail=sup.reason_detail,
        source=source_to_pb(status.source),
        last_seen_time=timestamp(status.last_seen),
        description=sup.device.describe(),
        simulated=sup.simulated,
        default=sup.config.default,
        lease_required=spec is not None and spec.leased,
    )
    lease = leases.holder(sup.id) if leases is not None else None
    if lease is not None:
        msg.lease.CopyFrom(lease_to_pb(lease))
    return msg


def _device_change(change: DeviceChange) -> common_pb2.Device:
    status = change.status
    return common_pb2.Device(
        device_id=change.device_id, state=state_to_pb(status.state), reason=status.reason,
        reason_detail=change.reason_detail, source=source_to_pb(status.source),
        last_seen_time=timestamp(status.last_seen),
    )


@functools.cache
def _class_payloads() -> tuple[Callable[[object], tuple[str, Message] | None], ...]:
    return tuple(resolve(s.event_payload) for s in specs() if s.event_payload)


def _payload(payload: object) -> tuple[str, Message] | None:
    """The ``oneof payload`` arm for a core value, asking each class for its own values."""
    if isinstance(payload, Gap):
        return "gap", hub_pb2.Gap(reason=payload.reason, resume_boot_id=payload.resume_boot_id,
                                  resume_after_sequence=payload.resume_after_sequence)
    if isinstance(payload, Lease):
        return "lease", lease_to_pb(payload)
    if isinstance(payload, DeviceChange):
        return "device", _device_change(payload)
    for convert in _class_payloads():
        arm = convert(payload)
        if arm is not None:
            return arm
    return None


def event_to_pb(event: Event) -> hub_pb2.Event:
    """A core event as an ``Event`` message. A kind this API has no EventType for arrives as
    UNSPECIFIED with ``attributes["kind"]`` (a stream never fails on a new kind)."""
    attributes = dict(event.attributes)
    try:
        type_: Any = hub_pb2.EventType.Value(f"EVENT_TYPE_{event.type}")
    except ValueError:
        type_ = hub_pb2.EVENT_TYPE_UNSPECIFIED
        attributes["kind"] = event.type
    msg = hub_pb2.Event(
        boot_id=event.boot_id,
        sequence=event.sequence,
        publish_time=timestamp(event.time),
        type=type_,
        device_id=event.device_id,
        reason=event.reason,
        message=event.message,
        attributes=attributes,
    )
    if event.payload is not None:
        try:
            arm = _payload(event.payload)
        except Exception:  # noqa: BLE001 - a payload bug must not end every client's stream
            log.exception("cannot convert the payload of event %s #%d", event.type, event.sequence)
            arm = None
        if arm is not None:
            getattr(msg, arm[0]).CopyFrom(arm[1])
    return msg
