"""Aadhaar numbers in text the hub logs: find them by their Verhoeff check digit and mask them.

An Aadhaar number is 12 digits whose last digit is a Verhoeff check digit (UIDAI; J. Verhoeff,
"Error Detecting Decimal Codes", 1969: the dihedral group D5 multiplication table ``_D``, the
position permutation ``_P``; a number is valid when folding its digits, last first, gives 0).
Anywhere the hub logs request fields, a 12-digit run (optionally grouped 4-4-4 by one space or
hyphen) that passes the check is shown with only its last four digits: ``XXXX XXXX 1234``.

``AadhaarMaskFilter`` applies this to every log record (message, arguments, traceback); install it
on each log *handler* (a filter on a logger does not see records propagated from its children).
``install_log_filter()`` does it for the whole process: it wraps the log record factory, so every
record is masked when it is made, whichever logger made it and whichever handler (present or
added later) writes it.
"""

from __future__ import annotations

import logging
import re

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
# Twelve digits, alone or grouped 4-4-4 by the same single space or hyphen, not inside a longer
# run of digits. \d would also match other scripts' digits; Aadhaar is written in ASCII digits.
_CANDIDATE = re.compile(r"(?<![0-9])([0-9]{4})([ -]?)([0-9]{4})\2([0-9]{4})(?![0-9])")


def verhoeff_valid(digits: str) -> bool:
    """True when ``digits`` (ASCII digits only, non-empty) ends in a correct Verhoeff check digit."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][ord(ch) - 48]]
    return check == 0


def _mask(match: re.Match[str]) -> str:
    first, sep, second, last = match.groups()
    if not verhoeff_valid(first + second + last):
        return match.group(0)
    return f"XXXX{sep}XXXX{sep}{last}"


def mask_aadhaar(text: str) -> str:
    """``text`` with every Verhoeff-valid 12-digit number replaced by ``XXXX XXXX`` + its last 4."""
    return _CANDIDATE.sub(_mask, text)


class AadhaarMaskFilter(logging.Filter):
    """A logging filter that masks Aadhaar numbers in a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place (message rendered with its args); never drops a record."""
        message = record.getMessage()
        masked = mask_aadhaar(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_aadhaar(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_aadhaar(record.stack_info)
        return True


_MASK = AadhaarMaskFilter()


def install_log_filter() -> None:
    """Mask Aadhaar numbers in every log record this process makes from now on (idempotent).

    The hub calls it when it starts (the biometric class's runner); a daemon may call it earlier,
    right after setting up logging, to cover its first lines too.
    """
    make = logging.getLogRecordFactory()
    if getattr(make, "masks_aadhaar", False):
        return

    def masked(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _MASK.filter(record)
        return record

    masked.masks_aadhaar = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masked)
