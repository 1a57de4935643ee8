"""A simulated RD device certificate (X.509 DER, RFC 5280), written by hand from the ASN.1.

Only its shape is real: issuer and subject say it is simulated, the key and signature are
random bytes. It lets a driver read the expiry the way it reads a vendor's certificate.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

_OID_SHA256_RSA = bytes.fromhex("2a864886f70d01010b")  # 1.2.840.113549.1.1.11
_OID_RSA = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1
_OID_CN = bytes.fromhex("550403")  # 2.5.4.3


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def _seq(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def _name(common_name: str) -> bytes:
    return _seq(_tlv(0x31, _seq(_tlv(0x06, _OID_CN), _tlv(0x0C, common_name.encode()))))


def _time(when: datetime) -> bytes:
    """UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)."""
    if when.year < 2050:
        return _tlv(0x17, when.strftime("%y%m%d%H%M%SZ").encode())
    return _tlv(0x18, when.strftime("%Y%m%d%H%M%SZ").encode())


def simulated_certificate(serial: str, valid_days: int, now: datetime | None = None) -> bytes:
    """DER of a certificate for ``serial`` valid from a day ago for ``valid_days`` days."""
    start = (now or datetime.now(UTC)).replace(microsecond=0) - timedelta(days=1)
    end = start + timedelta(days=1 + valid_days)
    alg = _seq(_tlv(0x06, _OID_SHA256_RSA), b"\x05\x00")
    spki = _seq(_seq(_tlv(0x06, _OID_RSA), b"\x05\x00"), _tlv(0x03, b"\x00" + os.urandom(140)))
    tbs = _seq(
        _tlv(0xA0, _tlv(0x02, b"\x02")),  # [0] version v3
        _tlv(0x02, b"\x01" + os.urandom(7)),
        alg,
        _name("KIOSKHUB SIMULATED RD CA"),
        _seq(_time(start), _time(end)),
        _name(f"KIOSKHUB SIMULATED FINGERPRINT {serial}"),
        spki,
    )
    return _seq(tbs, alg, _tlv(0x03, b"\x00" + os.urandom(256)))
