"""Bilingual receipt layout on the printer's column grid: rows of cells, wrapping, the receipt.

A receipt is a list of ``Row``s of ``Cell``s placed on the native font's grid (10 cpi: 80 or 136
columns); every label is Hindi and English ("राशि / Amount"), followed by ":" and the value in a
value column. Hindi text is measured in columns by shaping it (``columns_needed``), so a Hindi
label and an ASCII value share one grid and values line up down the receipt. Rendering the rows
into printer ops is ``hubd.render.layout``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from hubd.errors import InvalidArgument
from hubd.render import labels
from hubd.render.fonts import FontSet, font_set
from hubd.render.model import ZWJ, ZWNJ, Receipt, format_rupees, format_when, is_printable_ascii
from hubd.render.shaping import columns_needed

log = logging.getLogger(__name__)

Align = Literal["left", "right", "center"]
MIN_COLUMNS, MAX_COLUMNS = 40, 136
MIN_VALUE_COLUMNS = 16
MONEY_COLUMNS = 16
VIRAMA = "\u094d"


@dataclass(frozen=True)
class Cell:
    """Text placed in ``width`` columns starting at ``column``."""

    text: str
    column: int
    width: int
    align: Align = "left"

    def start(self, used: int) -> int:
        """First column of the text when it takes ``used`` columns."""
        slack = max(0, self.width - used)
        return self.column + {"left": 0, "right": slack, "center": slack // 2}[self.align]


@dataclass(frozen=True)
class Row:
    """One printed line."""

    cells: tuple[Cell, ...] = ()
    bold: bool = False

    @property
    def is_ascii(self) -> bool:
        """True when the printer's native font can print the whole row."""
        return all(is_printable_ascii(cell.text) for cell in self.cells)

    def text(self, columns: int) -> str:
        """The row as native text (ASCII rows only), trailing blanks stripped."""
        chars = [" "] * columns
        for cell in self.cells:
            start = cell.start(len(cell.text))
            chars[start : start + len(cell.text)] = list(cell.text)
        return "".join(chars).rstrip()


@dataclass(frozen=True)
class Qr:
    """A QR code of ``data``, centred."""

    data: str


Line = Row | Qr


def _breakable(text: str, i: int) -> bool:
    """True if a line may break before ``text[i]`` without splitting a Devanagari cluster."""
    if unicodedata.category(text[i]).startswith("M") or text[i] in (ZWJ, ZWNJ):
        return False
    return text[i - 1] not in (VIRAMA, ZWJ, ZWNJ)


def _split_word(word: str, width: int, bold: bool) -> tuple[str, str]:
    """Cut the longest head of ``word`` fitting ``width`` columns at a cluster boundary."""
    cuts = [i for i in range(1, len(word)) if _breakable(word, i)]
    if not cuts:
        return word, ""
    lo, hi = 0, len(cuts) - 1
    while lo < hi:  # the largest cut whose head fits (the first cut if none does)
        mid = (lo + hi + 1) // 2
        if columns_needed(word[: cuts[mid]], bold=bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return word[: cuts[lo]], word[cuts[lo] :]


def wrap(text: str, width: int, *, bold: bool = False, keep_spaces: bool = False) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns (at spaces, else between clusters).

    Runs of spaces become one, unless ``keep_spaces`` (a text document: its spaces line columns
    up, so within a line they stay as the sender wrote them; a break still drops its spaces).
    """
    if not keep_spaces:
        text = " ".join(text.split())
    if columns_needed(text, bold=bold) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for gap, word in _words(text):
        candidate = f"{current}{gap}{word}" if current else word
        if columns_needed(candidate, bold=bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while word and columns_needed(word, bold=bold) > width:
            head, word = _split_word(word, width, bold)
            lines.append(head)
        current = word
    if current:
        lines.append(current)
    return lines


def _words(text: str) -> list[tuple[str, str]]:
    """(spaces before, word) pairs of ``text``."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"( *)([^ ]+| +$)", text)]


def label_columns() -> int:
    """Width of the label column: the widest bilingual label, bold included."""
    return _label_columns(font_set())


@lru_cache(maxsize=4)
def _label_columns(fonts: FontSet) -> int:
    """``label_columns`` for one font set (cached)."""
    return max(columns_needed(label, bold=bold) for label in labels.ALL for bold in (False, True))


class _Builder:
    """Accumulates the rows of one receipt at one width."""

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.label_w = label_columns()
        self.value_col = self.label_w + 3
        self.stacked = columns - self.value_col < MIN_VALUE_COLUMNS
        self.lines: list[Line] = []

    def centered(self, text: str, *, bold: bool = False) -> None:
        """Centre ``text`` (wrapped if needed)."""
        for piece in wrap(text, self.columns, bold=bold):
            self.lines.append(Row((Cell(piece, 0, self.columns, "center"),), bold))

    def left(self, text: str) -> None:
        """A free-text line from column 0 (wrapped)."""
        for piece in wrap(text, self.columns):
            self.lines.append(Row((Cell(piece, 0, self.columns),)))

    def rule(self, char: str) -> None:
        """A full-width rule."""
        self.lines.append(Row((Cell(char * self.columns, 0, self.columns),)))

    def field(self, label: str, value: str, *, money: bool = False, bold: bool = False) -> None:
        """A label, ":" and a value (wrapped in the value column; right-aligned for money)."""
        if self.stacked or self._would_split(value, bold):
            self.lines.append(Row((Cell(f"{label} :", 0, self.columns),), bold))
            col, width = 2, self.columns - 2
            first: tuple[Cell, ...] = ()
        else:
            col, width = self.value_col, self.columns - self.value_col
            first = (Cell(label, 0, self.label_w), Cell(":", self.label_w + 1, 1))
        align: Align = "right" if money else "left"
        if money:
            width = min(width, MONEY_COLUMNS)
        for i, piece in enumerate(wrap(value, width, bold=bold)):
            cells = (first if i == 0 else ()) + (Cell(piece, col, width, align),)
            self.lines.append(Row(cells, bold))


    def _would_split(self, value: str, bold: bool) -> bool:
        """True when a word of ``value`` (a transaction id…) is too wide for the value column but
        fits under the label: cut in two it could be misread, so the field is stacked instead."""
        words = value.split()
        value_w, stacked_w = self.columns - self.value_col, self.columns - 2
        return any(columns_needed(w, bold=bold) > value_w for w in words) and all(
            columns_needed(w, bold=bold) <= stacked_w for w in words
        )


def layout_receipt(receipt: Receipt, columns: int) -> list[Line]:
    """Lay out ``receipt`` for a printer ``columns`` wide (80 or 136; 40..136 accepted)."""
    if not isinstance(columns, int) or not MIN_COLUMNS <= columns <= MAX_COLUMNS:
        raise InvalidArgument("columns", f"must be within {MIN_COLUMNS}..{MAX_COLUMNS}")
    b = _Builder(columns)
    b.centered(labels.TITLE, bold=True)
    b.centered(labels.GOVERNMENT)
    b.rule("=")
    b.field(labels.KIOSK_ID, receipt.kiosk_id)
    b.field(labels.KIOSK_NAME, receipt.kiosk_name)
    b.field(labels.RECEIPT_NO, receipt.receipt_no)
    b.field(labels.TRANSACTION_ID, receipt.transaction_id)
    b.field(labels.DATE, format_when(receipt.issued_at))
    b.rule("-")
    b.field(labels.DEPARTMENT, receipt.department)
    b.field(labels.SERVICE, receipt.service)
    b.field(labels.CONSUMER_NO, receipt.consumer_no)
    b.field(labels.CONSUMER_NAME, receipt.consumer_name)
    b.field(labels.PAYMENT_MODE, receipt.payment_mode)
    b.field(labels.OPERATOR, receipt.operator)
    b.rule("-")
    b.field(labels.AMOUNT, format_rupees(receipt.amount_paise), money=True)
    b.field(labels.KIOSK_FEE, format_rupees(receipt.kiosk_fee_paise), money=True)
    b.field(labels.TOTAL, format_rupees(receipt.total_paise), money=True, bold=True)
    b.rule("=")
    for extra in receipt.extra_lines:
        if extra.strip():
            b.left(extra)
    b.lines.append(Qr(receipt.transaction_id))
    for footer in labels.FOOTER:
        b.centered(footer)
    return b.lines
