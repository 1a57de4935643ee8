"""IPP (RFC 8010/8011): the message codec, the protocol's numbers and an HTTP client.

The transport owns the protocol client: the CUPS transport (``cups://``, raw receipts) and the
IPP document-printer driver both speak IPP through it; drivers reach it as
``hubd.driver_api.ipp``.
"""

from __future__ import annotations

from hubd.transport.ipp.client import Document, Endpoint, IppClient, endpoint, local_user
from hubd.transport.ipp.codes import (
    END_OF_ATTRIBUTES,
    JOB_GROUP,
    OPERATION_GROUP,
    ORIENTATION,
    PRINTER_GROUP,
    UNSUPPORTED_GROUP,
    JobState,
    Op,
    PrinterState,
    Tag,
    status_name,
)
from hubd.transport.ipp.protocol import (
    Attribute,
    Collection,
    Group,
    IntRange,
    Message,
    OutOfBand,
    Resolution,
    Unknown,
    Value,
    attr,
    decode,
    encode,
    strings,
    values_of,
)

__all__ = [
    "END_OF_ATTRIBUTES", "JOB_GROUP", "OPERATION_GROUP", "ORIENTATION", "PRINTER_GROUP",
    "UNSUPPORTED_GROUP", "Attribute", "Collection", "Document", "Endpoint", "Group", "IntRange",
    "IppClient", "JobState", "Message", "Op", "OutOfBand", "PrinterState", "Resolution", "Tag",
    "Unknown", "Value", "attr", "decode", "encode", "endpoint", "local_user", "status_name",
    "strings", "values_of",
]
