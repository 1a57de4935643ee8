"""A UPS watched through NUT's ``upsd`` (``nut://UPSNAME@HOST:PORT``), over a hubd TCP transport."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubd.classes.ups.contract import UpsDevice, UpsReading
from hubd.driver_api import (
    DeviceUnavailable,
    HubError,
    InvalidArgument,
    Option,
    ParsedUrl,
    ProtocolError,
    StatusSource,
    Transport,
    TransportError,
    open_transport,
)
from kioskhub.drivers.nut import protocol

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# ups.status tokens that say nothing about line/battery state yet.
_NOT_YET = {"WAIT"}


@dataclass(frozen=True)
class NutTarget:
    """Where a NUT UPS lives: its upsd name, host and port."""

    ups: str
    host: str
    port: int

    def transport_url(self, timeout: float) -> str:
        """The ``tcp://`` URL of the upsd serving this UPS."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}?timeout={timeout:g}"


def parse_url(url: str) -> NutTarget:
    """Split ``nut://UPSNAME@HOST[:PORT]`` (NUT's own ``ups@host`` form); bad URLs are INVALID_ARGUMENT."""
    parsed = ParsedUrl(url)
    if parsed.scheme != "nut":
        raise InvalidArgument("url", f"{url!r}: the nut driver takes nut://UPSNAME@HOST:PORT")
    if not parsed.username or not parsed.host:
        raise InvalidArgument("url", f"{url!r}: needs a UPS name and a host (nut://ups@host)")
    if parsed.path not in ("", "/"):
        raise InvalidArgument("url", f"{url!r}: unexpected path {parsed.path!r}")
    protocol.encode_list_var(parsed.username)  # raises InvalidArgument for a bad UPS name
    return NutTarget(parsed.username, parsed.host, parsed.port or protocol.DEFAULT_PORT)


def _option_str(options: Mapping[str, Any], key: str) -> str | None:
    value = options.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"options.{key}", "must be a non-empty string")
    return value



def _number(variables: Mapping[str, str], name: str) -> float | None:
    """A NUT numeric variable ('.' decimal, no exponent), or None when absent or not a number."""
    raw = variables.get(name)
    if raw is None:
        return None
    if not _NUMBER.fullmatch(raw.strip()):
        log.debug("NUT variable %s=%r is not a number; ignored", name, raw)
        return None
    return float(raw)


def reading_from(variables: Mapping[str, str], ups: str = "") -> UpsReading:
    """A ``UpsReading`` from ``LIST VAR`` variables; no usable ``ups.status`` is STATUS_UNKNOWN."""
    status = tuple(variables.get("ups.status", "").split())
    if not status or _NOT_YET.intersection(status):
        raise DeviceUnavailable(
            f"upsd has no status for UPS {ups!r} yet (ups.status={variables.get('ups.status')!r})",
            reason="STATUS_UNKNOWN",
            metadata={"nutStatus": variables.get("ups.status", "")},
        )
    model = (variables.get("ups.model") or variables.get("device.model") or "").strip()
    return UpsReading(
        status=status,
        battery_charge=_number(variables, "battery.charge"),
        battery_runtime=_number(variables, "battery.runtime"),
        battery_voltage=_number(variables, "battery.voltage"),
        input_voltage=_number(variables, "input.voltage"),
        output_voltage=_number(variables, "output.voltage"),
        input_frequency=_number(variables, "input.frequency"),
        load=_number(variables, "ups.load"),
        temperature=_number(variables, "ups.temperature"),
        model=model,
        variables=dict(variables),
    )


class NutUps(UpsDevice):
    """A UPS served by NUT ``upsd``: each read is one ``LIST VAR`` on a kept-open connection."""

    status_source = StatusSource.SPOOLER
    DEFAULT_TIMEOUT = DEFAULT_TIMEOUT
    OPTIONS = {
        "username": Option(str, None, "upsd user (upsd.users) to log in as"),
        "password": Option(str, None, "that user's password (prefer password_file)"),
        "password_file": Option(str, None, "a file holding the password (readable by hubd only)"),
    }

    def __init__(self, device_id: str, url: str, options: Mapping[str, Any] | None = None,
                 *, timeout: float | None = None) -> None:
        if timeout is None:
            timeout = ParsedUrl(url).number("timeout", DEFAULT_TIMEOUT)
        super().__init__(device_id, url, options, timeout=timeout)
        self.target = parse_url(url)
        self.username = _option_str(self.options, "username")
        password = _option_str(self.options, "password")
        password_file = _option_str(self.options, "password_file")
        if password is not None and password_file is not None:
            raise InvalidArgument("options.password", "give password or password_file, not both")
        if (password or password_file) and not self.username:
            raise InvalidArgument("options.username", "a password needs a username")
        self._password = password
        self._password_file = Path(password_file) if password_file else None
        self._transport: Transport = open_transport(self.target.transport_url(self.timeout))
        self._lock = asyncio.Lock()
        self._reset_link = False
        self._model = ""

    async def read(self) -> UpsReading:
        """``LIST VAR`` once; raise DeviceUnavailable (NUT's ERR token as reason), never partial data."""
        async with self._lock:
            if self._reset_link:  # an exchange was cancelled half-way: its reply may still come
                await self._transport.close()
            self._reset_link = True
            try:
                if not self._transport.is_open:
                    await self._connect()
                variables = await self._list_var()
                self._reset_link = False
            except (TransportError, ProtocolError):
                await self._transport.close()  # resynchronise: the next read reconnects
                self._reset_link = False
                raise
            except DeviceUnavailable:
                self._reset_link = False  # a clean ERR reply: the connection stays usable
                raise
        reading = reading_from(variables, self.target.ups)
        if reading.model != self._model:
            self._model = reading.model
            log.info("%s: %s", self.id, self.describe())
        return reading

    async def close(self) -> None:
        """Close the connection to upsd (without LOGOUT); the next read reconnects."""
        async with self._lock:
            await self._transport.close()

    def describe(self) -> str:
        """Model (once read) and where upsd serves it."""
        where = f"NUT {self.target.ups}@{self.target.host}:{self.target.port}"
        return f"{self._model} ({where})" if self._model else where

    async def _connect(self) -> None:
        """Open the connection and send USERNAME/PASSWORD when configured."""
        await self._transport.open()
        if self.username is None:
            return
        try:
            password = self._password or self._read_password_file()
            await self._expect_ok(protocol.encode_username(self.username))
            if password is not None:
                await self._expect_ok(protocol.encode_password(password))
        except HubError:
            await self._transport.close()  # never keep a half-authenticated connection
            raise

    def _read_password_file(self) -> str | None:
        if self._password_file is None:
            return None
        try:
            return self._password_file.read_text(encoding="utf-8").strip("\r\n")
        except (OSError, UnicodeDecodeError) as err:
            raise DeviceUnavailable(
                f"cannot read the NUT password file {str(self._password_file)!r}: {err}",
                reason="CREDENTIALS_UNREADABLE",
            ) from err

    async def _expect_ok(self, request: bytes) -> None:
        line = await self._transport.request(request, until=protocol.TERMINATOR)
        protocol.expect_ok(line)

    async def _list_var(self) -> dict[str, str]:
        """One ``LIST VAR <ups>`` exchange within one timeout in total."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        collector = protocol.VarList(self.target.ups)
        line = await self._transport.request(
            protocol.encode_list_var(self.target.ups), until=protocol.TERMINATOR
        )
        while not collector.feed(line):
            remaining = max(0.001, deadline - loop.time())
            line = await self._transport.read_until(protocol.TERMINATOR, timeout=remaining)
        return collector.variables
