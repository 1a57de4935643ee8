"""The portal simulator's own control-socket commands (on top of ``kioskhub.simulators.control``'s).

fault NAME [ENDPOINT] [COUNT|on|off]   arm a fault (default endpoint pay, count 1); see faults.py
clear                                  disarm every fault
wallet [KIOSK] PAISE | balance [KIOSK] set / read a kiosk's wallet
rate SERVICE PAISE | fee SERVICE PAISE change a service's fixed rate or kiosk fee
bill SERVICE CONSUMER PAISE DUE NAME…  add or replace a consumer's bill (DUE as YYYY-MM-DD)
kiosk ID SECRET_FILE [PAISE]           add a kiosk whose secret is in SECRET_FILE
ledger [KIOSK]                         the recorded payments as JSON
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kioskhub.simulators.control import CommandError
from kioskhub.simulators.portal.catalog import Bill
from kioskhub.simulators.portal.faults import FOREVER

if TYPE_CHECKING:
    from kioskhub.simulators.portal.server import PortalSim


def _paise(word: str) -> int:
    try:
        value = int(word)
    except ValueError:
        raise CommandError(f"not an amount in paise: {word!r}") from None
    if value < 0:
        raise CommandError("paise must not be negative")
    return value


def _count(word: str) -> int:
    low = word.lower()
    if low in ("on", "forever"):
        return FOREVER
    if low == "off":
        return 0
    try:
        return int(word)
    except ValueError:
        raise CommandError(f"count must be a number, on or off, not {word!r}") from None


def portal_commands(sim: PortalSim) -> dict[str, tuple[str, Any]]:
    """The commands, name → (help, handler(args) → reply text)."""

    def fault(args: list[str]) -> str:
        if not 1 <= len(args) <= 3:
            raise CommandError("fault NAME [ENDPOINT] [COUNT|on|off]")
        endpoint = args[1] if len(args) > 1 and not _is_count(args[1]) else "pay"
        count = _count(args[-1]) if len(args) > 1 and _is_count(args[-1]) else 1
        try:
            if count == 0 and len(args) == 2:
                sim.disarm(args[0])
            else:
                sim.arm(args[0], endpoint, count)
        except ValueError as err:
            raise CommandError(str(err)) from err
        return json.dumps(sim.faults()["armed"], sort_keys=True)

    def clear(args: list[str]) -> str:
        sim.disarm()
        return "cleared"

    def wallet(args: list[str]) -> str:
        if len(args) not in (1, 2):
            raise CommandError("wallet [KIOSK] PAISE")
        kiosk = args[0] if len(args) == 2 else sim.state.kiosk_id
        try:
            sim.ledger.set_balance(kiosk, _paise(args[-1]))
        except KeyError:
            raise CommandError(f"unknown kiosk {kiosk!r}") from None
        return f"{kiosk} balance_paise={sim.ledger.balance(kiosk)}"

    def balance(args: list[str]) -> str:
        kiosk = args[0] if args else sim.state.kiosk_id
        try:
            return str(sim.ledger.balance(kiosk))
        except KeyError:
            raise CommandError(f"unknown kiosk {kiosk!r}") from None

    def service_field(name: str) -> Any:
        def change(args: list[str]) -> str:
            if len(args) != 2:
                raise CommandError(f"{name.removesuffix('_paise')} SERVICE PAISE")
            service = sim.ledger.service(args[0])
            if service is None:
                raise CommandError(f"unknown service {args[0]!r}")
            paise = _paise(args[1])
            if name == "rate_paise":
                service = dataclasses.replace(service, rate_paise=paise)
            else:
                service = dataclasses.replace(service, fee_paise=paise)
            sim.ledger.put_service(service)
            return f"{args[0]} {name}={paise}"

        return change

    def bill(args: list[str]) -> str:
        if len(args) < 5:
            raise CommandError("bill SERVICE CONSUMER PAISE DUE_DATE NAME...")
        service, consumer, amount, due, *name = args
        sim.ledger.put_bill(Bill(service, consumer, " ".join(name), _paise(amount), due, f"SIM-{consumer}"))
        return f"bill {service}/{consumer} {amount}"

    def kiosk(args: list[str]) -> str:
        if len(args) not in (2, 3):
            raise CommandError("kiosk ID SECRET_FILE [PAISE]")
        try:
            secret = Path(args[1]).read_bytes().strip()
        except OSError as err:
            raise CommandError(f"{args[1]}: {err.strerror}") from err
        paise = _paise(args[2]) if len(args) == 3 else 0
        sim.ledger.put_kiosk(args[0], secret, (args[0], args[0]), paise)
        return f"kiosk {args[0]}"

    def ledger(args: list[str]) -> str:
        return json.dumps(sim.ledger.transactions(args[0] if args else None), ensure_ascii=False)

    return {
        "fault": ("fault NAME [ENDPOINT] [COUNT|on|off]", fault),
        "clear": ("clear (disarm every fault)", clear),
        "wallet": ("wallet [KIOSK] PAISE", wallet),
        "balance": ("balance [KIOSK]", balance),
        "rate": ("rate SERVICE PAISE", service_field("rate_paise")),
        "fee": ("fee SERVICE PAISE", service_field("fee_paise")),
        "bill": ("bill SERVICE CONSUMER PAISE DUE_DATE NAME...", bill),
        "kiosk": ("kiosk ID SECRET_FILE [PAISE]", kiosk),
        "ledger": ("ledger [KIOSK]", ledger),
    }


def _is_count(word: str) -> bool:
    return word.lower() in ("on", "off", "forever") or word.lstrip("-").isdigit()
