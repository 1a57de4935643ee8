"""hubd.transport over a real pty, TCP on 127.0.0.1 and a unix socket, with tiny in-test peers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import tty
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.transport import Caps, open_transport

Responder = Callable[[bytes], bytes | None]


def pong(line: bytes) -> bytes | None:
    """The peer's protocol: PING -> PONG, SILENT -> nothing, BYE -> close, else echo."""
    return {b"PING": b"PONG\r", b"SILENT": None}.get(line, line + b"\r")


class Peer:
    """A line-answering peer on one of the three links; ``hang_up`` closes its side."""

    def __init__(self) -> None:
        self.url = ""
        self.received = bytearray()
        self._closers: list[Callable[[], None]] = []
        self._server: asyncio.AbstractServer | None = None

    def answer(self, buf: bytearray) -> list[bytes]:
        out = []
        while (i := buf.find(b"\r")) >= 0:
            line, buf[:] = bytes(buf[:i]), buf[i + 1 :]
            if line == b"BYE":
                self.hang_up()
                return out
            if (reply := pong(line)) is not None:
                out.append(reply)
        return out

    async def start_stream(self, scheme: str, path: Path) -> None:
        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._closers.append(writer.close)
            buf = bytearray()
            while data := await reader.read(100):
                self.received += data
                buf += data
                for reply in self.answer(buf):
                    writer.write(reply)
            writer.close()

        if scheme == "tcp":
            self._server = await asyncio.start_server(client, "127.0.0.1", 0)
            self.url = f"tcp://127.0.0.1:{self._server.sockets[0].getsockname()[1]}?timeout=1"
        else:
            self._server = await asyncio.start_unix_server(client, str(path))
            self.url = f"unix://{path}?timeout=1"

    def start_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(master)
        os.set_blocking(master, False)
        self.url = f"serial://{os.ttyname(slave)}?baudrate=2400&timeout=1"
        loop = asyncio.get_running_loop()
        buf = bytearray()

        def readable() -> None:
            data = os.read(master, 100)
            self.received += data
            buf.extend(data)
            for reply in self.answer(buf):
                os.write(master, reply)

        loop.add_reader(master, readable)

        def close() -> None:  # the far end goes away; the transport then reads EOF
            loop.remove_reader(master)
            os.close(master)
            os.close(slave)

        self._closers.append(close)

    def hang_up(self) -> None:
        closers, self._closers = self._closers, []
        for close in closers:
            close()

    async def stop(self) -> None:
        self.hang_up()
        if self._server is not None:
            self._server.close()


@pytest.fixture(params=["serial", "tcp", "unix"])
async def peer(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Peer]:
    p = Peer()
    if request.param == "serial":
        p.start_pty()
    else:
        await p.start_stream(request.param, tmp_path / "peer.sock")
    yield p
    await p.stop()


async def test_request_response(peer: Peer):
    t = open_transport(peer.url)
    async with t:
        assert t.is_open
        assert await t.request(b"PING\r", until=b"\r") == b"PONG\r"
        assert await t.request(b"HELLO\r", until=b"\r", timeout=1.0) == b"HELLO\r"
    assert not t.is_open
    assert bytes(peer.received) == b"PING\rHELLO\r"


async def test_reply_split_across_reads_and_two_lines(peer: Peer):
    t = open_transport(peer.url)
    async with t:
        await t.write(b"AB\rCD\r")
        assert await t.read_until(b"\r") == b"AB\r"
        assert await t.read_until(b"\r") == b"CD\r"


async def test_read_until_timeout(peer: Peer):
    t = open_transport(peer.url)
    async with t:
        with pytest.raises(TransportTimeout) as err:
            await t.request(b"SILENT\r", until=b"\r", timeout=0.2)
        assert err.value.reason == "TIMEOUT"
        assert isinstance(err.value, TransportError)
        # a timeout is not a broken link: the next request works
        assert await t.request(b"PING\r", until=b"\r") == b"PONG\r"


async def test_peer_close_is_disconnected_and_reopen_works(peer: Peer):
    t = open_transport(peer.url)
    async with t:
        with pytest.raises(TransportError) as err:
            await t.request(b"BYE\r", until=b"\r", timeout=1.0)
        assert err.value.reason == "DISCONNECTED"
        assert not isinstance(err.value, TransportTimeout)
        assert not t.is_open  # closed, so the next call reopens


async def test_stream_reopens_after_disconnect(tmp_path: Path):
    p = Peer()
    await p.start_stream("tcp", tmp_path)
    t = open_transport(p.url)
    try:
        with pytest.raises(TransportError):
            await t.request(b"BYE\r", until=b"\r")
        assert await t.request(b"PING\r", until=b"\r") == b"PONG\r"
    finally:
        await t.close()
        await p.stop()


async def test_overrun_without_terminator(peer: Peer):
    t = open_transport(peer.url)
    async with t:
        await t.write(b"x" * 60 + b"\r")
        with pytest.raises(TransportError) as err:
            await t.read_until(b"\n", timeout=0.5, limit=16)
        assert err.value.reason == "OVERRUN"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_tcp_connection_refused():
    t = open_transport(f"tcp://127.0.0.1:{_closed_port()}")
    with pytest.raises(TransportError) as err:
        await t.open()
    assert err.value.reason == "CONNECTION_REFUSED"


async def test_unix_connection_refused(tmp_path: Path):
    path = tmp_path / "dead.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))  # bound, never listening
        t = open_transport(f"unix://{path}")
        with pytest.raises(TransportError) as err:
            await t.open()
    assert err.value.reason == "CONNECTION_REFUSED"


@pytest.mark.parametrize("scheme", ["serial", "pty", "unix"])
async def test_missing_path_is_no_such_device(tmp_path: Path, scheme: str):
    t = open_transport(f"{scheme}://{tmp_path / 'ttyUSB9'}")
    with pytest.raises(TransportError) as err:
        await t.open()
    assert err.value.reason == "NO_SUCH_DEVICE"
    assert not t.is_open


async def test_serial_port_in_use_is_device_busy():
    master, slave = os.openpty()
    url = f"serial://{os.ttyname(slave)}"
    first, second = open_transport(url), open_transport(url)
    try:
        await first.open()
        with pytest.raises(TransportError) as err:
            await second.open()
        assert err.value.reason == "DEVICE_BUSY"
    finally:
        await first.close()
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize(
    "url",
    [
        "bogus://somewhere",
        "no-scheme-at-all",
        "tcp://127.0.0.1",
        "tcp://127.0.0.1:99999",
        "tcp://:9100",
        "unix://",
        "serial://ttyS0",
        "serial:///dev/ttyS0?baudrate=fast",
        "serial:///dev/ttyS0?parity=X",
        "serial:///dev/ttyS0?bytesize=9",
        "serial:///dev/ttyS0?timeout=soon",
        "serial:///dev/ttyS0?flow=dsrdtr",
    ],
)
def test_bad_urls_are_invalid_argument_naming_url(url: str):
    with pytest.raises(InvalidArgument) as err:
        open_transport(url)
    assert err.value.field == "url"
    assert err.value.metadata == {"field": "url"}


@pytest.mark.parametrize("ending", ["close", "reset", "stay"])
async def test_finish_half_closes_and_waits_for_the_peer(ending: str):
    """AppSocket end of job: FIN after the last byte, then the peer's close (or reset, or silence)."""
    import struct

    got = bytearray()
    done = asyncio.Event()

    async def printer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if ending == "reset":  # takes a little, then loses power: RST
            got.extend(await reader.read(3))
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
        while data := await reader.read(4096):  # until our FIN
            got.extend(data)
        if ending == "close":
            writer.close()
        else:
            await done.wait()

    server = await asyncio.start_server(printer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    t = open_transport(f"tcp://127.0.0.1:{port}")
    try:
        await t.write(b"job bytes")
        if ending == "close":
            await t.finish(2.0)
            assert bytes(got) == b"job bytes"
        elif ending == "reset":
            with pytest.raises(TransportError) as err:
                await t.finish(2.0)
            assert not isinstance(err.value, TransportTimeout)
        else:
            with pytest.raises(TransportTimeout):
                await t.finish(0.2)
            assert bytes(got) == b"job bytes"  # the FIN reached it
    finally:
        done.set()
        await t.close()
        server.close()


def test_builtin_schemes_registered_in_one_place_and_imported_when_used() -> None:
    """cups:// (and every built-in scheme) opens whatever was imported before: no import order."""
    import subprocess
    import sys

    probe = (
        "import sys, hubd.transport as t\n"
        "assert set(t.SCHEMES) >= {'tcp', 'unix', 'serial', 'pty', 'usblp', 'usb', 'cups'}, t.SCHEMES\n"
        "lazy = ('hubd.transport.cups', 'hubd.transport.usb', 'hubd.transport.serial', 'serial', 'usb')\n"
        "assert not [m for m in lazy if m in sys.modules], sys.modules.keys()\n"
        "q = t.open_transport('cups://Receipt')\n"
        "assert type(q).__name__ == 'CupsTransport' and 'hubd.transport.cups' in sys.modules\n"
        "assert 'usb' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)


@pytest.mark.parametrize(
    ("url", "caps"),
    [
        ("tcp://127.0.0.1:9100", Caps.READ | Caps.HALF_CLOSE | Caps.ACKED),
        ("unix:///run/x.sock", Caps.READ | Caps.HALF_CLOSE | Caps.ACKED),
        ("serial:///dev/ttyS0", Caps.READ | Caps.ACKED),
        ("usblp:///dev/usb/lp0", Caps.PORT_STATUS | Caps.ACKED),
        ("usb://04b8:0202", Caps.READ | Caps.PORT_STATUS | Caps.ACKED),
        ("cups://Receipt", Caps.SPOOLED),
    ],
)
async def test_capabilities_and_what_a_link_without_one_says(url: str, caps: Caps) -> None:
    t = open_transport(url)
    assert t.caps == caps
    calls = {
        Caps.PORT_STATUS: lambda: t.port_status(),
        Caps.HALF_CLOSE: lambda: t.finish(0.1),
        Caps.SPOOLED: lambda: t.queue_state(),
    }
    for cap, call in calls.items():
        if cap not in caps:
            with pytest.raises(TransportError) as err:
                await call()
            assert err.value.reason == "NOT_SUPPORTED"
    if Caps.ACKED not in caps:
        with pytest.raises(TransportError):
            t.unacknowledged()


def test_the_device_timeout_applies_unless_the_url_sets_one() -> None:
    assert open_transport("tcp://127.0.0.1:9100", timeout=0.5).timeout == 0.5
    assert open_transport("tcp://127.0.0.1:9100?timeout=3", timeout=0.5).timeout == 3.0
    assert open_transport("tcp://127.0.0.1:9100").timeout == 2.0


@pytest.mark.parametrize("scheme", ["tcp", "unix"])
async def test_unacknowledged_until_the_peer_takes_the_bytes(scheme: str, tmp_path: Path) -> None:
    """SIOCOUTQ: a peer that reads nothing leaves bytes unacknowledged; once it reads, 0."""
    release = asyncio.Event()
    got = bytearray()

    async def slow_reader(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        while data := await reader.read(65536):
            got.extend(data)
        writer.close()

    if scheme == "tcp":
        server = await asyncio.start_server(slow_reader, "127.0.0.1", 0)
        url = f"tcp://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    else:
        server = await asyncio.start_unix_server(slow_reader, str(tmp_path / "s"))
        url = f"unix://{tmp_path / 's'}"
    t = open_transport(url)
    data = bytes(range(256)) * 4096 * 16  # 16 MiB: more than the socket buffers hold
    try:
        with pytest.raises(TransportTimeout):
            await t.write(data, timeout=0.2)
        assert t.unacknowledged() > t.pending > 0  # ours, asyncio's and the kernel's
        release.set()
        await t.flush(5.0)
        await t.finish(5.0)  # the peer read everything and closed
        assert t.unacknowledged() == 0
        assert bytes(got) == data
    finally:
        await t.close()
        server.close()


async def test_a_timeout_of_0_polls(peer: Peer) -> None:
    t = open_transport(peer.url)
    async with t:
        with pytest.raises(TransportTimeout):
            await t.read(timeout=0)  # nothing there: at once
        await t.write(b"PING\r")
        deadline = asyncio.get_running_loop().time() + 2
        while True:
            try:
                assert await t.read(timeout=0) == b"PONG\r"
                break
            except TransportTimeout:
                assert asyncio.get_running_loop().time() < deadline
                await asyncio.sleep(0.01)


async def test_serial_flow_control_from_the_url() -> None:
    """xonxoff: the device's XOFF holds our output in the kernel (unacknowledged) until XON."""
    master, slave = os.openpty()
    tty.setraw(master)
    os.set_blocking(master, False)
    t = open_transport(f"serial://{os.ttyname(slave)}?flow=xonxoff")
    sent = b""
    try:
        await t.open()
        os.write(master, b"\x13")  # XOFF (the line discipline acts on it shortly)
        deadline = asyncio.get_running_loop().time() + 10
        n = 0
        while True:  # bytes go out until it does
            try:
                await t.write(b"%03d" % n, timeout=0.05)
            except TransportTimeout:
                break
            sent += b"%03d" % n
            n += 1
            assert asyncio.get_running_loop().time() < deadline, "XOFF never held the output"
            await asyncio.sleep(0.01)
        assert t.unacknowledged() > 0
        os.write(master, b"\x11")  # XON
        await t.flush(2.0)
        got = b""
        deadline = asyncio.get_running_loop().time() + 2
        while got != sent + b"%03d" % n:
            with contextlib.suppress(BlockingIOError):
                got += os.read(master, 1000)
            assert asyncio.get_running_loop().time() < deadline, got
            await asyncio.sleep(0.01)
        assert t.unacknowledged() == 0
    finally:
        await t.close()
        os.close(master)
        os.close(slave)


async def test_serial_unacknowledged_is_what_the_line_has_not_taken() -> None:
    master, slave = os.openpty()
    tty.setraw(master)
    os.set_blocking(master, False)
    t = open_transport(f"serial://{os.ttyname(slave)}")
    try:
        with pytest.raises(TransportTimeout):  # nobody reads the other side: the pty fills up
            await t.write(bytes(200_000), timeout=0.2)
        assert t.unacknowledged() == t.pending > 0
        read = 0
        deadline = asyncio.get_running_loop().time() + 5
        while t.pending:
            try:
                read += len(os.read(master, 65536))
            except BlockingIOError:
                await asyncio.sleep(0.01)
            with contextlib.suppress(TransportTimeout):
                await t.flush(0.05)
            assert asyncio.get_running_loop().time() < deadline
        assert t.unacknowledged() == 0
    finally:
        await t.close()
        os.close(master)
        os.close(slave)
