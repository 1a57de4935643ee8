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

class CardReader(_message.Message):
    __slots__ = ("card_reader_id", "device_id", "kind", "card_present", "atr", "exclusive", "mute")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[CardReader.Kind]
        KIND_READER: _ClassVar[CardReader.Kind]
        KIND_TOKEN: _ClassVar[CardReader.Kind]
    KIND_UNSPECIFIED: CardReader.Kind
    KIND_READER: CardReader.Kind
    KIND_TOKEN: CardReader.Kind
    CARD_READER_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CARD_PRESENT_FIELD_NUMBER: _ClassVar[int]
    ATR_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIVE_FIELD_NUMBER: _ClassVar[int]
    MUTE_FIELD_NUMBER: _ClassVar[int]
    card_reader_id: str
    device_id: str
    kind: CardReader.Kind
    card_present: bool
    atr: bytes
    exclusive: bool
    mute: bool
    def __init__(self, card_reader_id: _Optional[str] = ..., device_id: _Optional[str] = ..., kind: _Optional[_Union[CardReader.Kind, str]] = ..., card_present: _Optional[bool] = ..., atr: _Optional[bytes] = ..., exclusive: _Optional[bool] = ..., mute: _Optional[bool] = ...) -> None: ...

class CardEvent(_message.Message):
    __slots__ = ("kind", "reader", "event_time")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[CardEvent.Kind]
        KIND_CARD_INSERTED: _ClassVar[CardEvent.Kind]
        KIND_CARD_REMOVED: _ClassVar[CardEvent.Kind]
        KIND_READER_ADDED: _ClassVar[CardEvent.Kind]
        KIND_READER_REMOVED: _ClassVar[CardEvent.Kind]
    KIND_UNSPECIFIED: CardEvent.Kind
    KIND_CARD_INSERTED: CardEvent.Kind
    KIND_CARD_REMOVED: CardEvent.Kind
    KIND_READER_ADDED: CardEvent.Kind
    KIND_READER_REMOVED: CardEvent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    READER_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    kind: CardEvent.Kind
    reader: CardReader
    event_time: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[CardEvent.Kind, str]] = ..., reader: _Optional[_Union[CardReader, _Mapping]] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListReadersRequest(_message.Message):
    __slots__ = ("device_id", "page_size", "page_token")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    page_size: int
    page_token: str
    def __init__(self, device_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListReadersResponse(_message.Message):
    __slots__ = ("readers", "next_page_token")
    READERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    readers: _containers.RepeatedCompositeFieldContainer[CardReader]
    next_page_token: str
    def __init__(self, readers: _Optional[_Iterable[_Union[CardReader, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchCardsRequest(_message.Message):
    __slots__ = ("device_id",)
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    def __init__(self, device_id: _Optional[str] = ...) -> None: ...

class WatchCardsResponse(_message.Message):
    __slots__ = ("event", "readers")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    READERS_FIELD_NUMBER: _ClassVar[int]
    event: CardEvent
    readers: _containers.RepeatedCompositeFieldContainer[CardReader]
    def __init__(self, event: _Optional[_Union[CardEvent, _Mapping]] = ..., readers: _Optional[_Iterable[_Union[CardReader, _Mapping]]] = ...) -> None: ...

class TransmitApduRequest(_message.Message):
    __slots__ = ("device_id", "card_reader_id", "apdu")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    CARD_READER_ID_FIELD_NUMBER: _ClassVar[int]
    APDU_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    card_reader_id: str
    apdu: bytes
    def __init__(self, device_id: _Optional[str] = ..., card_reader_id: _Optional[str] = ..., apdu: _Optional[bytes] = ...) -> None: ...

class TransmitApduResponse(_message.Message):
    __slots__ = ("card_reader_id", "data", "status_word", "exchanges", "session_started", "atr")
    CARD_READER_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    STATUS_WORD_FIELD_NUMBER: _ClassVar[int]
    EXCHANGES_FIELD_NUMBER: _ClassVar[int]
    SESSION_STARTED_FIELD_NUMBER: _ClassVar[int]
    ATR_FIELD_NUMBER: _ClassVar[int]
    card_reader_id: str
    data: bytes
    status_word: int
    exchanges: int
    session_started: bool
    atr: bytes
    def __init__(self, card_reader_id: _Optional[str] = ..., data: _Optional[bytes] = ..., status_word: _Optional[int] = ..., exchanges: _Optional[int] = ..., session_started: _Optional[bool] = ..., atr: _Optional[bytes] = ...) -> None: ...
