import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeviceClass(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEVICE_CLASS_UNSPECIFIED: _ClassVar[DeviceClass]
    DEVICE_CLASS_UPS: _ClassVar[DeviceClass]
    DEVICE_CLASS_RECEIPT_PRINTER: _ClassVar[DeviceClass]
    DEVICE_CLASS_DOCUMENT_PRINTER: _ClassVar[DeviceClass]
    DEVICE_CLASS_SCANNER: _ClassVar[DeviceClass]
    DEVICE_CLASS_BIOMETRIC: _ClassVar[DeviceClass]
    DEVICE_CLASS_CAMERA: _ClassVar[DeviceClass]
    DEVICE_CLASS_AUDIO: _ClassVar[DeviceClass]
    DEVICE_CLASS_SMART_CARD: _ClassVar[DeviceClass]

class DeviceState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEVICE_STATE_UNSPECIFIED: _ClassVar[DeviceState]
    DEVICE_STATE_AVAILABLE: _ClassVar[DeviceState]
    DEVICE_STATE_UNAVAILABLE: _ClassVar[DeviceState]
    DEVICE_STATE_UNKNOWN: _ClassVar[DeviceState]

class StatusSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATUS_SOURCE_UNSPECIFIED: _ClassVar[StatusSource]
    STATUS_SOURCE_DEVICE: _ClassVar[StatusSource]
    STATUS_SOURCE_SPOOLER: _ClassVar[StatusSource]
    STATUS_SOURCE_INFERRED: _ClassVar[StatusSource]
DEVICE_CLASS_UNSPECIFIED: DeviceClass
DEVICE_CLASS_UPS: DeviceClass
DEVICE_CLASS_RECEIPT_PRINTER: DeviceClass
DEVICE_CLASS_DOCUMENT_PRINTER: DeviceClass
DEVICE_CLASS_SCANNER: DeviceClass
DEVICE_CLASS_BIOMETRIC: DeviceClass
DEVICE_CLASS_CAMERA: DeviceClass
DEVICE_CLASS_AUDIO: DeviceClass
DEVICE_CLASS_SMART_CARD: DeviceClass
DEVICE_STATE_UNSPECIFIED: DeviceState
DEVICE_STATE_AVAILABLE: DeviceState
DEVICE_STATE_UNAVAILABLE: DeviceState
DEVICE_STATE_UNKNOWN: DeviceState
STATUS_SOURCE_UNSPECIFIED: StatusSource
STATUS_SOURCE_DEVICE: StatusSource
STATUS_SOURCE_SPOOLER: StatusSource
STATUS_SOURCE_INFERRED: StatusSource

class Device(_message.Message):
    __slots__ = ("device_id", "device_class", "driver", "url", "state", "reason", "reason_detail", "source", "last_seen_time", "description", "simulated", "default", "lease_required", "lease")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_CLASS_FIELD_NUMBER: _ClassVar[int]
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SIMULATED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    LEASE_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    device_class: DeviceClass
    driver: str
    url: str
    state: DeviceState
    reason: str
    reason_detail: str
    source: StatusSource
    last_seen_time: _timestamp_pb2.Timestamp
    description: str
    simulated: bool
    default: bool
    lease_required: bool
    lease: Lease
    def __init__(self, device_id: _Optional[str] = ..., device_class: _Optional[_Union[DeviceClass, str]] = ..., driver: _Optional[str] = ..., url: _Optional[str] = ..., state: _Optional[_Union[DeviceState, str]] = ..., reason: _Optional[str] = ..., reason_detail: _Optional[str] = ..., source: _Optional[_Union[StatusSource, str]] = ..., last_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., description: _Optional[str] = ..., simulated: _Optional[bool] = ..., default: _Optional[bool] = ..., lease_required: _Optional[bool] = ..., lease: _Optional[_Union[Lease, _Mapping]] = ...) -> None: ...

class Lease(_message.Message):
    __slots__ = ("lease_id", "device_id", "holder", "expire_time", "release_requested", "requested_by")
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    HOLDER_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    RELEASE_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    lease_id: str
    device_id: str
    holder: str
    expire_time: _timestamp_pb2.Timestamp
    release_requested: bool
    requested_by: str
    def __init__(self, lease_id: _Optional[str] = ..., device_id: _Optional[str] = ..., holder: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., release_requested: _Optional[bool] = ..., requested_by: _Optional[str] = ...) -> None: ...
