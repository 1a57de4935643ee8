"""A realistic sample receipt: a JVVNL electricity bill paid in cash at a Jaipur e-Mitra kiosk.

Used by the demo, the simulators' golden images and the benchmark. All names are invented.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hubd.render.model import Receipt

IST = timezone(timedelta(hours=5, minutes=30), "IST")


def sample_receipt(now: datetime | None = None) -> Receipt:
    """An electricity bill payment receipt issued at ``now`` (default: the current time, IST)."""
    issued = (now or datetime.now(IST)).astimezone(IST).replace(microsecond=0)
    return Receipt(
        kiosk_id="K1100234",
        kiosk_name="श्री श्याम ई-मित्र केन्द्र, सांगानेर",
        receipt_no=f"EM/{issued:%Y%m}/004512",
        transaction_id=f"{issued:%Y%m%d%H%M%S}2871",
        department="जयपुर विद्युत वितरण निगम लि. (JVVNL)",
        service="बिजली बिल भुगतान / Electricity Bill Payment",
        consumer_no="210413021234",
        consumer_name="रामेश्वर प्रसाद शर्मा",
        amount_paise=1_84_750,
        kiosk_fee_paise=10_00,
        payment_mode="नकद / Cash",
        issued_at=issued,
        operator="Sunita Meena",
        extra_lines=(
            "बिल माह / Bill Month: 10-2026",
            "Payment is credited to the department within 2 working days.",
        ),
    )
