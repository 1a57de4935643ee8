"""``[transactions]``: where the portal is, who this kiosk is, and the e-Mitra thresholds.

``TransactionsConfig.from_table(table, source)`` checks a parsed TOML table: unknown keys,
wrong types and out-of-range numbers are ``ConfigError``s naming ``transactions.<key>``::

    [transactions]
    portal_url = "https://portal.example/api"     # plain http only to 127.0.0.1 / localhost
    kiosk_id = "d35k1111"
    secret_file = "/etc/kioskhub/portal.secret"   # mode 0600 (or systemd LoadCredential=)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hubd.device import Option
from hubd.errors import ConfigError

KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class TransactionsConfig:
    """Portal connection, timing and e-Mitra rule thresholds (money in paise, times in seconds)."""

    portal_url: str
    kiosk_id: str
    secret_file: Path
    kiosk_name: str = ""
    timeout: float = 10.0
    connect_timeout: float = 3.0
    response_window: float = 300.0
    token_refresh_margin: float = 60.0
    verify_backoff: float = 0.5
    verify_backoff_max: float = 60.0
    verify_inline_attempts: int = 4
    catalog_ttl: float = 600.0
    bill_ttl: float = 900.0
    wallet_max_age: float = 30.0
    wallet_minimum_paise: int = 2_000_000
    inactivity_warning_days: int = 25
    inactivity_penalty_days: int = 30
    inactivity_penalty_paise: int = 100_000
    inactivity_check_interval: float = 3600.0
    instrument_max_age_months: int = 3

    def __post_init__(self) -> None:
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and low <= value <= high):
                raise _error(name, f"must be a number from {low} to {high}, not {value!r}")
        if not KIOSK_ID.match(self.kiosk_id):
            raise _error("kiosk_id", f"must match {KIOSK_ID.pattern}")
        url = urlsplit(self.portal_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise _error("portal_url", "must be an http(s) URL")
        if url.scheme == "http" and url.hostname not in LOOPBACK:
            raise _error("portal_url", "plain http is allowed only to 127.0.0.1 / localhost; use https")
        if self.inactivity_penalty_days <= self.inactivity_warning_days:
            raise _error("inactivity_penalty_days", "must be after inactivity_warning_days")
        if self.verify_backoff_max < self.verify_backoff:
            raise _error("verify_backoff_max", "must be at least verify_backoff")

    @classmethod
    def from_table(cls, table: Mapping[str, Any], source: str = "<config>") -> TransactionsConfig:
        """Check a ``[transactions]`` TOML table."""
        known = {f.name: f for f in fields(cls)}
        for key, value in table.items():
            if key not in known:
                raise _error(key, f"unknown key (allowed: {', '.join(sorted(known))})", source)
            if key in ("portal_url", "kiosk_id", "secret_file", "kiosk_name"):
                ok = isinstance(value, str)
            elif key in INTEGERS:
                ok = type(value) is int
            else:
                ok = type(value) in (int, float)
            if not ok:
                raise _error(key, f"has the wrong type ({type(value).__name__})", source)
        for key in ("portal_url", "kiosk_id", "secret_file"):
            if key not in table:
                raise _error(key, "is required", source)
        values = dict(table)
        values["secret_file"] = Path(values["secret_file"])
        try:
            return cls(**values)
        except ConfigError as err:
            raise ConfigError(f"{source}: {err.message}", metadata={**err.metadata, "file": source}) from None


INTEGERS = frozenset(
    {
        "verify_inline_attempts",
        "wallet_minimum_paise",
        "inactivity_warning_days",
        "inactivity_penalty_days",
        "inactivity_penalty_paise",
        "instrument_max_age_months",
    }
)
RANGES: dict[str, tuple[float, float]] = {
    "timeout": (0.05, 120),
    "connect_timeout": (0.05, 60),
    "response_window": (5, 3600),
    "token_refresh_margin": (0, 3600),
    "verify_backoff": (0.01, 60),
    "verify_backoff_max": (0.01, 3600),
    "verify_inline_attempts": (0, 20),
    "catalog_ttl": (0, 86400),
    "bill_ttl": (0, 86400),
    "wallet_max_age": (0, 3600),
    "wallet_minimum_paise": (0, 10**12),
    "inactivity_warning_days": (1, 365),
    "inactivity_penalty_days": (2, 366),
    "inactivity_penalty_paise": (0, 10**9),
    "inactivity_check_interval": (1, 86400),
    "instrument_max_age_months": (1, 12),
}


HELP = {
    "portal_url": "the portal's API (https; plain http only to 127.0.0.1): transactions are off without it",
    "kiosk_id": "this kiosk's id at the portal",
    "secret_file": "the kiosk's signing secret (mode 0600: hubd refuses a file others can read)",
    "kiosk_name": "the kiosk's name on receipts (default: the portal's)",
    "timeout": "seconds a portal request may take",
    "connect_timeout": "seconds to connect to the portal",
    "response_window": "seconds a signed portal reply stays acceptable (older: refused as stale)",
    "token_refresh_margin": "seconds before the login token expires that it is renewed",
    "verify_backoff": "first wait (s) before verifying a payment in doubt again",
    "verify_backoff_max": "longest wait (s) between verifications",
    "verify_inline_attempts": "verifications a Pay call tries before answering IN_DOUBT",
    "catalog_ttl": "seconds the service catalog is cached",
    "bill_ttl": "seconds a fetched bill is cached",
    "wallet_max_age": "seconds a wallet balance is cached",
    "wallet_minimum_paise": "the e-Mitra minimum balance (paise): under it, WALLET_LOW",
    "inactivity_warning_days": "days without a transaction before the warning",
    "inactivity_penalty_days": "days without a transaction before the fine",
    "inactivity_penalty_paise": "the fine (paise)",
    "inactivity_check_interval": "seconds between inactivity checks",
    "instrument_max_age_months": "a cheque or DD older than this is refused",
}


def options() -> dict[str, Option]:
    """``[transactions]`` as the hub's config loader checks it (one declaration: the dataclass's
    fields, ``RANGES`` and ``HELP``); without ``portal_url`` transactions are not configured."""
    table: dict[str, Option] = {}
    for f in fields(TransactionsConfig):
        if f.name in RANGES:
            low, high = RANGES[f.name]
            kind = int if f.name in INTEGERS else float
            table[f.name] = Option(kind, f.default, HELP[f.name], low, high)
        else:
            table[f.name] = Option(str, None if f.default is MISSING else f.default, HELP[f.name])
    return table


def from_section(section: Mapping[str, Any], source: str = "<config>") -> TransactionsConfig | None:
    """The config from the loader's checked ``[transactions]`` section; None when it names no
    portal (transactions are off)."""
    if section.get("portal_url") is None:
        return None
    return TransactionsConfig.from_table({k: v for k, v in section.items() if v is not None}, source)


def _error(key: str, message: str, source: str = "") -> ConfigError:
    prefix = f"{source}: " if source else ""
    return ConfigError(f"{prefix}transactions.{key} {message}", metadata={"key": f"transactions.{key}"})
