"""The e-Mitra kiosk rules as pure functions: rate, wallet, inactivity, cheque/DD, rupees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hubd.classes.transactions import rules
from hubd.classes.transactions.model import Bill, Instrument, PaymentMode, PaymentRequest, Service
from hubd.classes.transactions.money import rupees
from hubd.errors import FailedPrecondition, InvalidArgument

CERT = Service(
    "CASTE_CERT",
    "fixed",
    "Revenue Department",
    "राजस्व विभाग",
    "Caste certificate",
    "जाति प्रमाण पत्र",
    5000,
    3000,
)
POWER = Service("JVVNL_BILL", "bill", "JVVNL", "जयपुर विद्युत", "Electricity bill", "बिजली बिल", 0, 500)
BILL = Bill("JVVNL_BILL", "210341012345", "Ramesh Kumar Sharma", 184_700, date(2026, 1, 20), "JV-1")
# 2026-01-15 20:00 UTC is already 16 January in India (IST = UTC+5:30).
NOW = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)


def req(**kw: object) -> PaymentRequest:
    base: dict[str, object] = dict(
        client_txn_id="k-1",
        service_id="JVVNL_BILL",
        consumer_no="210341012345",
        consumer_name="Ramesh Kumar Sharma",
        amount_paise=184_700,
    )
    base.update(kw)
    return PaymentRequest(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("paise", "text"),
    [
        (0, "₹0.00"),
        (5, "₹0.05"),
        (100, "₹1.00"),
        (99_999, "₹999.99"),
        (100_000, "₹1,000.00"),
        (2_000_000, "₹20,000.00"),
        (12_345_678, "₹1,23,456.78"),
        (1_000_000_000, "₹1,00,00,000.00"),
        (-184_700, "-₹1,847.00"),
    ],
)
def test_rupees_use_indian_grouping(paise: int, text: str) -> None:
    assert rupees(paise) == text


def test_rupees_refuse_floats() -> None:
    with pytest.raises(TypeError):
        rupees(12.5)  # type: ignore[arg-type]


def test_ist_date_and_calendar_months() -> None:
    assert rules.today(NOW) == date(2026, 1, 16)
    assert rules.add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert rules.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert rules.add_months(date(2025, 10, 16), 3) == date(2026, 1, 16)


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("client_txn_id", {"client_txn_id": ""}),
        ("client_txn_id", {"client_txn_id": "has space"}),
        ("service_id", {"service_id": ""}),
        ("consumer_no", {"consumer_no": "21034 1012345"}),
        ("consumer_name", {"consumer_name": " "}),
        ("consumer_name", {"consumer_name": "Ram\x1b[2J"}),
        ("amount_paise", {"amount_paise": 0}),
        ("amount_paise", {"amount_paise": 1847.0}),
        ("amount_paise", {"amount_paise": True}),
        ("mode", {"mode": "CASH"}),
        ("instrument", {"mode": PaymentMode.CHEQUE}),
        ("instrument", {"instrument": Instrument("123456", "SBI", date(2026, 1, 10))}),
    ],
)
def test_bad_fields_are_named(field: str, kw: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument) as err:
        rules.check_request(req(**kw), NOW)
    assert err.value.field == field and " / " in err.value.description  # Hindi / English


def test_missing_client_txn_id_says_what_it_is() -> None:
    with pytest.raises(InvalidArgument, match="idempotency key") as err:
        rules.check_request(req(client_txn_id=""), NOW)
    assert err.value.metadata == {"field": "client_txn_id"}


def test_charge_above_the_fixed_rate_is_refused_with_the_rate_shown() -> None:
    with pytest.raises(InvalidArgument) as err:
        rules.check_charge(CERT, None, req(service_id="CASTE_CERT", amount_paise=6000))
    assert err.value.reason == "RATE_EXCEEDED" and err.value.field == "amount_paise"
    assert "निर्धारित दर ₹50.00" in err.value.message and "fixed rate ₹50.00" in err.value.message
    assert "₹60.00" in err.value.message and err.value.metadata["allowedPaise"] == "5000"
    with pytest.raises(InvalidArgument) as err:
        rules.check_charge(CERT, None, req(service_id="CASTE_CERT", amount_paise=4000))
    assert err.value.reason == "AMOUNT_MISMATCH"
    assert rules.check_charge(CERT, None, req(service_id="CASTE_CERT", amount_paise=5000)) == 5000


def test_a_bill_is_charged_its_amount_due_and_never_more() -> None:
    assert rules.check_charge(POWER, BILL, req()) == 184_700
    with pytest.raises(InvalidArgument, match="amount due ₹1,847.00") as err:
        rules.check_charge(POWER, BILL, req(amount_paise=184_701))
    assert err.value.reason == "RATE_EXCEEDED"


def test_cheques_only_for_bills() -> None:
    cheque = Instrument("004512", "State Bank of India", date(2026, 1, 10))
    rules.check_charge(POWER, BILL, req(mode=PaymentMode.CHEQUE, instrument=cheque))
    with pytest.raises(InvalidArgument) as err:
        rules.check_charge(
            CERT,
            None,
            req(service_id="CASTE_CERT", amount_paise=5000, mode=PaymentMode.DD, instrument=cheque),
        )
    assert err.value.reason == "INSTRUMENT_NOT_ACCEPTED"


def test_cheque_dates_post_dated_and_three_months() -> None:
    today = rules.today(NOW)  # 16 Jan 2026 in India
    ok = [today, date(2025, 10, 17)]
    for day in ok:
        rules.check_request(req(mode=PaymentMode.CHEQUE, instrument=Instrument("004512", "SBI", day)), NOW)
    with pytest.raises(InvalidArgument) as err:
        rules.check_request(
            req(mode=PaymentMode.CHEQUE, instrument=Instrument("004512", "SBI", today + timedelta(days=1))),
            NOW,
        )
    assert err.value.reason == "POST_DATED_INSTRUMENT" and err.value.field == "instrument.date"
    assert "आगामी दिनांक" in err.value.message and "17-01-2026" in err.value.message
    with pytest.raises(InvalidArgument) as err:
        rules.check_request(
            req(mode=PaymentMode.DD, instrument=Instrument("004512", "SBI", date(2025, 10, 16))), NOW
        )
    assert err.value.reason == "STALE_INSTRUMENT" and "3 months" in err.value.message


@pytest.mark.parametrize(
    ("field", "inst"),
    [
        ("instrument.number", Instrument("4512", "SBI", date(2026, 1, 10))),
        ("instrument.number", Instrument("00451a", "SBI", date(2026, 1, 10))),
        ("instrument.bank", Instrument("004512", " ", date(2026, 1, 10))),
    ],
)
def test_cheque_number_and_bank_are_recorded(field: str, inst: Instrument) -> None:
    with pytest.raises(InvalidArgument) as err:
        rules.check_request(req(mode=PaymentMode.CHEQUE, instrument=inst), NOW)
    assert err.value.field == field


def test_wallet_below_zero_refused_and_under_twenty_thousand_warned() -> None:
    assert rules.check_wallet(10_000, 10_000) == 0
    with pytest.raises(FailedPrecondition) as err:
        rules.check_wallet(10_000, 10_001)
    assert err.value.reason == "WALLET_INSUFFICIENT" and "₹100.00" in err.value.message
    assert rules.wallet_warning(2_000_000, 2_000_000) == ""
    warning = rules.wallet_warning(1_999_999, 2_000_000)
    assert "₹19,999.99" in warning and "₹20,000.00" in warning and "न्यूनतम" in warning


def test_inactivity_thresholds() -> None:
    last = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    day = timedelta(days=1)
    assert rules.inactivity(last, last + 25 * day - timedelta(seconds=1)).level == "OK"
    warn = rules.inactivity(last, last + 25 * day)
    assert (warn.level, warn.idle_days) == ("INACTIVITY_WARNING", 25)
    assert "₹1,000.00" in warn.message and "30 days" in warn.message and "5 days left" in warn.message
    assert rules.inactivity(last, last + 30 * day - timedelta(seconds=1)).level == "INACTIVITY_WARNING"
    penalty = rules.inactivity(last, last + 30 * day)
    assert penalty.level == "INACTIVITY_PENALTY" and "जुर्माना लागू" in penalty.message
