"""Reading XML from a device safely: defusedxml with DTDs refused, size-bounded, lenient about
namespace prefixes (elements are matched by local name), strict about numbers. Sans-IO."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import defusedxml
import defusedxml.ElementTree as SafeET

from hubd.driver_api import ProtocolError

MAX_XML_BYTES = 1 << 20
"""Capabilities of real scanners are a few KB; anything over 1 MiB is refused unparsed."""
_UINT = re.compile(r"\s*\d{1,9}\s*")


def parse_xml(data: bytes, what: str) -> ET.Element:
    """The root element of a device's XML; ProtocolError for junk, oversize, a DTD or entities."""
    if len(data) > MAX_XML_BYTES:
        raise ProtocolError(f"{what}: {len(data)} bytes of XML is more than a scanner sends")
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as err:
        raise ProtocolError(f"{what}: refused XML ({type(err).__name__}: DTDs and entities are not allowed)",
                            reason="XML_REFUSED") from err
    except (ET.ParseError, ValueError, UnicodeError) as err:
        raise ProtocolError(f"{what}: not well-formed XML ({err})") from err
    return root


def local(tag: object) -> str:
    """An element's name without its namespace (comments and PIs have none)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(el: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children called ``name`` (any namespace)."""
    return (c for c in el if local(c.tag) == name)


def child(el: ET.Element, name: str) -> ET.Element | None:
    """The first direct child called ``name``."""
    return next(children(el, name), None)


def text(el: ET.Element | None) -> str:
    """An element's stripped text ("" when absent)."""
    return (el.text or "").strip() if el is not None else ""


def uint(el: ET.Element | None, what: str) -> int | None:
    """An element's unsigned integer, None when absent; ProtocolError when not a number."""
    if el is None:
        return None
    raw = el.text or ""
    if not _UINT.fullmatch(raw):
        raise ProtocolError(f"{what}: expected an unsigned integer, got {raw[:20]!r}")
    return int(raw)
