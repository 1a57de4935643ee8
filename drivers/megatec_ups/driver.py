"""The Megatec Q1 UPS device over any byte-stream transport (serial line, pty, TCP, unix socket)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from hubd.classes.ups.contract import UpsDevice, UpsReading
from hubd.driver_api import ProtocolError, TransportError, TransportTimeout, open_transport
from kioskhub.drivers.megatec_ups import protocol
from kioskhub.drivers.megatec_ups.protocol import Info, Q1Status, Rating

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0
# F / I are asked at most this often when they fail (no reply, junk), like NUT's MAXTRIES;
# an echo means "not supported" and is never asked again.
MAX_TRIES = 3

_T = TypeVar("_T")



class MegatecUps(UpsDevice):
    """A Megatec "Q1" UPS: polls Q1; reads the rating (F) and model (I) once and caches them."""

    DEFAULT_TIMEOUT = DEFAULT_TIMEOUT

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        self._transport = open_transport(url)
        self._rating: Rating | None = None
        self._info: Info | None = None
        self._tries: dict[bytes, int] = {protocol.QUERY_RATING: 0, protocol.QUERY_INFO: 0}
        self._packs: float | None = None
        self._stale = False  # a request was cancelled: its reply may still arrive

    async def read(self) -> UpsReading:
        """Poll Q1 once; raise TransportError/TransportTimeout/ProtocolError, never partial data."""
        if self._stale:  # start on a fresh link so a late reply is not taken for this one
            self._stale = False
            await self._transport.close()
        q1 = await self._query(protocol.QUERY_STATUS, protocol.parse_q1)
        await self._identify()
        return self._reading(q1)

    async def close(self) -> None:
        """Close the transport; the next read reopens it."""
        await self._transport.close()

    def describe(self) -> str:
        """Company, model and firmware from the I reply, once read ("" before)."""
        if self._info is None:
            return ""
        text = " ".join(p for p in (self._info.company, self._info.model) if p)
        return f"{text} (firmware {self._info.version})" if self._info.version else text

    async def _request(self, command: bytes) -> bytes:
        """Send one command and read its CR-terminated reply; close the link on failure."""
        try:
            return await self._transport.request(
                command, until=protocol.TERMINATOR, timeout=self.timeout
            )
        except TransportError:
            await self._transport.close()
            raise
        except asyncio.CancelledError:  # e.g. the supervisor's deadline
            self._stale = True
            raise

    async def _query(self, command: bytes, parse: Callable[[bytes], _T]) -> _T:
        """Request and parse; on junk close the link too, so the next poll starts clean."""
        reply = await self._request(command)
        try:
            return parse(reply)
        except ProtocolError:
            await self._transport.close()
            raise

    async def _identify(self) -> None:
        """Ask one missing question (F, then I) per poll, so a poll costs at most two timeouts.

        Each is asked until answered, echoed (unsupported) or MAX_TRIES attempts; an attempt
        counts before it is made, so a read cancelled by a caller's deadline counts too.
        """
        for command, tries in list(self._tries.items()):
            if tries >= MAX_TRIES:
                log.info("%s: no usable reply to %r after %d tries", self.id, command, tries)
                del self._tries[command]
                continue
            self._tries[command] = tries + 1
            try:
                reply = await self._request(command)
                if protocol.is_echo(command, reply):
                    log.info("%s: the UPS does not support %r (echoed)", self.id, command)
                elif command == protocol.QUERY_RATING:
                    self._rating = protocol.parse_rating(reply)
                else:
                    self._info = protocol.parse_info(reply)
                    log.info("%s: %s", self.id, self.describe())
            except (ProtocolError, TransportTimeout) as err:
                if isinstance(err, ProtocolError):
                    await self._transport.close()
                log.debug("%s: %r failed (%s); will ask again", self.id, command, err)
                return
            del self._tries[command]
            return

    def _reading(self, q1: Q1Status) -> UpsReading:
        """Build the reading from a Q1 reply plus the cached rating and info."""
        variables = protocol.q1_variables(q1)
        rating, info = self._rating, self._info
        nominal = rating.battery_voltage if rating else None
        if nominal and q1.battery_voltage is not None and self._packs is None:
            self._packs = protocol.battery_packs(q1.battery_voltage, nominal)
        charge = protocol.estimate_charge(q1.battery_voltage, rating, self._packs)
        if rating is not None:
            for name, value, fmt in (
                ("input.voltage.nominal", rating.voltage, "{:.0f}"),
                ("input.current.nominal", rating.current, "{:.1f}"),
                ("battery.voltage.nominal", rating.battery_voltage, "{:.1f}"),
                ("input.frequency.nominal", rating.frequency, "{:.0f}"),
            ):
                if value is not None:
                    variables[name] = fmt.format(value)
        if charge is not None and nominal:
            low, high = protocol.battery_limits(nominal)
            variables["battery.voltage.low"] = f"{low:.2f}"
            variables["battery.voltage.high"] = f"{high:.2f}"
            variables["battery.charge"] = f"{charge:.0f}"
        if info is not None:
            variables.update(
                {"ups.mfr": info.company, "ups.model": info.model, "ups.firmware": info.version}
            )
        return UpsReading(
            status=protocol.status_tokens(q1),
            battery_charge=charge,
            battery_charge_estimated=charge is not None,
            battery_voltage=q1.battery_voltage,
            input_voltage=q1.input_voltage,
            output_voltage=q1.output_voltage,
            input_frequency=q1.input_frequency,
            load=q1.load,
            temperature=q1.temperature,
            model=info.model if info else "",
            variables=variables,
        )
