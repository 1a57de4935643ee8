"""The ``[transactions]`` table is checked key by key; portal replies are parsed strictly (fuzzed)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubd.classes.transactions import codec
from hubd.classes.transactions.config import TransactionsConfig
from hubd.errors import ConfigError, ProtocolError

BASE = {
    "portal_url": "http://127.0.0.1:8080",
    "kiosk_id": "d35k1111",
    "secret_file": "/etc/kioskhub/portal.secret",
}


def test_defaults_are_the_kiosk_rules() -> None:
    cfg = TransactionsConfig.from_table(BASE)
    assert cfg.wallet_minimum_paise == 2_000_000 and cfg.inactivity_warning_days == 25
    assert cfg.inactivity_penalty_days == 30 and cfg.inactivity_penalty_paise == 100_000
    assert cfg.instrument_max_age_months == 3


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ({"portal_ur": "x"}, "transactions.portal_ur"),
        ({"timeout": "10"}, "transactions.timeout"),
        ({"timeout": float("nan")}, "transactions.timeout"),
        ({"timeout": 0}, "transactions.timeout"),
        ({"wallet_minimum_paise": 20000.0}, "transactions.wallet_minimum_paise"),
        ({"verify_inline_attempts": True}, "transactions.verify_inline_attempts"),
        ({"portal_url": "http://portal.example/api"}, "transactions.portal_url"),
        ({"portal_url": "ftp://127.0.0.1/"}, "transactions.portal_url"),
        ({"kiosk_id": "d35 k1111"}, "transactions.kiosk_id"),
        ({"inactivity_penalty_days": 25}, "transactions.inactivity_penalty_days"),
    ],
)
def test_bad_keys_are_named(extra: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        TransactionsConfig.from_table({**BASE, **extra}, "hubd.toml")
    assert err.value.metadata["key"] == key and err.value.message.startswith("hubd.toml: ")


def test_required_keys() -> None:
    with pytest.raises(ConfigError, match="secret_file is required"):
        TransactionsConfig.from_table({"portal_url": BASE["portal_url"], "kiosk_id": "k"})
    assert TransactionsConfig.from_table({**BASE, "portal_url": "https://portal.example/api"}).portal_url


TXN = {
    "client_txn_id": "k-1",
    "portal_txn_id": "EM1",
    "receipt_no": "R1",
    "status": "SUCCESS",
    "reason": "",
    "service_id": "CASTE_CERT",
    "consumer_no": "A1",
    "consumer_name": "Ram",
    "amount_paise": 5000,
    "fee_paise": 3000,
    "mode": "CASH",
    "created_at": 1767258000,
    "updated_at": 1767258000,
}


def test_a_transaction_parses_and_floats_are_not_money() -> None:
    assert codec.txn(TXN).amount_paise == 5000
    for bad in (50.0, "5000", True, -1, None, 10**13):
        with pytest.raises(ProtocolError) as err:
            codec.txn({**TXN, "amount_paise": bad})
        assert err.value.reason == "BAD_RESPONSE" and err.value.metadata["field"] == "amount_paise"
    with pytest.raises(ProtocolError, match="status"):
        codec.txn({**TXN, "status": "DONE"})
    with pytest.raises(ProtocolError):
        codec.decode(b'{"amount_paise": 12.5')


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=6),
    max_leaves=20,
)
PARSERS = [codec.session, codec.wallet, codec.services, codec.bill, codec.txn, codec.statement]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*TXN, "services", "transactions", "kiosk", "token", "date"]), JSON))
def test_fuzzed_replies_parse_or_raise_protocol_error(data: dict[str, Any]) -> None:
    for parse in PARSERS:
        try:
            parse(data)
        except ProtocolError as err:
            assert err.reason == "BAD_RESPONSE"
    codec.error(data)  # never raises


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64) | st.builds(lambda v: json.dumps(v).encode(), JSON))
def test_fuzzed_bodies_decode_or_raise_protocol_error(body: bytes) -> None:
    try:
        assert isinstance(codec.decode(body), dict)
    except ProtocolError:
        pass
