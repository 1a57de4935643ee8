import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kioskhub.v1 import audio_pb2 as _audio_pb2
from kioskhub.v1 import biometric_pb2 as _biometric_pb2
from kioskhub.v1 import camera_pb2 as _camera_pb2
from kioskhub.v1 import common_pb2 as _common_pb2
from kioskhub.v1 import printer_pb2 as _printer_pb2
from kioskhub.v1 import scanner_pb2 as _scanner_pb2
from kioskhub.v1 import smartcard_pb2 as _smartcard_pb2
from kioskhub.v1 import transactions_pb2 as _transactions_pb2
from kioskhub.v1 import ups_pb2 as _ups_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_GAP: _ClassVar[EventType]
    EVENT_TYPE_DEVICE_AVAILABLE: _ClassVar[EventType]
    EVENT_TYPE_DEVICE_UNAVAILABLE: _ClassVar[EventType]
    EVENT_TYPE_ON_BATTERY: _ClassVar[EventType]
    EVENT_TYPE_LOW_BATTERY: _ClassVar[EventType]
    EVENT_TYPE_ON_LINE: _ClassVar[EventType]
    EVENT_TYPE_SHUTDOWN_IMMINENT: _ClassVar[EventType]
    EVENT_TYPE_LEASE_ACQUIRED: _ClassVar[EventType]
    EVENT_TYPE_LEASE_RELEASED: _ClassVar[EventType]
    EVENT_TYPE_JOB_QUEUED: _ClassVar[EventType]
    EVENT_TYPE_JOB_PRINTING: _ClassVar[EventType]
    EVENT_TYPE_JOB_SUCCEEDED: _ClassVar[EventType]
    EVENT_TYPE_JOB_FAILED: _ClassVar[EventType]
    EVENT_TYPE_JOB_WAITING: _ClassVar[EventType]
    EVENT_TYPE_JOB_CANCELLED: _ClassVar[EventType]
    EVENT_TYPE_JOB_EXPIRED: _ClassVar[EventType]
    EVENT_TYPE_JOB_HELD: _ClassVar[EventType]
    EVENT_TYPE_PAPER_OUT: _ClassVar[EventType]
    EVENT_TYPE_PAPER_LOADED: _ClassVar[EventType]
    EVENT_TYPE_PRINTER_OFFLINE: _ClassVar[EventType]
    EVENT_TYPE_PRINTER_ONLINE: _ClassVar[EventType]
    EVENT_TYPE_LEASE_EXPIRED: _ClassVar[EventType]
    EVENT_TYPE_LEASE_RELEASE_REQUESTED: _ClassVar[EventType]
    EVENT_TYPE_PRINTER_ALERT: _ClassVar[EventType]
    EVENT_TYPE_PRINTER_ALERT_CLEARED: _ClassVar[EventType]
    EVENT_TYPE_PRINTER_RESUMED: _ClassVar[EventType]
    EVENT_TYPE_SCAN_STARTED: _ClassVar[EventType]
    EVENT_TYPE_SCAN_PAGE: _ClassVar[EventType]
    EVENT_TYPE_SCAN_SUCCEEDED: _ClassVar[EventType]
    EVENT_TYPE_SCAN_FAILED: _ClassVar[EventType]
    EVENT_TYPE_SCAN_CANCELLED: _ClassVar[EventType]
    EVENT_TYPE_ADF_JAM: _ClassVar[EventType]
    EVENT_TYPE_COVER_OPEN: _ClassVar[EventType]
    EVENT_TYPE_ADF_EMPTY: _ClassVar[EventType]
    EVENT_TYPE_ADF_LOADED: _ClassVar[EventType]
    EVENT_TYPE_RD_SERVICE_READY: _ClassVar[EventType]
    EVENT_TYPE_RD_SERVICE_NOT_READY: _ClassVar[EventType]
    EVENT_TYPE_RD_SERVICE_IN_USE: _ClassVar[EventType]
    EVENT_TYPE_CARD_INSERTED: _ClassVar[EventType]
    EVENT_TYPE_CARD_REMOVED: _ClassVar[EventType]
    EVENT_TYPE_READER_ADDED: _ClassVar[EventType]
    EVENT_TYPE_READER_REMOVED: _ClassVar[EventType]
    EVENT_TYPE_CAMERA_FRAME_SIZE_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_AUDIO_SELF_TEST_PASSED: _ClassVar[EventType]
    EVENT_TYPE_AUDIO_SELF_TEST_FAILED: _ClassVar[EventType]
    EVENT_TYPE_PAYMENT_STATE: _ClassVar[EventType]
    EVENT_TYPE_WALLET: _ClassVar[EventType]
    EVENT_TYPE_INACTIVITY: _ClassVar[EventType]
    EVENT_TYPE_PORTAL: _ClassVar[EventType]
    EVENT_TYPE_RECONCILE: _ClassVar[EventType]
    EVENT_TYPE_RECEIPT: _ClassVar[EventType]
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_GAP: EventType
EVENT_TYPE_DEVICE_AVAILABLE: EventType
EVENT_TYPE_DEVICE_UNAVAILABLE: EventType
EVENT_TYPE_ON_BATTERY: EventType
EVENT_TYPE_LOW_BATTERY: EventType
EVENT_TYPE_ON_LINE: EventType
EVENT_TYPE_SHUTDOWN_IMMINENT: EventType
EVENT_TYPE_LEASE_ACQUIRED: EventType
EVENT_TYPE_LEASE_RELEASED: EventType
EVENT_TYPE_JOB_QUEUED: EventType
EVENT_TYPE_JOB_PRINTING: EventType
EVENT_TYPE_JOB_SUCCEEDED: EventType
EVENT_TYPE_JOB_FAILED: EventType
EVENT_TYPE_JOB_WAITING: EventType
EVENT_TYPE_JOB_CANCELLED: EventType
EVENT_TYPE_JOB_EXPIRED: EventType
EVENT_TYPE_JOB_HELD: EventType
EVENT_TYPE_PAPER_OUT: EventType
EVENT_TYPE_PAPER_LOADED: EventType
EVENT_TYPE_PRINTER_OFFLINE: EventType
EVENT_TYPE_PRINTER_ONLINE: EventType
EVENT_TYPE_LEASE_EXPIRED: EventType
EVENT_TYPE_LEASE_RELEASE_REQUESTED: EventType
EVENT_TYPE_PRINTER_ALERT: EventType
EVENT_TYPE_PRINTER_ALERT_CLEARED: EventType
EVENT_TYPE_PRINTER_RESUMED: EventType
EVENT_TYPE_SCAN_STARTED: EventType
EVENT_TYPE_SCAN_PAGE: EventType
EVENT_TYPE_SCAN_SUCCEEDED: EventType
EVENT_TYPE_SCAN_FAILED: EventType
EVENT_TYPE_SCAN_CANCELLED: EventType
EVENT_TYPE_ADF_JAM: EventType
EVENT_TYPE_COVER_OPEN: EventType
EVENT_TYPE_ADF_EMPTY: EventType
EVENT_TYPE_ADF_LOADED: EventType
EVENT_TYPE_RD_SERVICE_READY: EventType
EVENT_TYPE_RD_SERVICE_NOT_READY: EventType
EVENT_TYPE_RD_SERVICE_IN_USE: EventType
EVENT_TYPE_CARD_INSERTED: EventType
EVENT_TYPE_CARD_REMOVED: EventType
EVENT_TYPE_READER_ADDED: EventType
EVENT_TYPE_READER_REMOVED: EventType
EVENT_TYPE_CAMERA_FRAME_SIZE_CHANGED: EventType
EVENT_TYPE_AUDIO_SELF_TEST_PASSED: EventType
EVENT_TYPE_AUDIO_SELF_TEST_FAILED: EventType
EVENT_TYPE_PAYMENT_STATE: EventType
EVENT_TYPE_WALLET: EventType
EVENT_TYPE_INACTIVITY: EventType
EVENT_TYPE_PORTAL: EventType
EVENT_TYPE_RECONCILE: EventType
EVENT_TYPE_RECEIPT: EventType

class GetHubInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetHubInfoResponse(_message.Message):
    __slots__ = ("version", "boot_id", "start_time", "simulate", "services", "last_sequence")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    SIMULATE_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    version: str
    boot_id: str
    start_time: _timestamp_pb2.Timestamp
    simulate: bool
    services: _containers.RepeatedScalarFieldContainer[str]
    last_sequence: int
    def __init__(self, version: _Optional[str] = ..., boot_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., simulate: _Optional[bool] = ..., services: _Optional[_Iterable[str]] = ..., last_sequence: _Optional[int] = ...) -> None: ...

class ListDevicesRequest(_message.Message):
    __slots__ = ("device_class", "page_size", "page_token")
    DEVICE_CLASS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    device_class: _common_pb2.DeviceClass
    page_size: int
    page_token: str
    def __init__(self, device_class: _Optional[_Union[_common_pb2.DeviceClass, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDevicesResponse(_message.Message):
    __slots__ = ("devices", "next_page_token")
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    devices: _containers.RepeatedCompositeFieldContainer[_common_pb2.Device]
    next_page_token: str
    def __init__(self, devices: _Optional[_Iterable[_Union[_common_pb2.Device, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetDeviceRequest(_message.Message):
    __slots__ = ("device_id",)
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    def __init__(self, device_id: _Optional[str] = ...) -> None: ...

class GetDeviceResponse(_message.Message):
    __slots__ = ("device",)
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    device: _common_pb2.Device
    def __init__(self, device: _Optional[_Union[_common_pb2.Device, _Mapping]] = ...) -> None: ...

class Gap(_message.Message):
    __slots__ = ("reason", "resume_boot_id", "resume_after_sequence")
    REASON_FIELD_NUMBER: _ClassVar[int]
    RESUME_BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    RESUME_AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    reason: str
    resume_boot_id: str
    resume_after_sequence: int
    def __init__(self, reason: _Optional[str] = ..., resume_boot_id: _Optional[str] = ..., resume_after_sequence: _Optional[int] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("boot_id", "sequence", "publish_time", "type", "device_id", "reason", "message", "attributes", "gap", "device", "lease", "print_job", "ups_status", "scan_job", "biometric_info", "card_reader", "camera_status", "audio_status", "transaction", "wallet_status", "inactivity", "reconcile_report")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    PRINT_JOB_FIELD_NUMBER: _ClassVar[int]
    UPS_STATUS_FIELD_NUMBER: _ClassVar[int]
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    BIOMETRIC_INFO_FIELD_NUMBER: _ClassVar[int]
    CARD_READER_FIELD_NUMBER: _ClassVar[int]
    CAMERA_STATUS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_STATUS_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    WALLET_STATUS_FIELD_NUMBER: _ClassVar[int]
    INACTIVITY_FIELD_NUMBER: _ClassVar[int]
    RECONCILE_REPORT_FIELD_NUMBER: _ClassVar[int]
    boot_id: str
    sequence: int
    publish_time: _timestamp_pb2.Timestamp
    type: EventType
    device_id: str
    reason: str
    message: str
    attributes: _containers.ScalarMap[str, str]
    gap: Gap
    device: _common_pb2.Device
    lease: _common_pb2.Lease
    print_job: _printer_pb2.PrintJob
    ups_status: _ups_pb2.UpsStatus
    scan_job: _scanner_pb2.ScanJob
    biometric_info: _biometric_pb2.BiometricInfo
    card_reader: _smartcard_pb2.CardReader
    camera_status: _camera_pb2.CameraStatus
    audio_status: _audio_pb2.AudioStatus
    transaction: _transactions_pb2.Transaction
    wallet_status: _transactions_pb2.WalletStatus
    inactivity: _transactions_pb2.Inactivity
    reconcile_report: _transactions_pb2.ReconcileReport
    def __init__(self, boot_id: _Optional[str] = ..., sequence: _Optional[int] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., type: _Optional[_Union[EventType, str]] = ..., device_id: _Optional[str] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ..., gap: _Optional[_Union[Gap, _Mapping]] = ..., device: _Optional[_Union[_common_pb2.Device, _Mapping]] = ..., lease: _Optional[_Union[_common_pb2.Lease, _Mapping]] = ..., print_job: _Optional[_Union[_printer_pb2.PrintJob, _Mapping]] = ..., ups_status: _Optional[_Union[_ups_pb2.UpsStatus, _Mapping]] = ..., scan_job: _Optional[_Union[_scanner_pb2.ScanJob, _Mapping]] = ..., biometric_info: _Optional[_Union[_biometric_pb2.BiometricInfo, _Mapping]] = ..., card_reader: _Optional[_Union[_smartcard_pb2.CardReader, _Mapping]] = ..., camera_status: _Optional[_Union[_camera_pb2.CameraStatus, _Mapping]] = ..., audio_status: _Optional[_Union[_audio_pb2.AudioStatus, _Mapping]] = ..., transaction: _Optional[_Union[_transactions_pb2.Transaction, _Mapping]] = ..., wallet_status: _Optional[_Union[_transactions_pb2.WalletStatus, _Mapping]] = ..., inactivity: _Optional[_Union[_transactions_pb2.Inactivity, _Mapping]] = ..., reconcile_report: _Optional[_Union[_transactions_pb2.ReconcileReport, _Mapping]] = ...) -> None: ...

class WatchEventsRequest(_message.Message):
    __slots__ = ("resume_boot_id", "resume_after_sequence", "device_ids")
    RESUME_BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    RESUME_AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_IDS_FIELD_NUMBER: _ClassVar[int]
    resume_boot_id: str
    resume_after_sequence: int
    device_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, resume_boot_id: _Optional[str] = ..., resume_after_sequence: _Optional[int] = ..., device_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class WatchEventsResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: Event
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ...) -> None: ...

class AcquireLeaseRequest(_message.Message):
    __slots__ = ("device_id", "holder", "ttl")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    HOLDER_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    holder: str
    ttl: _duration_pb2.Duration
    def __init__(self, device_id: _Optional[str] = ..., holder: _Optional[str] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class AcquireLeaseResponse(_message.Message):
    __slots__ = ("lease",)
    LEASE_FIELD_NUMBER: _ClassVar[int]
    lease: _common_pb2.Lease
    def __init__(self, lease: _Optional[_Union[_common_pb2.Lease, _Mapping]] = ...) -> None: ...

class RenewLeaseRequest(_message.Message):
    __slots__ = ("lease_id", "ttl")
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    lease_id: str
    ttl: _duration_pb2.Duration
    def __init__(self, lease_id: _Optional[str] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RenewLeaseResponse(_message.Message):
    __slots__ = ("lease",)
    LEASE_FIELD_NUMBER: _ClassVar[int]
    lease: _common_pb2.Lease
    def __init__(self, lease: _Optional[_Union[_common_pb2.Lease, _Mapping]] = ...) -> None: ...

class ReleaseLeaseRequest(_message.Message):
    __slots__ = ("lease_id",)
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    lease_id: str
    def __init__(self, lease_id: _Optional[str] = ...) -> None: ...

class ReleaseLeaseResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RequestLeaseReleaseRequest(_message.Message):
    __slots__ = ("device_id", "requester")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTER_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    requester: str
    def __init__(self, device_id: _Optional[str] = ..., requester: _Optional[str] = ...) -> None: ...

class RequestLeaseReleaseResponse(_message.Message):
    __slots__ = ("lease",)
    LEASE_FIELD_NUMBER: _ClassVar[int]
    lease: _common_pb2.Lease
    def __init__(self, lease: _Optional[_Union[_common_pb2.Lease, _Mapping]] = ...) -> None: ...
