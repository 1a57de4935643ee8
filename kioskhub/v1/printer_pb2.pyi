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

class PaperState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAPER_STATE_UNSPECIFIED: _ClassVar[PaperState]
    PAPER_STATE_OK: _ClassVar[PaperState]
    PAPER_STATE_LOW: _ClassVar[PaperState]
    PAPER_STATE_OUT: _ClassVar[PaperState]
    PAPER_STATE_UNKNOWN: _ClassVar[PaperState]
PAPER_STATE_UNSPECIFIED: PaperState
PAPER_STATE_OK: PaperState
PAPER_STATE_LOW: PaperState
PAPER_STATE_OUT: PaperState
PAPER_STATE_UNKNOWN: PaperState

class TextDocument(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class ImageDocument(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class Receipt(_message.Message):
    __slots__ = ("kiosk_id", "kiosk_name", "receipt_no", "transaction_id", "department", "service", "consumer_no", "consumer_name", "amount_paise", "kiosk_fee_paise", "payment_mode", "issue_time", "operator", "extra_lines")
    KIOSK_ID_FIELD_NUMBER: _ClassVar[int]
    KIOSK_NAME_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_NO_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_NO_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_PAISE_FIELD_NUMBER: _ClassVar[int]
    KIOSK_FEE_PAISE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_MODE_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    EXTRA_LINES_FIELD_NUMBER: _ClassVar[int]
    kiosk_id: str
    kiosk_name: str
    receipt_no: str
    transaction_id: str
    department: str
    service: str
    consumer_no: str
    consumer_name: str
    amount_paise: int
    kiosk_fee_paise: int
    payment_mode: str
    issue_time: _timestamp_pb2.Timestamp
    operator: str
    extra_lines: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kiosk_id: _Optional[str] = ..., kiosk_name: _Optional[str] = ..., receipt_no: _Optional[str] = ..., transaction_id: _Optional[str] = ..., department: _Optional[str] = ..., service: _Optional[str] = ..., consumer_no: _Optional[str] = ..., consumer_name: _Optional[str] = ..., amount_paise: _Optional[int] = ..., kiosk_fee_paise: _Optional[int] = ..., payment_mode: _Optional[str] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., operator: _Optional[str] = ..., extra_lines: _Optional[_Iterable[str]] = ...) -> None: ...

class PrintJob(_message.Message):
    __slots__ = ("print_job_id", "device_id", "request_id", "kind", "state", "reason", "reason_detail", "attempts", "duplicate", "create_time", "update_time", "expire_time", "deadline_time", "finish_time", "confirmation", "page_count", "printer_job_id", "document_size_bytes", "document_options")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[PrintJob.State]
        STATE_QUEUED: _ClassVar[PrintJob.State]
        STATE_PRINTING: _ClassVar[PrintJob.State]
        STATE_SUCCEEDED: _ClassVar[PrintJob.State]
        STATE_FAILED: _ClassVar[PrintJob.State]
        STATE_EXPIRED: _ClassVar[PrintJob.State]
        STATE_CANCELLED: _ClassVar[PrintJob.State]
        STATE_HELD: _ClassVar[PrintJob.State]
    STATE_UNSPECIFIED: PrintJob.State
    STATE_QUEUED: PrintJob.State
    STATE_PRINTING: PrintJob.State
    STATE_SUCCEEDED: PrintJob.State
    STATE_FAILED: PrintJob.State
    STATE_EXPIRED: PrintJob.State
    STATE_CANCELLED: PrintJob.State
    STATE_HELD: PrintJob.State
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[PrintJob.Kind]
        KIND_TEXT: _ClassVar[PrintJob.Kind]
        KIND_IMAGE: _ClassVar[PrintJob.Kind]
        KIND_RECEIPT: _ClassVar[PrintJob.Kind]
        KIND_DOCUMENT: _ClassVar[PrintJob.Kind]
    KIND_UNSPECIFIED: PrintJob.Kind
    KIND_TEXT: PrintJob.Kind
    KIND_IMAGE: PrintJob.Kind
    KIND_RECEIPT: PrintJob.Kind
    KIND_DOCUMENT: PrintJob.Kind
    class Confirmation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CONFIRMATION_UNSPECIFIED: _ClassVar[PrintJob.Confirmation]
        CONFIRMATION_DEVICE: _ClassVar[PrintJob.Confirmation]
        CONFIRMATION_BYTES_ONLY: _ClassVar[PrintJob.Confirmation]
        CONFIRMATION_SPOOLER: _ClassVar[PrintJob.Confirmation]
    CONFIRMATION_UNSPECIFIED: PrintJob.Confirmation
    CONFIRMATION_DEVICE: PrintJob.Confirmation
    CONFIRMATION_BYTES_ONLY: PrintJob.Confirmation
    CONFIRMATION_SPOOLER: PrintJob.Confirmation
    PRINT_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    PAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    PRINTER_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    print_job_id: str
    device_id: str
    request_id: str
    kind: PrintJob.Kind
    state: PrintJob.State
    reason: str
    reason_detail: str
    attempts: int
    duplicate: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    deadline_time: _timestamp_pb2.Timestamp
    finish_time: _timestamp_pb2.Timestamp
    confirmation: PrintJob.Confirmation
    page_count: int
    printer_job_id: str
    document_size_bytes: int
    document_options: DocumentOptions
    def __init__(self, print_job_id: _Optional[str] = ..., device_id: _Optional[str] = ..., request_id: _Optional[str] = ..., kind: _Optional[_Union[PrintJob.Kind, str]] = ..., state: _Optional[_Union[PrintJob.State, str]] = ..., reason: _Optional[str] = ..., reason_detail: _Optional[str] = ..., attempts: _Optional[int] = ..., duplicate: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., confirmation: _Optional[_Union[PrintJob.Confirmation, str]] = ..., page_count: _Optional[int] = ..., printer_job_id: _Optional[str] = ..., document_size_bytes: _Optional[int] = ..., document_options: _Optional[_Union[DocumentOptions, _Mapping]] = ...) -> None: ...

class DocumentOptions(_message.Message):
    __slots__ = ("copies", "sides", "orientation", "page_ranges", "fit_to_page", "media")
    class Sides(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SIDES_UNSPECIFIED: _ClassVar[DocumentOptions.Sides]
        SIDES_ONE_SIDED: _ClassVar[DocumentOptions.Sides]
        SIDES_TWO_SIDED_LONG_EDGE: _ClassVar[DocumentOptions.Sides]
        SIDES_TWO_SIDED_SHORT_EDGE: _ClassVar[DocumentOptions.Sides]
    SIDES_UNSPECIFIED: DocumentOptions.Sides
    SIDES_ONE_SIDED: DocumentOptions.Sides
    SIDES_TWO_SIDED_LONG_EDGE: DocumentOptions.Sides
    SIDES_TWO_SIDED_SHORT_EDGE: DocumentOptions.Sides
    class Orientation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ORIENTATION_UNSPECIFIED: _ClassVar[DocumentOptions.Orientation]
        ORIENTATION_PORTRAIT: _ClassVar[DocumentOptions.Orientation]
        ORIENTATION_LANDSCAPE: _ClassVar[DocumentOptions.Orientation]
    ORIENTATION_UNSPECIFIED: DocumentOptions.Orientation
    ORIENTATION_PORTRAIT: DocumentOptions.Orientation
    ORIENTATION_LANDSCAPE: DocumentOptions.Orientation
    class PageRange(_message.Message):
        __slots__ = ("first", "last")
        FIRST_FIELD_NUMBER: _ClassVar[int]
        LAST_FIELD_NUMBER: _ClassVar[int]
        first: int
        last: int
        def __init__(self, first: _Optional[int] = ..., last: _Optional[int] = ...) -> None: ...
    COPIES_FIELD_NUMBER: _ClassVar[int]
    SIDES_FIELD_NUMBER: _ClassVar[int]
    ORIENTATION_FIELD_NUMBER: _ClassVar[int]
    PAGE_RANGES_FIELD_NUMBER: _ClassVar[int]
    FIT_TO_PAGE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    copies: int
    sides: DocumentOptions.Sides
    orientation: DocumentOptions.Orientation
    page_ranges: _containers.RepeatedCompositeFieldContainer[DocumentOptions.PageRange]
    fit_to_page: bool
    media: str
    def __init__(self, copies: _Optional[int] = ..., sides: _Optional[_Union[DocumentOptions.Sides, str]] = ..., orientation: _Optional[_Union[DocumentOptions.Orientation, str]] = ..., page_ranges: _Optional[_Iterable[_Union[DocumentOptions.PageRange, _Mapping]]] = ..., fit_to_page: _Optional[bool] = ..., media: _Optional[str] = ...) -> None: ...

class DocumentHeader(_message.Message):
    __slots__ = ("device_id", "request_id", "options", "title", "size_bytes", "ttl", "retry_duration")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    RETRY_DURATION_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    request_id: str
    options: DocumentOptions
    title: str
    size_bytes: int
    ttl: _duration_pb2.Duration
    retry_duration: _duration_pb2.Duration
    def __init__(self, device_id: _Optional[str] = ..., request_id: _Optional[str] = ..., options: _Optional[_Union[DocumentOptions, _Mapping]] = ..., title: _Optional[str] = ..., size_bytes: _Optional[int] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., retry_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class StreamPrintDocumentResponse(_message.Message):
    __slots__ = ("print_job",)
    PRINT_JOB_FIELD_NUMBER: _ClassVar[int]
    print_job: PrintJob
    def __init__(self, print_job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class StreamPrintDocumentRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: DocumentHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[DocumentHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class PrintDocumentRequest(_message.Message):
    __slots__ = ("device_id", "request_id", "text", "image", "receipt", "ttl", "retry_duration")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    RETRY_DURATION_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    request_id: str
    text: TextDocument
    image: ImageDocument
    receipt: Receipt
    ttl: _duration_pb2.Duration
    retry_duration: _duration_pb2.Duration
    def __init__(self, device_id: _Optional[str] = ..., request_id: _Optional[str] = ..., text: _Optional[_Union[TextDocument, _Mapping]] = ..., image: _Optional[_Union[ImageDocument, _Mapping]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., retry_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class PrintDocumentResponse(_message.Message):
    __slots__ = ("print_job",)
    PRINT_JOB_FIELD_NUMBER: _ClassVar[int]
    print_job: PrintJob
    def __init__(self, print_job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class GetPrintJobRequest(_message.Message):
    __slots__ = ("print_job_id",)
    PRINT_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    print_job_id: str
    def __init__(self, print_job_id: _Optional[str] = ...) -> None: ...

class GetPrintJobResponse(_message.Message):
    __slots__ = ("print_job",)
    PRINT_JOB_FIELD_NUMBER: _ClassVar[int]
    print_job: PrintJob
    def __init__(self, print_job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class ListPrintJobsRequest(_message.Message):
    __slots__ = ("device_id", "states", "page_size", "page_token")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    states: _containers.RepeatedScalarFieldContainer[PrintJob.State]
    page_size: int
    page_token: str
    def __init__(self, device_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[PrintJob.State, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPrintJobsResponse(_message.Message):
    __slots__ = ("print_jobs", "next_page_token")
    PRINT_JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    print_jobs: _containers.RepeatedCompositeFieldContainer[PrintJob]
    next_page_token: str
    def __init__(self, print_jobs: _Optional[_Iterable[_Union[PrintJob, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelPrintJobRequest(_message.Message):
    __slots__ = ("print_job_id",)
    PRINT_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    print_job_id: str
    def __init__(self, print_job_id: _Optional[str] = ...) -> None: ...

class CancelPrintJobResponse(_message.Message):
    __slots__ = ("print_job",)
    PRINT_JOB_FIELD_NUMBER: _ClassVar[int]
    print_job: PrintJob
    def __init__(self, print_job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class ResumePrintJobRequest(_message.Message):
    __slots__ = ("print_job_id",)
    PRINT_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    print_job_id: str
    def __init__(self, print_job_id: _Optional[str] = ...) -> None: ...

class ResumePrintJobResponse(_message.Message):
    __slots__ = ("print_job",)
    PRINT_JOB_FIELD_NUMBER: _ClassVar[int]
    print_job: PrintJob
    def __init__(self, print_job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class PrinterStatus(_message.Message):
    __slots__ = ("device_id", "state", "reason", "reason_detail", "source", "last_seen_time", "paper", "online", "error", "model", "pending_job_count", "conditions", "accepting_jobs")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    PAPER_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PENDING_JOB_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTING_JOBS_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    state: _common_pb2.DeviceState
    reason: str
    reason_detail: str
    source: _common_pb2.StatusSource
    last_seen_time: _timestamp_pb2.Timestamp
    paper: PaperState
    online: bool
    error: bool
    model: str
    pending_job_count: int
    conditions: _containers.RepeatedCompositeFieldContainer[PrinterCondition]
    accepting_jobs: bool
    def __init__(self, device_id: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.DeviceState, str]] = ..., reason: _Optional[str] = ..., reason_detail: _Optional[str] = ..., source: _Optional[_Union[_common_pb2.StatusSource, str]] = ..., last_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paper: _Optional[_Union[PaperState, str]] = ..., online: _Optional[bool] = ..., error: _Optional[bool] = ..., model: _Optional[str] = ..., pending_job_count: _Optional[int] = ..., conditions: _Optional[_Iterable[_Union[PrinterCondition, _Mapping]]] = ..., accepting_jobs: _Optional[bool] = ...) -> None: ...

class PrinterCondition(_message.Message):
    __slots__ = ("reason", "severity", "keyword")
    class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SEVERITY_UNSPECIFIED: _ClassVar[PrinterCondition.Severity]
        SEVERITY_REPORT: _ClassVar[PrinterCondition.Severity]
        SEVERITY_WARNING: _ClassVar[PrinterCondition.Severity]
        SEVERITY_ERROR: _ClassVar[PrinterCondition.Severity]
    SEVERITY_UNSPECIFIED: PrinterCondition.Severity
    SEVERITY_REPORT: PrinterCondition.Severity
    SEVERITY_WARNING: PrinterCondition.Severity
    SEVERITY_ERROR: PrinterCondition.Severity
    REASON_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    KEYWORD_FIELD_NUMBER: _ClassVar[int]
    reason: str
    severity: PrinterCondition.Severity
    keyword: str
    def __init__(self, reason: _Optional[str] = ..., severity: _Optional[_Union[PrinterCondition.Severity, str]] = ..., keyword: _Optional[str] = ...) -> None: ...

class GetPrinterStatusRequest(_message.Message):
    __slots__ = ("device_id",)
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    def __init__(self, device_id: _Optional[str] = ...) -> None: ...

class GetPrinterStatusResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: PrinterStatus
    def __init__(self, status: _Optional[_Union[PrinterStatus, _Mapping]] = ...) -> None: ...
