"""Megatec "Q1" UPS protocol codec (sans-IO: bytes in, values out; no I/O, no asyncio, no logging).

Wire reference: Megatec protocol v2.7 (networkupstools/nut-website ``protocols/megatec.txt``)
and NUT's ``drivers/blazer.c``, ``drivers/nutdrv_qx_megatec.c`` and
``drivers/nutdrv_qx_blazer-common.c``. Line: 2400 bps, 8N1. The host sends an ASCII command ending
in CR; the UPS answers one line ending in CR. An unsupported command is echoed back unchanged;
unavailable fields are filled with ``@``.

    Q1\\r -> (MMM.M NNN.N PPP.P QQQ RR.R S.SS TT.T b7b6b5b4b3b2b1b0\\r     status
    F\\r  -> #MMM.M QQQ SS.SS RR.R\\r                                          rating
    I\\r  -> #<company 15> <model 10> <version 10>\\r                          information

Q1 flags, left to right: b7 utility fail, b6 battery low, b5 bypass/boost or buck active, b4 UPS
failed, b3 UPS type standby (0 = on-line), b2 test in progress, b1 shutdown active, b0 beeper on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hubd.driver_api import ProtocolError

QUERY_STATUS = b"Q1\r"
QUERY_RATING = b"F\r"
QUERY_INFO = b"I\r"
TERMINATOR = b"\r"

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_UNAVAILABLE = re.compile(r"[@.]*@[@.]*")
_FLAGS = re.compile(r"[01]{8}")
_MAX_REPLY = 128


@dataclass(frozen=True)
class Q1Status:
    """One Q1 reply; a field the UPS filled with ``@`` (unavailable) is None."""

    input_voltage: float | None
    input_fault_voltage: float | None
    output_voltage: float | None
    load: float | None
    input_frequency: float | None
    battery_voltage: float | None
    temperature: float | None
    utility_fail: bool
    battery_low: bool
    bypass_boost_buck: bool
    ups_failed: bool
    standby_type: bool
    test_in_progress: bool
    shutdown_active: bool
    beeper_on: bool


@dataclass(frozen=True)
class Rating:
    """The F reply: rated voltage, current, battery voltage and frequency (None if ``@``)."""

    voltage: float | None
    current: float | None
    battery_voltage: float | None
    frequency: float | None


@dataclass(frozen=True)
class Info:
    """The I reply: company, model and firmware version, with padding stripped."""

    company: str
    model: str
    version: str


def is_echo(command: bytes, reply: bytes) -> bool:
    """True when ``reply`` is ``command`` echoed back (the UPS does not support it)."""
    return reply.rstrip(TERMINATOR) == command.rstrip(TERMINATOR)


def _line(reply: bytes, command: bytes, lead: str) -> str:
    """The reply as text without its CR; reject echoes, bad framing and non-ASCII."""
    if is_echo(command, reply):
        name = command.rstrip(TERMINATOR).decode("ascii")
        raise ProtocolError(f"UPS echoed {name!r}: command not supported")
    if len(reply) > _MAX_REPLY:
        raise ProtocolError(f"reply too long ({len(reply)} bytes)")
    if not reply.endswith(TERMINATOR):
        raise ProtocolError(f"reply not terminated by CR: {reply!r}")
    try:
        text = reply[:-1].decode("ascii")
    except UnicodeDecodeError as err:
        raise ProtocolError(f"non-ASCII reply: {reply!r}") from err
    if not text.startswith(lead) or not text.isprintable():
        raise ProtocolError(f"reply does not start with {lead!r}: {reply!r}")
    return text


def _number(token: str, what: str) -> float | None:
    """A decimal field, or None when filled with ``@``."""
    if _NUMBER.fullmatch(token):
        return float(token)
    if _UNAVAILABLE.fullmatch(token):
        return None
    raise ProtocolError(f"{what}: not a number: {token!r}")


def parse_q1(reply: bytes) -> Q1Status:
    """Parse ``b"(226.0 195.0 226.0 014 49.0 27.5 30.0 00001000\\r"``; ProtocolError otherwise."""
    fields = _line(reply, QUERY_STATUS, "(")[1:].split(" ")
    if len(fields) != 8:
        raise ProtocolError(f"Q1: expected 8 fields, got {len(fields)}: {reply!r}")
    names = (
        "input voltage",
        "input fault voltage",
        "output voltage",
        "load",
        "input frequency",
        "battery voltage",
        "temperature",
    )
    values = [_number(tok, name) for tok, name in zip(fields[:7], names, strict=True)]
    flags = fields[7]
    if not _FLAGS.fullmatch(flags):
        raise ProtocolError(f"Q1: status bits must be eight 0/1: {flags!r}")
    b = [c == "1" for c in flags]
    return Q1Status(
        input_voltage=values[0],
        input_fault_voltage=values[1],
        output_voltage=values[2],
        load=values[3],
        input_frequency=values[4],
        battery_voltage=values[5],
        temperature=values[6],
        utility_fail=b[0],
        battery_low=b[1],
        bypass_boost_buck=b[2],
        ups_failed=b[3],
        standby_type=b[4],
        test_in_progress=b[5],
        shutdown_active=b[6],
        beeper_on=b[7],
    )


def parse_rating(reply: bytes) -> Rating:
    """Parse the F reply ``b"#220.0 000 024.0 50.0\\r"``; ProtocolError otherwise."""
    fields = _line(reply, QUERY_RATING, "#")[1:].split(" ")
    if len(fields) != 4:
        raise ProtocolError(f"F: expected 4 fields, got {len(fields)}: {reply!r}")
    names = ("rated voltage", "rated current", "rated battery voltage", "rated frequency")
    values = [_number(tok, name) for tok, name in zip(fields, names, strict=True)]
    return Rating(*values)


def parse_info(reply: bytes) -> Info:
    """Parse the I reply (fixed columns 15/10/10 after ``#``); ProtocolError otherwise."""
    text = _line(reply, QUERY_INFO, "#")
    # '#' + company(15) + ' ' + model(10) + ' ' + version(10) = 38 characters.
    if not 28 < len(text) <= 38 or text[16] != " " or text[27] != " ":
        raise ProtocolError(f"I: fields not at columns 1/17/28 of 38: {reply!r}")
    return Info(text[1:16].strip(), text[17:27].strip(), text[28:38].strip())


def status_tokens(q1: Q1Status) -> tuple[str, ...]:
    """NUT ``ups.status`` tokens, as ``blazer_process_status_bits`` (nutdrv_qx) derives them.

    b7 -> OB else OL; b6 -> LB; b5 -> TRIM/BYPASS/BOOST by output/input voltage ratio (<0.95,
    <1.05, <1.5; below 0.5 or from 1.5 no token); b2 -> CAL; b1 -> FSD. NUT's ``status_commit``
    prefixes ``ALARM`` while an alarm (b4, "UPS selftest failed!") is set.
    """
    tokens = ["ALARM"] if q1.ups_failed else []
    tokens.append("OB" if q1.utility_fail else "OL")
    if q1.battery_low:
        tokens.append("LB")
    if q1.bypass_boost_buck and q1.input_voltage and q1.output_voltage is not None:
        ratio = q1.output_voltage / q1.input_voltage
        if 0.5 <= ratio < 0.95:
            tokens.append("TRIM")
        elif 0.95 <= ratio < 1.05:
            tokens.append("BYPASS")
        elif 1.05 <= ratio < 1.5:
            tokens.append("BOOST")
    if q1.test_in_progress:
        tokens.append("CAL")
    if q1.shutdown_active:
        tokens.append("FSD")
    return tuple(tokens)


def q1_variables(q1: Q1Status) -> dict[str, str]:
    """The NUT variables a Q1 reply yields (formats as in NUT's blazer status table)."""
    out: dict[str, str] = {"ups.status": " ".join(status_tokens(q1))}
    table = (
        ("input.voltage", q1.input_voltage, "{:.1f}"),
        ("input.voltage.fault", q1.input_fault_voltage, "{:.1f}"),
        ("output.voltage", q1.output_voltage, "{:.1f}"),
        ("ups.load", q1.load, "{:.0f}"),
        ("input.frequency", q1.input_frequency, "{:.1f}"),
        ("battery.voltage", q1.battery_voltage, "{:.2f}"),
        ("ups.temperature", q1.temperature, "{:.1f}"),
    )
    for name, value, fmt in table:
        if value is not None:
            out[name] = fmt.format(value)
    if q1.ups_failed:
        out["ups.alarm"] = "UPS selftest failed!"
    out["ups.type"] = "offline / line interactive" if q1.standby_type else "online"
    out["ups.beeper.status"] = "enabled" if q1.beeper_on else "disabled"
    return out


# Battery charge, guessed from the battery voltage the way NUT does when the UPS reports no charge
# (networkupstools/nut drivers/nutdrv_qx.c qx_initbattery, drivers/blazer.c blazer_initbattery and
# blazer_packs; docs/man/blazer-common.txt "battery.voltage.high/low"):
#   packs = the largest multiplier in _PACKS with 0.8*nominal <= packs*V <= 1.2*nominal, else 1
#           (per-cell readings like 2.27 V on a 24 V unit give 12); NUT picks it once, at start
#   battery.voltage.low  = 104 * nominal / 120
#   battery.voltage.high = 130 * nominal / 120
#   battery.charge       = 100 * (packs*V - low) / (high - low), clamped to 0..100
# The result is an estimate, never a measurement.
_PACKS = tuple(float(n) for n in "120 100 80 60 48 36 30 24 18 12 8 6 4 3 2 1 0.5".split())


def battery_packs(battery_voltage: float, nominal: float) -> float:
    """NUT's battery-pack multiplier autodetection (1 when it cannot tell)."""
    for packs in _PACKS:
        if packs * battery_voltage > 1.2 * nominal:
            continue
        if packs * battery_voltage < 0.8 * nominal:
            break
        return packs
    return 1.0


def battery_limits(nominal: float) -> tuple[float, float]:
    """NUT's guessed (battery.voltage.low, battery.voltage.high) for a nominal voltage."""
    return 104.0 * nominal / 120.0, 130.0 * nominal / 120.0


def estimate_charge(
    battery_voltage: float | None, rating: Rating | None, packs: float | None = None
) -> float | None:
    """Estimated battery charge in percent (None without a voltage or a nominal voltage)."""
    if battery_voltage is None or rating is None or not rating.battery_voltage:
        return None
    nominal = rating.battery_voltage
    if packs is None:
        packs = battery_packs(battery_voltage, nominal)
    low, high = battery_limits(nominal)
    charge = 100.0 * (packs * battery_voltage - low) / (high - low)
    return round(min(100.0, max(0.0, charge)), 1)
