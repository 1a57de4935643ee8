"""The IPP driver over HTTP when the far end misbehaves: truncated or garbled IPP, HTTP errors,
dropped connections, nobody listening. Each is a clear DeviceUnavailable subclass, never a
bare library exception; IPP error statuses become the hub's errors."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubd.errors import (
    DeviceNotReady,
    DeviceUnavailable,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ProtocolError,
    TransportError,
)
from hubd.stacks.process import free_port
from kioskhub.drivers.ipp import IppPrinter
from tests.fakes.canned_http import CannedHttp

pytestmark = pytest.mark.timeout(30)

# A Get-Printer-Attributes answer written by hand (RFC 8010 §3): successful-ok, printer-state idle,
# printer-state-reasons toner-low-warning, printer-is-accepting-jobs true.
STATUS_ANSWER = (
    b"\x02\x00\x00\x00\x00\x00\x00\x01\x01"
    b"\x47\x00\x12attributes-charset\x00\x05utf-8"
    b"\x48\x00\x1battributes-natural-language\x00\x02en"
    b"\x04"
    b"\x23\x00\x0dprinter-state\x00\x04\x00\x00\x00\x03"
    b"\x44\x00\x15printer-state-reasons\x00\x11toner-low-warning"
    b"\x22\x00\x19printer-is-accepting-jobs\x00\x01\x01"
    b"\x03"
)


def answer(status: int, *extra: bytes) -> bytes:
    """An IPP response with ``status`` and an operation group (plus ``extra`` groups)."""
    return (b"\x02\x00" + struct.pack(">H", status) + b"\x00\x00\x00\x01\x01"
            b"\x47\x00\x12attributes-charset\x00\x05utf-8" + b"".join(extra) + b"\x03")


@pytest.fixture
async def fake() -> AsyncIterator[CannedHttp]:
    server = CannedHttp(CannedHttp.ipp(STATUS_ANSWER))
    yield server
    await server.stop()


async def test_a_good_answer_reads(fake: CannedHttp) -> None:
    printer = IppPrinter("laser", await fake.start())
    try:
        status = await printer.read_status()
    finally:
        await printer.close()
    assert [c.reason for c in status.conditions] == ["TONER_LOW"]
    request = fake.requests[0]
    assert b"POST /ipp/print HTTP/1.1" in request and b"content-type: application/ipp" in request.lower()
    body = request.split(b"\r\n\r\n", 1)[1]
    assert body[:4] == b"\x02\x00\x00\x0b"  # IPP/2.0 Get-Printer-Attributes
    assert b"requested-attributes" in body and b"printer-state-reasons" in body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(STATUS_ANSWER) - 1))
async def test_truncated_answers_are_protocol_errors(fake: CannedHttp, cut: int) -> None:
    fake.response = CannedHttp.ipp(STATUS_ANSWER[:cut])
    printer = IppPrinter("laser", await fake.start())
    try:
        with pytest.raises(ProtocolError):
            await printer.read_status()
    finally:
        await printer.close()
        await fake.stop()


@pytest.mark.parametrize(
    ("response", "error", "reason"),
    [
        (CannedHttp.ipp(b"<html>nope</html>", "500 Internal Server Error"), ProtocolError, "PROTOCOL_ERROR"),
        (CannedHttp.ipp(b"", "404 Not Found"), NotFound, "PRINTER_NOT_FOUND"),
        (CannedHttp.ipp(b"", "401 Unauthorized"), FailedPrecondition, "NOT_AUTHORIZED"),
        (CannedHttp.ipp(STATUS_ANSWER.replace(b"\x23\x00\x0d", b"\x99\x00\x0d")),  # unknown tag 0x99
         ProtocolError, "PROTOCOL_ERROR"),
        (CannedHttp.ipp(answer(0x0406)), NotFound, "PRINTER_NOT_FOUND"),
        (CannedHttp.ipp(answer(0x0506)), DeviceNotReady, "QUEUE_NOT_ACCEPTING"),
        (CannedHttp.ipp(answer(0x0507)), DeviceUnavailable, "PRINTER_BUSY"),
        (CannedHttp.ipp(answer(0x0000)), ProtocolError, "PROTOCOL_ERROR"),  # no printer-state
        (b"HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n" + STATUS_ANSWER, TransportError, "DISCONNECTED"),
        (b"", TransportError, "DISCONNECTED"),  # closed without a word
    ],
)
async def test_bad_answers(fake: CannedHttp, response: bytes, error: type[Exception], reason: str) -> None:
    fake.response = response
    printer = IppPrinter("laser", await fake.start())
    try:
        with pytest.raises(error) as err:
            await printer.read_status()
    finally:
        await printer.close()
    assert getattr(err.value, "reason", "") == reason


async def test_unsupported_attribute_names_the_option(fake: CannedHttp) -> None:
    unsupported = b"\x05\x44\x00\x05sides\x00\x13two-sided-long-edge"
    fake.response = CannedHttp.ipp(answer(0x040B, unsupported))
    printer = IppPrinter("laser", await fake.start())
    try:
        with pytest.raises(InvalidArgument) as err:
            await printer.cancel("5")
    finally:
        await printer.close()
    assert err.value.field == "options.sides"


async def test_nobody_listening_is_connection_refused() -> None:
    printer = IppPrinter("laser", f"ipp://127.0.0.1:{free_port()}/ipp/print")
    with pytest.raises(TransportError) as err:
        await printer.read_status()
    assert err.value.reason == "CONNECTION_REFUSED"
    socket_gone = IppPrinter("laser", "cups://Laser?server=/nonexistent/cups.sock")
    with pytest.raises(TransportError) as err:
        await socket_gone.read_status()
    assert err.value.reason == "CONNECTION_REFUSED"
