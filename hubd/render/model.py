"""The receipt a kiosk prints after a transaction, its validation and money formatting.

Pure standard library (no numpy/Pillow), so the RPC layer can build and validate a ``Receipt``
without pulling in the rasterizer. Every text field is one printed line: control and format
characters are refused, except ZERO WIDTH JOINER / NON-JOINER directly after a Devanagari
character (Hindi uses them to pick half forms and conjuncts, e.g. "क्‍ष").
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from hubd.errors import InvalidArgument

log = logging.getLogger(__name__)

ZWNJ = "\u200c"
ZWJ = "\u200d"
RUPEE = "\u20b9"

# Longest value accepted per text field, in code points (a receipt line is 80 columns at most).
MAX_LEN: dict[str, int] = {
    "kiosk_id": 32,
    "kiosk_name": 60,
    "receipt_no": 32,
    "transaction_id": 48,
    "department": 60,
    "service": 80,
    "consumer_no": 40,
    "consumer_name": 80,
    "payment_mode": 24,
    "operator": 40,
}
MAX_EXTRA_LINES = 8
MAX_EXTRA_LINE_LEN = 100
MAX_AMOUNT_PAISE = 1_00_00_000_00  # ₹1 crore: far above any bill paid at a kiosk counter
MAX_FEE_PAISE = 10_000_00  # ₹10,000: kiosk fees are tens of rupees
MIN_YEAR, MAX_YEAR = 2000, 2099

# Non-ASCII characters a receipt may carry: Latin-1 letters, Devanagari, ₹ and a few punctuation
# marks the fonts have. Anything else would print as a missing-glyph box.
_EXTRA_PUNCTUATION = frozenset("\u2013\u2014\u2018\u2019\u201c\u201d\u2026" + RUPEE)
_CATEGORY_PROBLEMS = {
    "Cc": "control character",
    "Cf": "invisible format character",
    "Cs": "surrogate",
    "Co": "private-use character",
    "Cn": "unassigned code point",
    "Zl": "line separator",
    "Zp": "paragraph separator",
}


def is_devanagari(ch: str) -> bool:
    """True for a character of the Devanagari block (U+0900..U+097F)."""
    return "\u0900" <= ch <= "\u097f"


def is_printable_ascii(text: str) -> bool:
    """True when every character is printable ASCII (what a printer's native font prints)."""
    return text.isascii() and text.isprintable()


def _char_problem(ch: str, prev: str) -> str | None:
    """Why ``ch`` (following ``prev``) cannot appear on a printed line, or None if it can."""
    if ch in (ZWJ, ZWNJ):
        return None if is_devanagari(prev) else "joiner not after a Devanagari character"
    category = unicodedata.category(ch)
    if category in _CATEGORY_PROBLEMS:
        return _CATEGORY_PROBLEMS[category]
    if category in ("Mn", "Mc", "Me") and not is_devanagari(prev):
        return "combining mark without a base character"
    if " " <= ch <= "~" or "\u00a0" <= ch <= "\u00ff" or is_devanagari(ch):
        return None
    if ch in _EXTRA_PUNCTUATION:
        return None
    return "character the receipt fonts cannot print"


def unprintable(text: str) -> str | None:
    """Why ``text`` cannot be one printed line ("control character U+0009 at position 3"), or
    None when it can."""
    if is_printable_ascii(text):
        return None
    prev = ""
    for index, ch in enumerate(text):
        problem = _char_problem(ch, prev)
        if problem is not None:
            return f"{problem} U+{ord(ch):04X} at position {index}"
        prev = ch
    return None


def printable(text: str) -> str:
    """``text`` as one printed line: whitespace controls become spaces, every other character
    the receipt cannot print becomes ``?`` (for text from outside, e.g. a portal's names)."""
    if is_printable_ascii(text):
        return text
    out: list[str] = []
    for ch in text:
        if _char_problem(ch, out[-1] if out else "") is None:
            out.append(ch)
        else:
            out.append(" " if ch.isspace() else "?")
    return "".join(out)


def check_text(name: str, value: object, *, max_len: int, required: bool = True) -> None:
    """Raise InvalidArgument(name) unless ``value`` is a printable single-line string."""
    if not isinstance(value, str):
        raise InvalidArgument(name, "must be a string")
    if required and not value.strip():
        raise InvalidArgument(name, "is required")
    if len(value) > max_len:
        raise InvalidArgument(name, f"is longer than {max_len} characters")
    problem = unprintable(value)
    if problem is not None:
        raise InvalidArgument(name, problem)


def check_paise(name: str, value: object, *, maximum: int) -> None:
    """Raise InvalidArgument(name) unless ``value`` is an int number of paise in [0, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(name, "must be an integer number of paise")
    if value < 0:
        raise InvalidArgument(name, "must not be negative")
    if value > maximum:
        raise InvalidArgument(name, f"exceeds {format_rupees(maximum)}")


@dataclass(frozen=True)
class Receipt:
    """One e-Mitra transaction receipt, as the kiosk application sends it to be printed."""

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
    issued_at: datetime
    operator: str
    extra_lines: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_paise(self) -> int:
        """Amount plus kiosk fee."""
        return self.amount_paise + self.kiosk_fee_paise

    def validate(self) -> None:
        """Raise InvalidArgument naming the first bad field; return None if the receipt is sound."""
        for name, max_len in MAX_LEN.items():
            check_text(name, getattr(self, name), max_len=max_len)
        check_paise("amount_paise", self.amount_paise, maximum=MAX_AMOUNT_PAISE)
        check_paise("kiosk_fee_paise", self.kiosk_fee_paise, maximum=MAX_FEE_PAISE)
        when = self.issued_at
        if not isinstance(when, datetime):
            raise InvalidArgument("issued_at", "must be a datetime")
        if when.tzinfo is None or when.utcoffset() is None:
            raise InvalidArgument("issued_at", "must carry a time zone")
        if not MIN_YEAR <= when.year <= MAX_YEAR:
            raise InvalidArgument("issued_at", f"year must be within {MIN_YEAR}..{MAX_YEAR}")
        extra = self.extra_lines
        if not isinstance(extra, tuple | list):
            raise InvalidArgument("extra_lines", "must be a list of strings")
        if len(extra) > MAX_EXTRA_LINES:
            raise InvalidArgument("extra_lines", f"has more than {MAX_EXTRA_LINES} lines")
        for index, line in enumerate(extra):
            check_text(f"extra_lines[{index}]", line, max_len=MAX_EXTRA_LINE_LEN, required=False)


def format_rupees(paise: int) -> str:
    """Format paise as rupees with Indian digit grouping: 12345600 -> "₹1,23,456.00"."""
    sign = "-" if paise < 0 else ""
    rupees, rest = divmod(abs(paise), 100)
    digits = str(rupees)
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return f"{sign}{RUPEE}{','.join([*groups, tail])}.{rest:02d}"


def format_when(when: datetime) -> str:
    """A receipt timestamp: "25-11-2026 14:32:05 IST" (or the explicit UTC offset)."""
    stamp = when.strftime("%d-%m-%Y %H:%M:%S")
    offset = when.utcoffset()
    if offset is None:
        return stamp
    minutes = int(offset.total_seconds()) // 60
    if minutes == 330:
        return f"{stamp} IST"
    sign = "+" if minutes >= 0 else "-"
    return f"{stamp} {sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
