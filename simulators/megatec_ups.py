"""A Megatec "Q1" UPS: a 600 VA, 24 V line-interactive unit on 230 V / 50 Hz mains.

Written from the Megatec protocol v2.7 (networkupstools/nut-website ``protocols/megatec.txt``):
2400 8N1, the host sends ``<command><CR>``, the UPS answers one CR-terminated line or acts silently;
unknown commands are echoed back; unavailable fields are filled with ``@``.

    Q1   -> (MMM.M NNN.N PPP.P QQQ RR.R SS.S TT.T b7b6b5b4b3b2b1b0     status
    F    -> #MMM.M QQQ SS.SS RR.R                                     rating
    I    -> #<company 15> <model 10> <version 10>                     information
    T, TL, T<nn>, CT    battery test 10 s / until low / nn minutes / cancel (no reply)
    Q                   toggle the beeper (no reply)
    S<n>, S<n>R<mmmm>   output off in n minutes (.2-.9, 01-10), back on after m minutes
    C                   cancel the shutdown, or switch the output back on (no reply)
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from kioskhub.simulators.base import LineSimulator
from kioskhub.simulators.control import CommandError, one_arg, parse_bool

log = logging.getLogger(__name__)

_TEST_MINUTES = re.compile(rb"T(\d\d)")
_SHUTDOWN = re.compile(rb"S(\.[2-9]|0[1-9]|10)(?:R(\d{4}))?")


@dataclass
class MegatecUpsState:
    """What the UPS reports and how it behaves; None fields are sent as ``@``."""

    input_voltage: float | None = 229.8
    input_fault_voltage: float | None = 229.8
    output_voltage: float | None = 229.8
    load: int | None = 18
    input_frequency: float | None = 50.0
    battery_voltage: float | None = 27.4
    temperature: float | None = 31.0
    utility_fail: bool = False
    battery_low: bool = False
    bypass_boost_buck: bool = False
    ups_failed: bool = False
    standby_type: bool = True
    test_in_progress: bool = False
    shutdown_active: bool = False
    beeper_on: bool = True
    output_on: bool = True
    rated_voltage: float = 230.0
    rated_current: int = 3
    rated_battery_voltage: float = 24.0
    rated_frequency: float = 50.0
    company: str = "KIOSKHUB-SIM"
    model: str = "LI-600VA"
    version: str = "SIM-1.0"
    mains_voltage: float = 229.8
    float_voltage: float = 27.4
    discharge_rate: float = 0.02
    low_voltage: float = 22.0


def _field(value: float | None, width: int, decimals: int) -> str:
    """A fixed-width decimal field, or ``@`` fill when unavailable."""
    if value is None:
        return "@" * width
    return f"{max(0.0, value):0{width}.{decimals}f}"


class MegatecUpsSim(LineSimulator):
    """A Megatec Q1 UPS on a serial line (pty), TCP or a unix socket."""

    name: ClassVar[str] = "megatec_ups"
    description: ClassVar[str] = "Megatec Q1 UPS (600 VA, 24 V line-interactive, 230 V mains)"
    default_query: ClassVar[str] = "baudrate=2400"
    terminator: ClassVar[bytes] = b"\r"
    state: MegatecUpsState

    def __init__(self, state: MegatecUpsState | None = None, *, seed: int | None = None) -> None:
        super().__init__(state, seed=seed)
        self.clock: Callable[[], float] = time.monotonic  # tests may substitute a fake clock
        self._last = self.clock()
        self._timers: dict[str, asyncio.TimerHandle] = {}

    @classmethod
    def default_state(cls) -> MegatecUpsState:
        """A healthy UPS on mains with a charged battery."""
        return MegatecUpsState()

    def q1_reply(self) -> bytes:
        """The Q1 status line."""
        s = self.state
        out_v, load = (s.output_voltage, s.load) if s.output_on else (0.0, 0)
        bits = (s.utility_fail, s.battery_low, s.bypass_boost_buck, s.ups_failed,
                s.standby_type, s.test_in_progress, s.shutdown_active, s.beeper_on)  # fmt: skip
        fields = (
            _field(s.input_voltage, 5, 1),
            _field(s.input_fault_voltage, 5, 1),
            _field(out_v, 5, 1),
            "@@@" if load is None else f"{min(999, max(0, load)):03d}",
            _field(s.input_frequency, 4, 1),
            _field(s.battery_voltage, 4, 1),
            _field(s.temperature, 4, 1),
            "".join("1" if b else "0" for b in bits),
        )
        return ("(" + " ".join(fields) + "\r").encode("ascii")

    def rating_reply(self) -> bytes:
        """The F rating line."""
        s = self.state
        text = (
            f"#{_field(s.rated_voltage, 5, 1)} {s.rated_current:03d} "
            f"{_field(s.rated_battery_voltage, 5, 1)} {_field(s.rated_frequency, 4, 1)}\r"
        )
        return text.encode("ascii")

    def info_reply(self) -> bytes:
        """The I information line (fixed widths 15/10/10)."""
        s = self.state
        text = f"#{s.company[:15]:<15} {s.model[:10]:<10} {s.version[:10]:<10}\r"
        return text.encode("ascii", "replace")

    def on_line(self, line: bytes) -> bytes | None:
        """Answer or act on one command; echo what this UPS does not know."""
        line = line.strip(b"\n")
        if line == b"Q1":
            return self.q1_reply()
        if line == b"F":
            return self.rating_reply()
        if line == b"I":
            return self.info_reply()
        if line in (b"T", b"TL") or (_TEST_MINUTES.fullmatch(line) and line != b"T00"):
            self._start_test(line)
            return None
        if line == b"CT":
            self._end_test()
            return None
        if line == b"Q":
            self.state.beeper_on = not self.state.beeper_on
            return None
        if m := _SHUTDOWN.fullmatch(line):
            self._shutdown(m.group(1), m.group(2))
            return None
        if line == b"C":
            self._cancel_shutdown()
            return None
        return line + self.terminator

    def refresh(self) -> None:
        """Discharge the battery while on battery or testing; flag battery low at low_voltage."""
        now = self.clock()
        elapsed, self._last = max(0.0, now - self._last), now
        s = self.state
        discharging = s.utility_fail or s.test_in_progress
        if not discharging or s.battery_voltage is None:
            return
        s.battery_voltage = round(max(0.0, s.battery_voltage - s.discharge_rate * elapsed), 2)
        if s.battery_voltage <= s.low_voltage:
            if s.utility_fail:
                s.battery_low = True
            elif s.test_in_progress:
                self._end_test()

    def set_on_battery(self, on: bool = True) -> None:
        """Mains fails (utility fail bit, input ~0 V, battery dropping) or comes back."""
        self.refresh()
        s = self.state
        if on:
            s.utility_fail = True
            s.input_voltage = s.input_fault_voltage = s.input_frequency = 0.0
            s.bypass_boost_buck = False
            if s.battery_voltage is not None:
                s.battery_voltage = min(s.battery_voltage, s.float_voltage - 1.6)
        else:
            self.set_mains(s.mains_voltage)
            s.battery_low = False
            s.input_frequency = s.rated_frequency
            s.battery_voltage = s.float_voltage
            if not s.output_on and "restore" not in self._timers:
                self._later("restore", 10.0, self._output_on)

    def set_low_battery(self, on: bool = True) -> None:
        """On battery with the battery nearly empty (battery low bit), or back above the limit."""
        s = self.state
        if on:
            self.set_on_battery(True)
            s.battery_voltage = round(s.low_voltage - 0.4, 2)
            s.battery_low = True
        else:
            s.battery_low = False
            s.battery_voltage = round(s.low_voltage + 2.0, 2)

    def set_mains(self, volts: float) -> None:
        """Mains at ``volts``: AVR boosts below 200 V and trims above 255 V (bypass/boost bit)."""
        s = self.state
        s.utility_fail, s.mains_voltage = False, volts
        s.input_voltage = s.input_fault_voltage = volts
        s.bypass_boost_buck = not 200.0 <= volts <= 255.0
        factor = 1.15 if volts < 200.0 else 0.88 if volts > 255.0 else 1.0
        s.output_voltage = round(volts * factor, 1)

    def control_commands(self) -> dict[str, tuple[str, Any]]:
        """on_battery on|off, low_battery on|off, mains VOLTS."""

        def on_battery(args: list[str]) -> str:
            self.set_on_battery(parse_bool(one_arg(args)))
            return f"on_battery {one_arg(args)}"

        def low_battery(args: list[str]) -> str:
            self.set_low_battery(parse_bool(one_arg(args)))
            return f"low_battery {one_arg(args)}"

        def mains(args: list[str]) -> str:
            try:
                volts = float(one_arg(args))
            except ValueError as err:
                raise CommandError(f"not a voltage: {args[0]!r}") from err
            if not 0 < volts < 400:
                raise CommandError("mains voltage must be in (0, 400)")
            self.set_mains(volts)
            return f"mains {volts}"

        return {
            "on_battery": ("on_battery on|off", on_battery),
            "low_battery": ("low_battery on|off", low_battery),
            "mains": ("mains VOLTS", mains),
        }

    async def stop(self) -> None:
        """Cancel pending test/shutdown timers, then stop serving."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        await super().stop()

    def _later(self, name: str, seconds: float, action: Any) -> None:
        """Run ``action`` after ``seconds`` (replacing a pending timer of the same name)."""
        if old := self._timers.pop(name, None):
            old.cancel()

        def fire() -> None:
            self._timers.pop(name, None)
            self.refresh()
            action()

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called from plain code with no loop: act now
            fire()
            return
        self._timers[name] = loop.call_later(seconds, fire)

    def _start_test(self, line: bytes) -> None:
        """T: 10 s; TL: until battery low; T<nn>: nn minutes. Refused (silently) on battery."""
        if self.state.utility_fail:
            return
        self.state.test_in_progress = True
        if line == b"T":
            self._later("test", 10.0, self._end_test)
        elif line != b"TL":
            self._later("test", 60.0 * int(line[1:]), self._end_test)

    def _end_test(self) -> None:
        """The test ends; the charger tops the battery up again."""
        if handle := self._timers.pop("test", None):
            handle.cancel()
        if self.state.test_in_progress and not self.state.utility_fail:
            self.state.battery_voltage = self.state.float_voltage
        self.state.test_in_progress = False

    def _shutdown(self, delay: bytes, restore: bytes | None) -> None:
        """S<n>[R<m>]: output off in n minutes; back on after m minutes (0000 = stay off)."""
        minutes = float(delay) if delay.startswith(b".") else int(delay)
        self.state.shutdown_active = True
        back = None if restore is None else int(restore)
        self._later("shutdown", 60.0 * minutes, lambda: self._output_off(back))

    def _output_off(self, back_after: int | None) -> None:
        s = self.state
        s.output_on = False
        if back_after is None:  # Sn: back 10 s after the utility returns
            if not s.utility_fail:
                self._later("restore", 10.0, self._output_on)
        elif back_after > 0:
            self._later("restore", 60.0 * back_after, self._output_on)

    def _output_on(self) -> None:
        self.state.output_on = True
        self.state.shutdown_active = False

    def _cancel_shutdown(self) -> None:
        for name in ("shutdown", "restore"):
            if handle := self._timers.pop(name, None):
                handle.cancel()
        self._output_on()
