import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImageFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMAGE_FORMAT_UNSPECIFIED: _ClassVar[ImageFormat]
    IMAGE_FORMAT_JPEG: _ClassVar[ImageFormat]
    IMAGE_FORMAT_PNG: _ClassVar[ImageFormat]
IMAGE_FORMAT_UNSPECIFIED: ImageFormat
IMAGE_FORMAT_JPEG: ImageFormat
IMAGE_FORMAT_PNG: ImageFormat

class Image(_message.Message):
    __slots__ = ("data", "image_format", "width_px", "height_px")
    DATA_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    image_format: ImageFormat
    width_px: int
    height_px: int
    def __init__(self, data: _Optional[bytes] = ..., image_format: _Optional[_Union[ImageFormat, str]] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ...) -> None: ...

class CameraStatus(_message.Message):
    __slots__ = ("width_px", "height_px", "frames_per_second", "mean_luma", "frozen_duration", "source")
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    FRAMES_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    MEAN_LUMA_FIELD_NUMBER: _ClassVar[int]
    FROZEN_DURATION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    width_px: int
    height_px: int
    frames_per_second: float
    mean_luma: float
    frozen_duration: _duration_pb2.Duration
    source: str
    def __init__(self, width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., frames_per_second: _Optional[float] = ..., mean_luma: _Optional[float] = ..., frozen_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., source: _Optional[str] = ...) -> None: ...

class CapturePhotoRequest(_message.Message):
    __slots__ = ("device_id", "width_px", "height_px", "image_format", "jpeg_quality")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    JPEG_QUALITY_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    width_px: int
    height_px: int
    image_format: ImageFormat
    jpeg_quality: int
    def __init__(self, device_id: _Optional[str] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., image_format: _Optional[_Union[ImageFormat, str]] = ..., jpeg_quality: _Optional[int] = ...) -> None: ...

class CapturePhotoResponse(_message.Message):
    __slots__ = ("device_id", "photo", "capture_time")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PHOTO_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    photo: Image
    capture_time: _timestamp_pb2.Timestamp
    def __init__(self, device_id: _Optional[str] = ..., photo: _Optional[_Union[Image, _Mapping]] = ..., capture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StreamPreviewRequest(_message.Message):
    __slots__ = ("device_id", "width_px", "height_px", "frames_per_second", "jpeg_quality")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    FRAMES_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    JPEG_QUALITY_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    width_px: int
    height_px: int
    frames_per_second: float
    jpeg_quality: int
    def __init__(self, device_id: _Optional[str] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., frames_per_second: _Optional[float] = ..., jpeg_quality: _Optional[int] = ...) -> None: ...

class StreamPreviewResponse(_message.Message):
    __slots__ = ("frame_sequence", "frame", "dropped_frames", "capture_time")
    FRAME_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    DROPPED_FRAMES_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    frame_sequence: int
    frame: Image
    dropped_frames: int
    capture_time: _timestamp_pb2.Timestamp
    def __init__(self, frame_sequence: _Optional[int] = ..., frame: _Optional[_Union[Image, _Mapping]] = ..., dropped_frames: _Optional[int] = ..., capture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PhotoCheck(_message.Message):
    __slots__ = ("check", "outcome", "reason", "message_hi", "message_en", "measured_value", "lower_limit", "upper_limit", "unit")
    class Check(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CHECK_UNSPECIFIED: _ClassVar[PhotoCheck.Check]
        CHECK_FACE_COUNT: _ClassVar[PhotoCheck.Check]
        CHECK_BRIGHTNESS: _ClassVar[PhotoCheck.Check]
        CHECK_CONTRAST: _ClassVar[PhotoCheck.Check]
        CHECK_SHARPNESS: _ClassVar[PhotoCheck.Check]
        CHECK_FACE_SIZE: _ClassVar[PhotoCheck.Check]
        CHECK_FACE_CENTRED: _ClassVar[PhotoCheck.Check]
        CHECK_BACKGROUND: _ClassVar[PhotoCheck.Check]
    CHECK_UNSPECIFIED: PhotoCheck.Check
    CHECK_FACE_COUNT: PhotoCheck.Check
    CHECK_BRIGHTNESS: PhotoCheck.Check
    CHECK_CONTRAST: PhotoCheck.Check
    CHECK_SHARPNESS: PhotoCheck.Check
    CHECK_FACE_SIZE: PhotoCheck.Check
    CHECK_FACE_CENTRED: PhotoCheck.Check
    CHECK_BACKGROUND: PhotoCheck.Check
    class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        OUTCOME_UNSPECIFIED: _ClassVar[PhotoCheck.Outcome]
        OUTCOME_PASS: _ClassVar[PhotoCheck.Outcome]
        OUTCOME_FAIL: _ClassVar[PhotoCheck.Outcome]
        OUTCOME_SKIPPED: _ClassVar[PhotoCheck.Outcome]
    OUTCOME_UNSPECIFIED: PhotoCheck.Outcome
    OUTCOME_PASS: PhotoCheck.Outcome
    OUTCOME_FAIL: PhotoCheck.Outcome
    OUTCOME_SKIPPED: PhotoCheck.Outcome
    CHECK_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_HI_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_EN_FIELD_NUMBER: _ClassVar[int]
    MEASURED_VALUE_FIELD_NUMBER: _ClassVar[int]
    LOWER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    UPPER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    check: PhotoCheck.Check
    outcome: PhotoCheck.Outcome
    reason: str
    message_hi: str
    message_en: str
    measured_value: float
    lower_limit: float
    upper_limit: float
    unit: str
    def __init__(self, check: _Optional[_Union[PhotoCheck.Check, str]] = ..., outcome: _Optional[_Union[PhotoCheck.Outcome, str]] = ..., reason: _Optional[str] = ..., message_hi: _Optional[str] = ..., message_en: _Optional[str] = ..., measured_value: _Optional[float] = ..., lower_limit: _Optional[float] = ..., upper_limit: _Optional[float] = ..., unit: _Optional[str] = ...) -> None: ...

class PortalPreset(_message.Message):
    __slots__ = ("name", "width_px", "height_px", "min_kb", "max_kb", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    MIN_KB_FIELD_NUMBER: _ClassVar[int]
    MAX_KB_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    width_px: int
    height_px: int
    min_kb: float
    max_kb: float
    description: str
    def __init__(self, name: _Optional[str] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., min_kb: _Optional[float] = ..., max_kb: _Optional[float] = ..., description: _Optional[str] = ...) -> None: ...

class CheckApplicantPhotoRequest(_message.Message):
    __slots__ = ("device_id", "preset")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    preset: str
    def __init__(self, device_id: _Optional[str] = ..., preset: _Optional[str] = ...) -> None: ...

class CheckApplicantPhotoResponse(_message.Message):
    __slots__ = ("device_id", "passed", "checks", "face_count", "photo", "passport_photo", "portal_photo", "preset", "capture_time")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    FACE_COUNT_FIELD_NUMBER: _ClassVar[int]
    PHOTO_FIELD_NUMBER: _ClassVar[int]
    PASSPORT_PHOTO_FIELD_NUMBER: _ClassVar[int]
    PORTAL_PHOTO_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    passed: bool
    checks: _containers.RepeatedCompositeFieldContainer[PhotoCheck]
    face_count: int
    photo: Image
    passport_photo: Image
    portal_photo: Image
    preset: PortalPreset
    capture_time: _timestamp_pb2.Timestamp
    def __init__(self, device_id: _Optional[str] = ..., passed: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[PhotoCheck, _Mapping]]] = ..., face_count: _Optional[int] = ..., photo: _Optional[_Union[Image, _Mapping]] = ..., passport_photo: _Optional[_Union[Image, _Mapping]] = ..., portal_photo: _Optional[_Union[Image, _Mapping]] = ..., preset: _Optional[_Union[PortalPreset, _Mapping]] = ..., capture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FramePoint(_message.Message):
    __slots__ = ("x_px", "y_px")
    X_PX_FIELD_NUMBER: _ClassVar[int]
    Y_PX_FIELD_NUMBER: _ClassVar[int]
    x_px: float
    y_px: float
    def __init__(self, x_px: _Optional[float] = ..., y_px: _Optional[float] = ...) -> None: ...

class CaptureDocumentRequest(_message.Message):
    __slots__ = ("device_id", "preset", "document_format", "max_kb", "min_kb", "resolution_dpi")
    class DocumentFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        DOCUMENT_FORMAT_UNSPECIFIED: _ClassVar[CaptureDocumentRequest.DocumentFormat]
        DOCUMENT_FORMAT_PDF: _ClassVar[CaptureDocumentRequest.DocumentFormat]
        DOCUMENT_FORMAT_JPEG: _ClassVar[CaptureDocumentRequest.DocumentFormat]
    DOCUMENT_FORMAT_UNSPECIFIED: CaptureDocumentRequest.DocumentFormat
    DOCUMENT_FORMAT_PDF: CaptureDocumentRequest.DocumentFormat
    DOCUMENT_FORMAT_JPEG: CaptureDocumentRequest.DocumentFormat
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    MAX_KB_FIELD_NUMBER: _ClassVar[int]
    MIN_KB_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    preset: str
    document_format: CaptureDocumentRequest.DocumentFormat
    max_kb: float
    min_kb: float
    resolution_dpi: int
    def __init__(self, device_id: _Optional[str] = ..., preset: _Optional[str] = ..., document_format: _Optional[_Union[CaptureDocumentRequest.DocumentFormat, str]] = ..., max_kb: _Optional[float] = ..., min_kb: _Optional[float] = ..., resolution_dpi: _Optional[int] = ...) -> None: ...

class CaptureDocumentResponse(_message.Message):
    __slots__ = ("device_id", "document", "mime_type", "width_px", "height_px", "resolution_dpi", "jpeg_quality", "page_corners", "frame_width_px", "frame_height_px", "attempts", "capture_time")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DPI_FIELD_NUMBER: _ClassVar[int]
    JPEG_QUALITY_FIELD_NUMBER: _ClassVar[int]
    PAGE_CORNERS_FIELD_NUMBER: _ClassVar[int]
    FRAME_WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    FRAME_HEIGHT_PX_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    document: bytes
    mime_type: str
    width_px: int
    height_px: int
    resolution_dpi: int
    jpeg_quality: int
    page_corners: _containers.RepeatedCompositeFieldContainer[FramePoint]
    frame_width_px: int
    frame_height_px: int
    attempts: int
    capture_time: _timestamp_pb2.Timestamp
    def __init__(self, device_id: _Optional[str] = ..., document: _Optional[bytes] = ..., mime_type: _Optional[str] = ..., width_px: _Optional[int] = ..., height_px: _Optional[int] = ..., resolution_dpi: _Optional[int] = ..., jpeg_quality: _Optional[int] = ..., page_corners: _Optional[_Iterable[_Union[FramePoint, _Mapping]]] = ..., frame_width_px: _Optional[int] = ..., frame_height_px: _Optional[int] = ..., attempts: _Optional[int] = ..., capture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
