import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AudioLevels(_message.Message):
    __slots__ = ("rms_dbfs", "peak_dbfs", "clipped", "silent", "duration")
    RMS_DBFS_FIELD_NUMBER: _ClassVar[int]
    PEAK_DBFS_FIELD_NUMBER: _ClassVar[int]
    CLIPPED_FIELD_NUMBER: _ClassVar[int]
    SILENT_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    rms_dbfs: float
    peak_dbfs: float
    clipped: bool
    silent: bool
    duration: _duration_pb2.Duration
    def __init__(self, rms_dbfs: _Optional[float] = ..., peak_dbfs: _Optional[float] = ..., clipped: _Optional[bool] = ..., silent: _Optional[bool] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class AudioSelfTestResult(_message.Message):
    __slots__ = ("passed", "fault", "reason", "message_hi", "message_en", "tone_frequency_hz", "measured_frequency_hz", "level_dbfs", "played_level_dbfs", "noise_level_dbfs", "signal_to_noise_db", "output", "input", "test_time")
    class Fault(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        FAULT_UNSPECIFIED: _ClassVar[AudioSelfTestResult.Fault]
        FAULT_NONE: _ClassVar[AudioSelfTestResult.Fault]
        FAULT_SPEAKER: _ClassVar[AudioSelfTestResult.Fault]
        FAULT_MICROPHONE: _ClassVar[AudioSelfTestResult.Fault]
        FAULT_UNKNOWN: _ClassVar[AudioSelfTestResult.Fault]
    FAULT_UNSPECIFIED: AudioSelfTestResult.Fault
    FAULT_NONE: AudioSelfTestResult.Fault
    FAULT_SPEAKER: AudioSelfTestResult.Fault
    FAULT_MICROPHONE: AudioSelfTestResult.Fault
    FAULT_UNKNOWN: AudioSelfTestResult.Fault
    PASSED_FIELD_NUMBER: _ClassVar[int]
    FAULT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_HI_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_EN_FIELD_NUMBER: _ClassVar[int]
    TONE_FREQUENCY_HZ_FIELD_NUMBER: _ClassVar[int]
    MEASURED_FREQUENCY_HZ_FIELD_NUMBER: _ClassVar[int]
    LEVEL_DBFS_FIELD_NUMBER: _ClassVar[int]
    PLAYED_LEVEL_DBFS_FIELD_NUMBER: _ClassVar[int]
    NOISE_LEVEL_DBFS_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_TO_NOISE_DB_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    TEST_TIME_FIELD_NUMBER: _ClassVar[int]
    passed: bool
    fault: AudioSelfTestResult.Fault
    reason: str
    message_hi: str
    message_en: str
    tone_frequency_hz: float
    measured_frequency_hz: float
    level_dbfs: float
    played_level_dbfs: float
    noise_level_dbfs: float
    signal_to_noise_db: float
    output: str
    input: str
    test_time: _timestamp_pb2.Timestamp
    def __init__(self, passed: _Optional[bool] = ..., fault: _Optional[_Union[AudioSelfTestResult.Fault, str]] = ..., reason: _Optional[str] = ..., message_hi: _Optional[str] = ..., message_en: _Optional[str] = ..., tone_frequency_hz: _Optional[float] = ..., measured_frequency_hz: _Optional[float] = ..., level_dbfs: _Optional[float] = ..., played_level_dbfs: _Optional[float] = ..., noise_level_dbfs: _Optional[float] = ..., signal_to_noise_db: _Optional[float] = ..., output: _Optional[str] = ..., input: _Optional[str] = ..., test_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AudioStatus(_message.Message):
    __slots__ = ("output", "input", "last_self_test")
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    LAST_SELF_TEST_FIELD_NUMBER: _ClassVar[int]
    output: str
    input: str
    last_self_test: AudioSelfTestResult
    def __init__(self, output: _Optional[str] = ..., input: _Optional[str] = ..., last_self_test: _Optional[_Union[AudioSelfTestResult, _Mapping]] = ...) -> None: ...

class PlaySoundRequest(_message.Message):
    __slots__ = ("device_id", "wav", "output")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    WAV_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    wav: bytes
    output: str
    def __init__(self, device_id: _Optional[str] = ..., wav: _Optional[bytes] = ..., output: _Optional[str] = ...) -> None: ...

class PlaySoundResponse(_message.Message):
    __slots__ = ("device_id", "duration")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    duration: _duration_pb2.Duration
    def __init__(self, device_id: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class PlayPromptRequest(_message.Message):
    __slots__ = ("device_id", "prompt", "language_code", "output")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    prompt: str
    language_code: str
    output: str
    def __init__(self, device_id: _Optional[str] = ..., prompt: _Optional[str] = ..., language_code: _Optional[str] = ..., output: _Optional[str] = ...) -> None: ...

class PlayPromptResponse(_message.Message):
    __slots__ = ("device_id", "duration", "text")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    duration: _duration_pb2.Duration
    text: str
    def __init__(self, device_id: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., text: _Optional[str] = ...) -> None: ...

class RecordAudioRequest(_message.Message):
    __slots__ = ("device_id", "duration", "sample_rate_hz", "input")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    duration: _duration_pb2.Duration
    sample_rate_hz: int
    input: str
    def __init__(self, device_id: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., sample_rate_hz: _Optional[int] = ..., input: _Optional[str] = ...) -> None: ...

class RecordAudioResponse(_message.Message):
    __slots__ = ("device_id", "wav", "sample_rate_hz", "levels")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    WAV_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    wav: bytes
    sample_rate_hz: int
    levels: AudioLevels
    def __init__(self, device_id: _Optional[str] = ..., wav: _Optional[bytes] = ..., sample_rate_hz: _Optional[int] = ..., levels: _Optional[_Union[AudioLevels, _Mapping]] = ...) -> None: ...

class RunAudioSelfTestRequest(_message.Message):
    __slots__ = ("device_id", "tone_frequency_hz", "tone_amplitude_fraction", "output", "input")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    TONE_FREQUENCY_HZ_FIELD_NUMBER: _ClassVar[int]
    TONE_AMPLITUDE_FRACTION_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    tone_frequency_hz: float
    tone_amplitude_fraction: float
    output: str
    input: str
    def __init__(self, device_id: _Optional[str] = ..., tone_frequency_hz: _Optional[float] = ..., tone_amplitude_fraction: _Optional[float] = ..., output: _Optional[str] = ..., input: _Optional[str] = ...) -> None: ...

class RunAudioSelfTestResponse(_message.Message):
    __slots__ = ("device_id", "result")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    result: AudioSelfTestResult
    def __init__(self, device_id: _Optional[str] = ..., result: _Optional[_Union[AudioSelfTestResult, _Mapping]] = ...) -> None: ...

class GetAudioLevelsRequest(_message.Message):
    __slots__ = ("device_id", "duration", "input")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    duration: _duration_pb2.Duration
    input: str
    def __init__(self, device_id: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., input: _Optional[str] = ...) -> None: ...

class GetAudioLevelsResponse(_message.Message):
    __slots__ = ("device_id", "levels")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    levels: AudioLevels
    def __init__(self, device_id: _Optional[str] = ..., levels: _Optional[_Union[AudioLevels, _Mapping]] = ...) -> None: ...
