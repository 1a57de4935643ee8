"""EscpPrinter against the real ESC/P simulator (in process) on AppSocket + SNMP, a FIFO standing in
for /dev/usb/lp0, a pty, and a private CUPS scheduler with a raw queue."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from hubd.classes.printer.contract import (
    JOB_LOST,
    PAPER_LOADED,
    PAPER_OUT,
    PRINTER_OFFLINE,
    PRINTER_ONLINE,
    UNCONFIRMED,
    Confirmation,
    Paper,
)
from hubd.device import DeviceState, StatusSource
from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.render.program import Cut, TextLine
from hubd.stacks import cups as stack
from kioskhub.drivers.escp import DRIVER, EscpPrinter
from kioskhub.drivers.escp.status import (
    NO_STATUS_CHANNEL,
    JobCounters,
    printer_status_from_port_byte,
    printer_status_from_snmp,
)
from kioskhub.drivers.snmp import printer_mib as mib
from kioskhub.drivers.snmp.protocol import Missing
from kioskhub.simulators.control import execute
from kioskhub.simulators.escp_printer import Escp24PinSim, EscpPrinterSim
from tests.delivery import confirmed, deliver
from tests.stacks.base import private_dir
from tests.stacks.cups import CupsStack, cups_stack_at

RECEIPT = [TextLine("E-MITRA RECEIPT", bold=True), TextLine("Amount Rs 1,250.00"),
           TextLine("kioskhub-job: r-77"), Cut()]
# ESC @ (1B 40) reset, ESC t 1 (1B 74 01) graphics table; ESC E / ESC F bold on / off; CR LF.
RECEIPT_HEAD = b"\x1b\x40\x1b\x74\x01\x1b\x45E-MITRA RECEIPT\x1b\x46\r\nAmount Rs 1,250.00\r\n"
# ESC ( Z nL nH + 65535 parameter bytes, repeated: a printer skips them, fast; bulk for filling the
# kernel's socket buffers (a few MB) once the printer stops reading.
FILLER = (b"\x1b(Z\xff\xff" + bytes(65535)) * 16


async def until(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[EscpPrinterSim]:
    s = EscpPrinterSim(out_dir=tmp_path / "out")
    yield s
    await s.stop()


async def printed(sim: EscpPrinterSim, n: int = 1) -> bytes:
    """The bytes of the n-th job the simulator finished, from its .bin file (listed in index)."""
    await until(lambda: len(sim.interp.jobs) >= n)
    out = Path(sim.state.out_dir)
    raw = json.loads((out / "index.json").read_text())["raw"]
    data = (out / raw[str(n)]).read_bytes()
    assert data == sim.interp.jobs[n - 1].raw
    return data


def test_registration_options_and_geometry() -> None:
    assert DRIVER.name == "escp" and DRIVER.factory is EscpPrinter
    assert DRIVER.schemes == {"usblp", "usb", "serial", "tcp", "cups"} and DRIVER.simulator == "escp_printer"
    dev = EscpPrinter("p", "tcp://127.0.0.1:9100")
    assert dev.describe() == "tvs-msp250" and dev.status_source is StatusSource.INFERRED
    g = dev.geometry()
    assert (g.columns, g.hdpi, g.vdpi, g.band_dots, g.width_dots) == (80, 120, 216, 24, 960)
    g = EscpPrinter("p", "usblp:///dev/usb/lp0", {"model": "tvs-msp455", "columns": 40}).geometry()
    assert (g.columns, g.hdpi, g.vdpi, g.band_dots, g.width_dots) == (40, 180, 180, 24, 720)
    assert EscpPrinter("p", "cups://Q").status_source is StatusSource.SPOOLER
    assert EscpPrinter("p", "tcp://h:9100?status=snmp://h").status_source is StatusSource.DEVICE
    for options, field in [({"colour": 1}, "options.colour"), ({"columns": 81}, "options.columns"),
                           ({"columns": "80"}, "options.columns"), ({"cut": "knife"}, "options.cut"),
                           ({"timeout": 0}, "options.timeout"), ({"model": "lx-999"}, "options.model")]:
        with pytest.raises(InvalidArgument) as err:
            EscpPrinter("p", "tcp://127.0.0.1:9100", options)
        assert err.value.field == field
    for url in ("usblp:///dev/usb/lp0?status=snmp://h", "tcp://h:9100?status=http://h",
                "tcp://h:9100?status=snmp://", "cups://bad queue"):
        with pytest.raises(InvalidArgument):
            EscpPrinter("p", url)
    assert EscpPrinter("p", "tcp://h:9100", {"cut": "form_feed"}).encode([Cut()]).endswith(b"\x0c")


async def test_appsocket_job_bytes_and_transcript(sim: EscpPrinterSim) -> None:
    url = await sim.start("tcp://127.0.0.1:0")
    assert f"?status=snmp://127.0.0.1:{sim.snmp_port}" in url
    dev = EscpPrinter("receipt", url, timeout=1)
    try:
        data = dev.encode(RECEIPT)
        assert data.startswith(RECEIPT_HEAD) and data.endswith(b"\r\n" * 6)
        # our FIN, the printer's close, then SNMP: idle, page counter moved on
        assert (await deliver(dev, data)).confirmation is Confirmation.PRINTER
        assert sim.interp.jobs and not dev._transport.is_open  # confirmed after it was on paper
        assert await printed(sim) == data
        job = sim.interp.jobs[0]
        assert job.lines[:3] == ["E-MITRA RECEIPT", "Amount Rs 1,250.00", "kioskhub-job: r-77"]
        assert job.ids == ["r-77"]
        await deliver(dev, data)  # the next job: a new connection
        assert await printed(sim, 2) == data
    finally:
        await dev.close()


async def test_snmp_status_paper_out_and_offline(sim: EscpPrinterSim) -> None:
    dev = EscpPrinter("receipt", await sim.start("tcp://127.0.0.1:0"), timeout=0.2)
    ok = await dev.read_status()
    assert (ok.state, ok.paper, ok.online, ok.error, ok.source) == (
        DeviceState.AVAILABLE, Paper.OK, True, False, StatusSource.DEVICE)
    assert dev.assess(ok) == (DeviceState.AVAILABLE, "", ok.detail)
    assert execute(sim, "paper out") == "OK paper out port_status=0x30"
    out = await dev.read_status()
    assert (out.paper, out.reason, out.state) == (Paper.OUT, PAPER_OUT, DeviceState.UNAVAILABLE)
    assert dev.assess(out)[:2] == (DeviceState.UNAVAILABLE, PAPER_OUT)
    assert [e.kind for e in dev.events_between(ok, out)] == [PAPER_OUT]
    execute(sim, "paper in")
    back = await dev.read_status()
    assert back.paper is Paper.OK and [e.kind for e in dev.events_between(out, back)] == [PAPER_LOADED]
    execute(sim, "set online off")
    off = await dev.read_status()
    assert (off.online, off.reason, off.paper) == (False, PRINTER_OFFLINE, Paper.OK)
    assert [e.kind for e in dev.events_between(back, off)] == [PRINTER_OFFLINE]
    execute(sim, "set online on")
    assert [e.kind for e in dev.events_between(off, await dev.read_status())] == [PRINTER_ONLINE]
    sim.unplug()  # the print server is gone: no SNMP answer
    with pytest.raises(TransportTimeout):
        await dev.read_status()


async def test_appsocket_stall_on_paper_out_then_resume(sim: EscpPrinterSim) -> None:
    dev = EscpPrinter("receipt", await sim.start("tcp://127.0.0.1:0"))
    job = dev.encode(RECEIPT[:1])
    piece = FILLER[: 1 << 20]
    try:
        await dev.send(job, timeout=1.0)
        await until(lambda: sim.interp.stats["bytes"] == len(job))
        sim.state.paper_empty = True
        with pytest.raises(TransportTimeout):  # the printer stopped reading
            for _ in range(64):  # once the socket buffers are full (a few MB)
                await dev.send(piece, timeout=0.3)
                job += piece
        job += piece  # the piece that stalled stays queued
        assert (await dev.read_status()).reason == PAPER_OUT
        sim.interp.load_paper()
        await dev.flush(timeout=5.0)  # nothing lost, nothing twice
        await dev.end_job()
        assert (await confirmed(dev)).confirmation is Confirmation.PRINTER
        assert await printed(sim) == job
    finally:
        await dev.close()


async def test_appsocket_cable_pulled(sim: EscpPrinterSim) -> None:
    url = await sim.start("tcp://127.0.0.1:0")
    sim.state.disconnect_after_bytes = 100
    dev = EscpPrinter("receipt", url)
    with pytest.raises(TransportError) as err:  # a big job: caught during send
        for _ in range(40):
            await dev.send(FILLER[: 1 << 20], timeout=1.0)
    assert err.value.reason == "DISCONNECTED" and not isinstance(err.value, TransportTimeout)
    await dev.abort_job()
    sim.state.disconnect_after_bytes = 10
    data = dev.encode(RECEIPT)
    await dev.start_job()
    await dev.send(data, timeout=1.0)  # a small job: all in the socket buffers before the hang-up
    await until(lambda: sim.interp.stats["bytes"] >= 10 + 100)
    with pytest.raises(TransportError) as err:  # the hang-up is noticed: never confirmed
        await dev.end_job()
        await confirmed(dev)
    assert err.value.reason == "DISCONNECTED"
    await dev.abort_job()


async def test_appsocket_without_status_channel(sim: EscpPrinterSim) -> None:
    url = (await sim.start("tcp://127.0.0.1:0")).split("?")[0]
    dev = EscpPrinter("receipt", url)
    sim.state.paper_empty = True  # invisible without SNMP: unknown, never OK
    status = await dev.read_status()
    assert (status.state, status.reason, status.paper, status.online) == (
        DeviceState.UNKNOWN, NO_STATUS_CHANNEL, Paper.UNKNOWN, None)
    assert "AppSocket has no return channel" in status.detail
    assert dev.assess(status)[:2] == (DeviceState.UNKNOWN, NO_STATUS_CHANNEL)


async def test_usblp_over_a_fifo(sim: EscpPrinterSim, tmp_path: Path) -> None:
    url = await sim.start(f"fifo://{tmp_path}/lp0")
    assert url == f"usblp://{tmp_path}/lp0"
    dev = EscpPrinter("receipt", url)
    try:
        status = await dev.read_status()  # opens the device file; a FIFO has no LPGETSTATUS
        assert (status.state, status.reason, status.source) == (
            DeviceState.UNKNOWN, NO_STATUS_CHANNEL, StatusSource.DEVICE)
        assert f"{tmp_path}/lp0 gives no port status" in status.detail
        data = dev.encode(RECEIPT)
        # usblp: the reader took every byte (a FIFO's FIONREAD 0); no port status: bytes only
        assert (await deliver(dev, data)).confirmation is Confirmation.BYTES_ONLY
        assert sim.interp.stats["bytes"] == len(data)
        await deliver(dev, data)  # the same fd; the next job's ESC @ splits jobs
        assert await printed(sim) == data
    finally:
        await dev.close()  # between jobs the writer closes: the simulator ends the second job
    assert await printed(sim, 2) == data


async def test_usblp_fifo_without_reader(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "lp0")
    dev = EscpPrinter("receipt", f"usblp://{tmp_path}/lp0")
    with pytest.raises(TransportError) as err:
        await dev.read_status()
    assert err.value.reason == "NO_SUCH_DEVICE"


async def test_serial_over_a_pty(tmp_path: Path) -> None:
    sim = Escp24PinSim(out_dir=tmp_path / "out")
    sim.job_idle_s = 0.2
    url = await sim.start("pty")
    dev = EscpPrinter("receipt", url, {"model": "tvs-msp455"})
    try:
        status = await dev.read_status()
        assert (status.state, status.reason) == (DeviceState.UNKNOWN, NO_STATUS_CHANNEL)
        data = dev.encode(RECEIPT)
        assert data.startswith(RECEIPT_HEAD)
        # the UART's output queue drained (TIOCOUTQ 0); a serial line says no more: bytes only
        assert (await deliver(dev, data)).confirmation is Confirmation.BYTES_ONLY
        assert await printed(sim) == data  # the job ends after the idle gap
        assert sim.interp.jobs[0].ids == ["r-77"]
    finally:
        await dev.close()
        await sim.stop()


@pytest.fixture
def cups() -> Iterator[CupsStack]:
    yield from cups_stack_at(private_dir("cups"))


@pytest.mark.stack
@pytest.mark.timeout(60)
async def test_cups_raw_queue(cups: CupsStack, sim: EscpPrinterSim) -> None:
    url = await sim.start("tcp://127.0.0.1:0")
    cups.add_raw_queue("Receipt", "socket://" + url.removeprefix("tcp://").split("?")[0])
    dev = EscpPrinter("receipt", f"cups://Receipt?server={cups.server}")
    status = await dev.read_status()
    assert (status.state, status.source) == (DeviceState.AVAILABLE, StatusSource.SPOOLER)
    assert "CUPS queue Receipt idle" in status.detail
    data = dev.encode(RECEIPT)
    await dev.start_job()
    await dev.send(data, timeout=1.0)
    await dev.end_job()  # spooled as one raw job
    assert dev.last_spooled.startswith("Receipt-")
    assert (await confirmed(dev, timeout=20)).confirmation is Confirmation.SPOOLER  # the queue is idle again
    assert await printed(sim) == data
    stack.client(cups.p, "cupsdisable", "-r", "ribbon jammed", "Receipt")
    stopped = await dev.read_status()
    assert (stopped.state, stopped.reason) == (DeviceState.UNAVAILABLE, "QUEUE_STOPPED")
    assert "CUPS queue Receipt stopped" in stopped.detail and "[paused]" in stopped.detail
    assert dev.assess(stopped)[:2] == (DeviceState.UNAVAILABLE, "QUEUE_STOPPED")
    stack.client(cups.p, "cupsreject", "-r", "closed", "Receipt")
    await dev.send(data, timeout=1.0)
    with pytest.raises(TransportError) as err:
        await dev.end_job()
    assert err.value.reason == "QUEUE_NOT_ACCEPTING"
    await dev.close()
    gone = EscpPrinter("receipt", f"cups://Nowhere?server={cups.server}")
    with pytest.raises(TransportError) as err:
        await gone.read_status()
    assert err.value.reason == "NO_SUCH_DEVICE"
    await gone.send(data, timeout=1.0)
    with pytest.raises(TransportError) as err:
        await gone.end_job()
    assert err.value.reason == "NO_SUCH_DEVICE"
    down = EscpPrinter("receipt", f"cups://Receipt?server={cups.server}.missing")
    with pytest.raises(TransportError) as err:
        await down.read_status()
    assert err.value.reason == "CONNECTION_REFUSED"



@pytest.mark.parametrize(
    ("byte", "state", "reason", "paper", "online", "error"),
    [  # bit5 PaperEmpty 0x20, bit4 Select 0x10, bit3 NotError 0x08 (usblp: later tests win)
        (0x18, DeviceState.AVAILABLE, "", Paper.OK, True, False),
        (0x30, DeviceState.UNAVAILABLE, PAPER_OUT, Paper.OUT, True, False),
        (0x08, DeviceState.UNAVAILABLE, PRINTER_OFFLINE, Paper.OK, False, False),
        (0x10, DeviceState.UNAVAILABLE, "PRINTER_ERROR", Paper.OK, True, True),
        (0x28, DeviceState.UNAVAILABLE, PRINTER_OFFLINE, Paper.OUT, False, False),
    ],
)
def test_port_status_byte(byte: int, state: DeviceState, reason: str, paper: Paper,
                          online: bool, error: bool) -> None:
    s = printer_status_from_port_byte(byte)
    assert (s.state, s.reason, s.paper, s.online, s.error, s.source) == (
        state, reason, paper, online, error, StatusSource.DEVICE)
    assert f"0x{byte:02x}" in s.detail


def test_snmp_values_to_status() -> None:
    dev, prn, err = mib.HR_DEVICE_STATUS, mib.HR_PRINTER_STATUS, mib.HR_PRINTER_DETECTED_ERROR_STATE
    low = printer_status_from_snmp({dev: 3, prn: 3, err: b"\x80"})  # warning(3), lowPaper
    assert (low.state, low.paper, low.online, low.error) == (DeviceState.AVAILABLE, Paper.LOW, True, False)
    jam = printer_status_from_snmp({dev: 5, prn: 1, err: b"\x04"})  # down(5), jammed
    assert (jam.state, jam.reason, jam.error) == (DeviceState.UNAVAILABLE, "PRINTER_ERROR", True)
    assert "paper jam" in jam.detail
    down = printer_status_from_snmp({dev: 5, prn: 1, err: b"\x00"})  # down, no bit set
    assert (down.reason, down.error, down.paper) == ("PRINTER_ERROR", True, Paper.OK)
    both = printer_status_from_snmp({dev: 5, prn: 1, err: b"\x42"})  # noPaper + offline
    assert (both.why_blocked, both.paper, both.online) == (PAPER_OUT, Paper.OUT, False)
    no_bits = printer_status_from_snmp({dev: 2, prn: 4, err: Missing.NO_SUCH_OBJECT})
    assert (no_bits.state, no_bits.paper, no_bits.online) == (DeviceState.AVAILABLE, Paper.UNKNOWN, None)
    unknown = printer_status_from_snmp({dev: 1, prn: 2, err: Missing.NO_SUCH_INSTANCE})
    assert (unknown.state, unknown.paper) == (DeviceState.UNKNOWN, Paper.UNKNOWN)
    nothing = printer_status_from_snmp({dev: Missing.NO_SUCH_OBJECT})
    assert (nothing.state, nothing.reason) == (DeviceState.UNKNOWN, "STATUS_UNKNOWN")


# -- job confirmation -----------------------------------------------------------------------------


async def test_a_slow_printer_is_confirmed_only_once_it_printed_everything(sim: EscpPrinterSim) -> None:
    dev = EscpPrinter("receipt", await sim.start("tcp://127.0.0.1:0"), timeout=0.5)
    sim.state.slow_bps = 1000  # ~0.5 s for this receipt; the kernel takes it all at once
    data = dev.encode([TextLine(f"line {n:02d}") for n in range(40)] + RECEIPT)
    await dev.start_job()
    await dev.send(data, 1.0)
    await dev.end_job()
    waiting = await dev.confirm_job()  # every byte ACKed (SIOCOUTQ 0), but still being read
    assert (waiting.done, waiting.reason) == (False, UNCONFIRMED)
    assert (await confirmed(dev)).confirmation is Confirmation.PRINTER
    assert sim.interp.jobs and sim.interp.jobs[-1].ids == ["r-77"]


async def test_an_snmp_agent_that_does_not_answer_leaves_the_job_unconfirmed(sim: EscpPrinterSim) -> None:
    dev = EscpPrinter("receipt", await sim.start("tcp://127.0.0.1:0"), timeout=0.2)
    execute(sim, "set silent on")
    await dev.start_job()
    await dev.send(dev.encode(RECEIPT), 1.0)
    await dev.end_job()
    await until(lambda: bool(sim.interp.jobs))  # printed; the printer cannot say so
    waiting = await dev.confirm_job()
    assert (waiting.done, waiting.reason) == (False, UNCONFIRMED) and "status unknown" in waiting.detail
    execute(sim, "set silent off")
    assert (await confirmed(dev)).confirmation is Confirmation.PRINTER


async def test_a_print_server_that_restarted_lost_the_job(sim: EscpPrinterSim) -> None:
    """sysUpTime went back between the job's start and its end: whatever it held is gone."""
    dev = EscpPrinter("receipt", await sim.start("tcp://127.0.0.1:0"), timeout=0.5)
    sim.booted -= 100  # switched on 100 s ago
    await dev.start_job()  # uptime and page count noted
    assert execute(sim, "power cycle") == "OK power cycled"
    await dev.send(dev.encode(RECEIPT), 1.0)
    await dev.end_job()
    with pytest.raises(TransportError) as err:
        await confirmed(dev)
    assert err.value.reason == JOB_LOST


def test_job_counters() -> None:
    before = JobCounters(uptime=5000, pages=7)
    assert JobCounters(6000, 8).printed_since(before) and not JobCounters(6000, 7).printed_since(before)
    assert JobCounters(6000, None).printed_since(before)  # no counter: cannot tell, no objection
    assert JobCounters(100, 8).restarted_since(before) and not JobCounters(6000, 8).restarted_since(before)
    values = {mib.SYS_UPTIME: 123, mib.PRT_MARKER_LIFE_COUNT: Missing.NO_SUCH_OBJECT}
    assert JobCounters.from_snmp(values) == JobCounters(123, None)
