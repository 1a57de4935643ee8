"""usblp:// transport on a FIFO and a pty standing in for /dev/usb/lp0 (no USB on test machines)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.transport import open_transport
from hubd.transport.usblp import LPGETSTATUS, UsblpTransport


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "lp0"
    os.mkfifo(path)
    return path


@pytest.fixture
def reader(fifo: Path) -> Iterator[int]:
    """A reader end held open (non-blocking) and read only when a test says so."""
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    yield fd
    os.close(fd)


async def read_all(fd: int, n: int, timeout: float = 5.0) -> bytes:
    """Read ``n`` bytes from a non-blocking fd through the event loop."""
    loop = asyncio.get_running_loop()
    out = bytearray()
    deadline = loop.time() + timeout
    while len(out) < n:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            chunk = None
        if chunk is not None:
            assert chunk, f"writer closed after {len(out)} of {n} bytes"
            out += chunk
            continue
        ready: asyncio.Future[None] = loop.create_future()
        loop.add_reader(fd, lambda fut=ready: fut.done() or fut.set_result(None))
        try:
            await asyncio.wait_for(ready, max(0.0, deadline - loop.time()))
        finally:
            loop.remove_reader(fd)
    return bytes(out)


def test_scheme_is_registered_and_url_checked() -> None:
    assert LPGETSTATUS == 0x060B
    assert isinstance(open_transport("usblp:///dev/usb/lp0"), UsblpTransport)
    with pytest.raises(InvalidArgument):
        UsblpTransport("usblp://lp0")
    with pytest.raises(InvalidArgument):
        UsblpTransport("usblp://host/dev/usb/lp0")


async def test_fifo_without_reader_is_no_such_device(fifo: Path) -> None:
    t = UsblpTransport(f"usblp://{fifo}")
    with pytest.raises(TransportError) as err:  # open(O_WRONLY|O_NONBLOCK) on a FIFO: ENXIO
        await t.write(b"x")
    assert err.value.reason == "NO_SUCH_DEVICE"
    assert not t.is_open
    missing = UsblpTransport(f"usblp://{fifo}.missing")
    with pytest.raises(TransportError) as err:
        await missing.open()
    assert err.value.reason == "NO_SUCH_DEVICE"


async def test_bytes_arrive_and_no_status_on_a_fifo(fifo: Path, reader: int) -> None:
    t = UsblpTransport(f"usblp://{fifo}")
    try:
        await t.write(b"\x1b@hello\r\n", timeout=1.0)
        assert await read_all(reader, 9) == b"\x1b@hello\r\n"
        assert await t.port_status() is None  # ENOTTY: a FIFO has no LPGETSTATUS
        assert t.is_open  # the same fd carries on
        with pytest.raises(TransportError) as err:
            await t.read(timeout=0.1)
        assert err.value.reason == "WRITE_ONLY"
    finally:
        await t.close()


async def test_write_stalls_then_flush_finishes_without_loss(fifo: Path, reader: int) -> None:
    t = UsblpTransport(f"usblp://{fifo}")
    data = bytes(range(256)) * 2048  # 512 KiB: far more than a pipe holds (64 KiB)
    try:
        with pytest.raises(TransportTimeout):  # nobody reads: the "printer" stopped taking bytes
            await t.write(data, timeout=0.1)
        assert t.is_open and 0 < t.pending < len(data)
        drained = asyncio.ensure_future(read_all(reader, len(data)))
        await t.flush(timeout=2.0)  # the reader came back: the rest goes, once, in order
        assert t.pending == 0
        assert await drained == data
        # Again, resuming while the timeout is being handled (as a print worker does).
        try:
            await t.write(data, timeout=0.1)
        except TransportTimeout:
            drained = asyncio.ensure_future(read_all(reader, len(data)))
            await t.flush(timeout=2.0)
        assert await drained == data
    finally:
        await t.close()


async def test_reader_gone_is_disconnected(fifo: Path) -> None:
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    t = UsblpTransport(f"usblp://{fifo}")
    await t.open()
    os.close(fd)
    try:
        await t.write(b"x" * 10, timeout=0.5)
    except TransportError as err:  # EPIPE
        assert err.reason == "DISCONNECTED"
        assert not t.is_open and t.pending == 0
    else:
        pytest.fail("no error")


async def test_no_status_on_a_pty_or_dev_null() -> None:
    master, slave = os.openpty()
    try:
        t = UsblpTransport(f"usblp://{os.ttyname(slave)}")
        assert await t.port_status() is None
        await t.close()
    finally:
        os.close(master)
        os.close(slave)
    t = UsblpTransport("usblp:///dev/null")
    assert await t.port_status() is None
    await t.write(b"discarded", timeout=0.5)
    await t.close()


async def test_unacknowledged_is_what_the_printer_has_not_taken(fifo: Path, reader: int) -> None:
    t = UsblpTransport(f"usblp://{fifo}")
    try:
        await t.write(b"x" * 1000, timeout=1.0)
        assert t.unacknowledged() == 1000  # in the FIFO: FIONREAD
        assert await read_all(reader, 1000) == b"x" * 1000
        assert t.unacknowledged() == 0
    finally:
        await t.close()
    null = UsblpTransport("usblp:///dev/null")  # no FIONREAD: writable means the write completed
    await null.write(b"gone", timeout=0.5)
    assert null.unacknowledged() == 0
    await null.close()
