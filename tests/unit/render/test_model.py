"""Receipt validation and money formatting."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hubd.errors import InvalidArgument
from hubd.render.layout import render_receipt
from hubd.render.model import MAX_LEN, Receipt, format_rupees, format_when, is_printable_ascii
from hubd.render.program import Geometry, ImageBand, TextLine
from hubd.render.sample import IST, sample_receipt

NOW = datetime(2026, 11, 25, 14, 32, 5, tzinfo=IST)
TEXT_FIELDS = sorted(MAX_LEN)


def sample(**changes: object) -> Receipt:
    return dataclasses.replace(sample_receipt(NOW), **changes)  # type: ignore[arg-type]


def field_of(receipt: Receipt) -> str:
    with pytest.raises(InvalidArgument) as info:
        receipt.validate()
    assert info.value.metadata == {"field": info.value.field}
    return info.value.field


@pytest.mark.parametrize(
    ("paise", "text"),
    [
        (0, "₹0.00"),
        (5, "₹0.05"),
        (1_00, "₹1.00"),
        (99_999, "₹999.99"),
        (1_23_450, "₹1,234.50"),
        (12_34_567, "₹12,345.67"),
        (1_23_45_600, "₹1,23,456.00"),
        (12_34_56_789, "₹12,34,567.89"),
        (1_00_00_000_00, "₹1,00,00,000.00"),
        (-1_50, "-₹1.50"),
        (-12_34_56_700, "-₹12,34,567.00"),
    ],
)
def test_format_rupees_uses_indian_grouping(paise: int, text: str) -> None:
    assert format_rupees(paise) == text


def test_format_when_names_ist_or_the_offset() -> None:
    assert format_when(NOW) == "25-11-2026 14:32:05 IST"
    utc = NOW.astimezone(UTC)
    assert format_when(utc) == "25-11-2026 09:02:05 +00:00"
    west = NOW.astimezone(timezone(-timedelta(hours=3, minutes=30)))
    assert format_when(west).endswith("-03:30")


def test_sample_receipt_is_valid_and_totals() -> None:
    receipt = sample_receipt(NOW)
    receipt.validate()
    assert receipt.total_paise == receipt.amount_paise + receipt.kiosk_fee_paise
    assert receipt.issued_at == NOW
    assert any("\u0900" <= ch <= "\u097f" for ch in receipt.consumer_name)


@pytest.mark.parametrize("name", TEXT_FIELDS)
@pytest.mark.parametrize(
    "bad", ["\x1b", "\x00", "\r", "\n", "\t", "\x7f", "\x9b", "\u202e", "\ufeff", "\u200b", "\u2028"]
)
def test_control_and_format_characters_name_the_field(name: str, bad: str) -> None:
    assert field_of(sample(**{name: f"AB{bad}CD"})) == name


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_oversized_fields_name_the_field(name: str) -> None:
    sample(**{name: "x" * MAX_LEN[name]}).validate()
    assert field_of(sample(**{name: "x" * (MAX_LEN[name] + 1)})) == name


@pytest.mark.parametrize("name", TEXT_FIELDS)
@pytest.mark.parametrize("empty", ["", "   ", "\u00a0"])
def test_required_fields_must_not_be_blank(name: str, empty: str) -> None:
    assert field_of(sample(**{name: empty})) == name


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_non_strings_are_refused(name: str) -> None:
    assert field_of(sample(**{name: 12345})) == name


def test_joiners_are_allowed_only_inside_devanagari() -> None:
    sample(consumer_name="क्\u200dष पाल", kiosk_name="र्\u200cक").validate()
    assert field_of(sample(consumer_no="12\u200d34")) == "consumer_no"
    assert field_of(sample(consumer_name="\u200dराम")) == "consumer_name"


@pytest.mark.parametrize(
    "text",
    [
        "\u093fराम",  # a vowel sign with nothing to attach to
        "राम \u093f",  # ... or after a space
        "e\u0301",  # Latin combining accent
        "ठाकुर 🙏",  # emoji: no receipt font has it
        "வணக்கம்",  # Tamil: no receipt font has it
        "\ue000",  # private use
        "\U000e0001",  # language tag (format character)
    ],
)
def test_unprintable_text_is_refused(text: str) -> None:
    assert field_of(sample(consumer_name=text)) == "consumer_name"


@pytest.mark.parametrize("value", ["José Müller", "श्री", "क़ानूनगो", "— “ok” …", "₹ 10"])
def test_printable_text_is_accepted(value: str) -> None:
    sample(consumer_name=value).validate()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("amount_paise", -1),
        ("amount_paise", 1_00_00_000_01),
        ("amount_paise", 10.5),
        ("amount_paise", True),
        ("amount_paise", "100"),
        ("kiosk_fee_paise", -100),
        ("kiosk_fee_paise", 10_000_01),
        ("kiosk_fee_paise", None),
    ],
)
def test_bad_amounts_name_the_field(name: str, value: object) -> None:
    assert field_of(sample(**{name: value})) == name


def test_zero_amount_is_allowed() -> None:
    sample(amount_paise=0, kiosk_fee_paise=0).validate()


@pytest.mark.parametrize(
    "value",
    [
        NOW.replace(tzinfo=None),
        NOW.replace(year=1999),
        NOW.replace(year=2100),
        "2026-11-25T14:32:05+05:30",
        None,
    ],
)
def test_bad_timestamps_name_issued_at(value: object) -> None:
    assert field_of(sample(issued_at=value)) == "issued_at"


def test_extra_lines_are_checked_line_by_line() -> None:
    sample(extra_lines=("", "बिल माह: 10-2026")).validate()
    assert field_of(sample(extra_lines=("ok", "fine", "bad\x1b[2J"))) == "extra_lines[2]"
    assert field_of(sample(extra_lines=("x" * 101,))) == "extra_lines[0]"
    assert field_of(sample(extra_lines=("line",) * 9)) == "extra_lines"
    assert field_of(sample(extra_lines="one line")) == "extra_lines"


# --- fuzz -----------------------------------------------------------------------------------

_DEVA = [chr(c) for c in range(0x0900, 0x0980)]
_PLAUSIBLE = st.text(
    alphabet=st.sampled_from(_DEVA + list("abcXYZ019 -/.,₹") + ["\u200d", "\u200c"]),
    min_size=1,
    max_size=60,
)
_ANY_TEXT = st.one_of(_PLAUSIBLE, st.text(max_size=120), st.integers(), st.none())
_PAISE = st.one_of(st.integers(min_value=0, max_value=2_000_000), st.integers(), st.floats(), st.booleans())
_WHEN = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(IST)),
    st.datetimes(timezones=st.sampled_from([IST, UTC, None])),
    st.text(max_size=5),
)


@st.composite
def receipts(draw: st.DrawFn) -> Receipt:
    base = sample_receipt(NOW)
    changes: dict[str, object] = {}
    for name in TEXT_FIELDS:
        if draw(st.booleans()):
            changes[name] = draw(_ANY_TEXT)
    for name in ("amount_paise", "kiosk_fee_paise"):
        if draw(st.booleans()):
            changes[name] = draw(_PAISE)
    if draw(st.booleans()):
        changes["issued_at"] = draw(_WHEN)
    if draw(st.booleans()):
        changes["extra_lines"] = tuple(draw(st.lists(st.one_of(_PLAUSIBLE, st.text()), max_size=9)))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(receipts())
def test_fuzzed_receipts_validate_or_raise_invalid_argument(receipt: Receipt) -> None:
    try:
        receipt.validate()
    except InvalidArgument as err:
        assert err.field in TEXT_FIELDS or err.field.startswith(
            ("amount_paise", "kiosk_fee_paise", "issued_at", "extra_lines")
        )
        event(f"invalid {err.field.split('[')[0]}")
        return
    event("valid")


# Plausible values (mostly valid): Devanagari syllables with conjuncts and signs, ASCII words.
_CONSONANTS = [chr(c) for c in range(0x0915, 0x093A)]
_SIGNS = [chr(c) for c in range(0x093E, 0x094D)] + ["\u0902", "\u0901", "\u093c", ""]
_SYLLABLE = st.builds(
    lambda c1, joiner, c2, sign: c1 + ("" if joiner is None else "\u094d" + joiner + c2) + sign,
    st.sampled_from(_CONSONANTS),
    st.sampled_from([None, None, "", "\u200d", "\u200c"]),
    st.sampled_from(_CONSONANTS),
    st.sampled_from(_SIGNS),
)
_WORD = st.one_of(
    st.lists(_SYLLABLE, min_size=1, max_size=12).map("".join),
    st.text(alphabet="ABCDEFXYZabcxyz0123456789-/.,()&@#", min_size=1, max_size=30),
    st.just("₹1,23,456.00"),
)


def _line(max_len: int) -> st.SearchStrategy[str]:
    return st.lists(_WORD, min_size=1, max_size=8).map(lambda w: " ".join(w)[:max_len])


@st.composite
def plausible_receipts(draw: st.DrawFn) -> Receipt:
    changes: dict[str, object] = {name: draw(_line(MAX_LEN[name])) for name in TEXT_FIELDS}
    changes["amount_paise"] = draw(st.integers(min_value=0, max_value=1_00_00_000_00))
    changes["kiosk_fee_paise"] = draw(st.integers(min_value=0, max_value=10_000_00))
    changes["extra_lines"] = tuple(draw(st.lists(_line(100), max_size=8)))
    return dataclasses.replace(sample_receipt(NOW), **changes)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plausible_receipts(), st.sampled_from([80, 136]), st.sampled_from([0, 1, 2]))
def test_valid_receipts_always_render(receipt: Receipt, columns: int, profile: int) -> None:
    try:
        receipt.validate()
    except InvalidArgument as err:
        event(f"invalid {err.field.split('[')[0]}")
        return
    event("valid")
    hdpi, vdpi, band = [(120, 72, 8), (180, 180, 24), (203, 203, 24)][profile]
    program = render_receipt(receipt, Geometry(hdpi, vdpi, band, columns=columns))
    assert any(isinstance(op, ImageBand) for op in program)
    for op in program:
        bands = [(op.left, op)] if isinstance(op, ImageBand) else []
        if isinstance(op, TextLine):
            assert len(op.text) <= columns and is_printable_ascii(op.text)
            bands += [(round(p.column * hdpi / 10) + p.band.left, p.band) for p in op.images]
            assert len({p.band.bitmap.shape[0] for p in op.images}) <= 1
            assert not op.images or 0 < op.baseline < op.images[0].band.bitmap.shape[0]
        for x, image in bands:
            assert image.bitmap.shape[0] % band == 0
            assert not image.bitmap[0].any() and not image.bitmap[-1].any()
            assert 0 <= x and x + image.bitmap.shape[1] <= columns * hdpi // 10
