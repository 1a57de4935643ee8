"""The shared printer-text sanitizer: bytes written by hand from the PC437 / UTF-8 / UTF-16 tables."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kioskhub.drivers.common.text import sanitize_text
from kioskhub.drivers.escp import protocol as escp
from kioskhub.drivers.escpos import protocol as escpos

ENCODINGS = ["cp437", "cp850", "cp858", "cp866", "cp1252", "latin-1", "ascii", "utf-8", "utf-16-le"]


@pytest.mark.parametrize("high", [True, False])
def test_control_characters_are_dropped(high: bool) -> None:
    assert sanitize_text("Ram\x1b@\x1d\x56\x01 Kumar", high_controls=high) == b"Ram@V Kumar"
    assert sanitize_text("a\r\nb\x00c\x10\x04\x01d\x7fe", high_controls=high) == b"abcde"
    assert sanitize_text("a\x85b\x9bc", high_controls=high) == b"abc"  # C1: NEL, CSI
    assert sanitize_text("zero\u200dwidth\u202e\ufeff", high_controls=high) == b"zerowidth"  # Cf
    assert sanitize_text("a\ud800b\udfffc", high_controls=high) == b"abc"  # lone surrogates


def test_unencodable_characters_print_as_question_marks() -> None:
    assert sanitize_text("\u20b9 100") == b"? 100"  # rupee sign: not in PC437
    assert sanitize_text("\u0930\u093e\u092e") == b"???"  # Devanagari
    assert sanitize_text("\u00e9", "ascii") == b"?"


def test_pc437_bytes_80_9f_are_controls_only_when_asked() -> None:
    # PC437: e acute 0x82, u umlaut 0x81, pound 0x9C, a acute 0xA0, degree 0xF8.
    assert sanitize_text("\u00e9\u00fc\u00a3\u00e1\u00b0") == b"???\xa0\xf8"
    assert sanitize_text("\u00e9\u00fc\u00a3\u00e1\u00b0", high_controls=False) == b"\x82\x81\x9c\xa0\xf8"


def test_encoded_control_bytes_become_question_marks() -> None:
    assert sanitize_text("A", "utf-16-le") == b"A?"  # 41 00
    assert sanitize_text("\u017f", "utf-16-le", high_controls=False) == b"??"  # long s: 7F 01
    assert sanitize_text("\u0100", "utf-8") == b"\xc4?"  # C4 80
    assert sanitize_text("\u0100", "utf-8", high_controls=False) == b"\xc4\x80"


def test_protocol_modules_share_it() -> None:
    assert escp.sanitize_text is sanitize_text  # kioskhub.drivers.escp.encode calls p.sanitize_text
    assert escp.sanitize_text("\u00e9") == b"?"
    assert escpos.sanitize_text("\u00e9") == b"\x82"


@given(
    st.text(st.characters(exclude_categories=()), max_size=200),
    st.sampled_from(ENCODINGS),
    st.booleans(),
)
def test_never_emits_a_control_byte(text: str, encoding: str, high: bool) -> None:
    out = sanitize_text(text, encoding, high_controls=high)
    assert all(0x20 <= b < 0x7F or b >= (0xA0 if high else 0x80) for b in out)


@given(st.text(st.characters(exclude_categories=()), max_size=100), st.sampled_from(ENCODINGS))
def test_escpos_wrapper_keeps_high_bytes(text: str, encoding: str) -> None:
    assert escpos.sanitize_text(text, encoding) == sanitize_text(text, encoding, high_controls=False)


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=100), st.booleans())
def test_printable_ascii_is_unchanged(text: str, high: bool) -> None:
    # kioskhub.drivers.escp.encode skips sanitize_text for printable ASCII on the strength of this.
    assert sanitize_text(text, high_controls=high) == text.encode("ascii")
