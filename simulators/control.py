"""The text control socket of a simulator, and clients for it.

One command per line (LF-terminated), one reply line per command, ``OK ...`` or ``ERR ...``:

    get                      JSON of the state dataclass     get faults   JSON of the fault switches
    set KEY VALUE            set a state field (typed by the dataclass: bool on/off, int, float, str;
                             ``none`` for optional fields)
    unplug | replug          go silent / answer again
    fault garbage on|off     reply junk instead of answers
    fault delay SECONDS      wait before each reply (slow link)
    help                     list the commands (plus the simulator's own, e.g. ``on_battery on``)
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import socket
import types
import typing
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from kioskhub.simulators.base import Simulator

log = logging.getLogger(__name__)

_TRUE = {"on", "true", "1", "yes"}
_FALSE = {"off", "false", "0", "no"}
_NONE = {"none", "null", "@"}
_HELP = "get [faults]; set KEY VALUE; unplug; replug; fault garbage on|off; fault delay SECONDS; help"


class CommandError(ValueError):
    """A control command was malformed; the message becomes the ``ERR`` reply."""


def parse_bool(word: str) -> bool:
    """``on``/``off`` (also true/false, 1/0, yes/no)."""
    low = word.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise CommandError(f"expected on or off, got {word!r}")


def one_arg(args: list[str]) -> str:
    """The one argument of a command; CommandError if there are none or more."""
    if len(args) != 1:
        raise CommandError("expected one argument")
    return args[0]


def _convert(hint: Any, raw: str) -> Any:
    """``raw`` converted to the type hint of a state field."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if type(None) in args and raw.lower() in _NONE:
            return None
        (hint,) = [a for a in args if a is not type(None)] or [str]
    if hint is bool:
        return parse_bool(raw)
    try:
        if hint is int:
            return int(raw)
        if hint is float:
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
    except ValueError as err:
        raise CommandError(f"not a {hint.__name__}: {raw!r}") from err
    if hint is str:
        return raw
    raise CommandError(f"cannot set a field of type {hint!r}")


def set_field(state: Any, key: str, raw: str) -> Any:
    """Set ``state.key`` from text, typed by the dataclass field; return the new value."""
    if not dataclasses.is_dataclass(state):
        raise CommandError("this simulator has no settable state")
    hints = typing.get_type_hints(type(state))
    names = [f.name for f in dataclasses.fields(state)]
    if key not in names:
        raise CommandError(f"unknown key {key!r} (keys: {', '.join(names)})")
    value = _convert(hints[key], raw)
    setattr(state, key, value)
    return value


def execute(sim: Simulator, line: str) -> str:
    """Run one control command against ``sim``; return the one-line reply."""
    words = line.split()
    if not words:
        return "ERR empty command (try help)"
    cmd, args = words[0].lower(), words[1:]
    try:
        if cmd == "get" and args in ([], ["state"]):
            return "OK " + json.dumps(sim.snapshot(), sort_keys=True)
        if cmd == "get" and args == ["faults"]:
            return "OK " + json.dumps(sim.faults(), sort_keys=True)
        if cmd == "set" and len(args) >= 2:
            sim.refresh()
            value = set_field(sim.state, args[0], line.split(None, 2)[2].strip())
            return f"OK {args[0]}={json.dumps(value)}"
        if cmd in ("unplug", "replug") and not args:
            if cmd == "unplug":
                sim.unplug()
            else:
                sim.replug()
            return f"OK {cmd}ged"
        if cmd == "fault" and len(args) == 2 and args[0] == "garbage":
            sim.garbage = parse_bool(args[1])
            return f"OK garbage {'on' if sim.garbage else 'off'}"
        if cmd == "fault" and len(args) == 2 and args[0] == "delay":
            delay = _convert(float, args[1])
            if not 0 <= delay <= 3600:
                raise CommandError("delay must be 0..3600 seconds")
            sim.delay = delay
            return f"OK delay {delay}"
        extra = sim.control_commands()
        if cmd == "help":
            own = "; ".join(text for text, _ in extra.values())
            return f"OK {_HELP}" + (f"; {own}" if own else "")
        if cmd in extra:
            return "OK " + str(extra[cmd][1](args))
    except CommandError as err:
        return f"ERR {err}"
    return f"ERR bad command {line.strip()!r} (try help)"


async def handle_control(sim: Simulator, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Serve one control connection: a reply line for every command line."""
    try:
        while line := await reader.readline():
            text = line.decode("utf-8", "replace").strip()
            reply = execute(sim, text)
            log.info("control %r -> %s", text, reply[:80])
            writer.write(reply.encode() + b"\n")
            await writer.drain()
    except (OSError, ValueError) as err:  # ValueError: a line over the stream limit
        log.debug("control connection ended: %s", err)
    finally:
        writer.close()


def _address(url: str) -> tuple[int, Any]:
    """(socket family, address) for a tcp://host:port or unix:///path control URL."""
    parts = urlsplit(url)
    if parts.scheme == "tcp" and parts.hostname and parts.port is not None:
        return socket.AF_INET, (parts.hostname, parts.port)
    if parts.scheme == "unix" and parts.path:
        return socket.AF_UNIX, parts.path
    raise ValueError(f"control URL must be tcp://127.0.0.1:PORT or unix:///path, got {url!r}")


async def send_control(url: str, command: str, timeout: float = 5.0) -> str:
    """Send one command to a control socket and return its reply line (async)."""
    family, address = _address(url)
    if family == socket.AF_UNIX:
        conn = asyncio.open_unix_connection(address)
    else:
        conn = asyncio.open_connection(*address)
    reader, writer = await asyncio.wait_for(conn, timeout)
    try:
        writer.write(command.strip().encode() + b"\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
    finally:
        writer.close()
    return line.decode("utf-8", "replace").rstrip("\r\n")


def control(url: str, command: str, timeout: float = 5.0) -> str:
    """Send one command to a control socket and return its reply line (blocking)."""
    family, address = _address(url)
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.sendall(command.strip().encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode("utf-8", "replace").rstrip("\r\n")
