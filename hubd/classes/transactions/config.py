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
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


def _error(key: str, message: str, source: str = "") -> ConfigError:
    prefix = f"{source}: " if source else ""
    return ConfigError(f"{prefix}transactions.{key} {message}", metadata={"key": f"transactions.{key}"})
