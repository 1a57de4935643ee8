"""NUT network protocol codec: bytes written by hand from net-protocol.txt (protocols.md §3.2)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubd.device import DeviceClass, StatusSource
from hubd.errors import DeviceUnavailable, InvalidArgument, ProtocolError, TransportTimeout
from kioskhub.drivers.nut import DRIVER, NutUps, protocol
from kioskhub.drivers.nut.driver import parse_url, reading_from
from kioskhub.drivers.nut.protocol import Begin, End, Err, Ok, Ups, Var, VarList

# ---------------------------------------------------------------------------- requests


def test_requests_are_newline_terminated_words() -> None:
    assert protocol.encode_list_var("ups") == b"LIST VAR ups\n"
    assert protocol.encode_list_ups() == b"LIST UPS\n"
    assert protocol.encode_get_var("su700", "ups.status") == b"GET VAR su700 ups.status\n"
    assert protocol.encode_username("upsmon") == b"USERNAME upsmon\n"
    assert protocol.encode_password("s3cret") == b"PASSWORD s3cret\n"
    assert protocol.encode_login("ups") == b"LOGIN ups\n"
    assert protocol.LOGOUT == b"LOGOUT\n"
    assert protocol.VER == b"VER\n"


def test_words_with_spaces_quotes_or_backslashes_are_quoted_and_escaped() -> None:
    assert protocol.encode_password("two words") == b'PASSWORD "two words"\n'
    assert protocol.encode_password('say "hi"') == b'PASSWORD "say \\"hi\\""\n'
    assert protocol.encode_password("back\\slash") == b'PASSWORD "back\\\\slash"\n'
    assert protocol.encode_username("") == b'USERNAME ""\n'


@pytest.mark.parametrize("bad", ["a\nLOGOUT", "a\rb", "nul\x00"])
def test_line_breaks_cannot_be_smuggled_into_a_request(bad: str) -> None:
    with pytest.raises(InvalidArgument):
        protocol.encode_password(bad)


@pytest.mark.parametrize("name", ["", "two words", 'q"uote', "tab\there"])
def test_bad_ups_or_var_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidArgument):
        protocol.encode_list_var(name)
    with pytest.raises(InvalidArgument):
        protocol.encode_get_var("ups", name)


# ---------------------------------------------------------------------------- replies


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        (b'VAR ups battery.charge "100"\n', Var("ups", "battery.charge", "100")),
        (b'VAR su700 ups.status "OB LB"\n', Var("su700", "ups.status", "OB LB")),
        (b'VAR ups ups.model "Smart-UPS \\"700\\""\n', Var("ups", "ups.model", 'Smart-UPS "700"')),
        (b'VAR ups x "C:\\\\UPS"\r\n', Var("ups", "x", "C:\\UPS")),
        (b'VAR ups ups.alarm ""\n', Var("ups", "ups.alarm", "")),
        (b'UPS ups "kiosk UPS"\n', Ups("ups", "kiosk UPS")),
        (b"OK\n", Ok("")),
        (b"OK Goodbye\n", Ok("Goodbye")),
        (
            b"OK TRACKING 1bd31808-cb49-4aec-9d75-d056e6f018d2\n",
            Ok("TRACKING 1bd31808-cb49-4aec-9d75-d056e6f018d2"),
        ),
        (b"ERR DATA-STALE\n", Err("DATA-STALE")),
        (b"ERR DRIVER-NOT-CONNECTED\n", Err("DRIVER-NOT-CONNECTED")),
        (b"ERR UNKNOWN-UPS\n", Err("UNKNOWN-UPS")),
        (b"ERR ACCESS-DENIED extra words here\n", Err("ACCESS-DENIED", "extra words here")),
        (b"BEGIN LIST VAR ups\n", Begin(("VAR", "ups"))),
        (b"END LIST VAR ups\n", End(("VAR", "ups"))),
        (b"BEGIN LIST UPS\n", Begin(("UPS",))),
        ('VAR ups ups.model "Kiosk UPS"', Var("ups", "ups.model", "Kiosk UPS")),
    ],
)
def test_reply_lines(line: bytes | str, reply: protocol.Reply) -> None:
    assert protocol.parse_line(line) == reply


@pytest.mark.parametrize(
    "line",
    [
        b"\n",
        b'VAR ups battery.charge "100\n',  # unterminated quote
        b'VAR ups battery.charge "100"x\n',  # text glued to the closing quote
        b"VAR ups battery.charge\n",  # no value
        b'VAR ups a b "c"\n',  # one word too many
        b"ERR\n",
        b"ERR data-stale\n",  # tokens are upper case
        b"BEGIN VAR ups\n",
        b"Goodbye...\n",
        b'VAR ups x "a\\\n',  # dangling backslash
        b'VAR ups x "a\x00b"\n',
        b'VAR ups x "a\rb"\n',
        b'VAR ups x ab"c"\n',  # quote inside a bare word
    ],
)
def test_junk_is_a_protocol_error(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_line(line)


def test_non_utf8_device_strings_still_parse() -> None:
    assert protocol.parse_line(b'VAR ups ups.mfr "Caf\xe9"\n') == Var("ups", "ups.mfr", "Café")


def test_free_text_replies() -> None:
    line = b"Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/\n"
    assert protocol.parse_text(line).startswith("Network UPS Tools upsd 2.8.0")
    assert protocol.parse_text(b"1.3\n") == "1.3"
    with pytest.raises(DeviceUnavailable) as info:
        protocol.parse_text(b"ERR UNKNOWN-COMMAND\n")
    assert info.value.reason == "UNKNOWN_COMMAND"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("DATA-STALE", "DATA_STALE"),
        ("DRIVER-NOT-CONNECTED", "DRIVER_NOT_CONNECTED"),
        ("UNKNOWN-UPS", "UNKNOWN_UPS"),
    ],
)
def test_err_maps_to_device_unavailable_with_the_nut_token(token: str, reason: str) -> None:
    err = protocol.error_for(Err(token), "ups")
    assert type(err) is DeviceUnavailable
    assert err.reason == reason
    assert err.metadata == {"nutError": token}
    assert re.fullmatch(r"[A-Z0-9_]+", err.reason)


def test_var_list_collects_a_framed_reply() -> None:
    collector = VarList("ups")
    lines = [
        b"BEGIN LIST VAR ups\n",
        b'VAR ups battery.charge "100"\n',
        b'VAR ups ups.status "OL CHRG"\n',
        b"END LIST VAR ups\n",
    ]
    assert [collector.feed(line) for line in lines] == [False, False, False, True]
    assert collector.variables == {"battery.charge": "100", "ups.status": "OL CHRG"}


@pytest.mark.parametrize(
    "lines",
    [
        [b"BEGIN LIST VAR other\n"],
        [b'VAR ups ups.status "OL"\n'],
        [b"BEGIN LIST VAR ups\n", b'VAR other ups.status "OL"\n'],
        [b"BEGIN LIST VAR ups\n", b"END LIST VAR other\n"],
        [b"BEGIN LIST VAR ups\n", b"OK\n"],
    ],
)
def test_var_list_refuses_a_misframed_reply(lines: list[bytes]) -> None:
    collector = VarList("ups")
    with pytest.raises(ProtocolError):
        for line in lines:
            collector.feed(line)


def test_var_list_err_first_line_raises_the_nut_error() -> None:
    with pytest.raises(DeviceUnavailable) as info:
        VarList("ups").feed(b"ERR DRIVER-NOT-CONNECTED\n")
    assert info.value.reason == "DRIVER_NOT_CONNECTED"
    assert not isinstance(info.value, ProtocolError)


# ---------------------------------------------------------------------------- properties

_value = st.text(
    alphabet=st.characters(exclude_characters="\x00\r\n", exclude_categories=["Cs"]),
    max_size=40,
)


@given(st.binary(max_size=200))
def test_any_bytes_parse_or_raise_protocol_error(data: bytes) -> None:
    try:
        reply = protocol.parse_line(data)
    except ProtocolError:
        return
    assert isinstance(reply, Var | Ups | Ok | Err | Begin | End)


@given(st.binary(max_size=200))
def test_any_bytes_into_a_var_list_parse_or_raise(data: bytes) -> None:
    collector = VarList("ups")
    try:
        for line in [b"BEGIN LIST VAR ups\n", *data.split(b"\n")]:
            collector.feed(line)
    except DeviceUnavailable:  # ProtocolError, or the ERR a line carried
        pass


@given(_value)
def test_quoted_values_round_trip(value: str) -> None:
    # The server side quoting, done here by hand: backslash and quote get a backslash.
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    line = f'VAR ups ups.model "{escaped}"\n'.encode()
    assert protocol.parse_line(line) == Var("ups", "ups.model", value)


@given(_value)
def test_our_quoting_is_read_back_by_the_parser(value: str) -> None:
    line = protocol.encode_password(value)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    words = protocol.split_words(line)
    assert words == ["PASSWORD", value]


# ---------------------------------------------------------------------------- driver pieces


def test_url_is_nut_ups_at_host_port() -> None:
    target = parse_url("nut://su700@192.0.2.7:3500")
    assert (target.ups, target.host, target.port) == ("su700", "192.0.2.7", 3500)
    assert parse_url("nut://ups@127.0.0.1").port == 3493
    assert parse_url("nut://ups@[::1]:3493").transport_url(2.0) == "tcp://[::1]:3493?timeout=2"


@pytest.mark.parametrize(
    "url",
    [
        "nut://127.0.0.1:3493",
        "tcp://ups@127.0.0.1:3493",
        "nut://ups@host:99999",
        "nut://ups@127.0.0.1:3493/x",
    ],
)
def test_bad_urls_are_invalid_arguments(url: str) -> None:
    with pytest.raises(InvalidArgument):
        parse_url(url)


def test_options_are_checked() -> None:
    with pytest.raises(InvalidArgument):
        NutUps("u", "nut://ups@127.0.0.1", {"password": "x"})  # no username
    with pytest.raises(InvalidArgument):
        NutUps(
            "u", "nut://ups@127.0.0.1", {"username": "a", "password": "x", "password_file": "/nonexistent"}
        )
    with pytest.raises(InvalidArgument):
        NutUps("u", "nut://ups@127.0.0.1", timeout="soon")


def test_driver_info() -> None:
    assert DRIVER.name == "nut" and DRIVER.device_class is DeviceClass.UPS
    assert DRIVER.schemes == frozenset({"nut"})
    assert parse_url(DRIVER.default_url).port == 3493
    assert NutUps.status_source is StatusSource.SPOOLER


def test_reading_keeps_nut_names_and_units() -> None:
    variables = {
        "ups.status": "OB LB DISCHRG",
        "battery.charge": "9",
        "battery.runtime": "120",
        "battery.voltage": "11.2",
        "input.voltage": "0.0",
        "output.voltage": "229.5",
        "input.frequency": "49.9",
        "ups.load": "35",
        "ups.temperature": "-4.5",
        "device.model": "Back-UPS 600",
    }
    r = reading_from(variables)
    assert r.status == ("OB", "LB", "DISCHRG") and r.on_battery and r.low_battery
    assert (r.battery_charge, r.battery_runtime, r.battery_voltage) == (9, 120, 11.2)
    assert (r.input_voltage, r.output_voltage, r.input_frequency) == (0, 229.5, 49.9)
    assert (r.load, r.temperature, r.model) == (35, -4.5, "Back-UPS 600")
    assert r.variables == variables


def test_non_numbers_are_left_out_not_guessed() -> None:
    r = reading_from({"ups.status": "OL", "battery.charge": "nan", "ups.load": "1e3"})
    assert r.battery_charge is None and r.load is None


@pytest.mark.parametrize("status", ["WAIT", "", None])
def test_wait_or_missing_status_is_unknown_not_ok(status: str | None) -> None:
    variables = {"battery.charge": "100"} if status is None else {"ups.status": status}
    with pytest.raises(DeviceUnavailable) as info:
        reading_from(variables)
    assert info.value.reason == "STATUS_UNKNOWN"


# ---------------------------------------------------------------------------- driver over a scripted peer
# A loopback TCP peer answering with hand-written upsd bytes: checks what the driver sends, and
# that it reconnects after junk or a cancelled exchange (the real upsd is in tests/stacks/).

LIST_OK = b'BEGIN LIST VAR ups\nVAR ups battery.charge "87"\nVAR ups ups.status "OL"\nEND LIST VAR ups\n'


Respond = Callable[[int, bytes], bytes]  # (connection number, line) -> reply ("" = none)


def scripted(script: dict[bytes, list[bytes]]) -> Respond:
    """Replies by line, in order; the last reply for a line repeats."""

    def respond(_conn: int, line: bytes) -> bytes:
        replies = script.get(line, [b"ERR UNKNOWN-COMMAND\n"])
        return replies.pop(0) if len(replies) > 1 else replies[0]

    return respond


class ScriptedUpsd:
    """A loopback peer that answers each received line with ``respond``; logs lines per connection."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.connections: list[list[bytes]] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> ScriptedUpsd:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"nut://ups@127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen: list[bytes] = []
        self.connections.append(seen)
        conn = len(self.connections) - 1
        try:
            while line := await reader.readline():
                seen.append(line)
                writer.write(self.respond(conn, line))
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


async def test_driver_sends_credentials_once_then_list_var(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("pass word\n")
    script = {
        b"USERNAME mon\n": [b"OK\n"],
        b'PASSWORD "pass word"\n': [b"OK\n"],
        b"LIST VAR ups\n": [LIST_OK],
    }
    async with ScriptedUpsd(scripted(script)) as peer:
        dev = NutUps("u", peer.url, {"username": "mon", "password_file": str(secret)})
        try:
            assert (await dev.read()).battery_charge == 87
            assert (await dev.read()).status == ("OL",)
        finally:
            await dev.close()
    assert peer.connections == [
        [b"USERNAME mon\n", b'PASSWORD "pass word"\n', b"LIST VAR ups\n", b"LIST VAR ups\n"]
    ]


async def test_driver_reconnects_after_junk() -> None:
    script = {b"LIST VAR ups\n": [b"BEGIN LIST VAR ups\nGARBAGE\n", LIST_OK]}
    async with ScriptedUpsd(scripted(script)) as peer:
        dev = NutUps("u", peer.url)
        try:
            with pytest.raises(ProtocolError):
                await dev.read()
            assert (await dev.read()).status == ("OL",)
        finally:
            await dev.close()
    assert len(peer.connections) == 2


async def test_err_reply_keeps_the_connection() -> None:
    script = {b"LIST VAR ups\n": [b"ERR DATA-STALE\n", LIST_OK]}
    async with ScriptedUpsd(scripted(script)) as peer:
        dev = NutUps("u", peer.url)
        try:
            with pytest.raises(DeviceUnavailable) as info:
                await dev.read()
            assert info.value.reason == "DATA_STALE"
            assert (await dev.read()).status == ("OL",)
        finally:
            await dev.close()
    assert len(peer.connections) == 1


async def test_a_cancelled_read_does_not_desynchronise_the_next() -> None:
    # Connection 0 sends half a list, and the rest only with the reply to the next request
    # (a slow upsd); a driver reusing that connection would read the stale tail.
    first = [True]

    def respond(conn: int, line: bytes) -> bytes:
        if conn > 0:
            return LIST_OK
        if first.pop() if first else False:
            return b"BEGIN LIST VAR ups\n"
        return b'VAR ups ups.status "OB"\nEND LIST VAR ups\n' + LIST_OK

    async with ScriptedUpsd(respond) as peer:
        dev = NutUps("u", peer.url, timeout=5)
        try:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(dev.read(), 0.3)
            assert (await dev.read()).status == ("OL",)
        finally:
            await dev.close()
    assert len(peer.connections) == 2


async def test_timeout_is_a_transport_timeout() -> None:
    async with ScriptedUpsd(lambda _conn, _line: b"") as peer:
        dev = NutUps("u", peer.url, timeout=0.2)
        try:
            with pytest.raises(TransportTimeout):
                await dev.read()
        finally:
            await dev.close()
