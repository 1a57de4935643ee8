import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kioskhub.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BiometricInfo(_message.Message):
    __slots__ = ("device_id", "state", "reason", "reason_detail", "last_seen_time", "rd_service_status", "rd_service_info", "rd_service_url", "rd_service_version", "rd_service_id", "provider_id", "model_id", "device_code", "certificate_expire_time", "last_capture_time", "simulated")
    class RdServiceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        RD_SERVICE_STATUS_UNSPECIFIED: _ClassVar[BiometricInfo.RdServiceStatus]
        RD_SERVICE_STATUS_READY: _ClassVar[BiometricInfo.RdServiceStatus]
        RD_SERVICE_STATUS_NOT_READY: _ClassVar[BiometricInfo.RdServiceStatus]
        RD_SERVICE_STATUS_USED: _ClassVar[BiometricInfo.RdServiceStatus]
    RD_SERVICE_STATUS_UNSPECIFIED: BiometricInfo.RdServiceStatus
    RD_SERVICE_STATUS_READY: BiometricInfo.RdServiceStatus
    RD_SERVICE_STATUS_NOT_READY: BiometricInfo.RdServiceStatus
    RD_SERVICE_STATUS_USED: BiometricInfo.RdServiceStatus
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    RD_SERVICE_STATUS_FIELD_NUMBER: _ClassVar[int]
    RD_SERVICE_INFO_FIELD_NUMBER: _ClassVar[int]
    RD_SERVICE_URL_FIELD_NUMBER: _ClassVar[int]
    RD_SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    RD_SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_CODE_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_CAPTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    SIMULATED_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    state: _common_pb2.DeviceState
    reason: str
    reason_detail: str
    last_seen_time: _timestamp_pb2.Timestamp
    rd_service_status: BiometricInfo.RdServiceStatus
    rd_service_info: str
    rd_service_url: str
    rd_service_version: str
    rd_service_id: str
    provider_id: str
    model_id: str
    device_code: str
    certificate_expire_time: _timestamp_pb2.Timestamp
    last_capture_time: _timestamp_pb2.Timestamp
    simulated: bool
    def __init__(self, device_id: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.DeviceState, str]] = ..., reason: _Optional[str] = ..., reason_detail: _Optional[str] = ..., last_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rd_service_status: _Optional[_Union[BiometricInfo.RdServiceStatus, str]] = ..., rd_service_info: _Optional[str] = ..., rd_service_url: _Optional[str] = ..., rd_service_version: _Optional[str] = ..., rd_service_id: _Optional[str] = ..., provider_id: _Optional[str] = ..., model_id: _Optional[str] = ..., device_code: _Optional[str] = ..., certificate_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_capture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., simulated: _Optional[bool] = ...) -> None: ...

class GetBiometricInfoRequest(_message.Message):
    __slots__ = ("device_id",)
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    def __init__(self, device_id: _Optional[str] = ...) -> None: ...

class GetBiometricInfoResponse(_message.Message):
    __slots__ = ("biometric_info",)
    BIOMETRIC_INFO_FIELD_NUMBER: _ClassVar[int]
    biometric_info: BiometricInfo
    def __init__(self, biometric_info: _Optional[_Union[BiometricInfo, _Mapping]] = ...) -> None: ...

class CaptureFingerprintRequest(_message.Message):
    __slots__ = ("device_id", "finger_count", "finger_type", "pid_format", "timeout", "environment", "wadh", "finger_positions", "otp")
    class FingerType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        FINGER_TYPE_UNSPECIFIED: _ClassVar[CaptureFingerprintRequest.FingerType]
        FINGER_TYPE_FMR: _ClassVar[CaptureFingerprintRequest.FingerType]
        FINGER_TYPE_FIR: _ClassVar[CaptureFingerprintRequest.FingerType]
        FINGER_TYPE_FMR_FIR: _ClassVar[CaptureFingerprintRequest.FingerType]
    FINGER_TYPE_UNSPECIFIED: CaptureFingerprintRequest.FingerType
    FINGER_TYPE_FMR: CaptureFingerprintRequest.FingerType
    FINGER_TYPE_FIR: CaptureFingerprintRequest.FingerType
    FINGER_TYPE_FMR_FIR: CaptureFingerprintRequest.FingerType
    class PidFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        PID_FORMAT_UNSPECIFIED: _ClassVar[CaptureFingerprintRequest.PidFormat]
        PID_FORMAT_XML: _ClassVar[CaptureFingerprintRequest.PidFormat]
        PID_FORMAT_PROTOBUF: _ClassVar[CaptureFingerprintRequest.PidFormat]
    PID_FORMAT_UNSPECIFIED: CaptureFingerprintRequest.PidFormat
    PID_FORMAT_XML: CaptureFingerprintRequest.PidFormat
    PID_FORMAT_PROTOBUF: CaptureFingerprintRequest.PidFormat
    class Environment(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ENVIRONMENT_UNSPECIFIED: _ClassVar[CaptureFingerprintRequest.Environment]
        ENVIRONMENT_PRODUCTION: _ClassVar[CaptureFingerprintRequest.Environment]
        ENVIRONMENT_PRE_PRODUCTION: _ClassVar[CaptureFingerprintRequest.Environment]
        ENVIRONMENT_STAGING: _ClassVar[CaptureFingerprintRequest.Environment]
    ENVIRONMENT_UNSPECIFIED: CaptureFingerprintRequest.Environment
    ENVIRONMENT_PRODUCTION: CaptureFingerprintRequest.Environment
    ENVIRONMENT_PRE_PRODUCTION: CaptureFingerprintRequest.Environment
    ENVIRONMENT_STAGING: CaptureFingerprintRequest.Environment
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    FINGER_COUNT_FIELD_NUMBER: _ClassVar[int]
    FINGER_TYPE_FIELD_NUMBER: _ClassVar[int]
    PID_FORMAT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    WADH_FIELD_NUMBER: _ClassVar[int]
    FINGER_POSITIONS_FIELD_NUMBER: _ClassVar[int]
    OTP_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    finger_count: int
    finger_type: CaptureFingerprintRequest.FingerType
    pid_format: CaptureFingerprintRequest.PidFormat
    timeout: _duration_pb2.Duration
    environment: CaptureFingerprintRequest.Environment
    wadh: str
    finger_positions: _containers.RepeatedScalarFieldContainer[str]
    otp: str
    def __init__(self, device_id: _Optional[str] = ..., finger_count: _Optional[int] = ..., finger_type: _Optional[_Union[CaptureFingerprintRequest.FingerType, str]] = ..., pid_format: _Optional[_Union[CaptureFingerprintRequest.PidFormat, str]] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., environment: _Optional[_Union[CaptureFingerprintRequest.Environment, str]] = ..., wadh: _Optional[str] = ..., finger_positions: _Optional[_Iterable[str]] = ..., otp: _Optional[str] = ...) -> None: ...

class OperatorHint(_message.Message):
    __slots__ = ("code", "text_hi", "text_en")
    CODE_FIELD_NUMBER: _ClassVar[int]
    TEXT_HI_FIELD_NUMBER: _ClassVar[int]
    TEXT_EN_FIELD_NUMBER: _ClassVar[int]
    code: str
    text_hi: str
    text_en: str
    def __init__(self, code: _Optional[str] = ..., text_hi: _Optional[str] = ..., text_en: _Optional[str] = ...) -> None: ...

class CaptureQuality(_message.Message):
    __slots__ = ("quality_score", "minutiae_counts", "finger_count", "poor", "hint")
    QUALITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    MINUTIAE_COUNTS_FIELD_NUMBER: _ClassVar[int]
    FINGER_COUNT_FIELD_NUMBER: _ClassVar[int]
    POOR_FIELD_NUMBER: _ClassVar[int]
    HINT_FIELD_NUMBER: _ClassVar[int]
    quality_score: int
    minutiae_counts: _containers.RepeatedScalarFieldContainer[int]
    finger_count: int
    poor: bool
    hint: OperatorHint
    def __init__(self, quality_score: _Optional[int] = ..., minutiae_counts: _Optional[_Iterable[int]] = ..., finger_count: _Optional[int] = ..., poor: _Optional[bool] = ..., hint: _Optional[_Union[OperatorHint, _Mapping]] = ...) -> None: ...

class CaptureFingerprintResponse(_message.Message):
    __slots__ = ("device_id", "pid_data", "quality", "capture_time")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PID_DATA_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    pid_data: bytes
    quality: CaptureQuality
    capture_time: _timestamp_pb2.Timestamp
    def __init__(self, device_id: _Optional[str] = ..., pid_data: _Optional[bytes] = ..., quality: _Optional[_Union[CaptureQuality, _Mapping]] = ..., capture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
