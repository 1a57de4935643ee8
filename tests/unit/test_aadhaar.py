"""Aadhaar masking: Verhoeff vectors worked out by hand from the published tables, not by the code.

2363: Wikipedia's Verhoeff example (236 with check digit 3).
234567890124: check digit of 23456789012 worked by hand: folding 2,1,0,9,8,7,6,5,4,3,2 (last
first) through d[c][p[(i+1) % 8][digit]] gives c = 7,4,7,7,7,8,5,0,2,0,1 and inv[1] = 4; the
validation fold of all twelve digits then ends at 0.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubd.classes.biometric.aadhaar import AadhaarMaskFilter, mask_aadhaar, verhoeff_valid


@pytest.mark.parametrize(("digits", "valid"), [
    ("2363", True),
    ("2364", False),
    ("234567890124", True),
    ("234567890125", False),  # one digit wrong
    ("234567890142", False),  # the last two swapped
    ("324567890124", False),  # the first two swapped
    ("", False),
    ("23456789012a", False),
    ("２３６３", False),  # full-width digits are not ASCII
])
def test_verhoeff(digits: str, valid: bool) -> None:
    assert verhoeff_valid(digits) is valid


@pytest.mark.parametrize(("text", "masked"), [
    ("uid=234567890124 ok", "uid=XXXXXXXX0124 ok"),
    ("Aadhaar 2345 6789 0124.", "Aadhaar XXXX XXXX 0124."),
    ("aadhaar:2345-6789-0124", "aadhaar:XXXX-XXXX-0124"),
    ("234567890125", "234567890125"),  # fails the check: a bill number, left alone
    ("1234567890124", "1234567890124"),  # 13 digits: not an Aadhaar number
    ("2345 6789-0124", "2345 6789-0124"),  # mixed separators are not a grouping
    ("a 234567890124 and 234567890124", "a XXXXXXXX0124 and XXXXXXXX0124"),
])
def test_mask(text: str, masked: str) -> None:
    assert mask_aadhaar(text) == masked


@given(st.text(max_size=80))
def test_masking_is_idempotent_and_keeps_length(text: str) -> None:
    once = mask_aadhaar(text)
    assert mask_aadhaar(once) == once and len(once) == len(text)


def test_filter_masks_messages_args_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("kioskhub.test.aadhaar")
    caplog.handler.addFilter(AadhaarMaskFilter())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("request uid=%s name=%s", "234567890124", "Ram")
        try:
            raise ValueError("bad uid 2345 6789 0124")
        except ValueError:
            logger.exception("failed")
    assert "234567890124" not in caplog.text and "2345 6789 0124" not in caplog.text
    assert "uid=XXXXXXXX0124 name=Ram" in caplog.text
    assert "bad uid XXXX XXXX 0124" in caplog.text


def test_installed_filter_masks_every_record_of_the_process() -> None:
    """The hub installs it once (the biometric runner): any logger, any handler, even one added
    later, gets masked records; installing again does not wrap twice."""
    import io

    from hubd.classes.biometric.aadhaar import install_log_filter

    before = logging.getLogRecordFactory()
    try:
        install_log_filter()
        factory = logging.getLogRecordFactory()
        install_log_filter()
        assert logging.getLogRecordFactory() is factory
        out = io.StringIO()
        handler = logging.StreamHandler(out)  # no filter of its own
        logger = logging.getLogger("some.library")
        logger.addHandler(handler)
        logger.propagate = False
        try:
            logger.warning("holder=%s", "ekyc 2345 6789 0124")
            logger.warning("bill 234567890125 stays")
        finally:
            logger.removeHandler(handler)
            logger.propagate = True
        assert out.getvalue() == "holder=ekyc XXXX XXXX 0124\nbill 234567890125 stays\n"
    finally:
        logging.setLogRecordFactory(before)
