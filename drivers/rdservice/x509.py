"""The expiry (notAfter) of the device certificate ``mc``: the least DER an X.509 reader needs.

RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
serialNumber INTEGER, signature AlgorithmIdentifier (SEQUENCE), issuer Name (SEQUENCE),
validity SEQUENCE { notBefore Time, notAfter Time }, … }, … }; Time is UTCTime (tag 0x17,
YYMMDDHHMMSSZ, years 50–99 are 19xx) or GeneralizedTime (0x18, YYYYMMDDHHMMSSZ). Definite
lengths only (DER). Anything else — not base64, not a certificate, cut short — gives None:
the expiry is shown "where readable", never guessed.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

_SEQUENCE, _INTEGER, _CONTEXT0, _UTCTIME, _GENTIME = 0x30, 0x02, 0xA0, 0x17, 0x18


def _item(buf: bytes, pos: int) -> tuple[int, bytes, int]:
    """(tag, contents, next position) of the DER item at ``pos``; ValueError when malformed."""
    if pos + 2 > len(buf):
        raise ValueError("cut short")
    tag, size = buf[pos], buf[pos + 1]
    pos += 2
    if size & 0x80:
        count = size & 0x7F
        if not 1 <= count <= 4 or pos + count > len(buf):
            raise ValueError("bad length")
        size = int.from_bytes(buf[pos : pos + count], "big")
        pos += count
    if pos + size > len(buf):
        raise ValueError("runs past the end")
    return tag, buf[pos : pos + size], pos + size


def _time(tag: int, body: bytes) -> datetime:
    text = body.decode("ascii")
    if tag == _UTCTIME and len(text) == 13 and text.endswith("Z"):
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    elif not (tag == _GENTIME and len(text) == 15 and text.endswith("Z")):
        raise ValueError("unsupported time form")
    return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)


def der_not_after(der: bytes) -> datetime:
    """notAfter of a DER certificate; ValueError when it is not one."""
    tag, cert, _ = _item(der, 0)
    if tag != _SEQUENCE:
        raise ValueError("not a SEQUENCE")
    tag, tbs, _ = _item(cert, 0)
    if tag != _SEQUENCE:
        raise ValueError("no tbsCertificate")
    pos = 0
    tag, _, nxt = _item(tbs, pos)
    if tag == _CONTEXT0:
        pos = nxt
    expected = (_INTEGER, _SEQUENCE, _SEQUENCE, _SEQUENCE)  # serial, signature, issuer, validity
    validity = b""
    for want in expected:
        tag, validity, pos = _item(tbs, pos)
        if tag != want:
            raise ValueError("unexpected field")
    tag, before, vpos = _item(validity, 0)
    _time(tag, before)
    tag, after, _ = _item(validity, vpos)
    return _time(tag, after)


def not_after(mc: str) -> datetime | None:
    """Expiry of the base64 certificate ``mc``, or None when it cannot be read."""
    if not mc or len(mc) > 16_384:
        return None
    try:
        der = base64.b64decode("".join(mc.split()), validate=True)
        return der_not_after(der)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
