import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_MODE_UNSPECIFIED: _ClassVar[PaymentMode]
    PAYMENT_MODE_CASH: _ClassVar[PaymentMode]
    PAYMENT_MODE_CHEQUE: _ClassVar[PaymentMode]
    PAYMENT_MODE_DD: _ClassVar[PaymentMode]
PAYMENT_MODE_UNSPECIFIED: PaymentMode
PAYMENT_MODE_CASH: PaymentMode
PAYMENT_MODE_CHEQUE: PaymentMode
PAYMENT_MODE_DD: PaymentMode

class PortalService(_message.Message):
    __slots__ = ("service_id", "kind", "department_en", "department_hi", "name_en", "name_hi", "rate_paise", "fee_paise")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[PortalService.Kind]
        KIND_BILL: _ClassVar[PortalService.Kind]
        KIND_FIXED_RATE: _ClassVar[PortalService.Kind]
    KIND_UNSPECIFIED: PortalService.Kind
    KIND_BILL: PortalService.Kind
    KIND_FIXED_RATE: PortalService.Kind
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_EN_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_HI_FIELD_NUMBER: _ClassVar[int]
    NAME_EN_FIELD_NUMBER: _ClassVar[int]
    NAME_HI_FIELD_NUMBER: _ClassVar[int]
    RATE_PAISE_FIELD_NUMBER: _ClassVar[int]
    FEE_PAISE_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    kind: PortalService.Kind
    department_en: str
    department_hi: str
    name_en: str
    name_hi: str
    rate_paise: int
    fee_paise: int
    def __init__(self, service_id: _Optional[str] = ..., kind: _Optional[_Union[PortalService.Kind, str]] = ..., department_en: _Optional[str] = ..., department_hi: _Optional[str] = ..., name_en: _Optional[str] = ..., name_hi: _Optional[str] = ..., rate_paise: _Optional[int] = ..., fee_paise: _Optional[int] = ...) -> None: ...

class Bill(_message.Message):
    __slots__ = ("service_id", "consumer_no", "consumer_name", "amount_due_paise", "due_time", "bill_no")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_NO_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_DUE_PAISE_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    BILL_NO_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    consumer_no: str
    consumer_name: str
    amount_due_paise: int
    due_time: _timestamp_pb2.Timestamp
    bill_no: str
    def __init__(self, service_id: _Optional[str] = ..., consumer_no: _Optional[str] = ..., consumer_name: _Optional[str] = ..., amount_due_paise: _Optional[int] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bill_no: _Optional[str] = ...) -> None: ...

class Instrument(_message.Message):
    __slots__ = ("number", "bank", "issue_time")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    BANK_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    number: str
    bank: str
    issue_time: _timestamp_pb2.Timestamp
    def __init__(self, number: _Optional[str] = ..., bank: _Optional[str] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("service_id", "consumer_no", "consumer_name", "amount_paise", "mode", "instrument", "operator")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_NO_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_PAISE_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    consumer_no: str
    consumer_name: str
    amount_paise: int
    mode: PaymentMode
    instrument: Instrument
    operator: str
    def __init__(self, service_id: _Optional[str] = ..., consumer_no: _Optional[str] = ..., consumer_name: _Optional[str] = ..., amount_paise: _Optional[int] = ..., mode: _Optional[_Union[PaymentMode, str]] = ..., instrument: _Optional[_Union[Instrument, _Mapping]] = ..., operator: _Optional[str] = ...) -> None: ...

class Transaction(_message.Message):
    __slots__ = ("client_txn_id", "payment", "state", "reason", "message", "portal_txn_id", "receipt_no", "portal_status", "fee_paise", "verify_attempts", "create_time", "update_time", "send_time", "finish_time", "receipt_handed")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Transaction.State]
        STATE_INTENT: _ClassVar[Transaction.State]
        STATE_SENT: _ClassVar[Transaction.State]
        STATE_CONFIRMED: _ClassVar[Transaction.State]
        STATE_FAILED: _ClassVar[Transaction.State]
        STATE_IN_DOUBT: _ClassVar[Transaction.State]
    STATE_UNSPECIFIED: Transaction.State
    STATE_INTENT: Transaction.State
    STATE_SENT: Transaction.State
    STATE_CONFIRMED: Transaction.State
    STATE_FAILED: Transaction.State
    STATE_IN_DOUBT: Transaction.State
    CLIENT_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PORTAL_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_NO_FIELD_NUMBER: _ClassVar[int]
    PORTAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    FEE_PAISE_FIELD_NUMBER: _ClassVar[int]
    VERIFY_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SEND_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_HANDED_FIELD_NUMBER: _ClassVar[int]
    client_txn_id: str
    payment: Payment
    state: Transaction.State
    reason: str
    message: str
    portal_txn_id: str
    receipt_no: str
    portal_status: str
    fee_paise: int
    verify_attempts: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    send_time: _timestamp_pb2.Timestamp
    finish_time: _timestamp_pb2.Timestamp
    receipt_handed: bool
    def __init__(self, client_txn_id: _Optional[str] = ..., payment: _Optional[_Union[Payment, _Mapping]] = ..., state: _Optional[_Union[Transaction.State, str]] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ..., portal_txn_id: _Optional[str] = ..., receipt_no: _Optional[str] = ..., portal_status: _Optional[str] = ..., fee_paise: _Optional[int] = ..., verify_attempts: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., send_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receipt_handed: _Optional[bool] = ...) -> None: ...

class WalletStatus(_message.Message):
    __slots__ = ("kiosk_id", "balance_paise", "read_time", "minimum_paise", "low", "warning")
    KIOSK_ID_FIELD_NUMBER: _ClassVar[int]
    BALANCE_PAISE_FIELD_NUMBER: _ClassVar[int]
    READ_TIME_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_PAISE_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    WARNING_FIELD_NUMBER: _ClassVar[int]
    kiosk_id: str
    balance_paise: int
    read_time: _timestamp_pb2.Timestamp
    minimum_paise: int
    low: bool
    warning: str
    def __init__(self, kiosk_id: _Optional[str] = ..., balance_paise: _Optional[int] = ..., read_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., minimum_paise: _Optional[int] = ..., low: _Optional[bool] = ..., warning: _Optional[str] = ...) -> None: ...

class Inactivity(_message.Message):
    __slots__ = ("level", "idle_days", "message")
    class Level(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        LEVEL_UNSPECIFIED: _ClassVar[Inactivity.Level]
        LEVEL_OK: _ClassVar[Inactivity.Level]
        LEVEL_WARNING: _ClassVar[Inactivity.Level]
        LEVEL_PENALTY: _ClassVar[Inactivity.Level]
    LEVEL_UNSPECIFIED: Inactivity.Level
    LEVEL_OK: Inactivity.Level
    LEVEL_WARNING: Inactivity.Level
    LEVEL_PENALTY: Inactivity.Level
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    IDLE_DAYS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    level: Inactivity.Level
    idle_days: int
    message: str
    def __init__(self, level: _Optional[_Union[Inactivity.Level, str]] = ..., idle_days: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class ReconcileDifference(_message.Message):
    __slots__ = ("client_txn_id", "kind", "journal_state", "portal_status", "journal_paise", "portal_paise", "detail")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[ReconcileDifference.Kind]
        KIND_MISSING_IN_JOURNAL: _ClassVar[ReconcileDifference.Kind]
        KIND_MISSING_AT_PORTAL: _ClassVar[ReconcileDifference.Kind]
        KIND_STATUS_MISMATCH: _ClassVar[ReconcileDifference.Kind]
        KIND_AMOUNT_MISMATCH: _ClassVar[ReconcileDifference.Kind]
        KIND_UNRESOLVED: _ClassVar[ReconcileDifference.Kind]
    KIND_UNSPECIFIED: ReconcileDifference.Kind
    KIND_MISSING_IN_JOURNAL: ReconcileDifference.Kind
    KIND_MISSING_AT_PORTAL: ReconcileDifference.Kind
    KIND_STATUS_MISMATCH: ReconcileDifference.Kind
    KIND_AMOUNT_MISMATCH: ReconcileDifference.Kind
    KIND_UNRESOLVED: ReconcileDifference.Kind
    CLIENT_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_STATE_FIELD_NUMBER: _ClassVar[int]
    PORTAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_PAISE_FIELD_NUMBER: _ClassVar[int]
    PORTAL_PAISE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    client_txn_id: str
    kind: ReconcileDifference.Kind
    journal_state: str
    portal_status: str
    journal_paise: int
    portal_paise: int
    detail: str
    def __init__(self, client_txn_id: _Optional[str] = ..., kind: _Optional[_Union[ReconcileDifference.Kind, str]] = ..., journal_state: _Optional[str] = ..., portal_status: _Optional[str] = ..., journal_paise: _Optional[int] = ..., portal_paise: _Optional[int] = ..., detail: _Optional[str] = ...) -> None: ...

class ReconcileReport(_message.Message):
    __slots__ = ("day", "journal_confirmed", "journal_confirmed_paise", "portal_success", "portal_success_paise", "differences", "summary")
    DAY_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_CONFIRMED_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_CONFIRMED_PAISE_FIELD_NUMBER: _ClassVar[int]
    PORTAL_SUCCESS_FIELD_NUMBER: _ClassVar[int]
    PORTAL_SUCCESS_PAISE_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    day: str
    journal_confirmed: int
    journal_confirmed_paise: int
    portal_success: int
    portal_success_paise: int
    differences: _containers.RepeatedCompositeFieldContainer[ReconcileDifference]
    summary: str
    def __init__(self, day: _Optional[str] = ..., journal_confirmed: _Optional[int] = ..., journal_confirmed_paise: _Optional[int] = ..., portal_success: _Optional[int] = ..., portal_success_paise: _Optional[int] = ..., differences: _Optional[_Iterable[_Union[ReconcileDifference, _Mapping]]] = ..., summary: _Optional[str] = ...) -> None: ...

class ListServicesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListServicesResponse(_message.Message):
    __slots__ = ("services", "next_page_token")
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedCompositeFieldContainer[PortalService]
    next_page_token: str
    def __init__(self, services: _Optional[_Iterable[_Union[PortalService, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FetchBillRequest(_message.Message):
    __slots__ = ("service_id", "consumer_no")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_NO_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    consumer_no: str
    def __init__(self, service_id: _Optional[str] = ..., consumer_no: _Optional[str] = ...) -> None: ...

class FetchBillResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class QuotePaymentRequest(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class QuotePaymentResponse(_message.Message):
    __slots__ = ("service", "bill", "amount_paise", "fee_paise", "wallet_before_paise", "wallet_after_paise", "warnings")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_PAISE_FIELD_NUMBER: _ClassVar[int]
    FEE_PAISE_FIELD_NUMBER: _ClassVar[int]
    WALLET_BEFORE_PAISE_FIELD_NUMBER: _ClassVar[int]
    WALLET_AFTER_PAISE_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    service: PortalService
    bill: Bill
    amount_paise: int
    fee_paise: int
    wallet_before_paise: int
    wallet_after_paise: int
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, service: _Optional[_Union[PortalService, _Mapping]] = ..., bill: _Optional[_Union[Bill, _Mapping]] = ..., amount_paise: _Optional[int] = ..., fee_paise: _Optional[int] = ..., wallet_before_paise: _Optional[int] = ..., wallet_after_paise: _Optional[int] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class PayRequest(_message.Message):
    __slots__ = ("client_txn_id", "payment")
    CLIENT_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    client_txn_id: str
    payment: Payment
    def __init__(self, client_txn_id: _Optional[str] = ..., payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class PayResponse(_message.Message):
    __slots__ = ("transaction",)
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    transaction: Transaction
    def __init__(self, transaction: _Optional[_Union[Transaction, _Mapping]] = ...) -> None: ...

class GetTransactionRequest(_message.Message):
    __slots__ = ("client_txn_id",)
    CLIENT_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    client_txn_id: str
    def __init__(self, client_txn_id: _Optional[str] = ...) -> None: ...

class GetTransactionResponse(_message.Message):
    __slots__ = ("transaction",)
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    transaction: Transaction
    def __init__(self, transaction: _Optional[_Union[Transaction, _Mapping]] = ...) -> None: ...

class ListTransactionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTransactionsResponse(_message.Message):
    __slots__ = ("transactions", "next_page_token")
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    transactions: _containers.RepeatedCompositeFieldContainer[Transaction]
    next_page_token: str
    def __init__(self, transactions: _Optional[_Iterable[_Union[Transaction, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class VerifyTransactionRequest(_message.Message):
    __slots__ = ("client_txn_id",)
    CLIENT_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    client_txn_id: str
    def __init__(self, client_txn_id: _Optional[str] = ...) -> None: ...

class VerifyTransactionResponse(_message.Message):
    __slots__ = ("transaction",)
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    transaction: Transaction
    def __init__(self, transaction: _Optional[_Union[Transaction, _Mapping]] = ...) -> None: ...

class ReprintReceiptRequest(_message.Message):
    __slots__ = ("client_txn_id", "request_id")
    CLIENT_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    client_txn_id: str
    request_id: str
    def __init__(self, client_txn_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReprintReceiptResponse(_message.Message):
    __slots__ = ("print_job_id",)
    PRINT_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    print_job_id: str
    def __init__(self, print_job_id: _Optional[str] = ...) -> None: ...

class ReconcileRequest(_message.Message):
    __slots__ = ("day",)
    DAY_FIELD_NUMBER: _ClassVar[int]
    day: str
    def __init__(self, day: _Optional[str] = ...) -> None: ...

class ReconcileResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: ReconcileReport
    def __init__(self, report: _Optional[_Union[ReconcileReport, _Mapping]] = ...) -> None: ...

class GetWalletRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetWalletResponse(_message.Message):
    __slots__ = ("wallet", "inactivity")
    WALLET_FIELD_NUMBER: _ClassVar[int]
    INACTIVITY_FIELD_NUMBER: _ClassVar[int]
    wallet: WalletStatus
    inactivity: Inactivity
    def __init__(self, wallet: _Optional[_Union[WalletStatus, _Mapping]] = ..., inactivity: _Optional[_Union[Inactivity, _Mapping]] = ...) -> None: ...
