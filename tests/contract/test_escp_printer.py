"""ESC/P printer contract: the same tests against the simulator (AppSocket + SNMP, a FIFO as
/dev/usb/lp0, a pty as a serial line) or a real printer:

    pytest tests/contract/test_escp_printer.py --hw escp=usblp:///dev/usb/lp0
    pytest tests/contract/test_escp_printer.py --hw "escp=tcp://192.168.1.50:9100?status=snmp://192.168.1.50"

On hardware each test prints at most one short receipt; tests that need fault injection (paper
out, off line, cable pulled) run on the simulator only and skip under --hw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hubd.classes.printer.contract import PAPER_OUT, PRINTER_OFFLINE, Confirmation, Paper, PrinterStatus
from hubd.device import DeviceState, StatusSource
from hubd.errors import TransportError, TransportTimeout
from hubd.render.program import Cut, Feed, TextLine
from kioskhub.drivers.escp import DRIVER, EscpPrinter
from kioskhub.drivers.escp.status import NO_STATUS_CHANNEL
from kioskhub.simulators.escp_printer import EscpPrinterSim
from tests.conftest import hw_url
from tests.delivery import confirmed, deliver

LISTEN = {"tcp": "tcp://127.0.0.1:0", "usblp": "fifo://{dir}/lp0", "serial": "pty"}
BULK = (b"\x1b(Z\xff\xff" + bytes(65535)) * 4  # ESC ( Z + 65535 skipped bytes: fast filler
# 9-pin bit-image passes as a job of ours has them: ESC * 1 nL nH (0x03C0 = 960 columns) + data.
PASSES = (b"\x1b*\x01\xc0\x03" + bytes([0x81]) * 960 + b"\r\n") * 16


@dataclass
class Rig:
    """A driver instance and, unless on hardware, the simulator behind it."""

    printer: EscpPrinter
    sim: EscpPrinterSim | None
    link: str

    def need_sim(self) -> EscpPrinterSim:
        if self.sim is None:
            pytest.skip("needs fault injection: simulator only")
        return self.sim


@pytest.fixture(params=sorted(LISTEN))
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    url = hw_url(request.config, "escp")
    sim = None
    if url is not None:
        if request.param != "tcp":
            pytest.skip("hardware runs once, on its own URL")
    else:
        sim = EscpPrinterSim(out_dir=tmp_path / "out")
        sim.job_idle_s = 0.2  # a pty has no end of job but a pause
        url = await sim.start(LISTEN[request.param].format(dir=tmp_path))
    printer = DRIVER.factory("receipt", url, timeout=0.5 if sim else 2.0)
    assert isinstance(printer, EscpPrinter)
    try:
        yield Rig(printer, sim, request.param)
    finally:
        await printer.close()
        if sim is not None:
            await sim.stop()


async def until(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def check_honest(status: PrinterStatus) -> None:
    """What every status must satisfy: OK only when observed, unknown says why."""
    if status.state is DeviceState.UNKNOWN:
        assert status.reason and status.detail
        assert status.paper is Paper.UNKNOWN or status.source is not StatusSource.INFERRED
    if status.state is DeviceState.AVAILABLE:
        assert status.source in (StatusSource.DEVICE, StatusSource.SPOOLER)
        assert not status.blocks_printing
    if status.blocks_printing:
        assert status.state is DeviceState.UNAVAILABLE and status.why_blocked


async def test_status_is_honest(rig: Rig) -> None:
    status = await rig.printer.read_status()
    check_honest(status)
    if rig.sim is None:
        return
    if rig.link == "tcp":  # SNMP of the print server sees the printer
        assert (status.state, status.paper, status.online) == (DeviceState.AVAILABLE, Paper.OK, True)
    else:  # a FIFO / a serial line carries no status
        assert (status.state, status.reason) == (DeviceState.UNKNOWN, NO_STATUS_CHANNEL)


async def test_prints_one_receipt(rig: Rig) -> None:
    job_id = f"contract-{rig.link}"
    program = [TextLine("KIOSKHUB CONTRACT TEST", bold=True), TextLine(f"link: {rig.link}"),
               Feed(1), TextLine(f"kioskhub-job: {job_id}"), Cut()]
    data = rig.printer.encode(program)
    delivery = await deliver(rig.printer, data, timeout=30.0)
    if rig.sim is None:
        return
    sim = rig.sim
    assert delivery.confirmation is (Confirmation.PRINTER if rig.link == "tcp" else Confirmation.BYTES_ONLY)
    if rig.link == "usblp":
        await rig.printer.close()  # between jobs the writer closes: the FIFO printer ends the job
    await until(lambda: len(sim.interp.jobs) == 1)
    job = sim.interp.jobs[0]
    assert job.raw == data and job.ids == [job_id]
    assert job.lines[:2] == ["KIOSKHUB CONTRACT TEST", f"link: {rig.link}"]


async def test_paper_out_and_offline_are_never_ok(rig: Rig) -> None:
    sim = rig.need_sim()
    for fault, reason in (("paper_empty", PAPER_OUT), ("online", PRINTER_OFFLINE)):
        setattr(sim.state, fault, fault == "paper_empty")
        status = await rig.printer.read_status()
        check_honest(status)
        if rig.link == "tcp":
            assert status.why_blocked == reason and status.state is DeviceState.UNAVAILABLE
        else:
            assert status.state is DeviceState.UNKNOWN
        setattr(sim.state, fault, fault != "paper_empty")
    check_honest(await rig.printer.read_status())


async def test_stall_then_resume_without_loss(rig: Rig) -> None:
    sim = rig.need_sim()
    data = rig.printer.encode([TextLine("before the paper ran out")])
    await rig.printer.start_job()
    await rig.printer.send(data, timeout=1.0)
    await until(lambda: sim.interp.stats["bytes"] == len(data))
    sim.state.paper_empty = True
    with pytest.raises(TransportTimeout):
        for _ in range(40):  # the link's buffers fill: 4 KB (pty), 64 KB (FIFO), some MB (TCP)
            await rig.printer.send(BULK, timeout=0.2)
            data += BULK
    data += BULK
    sim.interp.load_paper()
    await rig.printer.flush(timeout=5.0)
    tail = rig.printer.encode([TextLine("after")])
    await rig.printer.send(tail, timeout=1.0)
    await rig.printer.end_job()
    await confirmed(rig.printer)
    if rig.link == "usblp":
        await rig.printer.close()
    # The tail's ESC @ starts a second job; together they are every byte, once, in order.
    await until(lambda: sum(len(j.raw) for j in sim.interp.jobs) == len(data + tail))
    assert b"".join(j.raw for j in sim.interp.jobs) == data + tail


async def test_cable_pulled_mid_job(rig: Rig) -> None:
    sim = rig.need_sim()
    if rig.link == "serial":
        pytest.skip("a serial line cannot tell a pulled cable (no return channel)")
    sim.state.disconnect_after_bytes = 1000  # inside the first bit-image pass
    first = rig.printer.encode([TextLine("cut off")])
    await rig.printer.start_job()
    with pytest.raises(TransportError) as err:
        await rig.printer.send(first, timeout=1.0)
        for _ in range(40):
            await rig.printer.send(PASSES, timeout=1.0)
        await rig.printer.end_job()
        await confirmed(rig.printer)
    assert err.value.reason == "DISCONNECTED" and not isinstance(err.value, TransportTimeout)
    sim.replug()  # plugged back: the next job prints
    await rig.printer.abort_job()
    await until(lambda: len(sim.interp.jobs) == 1)  # the cut-off job: its first 1000 bytes
    assert sim.interp.jobs[0].raw == (first + PASSES)[:1000]
    assert sim.interp.jobs[0].lines[0] == "cut off"
    data = rig.printer.encode([TextLine("again")])
    await deliver(rig.printer, data)  # NULs first: they finish the cut-off pass
    await rig.printer.close()
    sent = rig.printer.resync + data
    await until(lambda: sum(len(j.raw) for j in sim.interp.jobs[1:]) == len(sent))
    assert b"".join(j.raw for j in sim.interp.jobs[1:]) == sent
    # The NULs completed the cut-off pass (blank dots); ESC @ then started the job afresh.
    assert sim.interp.jobs[-1].raw == data and sim.interp.jobs[-1].lines == ["again"]
