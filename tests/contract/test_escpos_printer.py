"""ESC/POS printer contract: the same tests against the simulator (tcp and pty) or real hardware.

    pytest tests/contract/test_escpos_printer.py --hw escpos=tcp://192.168.1.50:9100
    pytest tests/contract/test_escpos_printer.py --hw escpos=serial:///dev/ttyUSB0?baudrate=38400

On hardware one short receipt prints (a bold line, a 6 mm black square, the job id, a cut).
Tests that need fault injection run on the simulator only and skip under --hw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from hubd.classes.printer.contract import Paper, PrinterStatus
from hubd.device import DeviceState, StatusSource
from hubd.render.program import Cut, Feed, ImageBand, TextLine
from kioskhub.drivers.escpos import DRIVER, EscposPrinter
from kioskhub.simulators.escpos_printer import EscposPrinterSim
from tests.conftest import hw_url


@dataclass
class Rig:
    """A driver instance and, unless on hardware, the simulator behind it."""

    printer: EscposPrinter
    sim: EscposPrinterSim | None

    def need_sim(self) -> EscposPrinterSim:
        if self.sim is None:
            pytest.skip("needs fault injection: simulator only")
        return self.sim


@pytest.fixture(params=["tcp", "serial"])
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    url = hw_url(request.config, "escpos")
    sim = None
    if url is not None:
        if request.param != "tcp":
            pytest.skip("hardware runs once, on its own URL")
    else:
        sim = EscposPrinterSim(out_dir=tmp_path)
        url = await sim.start("tcp://127.0.0.1:0" if request.param == "tcp" else "pty")
    printer = DRIVER.factory("receipt", url, {"status_timeout": 0.3 if sim else 1.0})
    assert isinstance(printer, EscposPrinter)
    try:
        yield Rig(printer, sim)
    finally:
        await printer.close()
        if sim is not None:
            await sim.stop()


def check_honest(status: PrinterStatus) -> None:
    """What every status must satisfy, from any printer: observed, or unknown with a reason."""
    if status.state is DeviceState.UNKNOWN:
        assert status.reason in ("NO_STATUS_REPLY", "NO_STATUS_CHANNEL") and status.paper is Paper.UNKNOWN
        assert status.online is None and status.source is StatusSource.INFERRED
        return
    assert status.source is StatusSource.DEVICE and status.paper is not Paper.UNKNOWN
    assert isinstance(status.online, bool) and isinstance(status.error, bool)
    assert (status.state is DeviceState.AVAILABLE) == (not status.blocks_printing)


async def test_status(rig: Rig) -> None:
    status = await rig.printer.read_status()
    check_honest(status)
    if rig.sim is not None:
        assert (status.state, status.paper, status.online) == (DeviceState.AVAILABLE, Paper.OK, True)


async def test_print_a_receipt(rig: Rig) -> None:
    square = np.ones((48, 48), dtype=bool)
    job = f"contract-{time.time_ns()}"
    program = [TextLine("kioskhub ESC/POS contract test", bold=True), ImageBand(square, left=264),
               TextLine(f"kioskhub-job: {job}"), Feed(1), Cut()]
    await rig.printer.send(rig.printer.encode(program), 5.0)
    await rig.printer.end_job()
    check_honest(await rig.printer.read_status())
    if rig.sim is None:
        return
    sim = rig.sim
    deadline = time.monotonic() + 5
    while not any(job in r.ids for r in sim.interp.receipts):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    receipt = next(r for r in sim.interp.receipts if job in r.ids)
    assert receipt.cut and receipt.lines[0] == "kioskhub ESC/POS contract test"
    rows = np.flatnonzero(receipt.bits[:, 264:312].all(axis=1))
    assert len(rows) == 48 and rows[-1] - rows[0] == 47
    square_rows = receipt.bits[rows[0] : rows[-1] + 1]
    assert not square_rows[:, :264].any() and not square_rows[:, 312:].any()


@pytest.mark.parametrize(
    ("fault", "paper", "state"),
    [("near", Paper.LOW, DeviceState.AVAILABLE), ("out", Paper.OUT, DeviceState.UNAVAILABLE)],
)
async def test_paper_sensor(rig: Rig, fault: str, paper: Paper, state: DeviceState) -> None:
    sim = rig.need_sim()
    sim.state.paper = fault
    status = await rig.printer.read_status()
    assert (status.paper, status.state) == (paper, state)
    sim.interp.load_paper()
    assert (await rig.printer.read_status()).paper is Paper.OK


async def test_offline_and_silent(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.online = False
    status = await rig.printer.read_status()
    assert (status.online, status.why_blocked) == (False, "PRINTER_OFFLINE")
    sim.state.online, sim.state.silent = True, True
    status = await rig.printer.read_status()
    check_honest(status)
    assert status.state is DeviceState.UNKNOWN  # never OK without a reply
