"""A confirmed payment's receipt always passes the receipt printer's checks: the payment is
already taken, so what the portal names (or fails to name) may cost a ``?``, never the receipt."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import hypothesis
import pytest
from hypothesis import strategies as st

from hubd.classes.printer.documents import receipt_payload
from hubd.classes.transactions.model import PaymentRequest, Service, Transaction, TxnState
from hubd.classes.transactions.payments import receipt_fields
from hubd.classes.transactions.receipt import build_receipt
from hubd.errors import InvalidArgument
from hubd.render.model import printable, unprintable

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 12, 5, 6, 30, tzinfo=UTC)


def confirmed(**request: object) -> Transaction:
    req = PaymentRequest(**{"client_txn_id": "t-1", "service_id": "JVVNL_BILL", "consumer_no": "K-1001",
                            "consumer_name": "सीता देवी", "amount_paise": 123_400, "operator": "op-7",
                            **request})  # type: ignore[arg-type]
    return Transaction("t-1", req, TxnState.CONFIRMED, "", "", "P-77", "R-9", "SUCCESS", 1_000, 0, NOW, NOW,
                       NOW, NOW)


def service(**names: str) -> Service:
    base = {"department_en": "Jaipur Discom", "department_hi": "जयपुर डिस्कॉम", "name_en": "Electricity bill",
            "name_hi": "बिजली बिल"}
    return Service("JVVNL_BILL", "bill", **{**base, **names}, rate_paise=0, fee_paise=1_000)  # type: ignore[arg-type]


def prints(fields: dict[str, object]) -> None:
    receipt_payload(fields, IST)  # the printer class's own check (InvalidArgument if refused)


def test_a_receipt_owed_while_the_portal_is_unreachable_still_prints() -> None:
    """After a restart with the portal down, neither the rate list nor the kiosk's names are at
    hand: the receipt says so rather than not printing."""
    fields = receipt_fields(build_receipt(confirmed(), None, "RJ-JPR-0042", ("", "")))
    prints(fields)
    assert fields["kiosk_name"] == "RJ-JPR-0042" and fields["service"] == "JVVNL_BILL"


def test_portal_names_the_printer_cannot_print_become_question_marks() -> None:
    odd = service(department_en="Discom\tJaipur", department_hi="", name_en="Bill 💡", name_hi="")
    fields = receipt_fields(build_receipt(confirmed(), odd, "RJ-JPR-0042", ("Kiosk\x00", "")))
    prints(fields)
    assert fields["department"] == "Discom Jaipur" and fields["service"] == "Bill ?"
    assert fields["kiosk_name"] == "Kiosk?"


@pytest.mark.parametrize(("text", "expected"), [
    ("Sita Devi", "Sita Devi"), ("सीता\u200dदेवी", "सीता\u200dदेवी"), ("a\tb\nc", "a b c"),
    ("\u200dx", "?x"), ("சீதா", "????"), ("₹ 10 — ok", "₹ 10 — ok"), ("e\u0301", "e?"),
])
def test_printable(text: str, expected: str) -> None:
    assert printable(text) == expected


@hypothesis.given(st.text(max_size=60))
def test_printable_is_always_printable(text: str) -> None:
    out = printable(text)
    assert len(out) == len(text) and unprintable(out) is None
    assert out == text or unprintable(text) is not None


def test_a_payment_whose_name_cannot_print_is_refused_before_charging() -> None:
    from hubd.classes.transactions.rules import check_request

    for field, value in (("consumer_name", "சீதா"), ("operator", "op 💡")):
        req = confirmed(**{field: value}).request
        with pytest.raises(InvalidArgument) as err:
            check_request(req, NOW)
        assert err.value.field == field and "cannot be printed on the receipt" in err.value.description
