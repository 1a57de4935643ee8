import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kioskhub.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScanSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCAN_SOURCE_UNSPECIFIED: _ClassVar[ScanSource]
    SCAN_SOURCE_FLATBED: _ClassVar[ScanSource]
    SCAN_SOURCE_ADF: _ClassVar[ScanSource]
    SCAN_SOURCE_ADF_DUPLEX: _ClassVar[ScanSource]

class ScanColorMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCAN_COLOR_MODE_UNSPECIFIED: _ClassVar[ScanColorMode]
    SCAN_COLOR_MODE_COLOR: _ClassVar[ScanColorMode]
    SCAN_COLOR_MODE_GRAY: _ClassVar[ScanColorMode]
    SCAN_COLOR_MODE_BLACK_WHITE: _ClassVar[ScanColorMode]

class ScanFileFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCAN_FILE_FORMAT_UNSPECIFIED: _ClassVar[ScanFileFormat]
    SCAN_FILE_FORMAT_PDF: _ClassVar[ScanFileFormat]
    SCAN_FILE_FORMAT_PDF_A: _ClassVar[ScanFileFormat]
    SCAN_FILE_FORMAT_JPEG: _ClassVar[ScanFileFormat]
    SCAN_FILE_FORMAT_PNG: _ClassVar[ScanFileFormat]
SCAN_SOURCE_UNSPECIFIED: ScanSource
SCAN_SOURCE_FLATBED: ScanSource
SCAN_SOURCE_ADF: ScanSource
SCAN_SOURCE_ADF_DUPLEX: ScanSource
SCAN_COLOR_MODE_UNSPECIFIED: ScanColorMode
SCAN_COLOR_MODE_COLOR: ScanColorMode
SCAN_COLOR_MODE_GRAY: ScanColorMode
SCAN_COLOR_MODE_BLACK_WHITE: ScanColorMode
SCAN_FILE_FORMAT_UNSPECIFIED: ScanFileFormat
SCAN_FILE_FORMAT_PDF: ScanFileFormat
SCAN_FILE_FORMAT_PDF_A: ScanFileFormat
SCAN_FILE_FORMAT_JPEG: ScanFileFormat
SCAN_FILE_FORMAT_PNG: ScanFileFormat

class ScanArea(_message.Message):
    __slots__ = ("x_mm", "y_mm", "width_mm", "height_mm")
    X_MM_FIELD_NUMBER: _ClassVar[int]
    Y_MM_FIELD_NUMBER: _ClassVar[int]
    WIDTH_MM_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_MM_FIELD_NUMBER: _ClassVar[int]
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    def __init__(self, x_mm: _Optional[float] = ..., y_mm: _Optional[float] = ..., width_mm: _Optional[float] = ..., height_mm: _Optional[float] = ...) -> None: ...

class ScanSourceCapabilities(_message.Message):
    __slots__ = ("source", "resolutions_dpi", "min_resolution_dpi", "max_resolution_dpi", "resolution_step_dpi", "color_modes", "max_width_mm", "max_height_mm")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    RESOLUTIONS_DPI_FIELD_NUMBER: _ClassVar[int]
    MIN_RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    MAX_RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_STEP_DPI_FIELD_NUMBER: _ClassVar[int]
    COLOR_MODES_FIELD_NUMBER: _ClassVar[int]
    MAX_WIDTH_MM_FIELD_NUMBER: _ClassVar[int]
    MAX_HEIGHT_MM_FIELD_NUMBER: _ClassVar[int]
    source: ScanSource
    resolutions_dpi: _containers.RepeatedScalarFieldContainer[int]
    min_resolution_dpi: int
    max_resolution_dpi: int
    resolution_step_dpi: int
    color_modes: _containers.RepeatedScalarFieldContainer[ScanColorMode]
    max_width_mm: float
    max_height_mm: float
    def __init__(self, source: _Optional[_Union[ScanSource, str]] = ..., resolutions_dpi: _Optional[_Iterable[int]] = ..., min_resolution_dpi: _Optional[int] = ..., max_resolution_dpi: _Optional[int] = ..., resolution_step_dpi: _Optional[int] = ..., color_modes: _Optional[_Iterable[_Union[ScanColorMode, str]]] = ..., max_width_mm: _Optional[float] = ..., max_height_mm: _Optional[float] = ...) -> None: ...

class ScanPreset(_message.Message):
    __slots__ = ("name", "description", "format", "max_size_kb", "min_size_kb", "width_px", "height_px", "resolution_dpi", "color_mode", "auto_crop", "deskew")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    MAX_SIZE_KB_FIELD_NUMBER: _ClassVar[int]
    MIN_SIZE_KB_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    COLOR_MODE_FIELD_NUMBER: _ClassVar[int]
    AUTO_CROP_FIELD_NUMBER: _ClassVar[int]
    DESKEW_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    format: ScanFileFormat
    max_size_kb: float
    min_size_kb: float
    width_px: int
    height_px: int
    resolution_dpi: int
    color_mode: ScanColorMode
    auto_crop: bool
    deskew: bool
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., format: _Optional[_Union[ScanFileFormat, str]] = ..., max_size_kb: _Optional[float] = ..., min_size_kb: _Optional[float] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., resolution_dpi: _Optional[int] = ..., color_mode: _Optional[_Union[ScanColorMode, str]] = ..., auto_crop: _Optional[bool] = ..., deskew: _Optional[bool] = ...) -> None: ...

class ScannerCapabilities(_message.Message):
    __slots__ = ("device_id", "state", "reason", "reason_detail", "last_seen_time", "make_and_model", "sources", "presets")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    MAKE_AND_MODEL_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    PRESETS_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    state: _common_pb2.DeviceState
    reason: str
    reason_detail: str
    last_seen_time: _timestamp_pb2.Timestamp
    make_and_model: str
    sources: _containers.RepeatedCompositeFieldContainer[ScanSourceCapabilities]
    presets: _containers.RepeatedCompositeFieldContainer[ScanPreset]
    def __init__(self, device_id: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.DeviceState, str]] = ..., reason: _Optional[str] = ..., reason_detail: _Optional[str] = ..., last_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., make_and_model: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[ScanSourceCapabilities, _Mapping]]] = ..., presets: _Optional[_Iterable[_Union[ScanPreset, _Mapping]]] = ...) -> None: ...

class ScanJob(_message.Message):
    __slots__ = ("scan_job_id", "device_id", "request_id", "state", "source", "resolution_dpi", "color_mode", "preset", "page_count", "reason", "reason_detail", "create_time", "end_time")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[ScanJob.State]
        STATE_SCANNING: _ClassVar[ScanJob.State]
        STATE_PROCESSING: _ClassVar[ScanJob.State]
        STATE_SUCCEEDED: _ClassVar[ScanJob.State]
        STATE_FAILED: _ClassVar[ScanJob.State]
        STATE_CANCELLED: _ClassVar[ScanJob.State]
    STATE_UNSPECIFIED: ScanJob.State
    STATE_SCANNING: ScanJob.State
    STATE_PROCESSING: ScanJob.State
    STATE_SUCCEEDED: ScanJob.State
    STATE_FAILED: ScanJob.State
    STATE_CANCELLED: ScanJob.State
    SCAN_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    COLOR_MODE_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    PAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    scan_job_id: str
    device_id: str
    request_id: str
    state: ScanJob.State
    source: ScanSource
    resolution_dpi: int
    color_mode: ScanColorMode
    preset: str
    page_count: int
    reason: str
    reason_detail: str
    create_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, scan_job_id: _Optional[str] = ..., device_id: _Optional[str] = ..., request_id: _Optional[str] = ..., state: _Optional[_Union[ScanJob.State, str]] = ..., source: _Optional[_Union[ScanSource, str]] = ..., resolution_dpi: _Optional[int] = ..., color_mode: _Optional[_Union[ScanColorMode, str]] = ..., preset: _Optional[str] = ..., page_count: _Optional[int] = ..., reason: _Optional[str] = ..., reason_detail: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ScannedPage(_message.Message):
    __slots__ = ("page_number", "width_px", "height_px", "resolution_dpi", "color_mode", "size_bytes")
    PAGE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    COLOR_MODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    page_number: int
    width_px: int
    height_px: int
    resolution_dpi: int
    color_mode: ScanColorMode
    size_bytes: int
    def __init__(self, page_number: _Optional[int] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., resolution_dpi: _Optional[int] = ..., color_mode: _Optional[_Union[ScanColorMode, str]] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class ScanFile(_message.Message):
    __slots__ = ("format", "mime_type", "size_bytes", "page_count", "width_px", "height_px", "resolution_dpi", "color_mode", "jpeg_quality", "max_size_kb", "min_size_kb", "padding_bytes", "attempts")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    PAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    COLOR_MODE_FIELD_NUMBER: _ClassVar[int]
    JPEG_QUALITY_FIELD_NUMBER: _ClassVar[int]
    MAX_SIZE_KB_FIELD_NUMBER: _ClassVar[int]
    MIN_SIZE_KB_FIELD_NUMBER: _ClassVar[int]
    PADDING_BYTES_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    format: ScanFileFormat
    mime_type: str
    size_bytes: int
    page_count: int
    width_px: int
    height_px: int
    resolution_dpi: int
    color_mode: ScanColorMode
    jpeg_quality: int
    max_size_kb: float
    min_size_kb: float
    padding_bytes: int
    attempts: int
    def __init__(self, format: _Optional[_Union[ScanFileFormat, str]] = ..., mime_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., page_count: _Optional[int] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., resolution_dpi: _Optional[int] = ..., color_mode: _Optional[_Union[ScanColorMode, str]] = ..., jpeg_quality: _Optional[int] = ..., max_size_kb: _Optional[float] = ..., min_size_kb: _Optional[float] = ..., padding_bytes: _Optional[int] = ..., attempts: _Optional[int] = ...) -> None: ...

class GetScannerCapabilitiesRequest(_message.Message):
    __slots__ = ("device_id",)
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    def __init__(self, device_id: _Optional[str] = ...) -> None: ...

class GetScannerCapabilitiesResponse(_message.Message):
    __slots__ = ("scanner_capabilities",)
    SCANNER_CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    scanner_capabilities: ScannerCapabilities
    def __init__(self, scanner_capabilities: _Optional[_Union[ScannerCapabilities, _Mapping]] = ...) -> None: ...

class ScanRequest(_message.Message):
    __slots__ = ("device_id", "request_id", "source", "resolution_dpi", "color_mode", "format", "max_size_kb", "min_size_kb", "width_px", "height_px", "preset", "auto_crop", "deskew", "area", "max_pages")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    COLOR_MODE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    MAX_SIZE_KB_FIELD_NUMBER: _ClassVar[int]
    MIN_SIZE_KB_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    AUTO_CROP_FIELD_NUMBER: _ClassVar[int]
    DESKEW_FIELD_NUMBER: _ClassVar[int]
    AREA_FIELD_NUMBER: _ClassVar[int]
    MAX_PAGES_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    request_id: str
    source: ScanSource
    resolution_dpi: int
    color_mode: ScanColorMode
    format: ScanFileFormat
    max_size_kb: float
    min_size_kb: float
    width_px: int
    height_px: int
    preset: str
    auto_crop: bool
    deskew: bool
    area: ScanArea
    max_pages: int
    def __init__(self, device_id: _Optional[str] = ..., request_id: _Optional[str] = ..., source: _Optional[_Union[ScanSource, str]] = ..., resolution_dpi: _Optional[int] = ..., color_mode: _Optional[_Union[ScanColorMode, str]] = ..., format: _Optional[_Union[ScanFileFormat, str]] = ..., max_size_kb: _Optional[float] = ..., min_size_kb: _Optional[float] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., preset: _Optional[str] = ..., auto_crop: _Optional[bool] = ..., deskew: _Optional[bool] = ..., area: _Optional[_Union[ScanArea, _Mapping]] = ..., max_pages: _Optional[int] = ...) -> None: ...

class ScanResponse(_message.Message):
    __slots__ = ("job", "page", "file", "file_chunk")
    JOB_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    FILE_CHUNK_FIELD_NUMBER: _ClassVar[int]
    job: ScanJob
    page: ScannedPage
    file: ScanFile
    file_chunk: bytes
    def __init__(self, job: _Optional[_Union[ScanJob, _Mapping]] = ..., page: _Optional[_Union[ScannedPage, _Mapping]] = ..., file: _Optional[_Union[ScanFile, _Mapping]] = ..., file_chunk: _Optional[bytes] = ...) -> None: ...

class CancelScanRequest(_message.Message):
    __slots__ = ("scan_job_id",)
    SCAN_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    scan_job_id: str
    def __init__(self, scan_job_id: _Optional[str] = ...) -> None: ...

class CancelScanResponse(_message.Message):
    __slots__ = ("scan_job",)
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    scan_job: ScanJob
    def __init__(self, scan_job: _Optional[_Union[ScanJob, _Mapping]] = ...) -> None: ...
