import datetime

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

class PrintJobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRINT_JOB_STATE_UNSPECIFIED: _ClassVar[PrintJobState]
    PRINT_JOB_STATE_QUEUED: _ClassVar[PrintJobState]
    PRINT_JOB_STATE_PRINTING: _ClassVar[PrintJobState]
    PRINT_JOB_STATE_DONE: _ClassVar[PrintJobState]
    PRINT_JOB_STATE_FAILED: _ClassVar[PrintJobState]
    PRINT_JOB_STATE_EXPIRED: _ClassVar[PrintJobState]
    PRINT_JOB_STATE_CANCELLED: _ClassVar[PrintJobState]
    PRINT_JOB_STATE_HELD: _ClassVar[PrintJobState]

class PaperState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAPER_STATE_UNSPECIFIED: _ClassVar[PaperState]
    PAPER_STATE_OK: _ClassVar[PaperState]
    PAPER_STATE_LOW: _ClassVar[PaperState]
    PAPER_STATE_OUT: _ClassVar[PaperState]
    PAPER_STATE_UNKNOWN: _ClassVar[PaperState]
PRINT_JOB_STATE_UNSPECIFIED: PrintJobState
PRINT_JOB_STATE_QUEUED: PrintJobState
PRINT_JOB_STATE_PRINTING: PrintJobState
PRINT_JOB_STATE_DONE: PrintJobState
PRINT_JOB_STATE_FAILED: PrintJobState
PRINT_JOB_STATE_EXPIRED: PrintJobState
PRINT_JOB_STATE_CANCELLED: PrintJobState
PRINT_JOB_STATE_HELD: PrintJobState
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
    __slots__ = ("kiosk_id", "kiosk_name", "receipt_no", "transaction_id", "department", "service", "consumer_no", "consumer_name", "amount_paise", "kiosk_fee_paise", "payment_mode", "issued_at", "operator", "extra_lines")
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
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
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
    issued_at: _timestamp_pb2.Timestamp
    operator: str
    extra_lines: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kiosk_id: _Optional[str] = ..., kiosk_name: _Optional[str] = ..., receipt_no: _Optional[str] = ..., transaction_id: _Optional[str] = ..., department: _Optional[str] = ..., service: _Optional[str] = ..., consumer_no: _Optional[str] = ..., consumer_name: _Optional[str] = ..., amount_paise: _Optional[int] = ..., kiosk_fee_paise: _Optional[int] = ..., payment_mode: _Optional[str] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., operator: _Optional[str] = ..., extra_lines: _Optional[_Iterable[str]] = ...) -> None: ...

class PrintJob(_message.Message):
    __slots__ = ("job_id", "printer_id", "idempotency_key", "kind", "state", "reason", "reason_detail", "attempts", "duplicate", "created_at", "updated_at", "expires_at", "deadline", "finished_at")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PRINTER_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    printer_id: str
    idempotency_key: str
    kind: str
    state: PrintJobState
    reason: str
    reason_detail: str
    attempts: int
    duplicate: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    def __init__(self, job_id: _Optional[str] = ..., printer_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., kind: _Optional[str] = ..., state: _Optional[_Union[PrintJobState, str]] = ..., reason: _Optional[str] = ..., reason_detail: _Optional[str] = ..., attempts: _Optional[int] = ..., duplicate: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PrintDocumentRequest(_message.Message):
    __slots__ = ("printer_id", "idempotency_key", "text", "image", "receipt", "time_to_live", "retry_for")
    PRINTER_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_LIVE_FIELD_NUMBER: _ClassVar[int]
    RETRY_FOR_FIELD_NUMBER: _ClassVar[int]
    printer_id: str
    idempotency_key: str
    text: TextDocument
    image: ImageDocument
    receipt: Receipt
    time_to_live: _duration_pb2.Duration
    retry_for: _duration_pb2.Duration
    def __init__(self, printer_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., text: _Optional[_Union[TextDocument, _Mapping]] = ..., image: _Optional[_Union[ImageDocument, _Mapping]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ..., time_to_live: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., retry_for: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class PrintDocumentResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: PrintJob
    def __init__(self, job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class GetPrintJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetPrintJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: PrintJob
    def __init__(self, job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class ListPrintJobsRequest(_message.Message):
    __slots__ = ("printer_id", "states", "limit")
    PRINTER_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    printer_id: str
    states: _containers.RepeatedScalarFieldContainer[PrintJobState]
    limit: int
    def __init__(self, printer_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[PrintJobState, str]]] = ..., limit: _Optional[int] = ...) -> None: ...

class ListPrintJobsResponse(_message.Message):
    __slots__ = ("jobs",)
    JOBS_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[PrintJob]
    def __init__(self, jobs: _Optional[_Iterable[_Union[PrintJob, _Mapping]]] = ...) -> None: ...

class CancelPrintJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class CancelPrintJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: PrintJob
    def __init__(self, job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class ReleasePrintJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class ReleasePrintJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: PrintJob
    def __init__(self, job: _Optional[_Union[PrintJob, _Mapping]] = ...) -> None: ...

class PrinterStatus(_message.Message):
    __slots__ = ("printer_id", "state", "reason", "reason_detail", "source", "last_seen", "paper", "online", "error", "model", "pending_jobs")
    PRINTER_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_FIELD_NUMBER: _ClassVar[int]
    PAPER_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PENDING_JOBS_FIELD_NUMBER: _ClassVar[int]
    printer_id: str
    state: _common_pb2.DeviceState
    reason: str
    reason_detail: str
    source: _common_pb2.StatusSource
    last_seen: _timestamp_pb2.Timestamp
    paper: PaperState
    online: bool
    error: bool
    model: str
    pending_jobs: int
    def __init__(self, printer_id: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.DeviceState, str]] = ..., reason: _Optional[str] = ..., reason_detail: _Optional[str] = ..., source: _Optional[_Union[_common_pb2.StatusSource, str]] = ..., last_seen: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paper: _Optional[_Union[PaperState, str]] = ..., online: _Optional[bool] = ..., error: _Optional[bool] = ..., model: _Optional[str] = ..., pending_jobs: _Optional[int] = ...) -> None: ...

class GetPrinterStatusRequest(_message.Message):
    __slots__ = ("printer_id",)
    PRINTER_ID_FIELD_NUMBER: _ClassVar[int]
    printer_id: str
    def __init__(self, printer_id: _Optional[str] = ...) -> None: ...

class GetPrinterStatusResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: PrinterStatus
    def __init__(self, status: _Optional[_Union[PrinterStatus, _Mapping]] = ...) -> None: ...
