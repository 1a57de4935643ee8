import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kioskhub.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UpsStatus(_message.Message):
    __slots__ = ("device_id", "state", "reason", "source", "last_seen_time", "status", "on_battery", "low_battery", "battery_charge_percent", "battery_charge_estimated", "battery_runtime", "battery_voltage_volts", "input_voltage_volts", "output_voltage_volts", "input_frequency_hz", "load_percent", "temperature_celsius", "model", "variables")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ON_BATTERY_FIELD_NUMBER: _ClassVar[int]
    LOW_BATTERY_FIELD_NUMBER: _ClassVar[int]
    BATTERY_CHARGE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    BATTERY_CHARGE_ESTIMATED_FIELD_NUMBER: _ClassVar[int]
    BATTERY_RUNTIME_FIELD_NUMBER: _ClassVar[int]
    BATTERY_VOLTAGE_VOLTS_FIELD_NUMBER: _ClassVar[int]
    INPUT_VOLTAGE_VOLTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_VOLTAGE_VOLTS_FIELD_NUMBER: _ClassVar[int]
    INPUT_FREQUENCY_HZ_FIELD_NUMBER: _ClassVar[int]
    LOAD_PERCENT_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_CELSIUS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    state: _common_pb2.DeviceState
    reason: str
    source: _common_pb2.StatusSource
    last_seen_time: _timestamp_pb2.Timestamp
    status: _containers.RepeatedScalarFieldContainer[str]
    on_battery: bool
    low_battery: bool
    battery_charge_percent: float
    battery_charge_estimated: bool
    battery_runtime: _duration_pb2.Duration
    battery_voltage_volts: float
    input_voltage_volts: float
    output_voltage_volts: float
    input_frequency_hz: float
    load_percent: float
    temperature_celsius: float
    model: str
    variables: _containers.ScalarMap[str, str]
    def __init__(self, device_id: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.DeviceState, str]] = ..., reason: _Optional[str] = ..., source: _Optional[_Union[_common_pb2.StatusSource, str]] = ..., last_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Iterable[str]] = ..., on_battery: _Optional[bool] = ..., low_battery: _Optional[bool] = ..., battery_charge_percent: _Optional[float] = ..., battery_charge_estimated: _Optional[bool] = ..., battery_runtime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., battery_voltage_volts: _Optional[float] = ..., input_voltage_volts: _Optional[float] = ..., output_voltage_volts: _Optional[float] = ..., input_frequency_hz: _Optional[float] = ..., load_percent: _Optional[float] = ..., temperature_celsius: _Optional[float] = ..., model: _Optional[str] = ..., variables: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetUpsStatusRequest(_message.Message):
    __slots__ = ("device_id",)
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    def __init__(self, device_id: _Optional[str] = ...) -> None: ...

class GetUpsStatusResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: UpsStatus
    def __init__(self, status: _Optional[_Union[UpsStatus, _Mapping]] = ...) -> None: ...

class WatchUpsStatusRequest(_message.Message):
    __slots__ = ("device_id",)
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    def __init__(self, device_id: _Optional[str] = ...) -> None: ...

class WatchUpsStatusResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: UpsStatus
    def __init__(self, status: _Optional[_Union[UpsStatus, _Mapping]] = ...) -> None: ...
