"""ESC/POS encoder (exact bytes written by hand) and the driver against the real simulator."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hubd.classes.printer.contract import JOB_LOST, PAPER_OUT, UNCONFIRMED, Confirmation, Paper
from hubd.device import DeviceState, StatusSource
from hubd.errors import InvalidArgument, TransportError, TransportTimeout
from hubd.render.program import Cut, Feed, ImageBand, Placed, TextLine
from kioskhub.drivers.escpos import DRIVER, EscposPrinter
from kioskhub.drivers.escpos.encode import EscposProfile, encode_program, load_profile
from kioskhub.simulators.escpos_printer import EscposPrinterSim
from tests.delivery import confirmed, deliver

INIT = b"\x1b\x40\x1b\x74\x00"  # ESC @, ESC t 0 (PC437)
CUT = b"\x1b\x64\x04\x1d\x56\x01"  # ESC d 4, GS V 1 (partial cut)
PROFILE = EscposProfile()


def raster_rows(data: bytes) -> np.ndarray:
    """Decode the GS v 0 images in ``data`` (written from the command layout, not the encoder)."""
    rows: list[np.ndarray] = []
    i = data.find(b"\x1d\x76\x30")
    while i >= 0:
        x, y = data[i + 4] | data[i + 5] << 8, data[i + 6] | data[i + 7] << 8
        body = np.frombuffer(data[i + 8 : i + 8 + x * y], dtype=np.uint8).reshape(y, x)
        rows += list(np.unpackbits(body, axis=1).astype(bool))
        i = data.find(b"\x1d\x76\x30", i + 8 + x * y)
    width = max(len(r) for r in rows)
    return np.array([np.pad(r, (0, width - len(r))) for r in rows])


def test_text_feed_cut_bytes() -> None:
    program = [TextLine("Hi", bold=True), TextLine("Wide", double_width=True),
               TextLine("small", condensed=True), Feed(2), Cut()]
    assert encode_program(program, PROFILE) == (
        INIT
        + b"\x1b\x45\x01Hi\x1b\x45\x00\x0a"
        + b"\x1d\x21\x10Wide\x1d\x21\x00\x0a"
        + b"\x1b\x4d\x01small\x1b\x4d\x00\x0a"
        + b"\x1b\x64\x02"
        + CUT
    )


def test_text_is_sanitized() -> None:
    assert encode_program([TextLine("A\x1d\x56\x00B ₹5")], PROFILE) == INIT + b"AVB ?5\x0a"


def test_image_band_as_raster_with_left_offset() -> None:
    band = ImageBand(np.ones((2, 3), dtype=bool), left=8)
    # 8 blank dots then 3 inked: 2 bytes a row, 00 e0.
    assert encode_program([band], PROFILE) == INIT + b"\x1d\x76\x30\x00\x02\x00\x02\x00\x00\xe0\x00\xe0"


def test_blank_columns_after_the_ink_are_dropped() -> None:
    bitmap = np.zeros((1, 40), dtype=bool)
    bitmap[0, 0] = True
    assert encode_program([ImageBand(bitmap)], PROFILE) == INIT + b"\x1d\x76\x30\x00\x01\x00\x01\x00\x80"
    blank = np.zeros((3, 40), dtype=bool)  # still feeds its height
    three_blank_rows = b"\x1d\x76\x30\x00\x01\x00\x03\x00\x00\x00\x00"
    assert encode_program([ImageBand(blank)], PROFILE) == INIT + three_blank_rows


def test_tall_band_is_split_into_960_row_images() -> None:
    out = encode_program([ImageBand(np.ones((1000, 8), dtype=bool))], PROFILE)
    first = b"\x1d\x76\x30\x00\x01\x00\xc0\x03" + b"\xff" * 960  # 960 = 0x3c0
    second = b"\x1d\x76\x30\x00\x01\x00\x28\x00" + b"\xff" * 40
    assert out == INIT + first + second


def test_feed_over_255_lines_and_a_printer_without_cutter() -> None:
    assert encode_program([Feed(300)], PROFILE) == INIT + b"\x1b\x64\xff\x1b\x64\x2d"
    simple = load_profile("simple")
    assert not simple.can_cut
    assert encode_program([Cut()], simple) == INIT + b"\x1b\x64\x04"


@pytest.mark.parametrize(
    ("op", "field"),
    [
        (ImageBand(np.ones((2, 577), dtype=bool)), "program[0].bitmap"),
        (ImageBand(np.ones((2, 10), dtype=bool), left=570), "program[0].bitmap"),
        (ImageBand(np.ones((2, 10), dtype=bool), left=-1), "program[0].left"),
        (ImageBand(np.ones(10, dtype=bool)), "program[0].bitmap"),
        (Feed(-1), "program[0].lines"),
    ],
)
def test_bad_ops_are_invalid_argument(op: object, field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        encode_program([op], PROFILE)  # type: ignore[list-item]
    assert info.value.field == field


def test_profiles_from_python_escpos() -> None:
    default = load_profile()
    assert (default.width_dots, default.dpi, default.columns, default.code_page) == (576, 203, 48, 0)
    t88v = load_profile("TM-T88V")  # the capability database: 512 dots at 180 dpi
    assert (t88v.width_dots, t88v.dpi, t88v.columns) == (512, 180, 42)
    assert load_profile("TM-T88V", width_dots=576).width_dots == 576
    with pytest.raises(InvalidArgument):
        load_profile("no-such-printer")


@pytest.mark.parametrize("name", ["default", "TM-T88V", "simple", "TM-T20II"])
def test_profile_read_as_python_escpos_reads_it(name: str) -> None:
    """The database read as JSON gives what python-escpos' own API gives for that profile."""
    from escpos.capabilities import get_profile

    caps = get_profile(name)
    ours = load_profile(name)
    assert ours.can_cut == bool(caps.supports("paperPartCut") or caps.supports("paperFullCut"))
    pages = caps.get_code_pages()
    assert ours.code_page == (int(pages["CP437"]) if "CP437" in pages else 0)
    dpi, pixels = caps.media["dpi"], caps.media["width"]["pixels"]  # "Unknown" when not known
    if isinstance(dpi, int) and isinstance(pixels, int):
        assert (ours.dpi, ours.width_dots) == (dpi, pixels)
    else:
        assert (ours.dpi, ours.width_dots) == (203, 576)


def test_mixed_line_is_one_raster_with_text_and_images_on_one_baseline() -> None:
    hindi = np.zeros((48, 20), dtype=bool)
    hindi[10:30, 2:18] = True  # the "glyph": rows 10..29
    line = TextLine("AB          XY", images=(Placed(4, ImageBand(hindi, left=3)),), baseline=28)
    out = encode_program([line], PROFILE)
    assert out.startswith(INIT + b"\x1d\x76\x30") and b"AB" not in out  # text drawn, not sent
    dots = raster_rows(out[len(INIT) :])
    top = dots.shape[0] - 48 if dots.shape[0] > 48 else 0
    assert dots.shape[0] >= 48
    # The image: column 4 = 48 dots, + left 3 -> dots 51..70; its ink at 53..68, rows 10..29.
    assert dots[top + 10 : top + 30, 53:69].all()
    assert not dots[:, 40:50].any() and not dots[:, 72:144].any()
    # "AB" in columns 0-1 (dots 0..23) and "XY" in columns 12-13 (dots 144..167), above the baseline.
    for lo, hi in ((0, 24), (144, 168)):
        assert dots[top + 12 : top + 28, lo:hi].sum() > 40
        assert not dots[top + 31 :, lo:hi].any()  # no descenders in A, B, X, Y
    with pytest.raises(InvalidArgument):
        encode_program([TextLine("x", condensed=True, images=line.images, baseline=28)], PROFILE)
    with pytest.raises(InvalidArgument):
        encode_program([TextLine("x", images=(Placed(47, ImageBand(hindi)),), baseline=0)], PROFILE)


def test_geometry_is_the_head_as_it_is_with_font_a_columns() -> None:
    printer = EscposPrinter("p", "tcp://127.0.0.1:9100")
    g = printer.geometry()
    assert (g.columns, g.width_dots, g.hdpi, g.vdpi) == (48, 576, 203, 203)
    assert g.column_dots(1) == 12 and g.pixel_size == 20  # text sized to a font A cell
    assert DRIVER.name == "escpos" and DRIVER.schemes == frozenset({"tcp", "serial", "usb", "usblp"})


@pytest.mark.parametrize(
    "url",
    ["tcp://", "tcp://host", "tcp://host:99999", "serial://relative", "serial:///dev/x?parity=X",
     "serial:///dev/x?baudrate=fast", "usb://zz:01", "usb://04b8", "ftp://x", "usblp://relative",
     "file:///dev/usb/lp0"],
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(InvalidArgument):
        EscposPrinter("p", url)


def test_bad_options() -> None:
    for options, field in [({"status_timeout": "soon"}, "options.status_timeout"),
                           ({"profile": "nope"}, "options.profile"),
                           ({"confirm": "maybe"}, "options.confirm"),
                           ({"connect_timeout": 1}, "options.connect_timeout")]:
        with pytest.raises(InvalidArgument) as err:
            EscposPrinter("p", "tcp://127.0.0.1:9100", options)
        assert err.value.field == field


# -- against the simulator ----------------------------------------------------------------------


async def until(cond: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[EscposPrinterSim]:
    s = EscposPrinterSim(out_dir=tmp_path)
    try:
        yield s
    finally:
        await s.stop()


@pytest.fixture
async def printer(sim: EscposPrinterSim) -> AsyncIterator[EscposPrinter]:
    url = await sim.start("tcp://127.0.0.1:0")
    dev = DRIVER.factory("receipt", url, {"status_timeout": 0.3})
    assert isinstance(dev, EscposPrinter)
    try:
        yield dev
    finally:
        await dev.close()


async def test_print_text_and_image(printer: EscposPrinter, sim: EscposPrinterSim, tmp_path: Path) -> None:
    square = np.ones((48, 48), dtype=bool)
    program = [TextLine("HELLO", bold=True), ImageBand(square, left=288),
               TextLine("kioskhub-job: J-1"), Cut()]
    data = printer.encode(program)
    # confirmed by the printer's process ID response, sent once the receipt is printed
    assert (await deliver(printer, data)).confirmation is Confirmation.PRINTER
    assert (tmp_path / "index.json").exists()
    index = json.loads((tmp_path / "index.json").read_text())
    files = index["ids"]["J-1"]["files"]
    lines = (tmp_path / files[1]).read_text().splitlines()
    assert lines[:3] == ["HELLO", "[raster 336x48]", "kioskhub-job: J-1"]
    assert (tmp_path / files[2]).read_bytes() == data
    ink = ~np.asarray(Image.open(tmp_path / files[0]).convert("1"), dtype=bool)
    assert ink.shape[1] == 576
    rows = np.flatnonzero(ink[:, 288:336].all(axis=1))  # the square: 48 full rows at dots 288..335
    assert len(rows) == 48 and rows[-1] - rows[0] == 47
    band = ink[rows[0] : rows[-1] + 1]
    assert not band[:, :288].any() and not band[:, 336:].any()
    assert ink[: rows[0], 0:60].sum() > 50  # "HELLO" (5 cells of 12 dots) above the square
    assert not ink[: rows[0], 60:].any()


@pytest.mark.parametrize(
    ("setup", "state", "paper", "online", "reason"),
    [
        ({}, DeviceState.AVAILABLE, Paper.OK, True, ""),
        ({"paper": "near"}, DeviceState.AVAILABLE, Paper.LOW, True, ""),
        ({"paper": "out"}, DeviceState.UNAVAILABLE, Paper.OUT, False, "PAPER_OUT"),
        ({"online": False}, DeviceState.UNAVAILABLE, Paper.OK, False, "PRINTER_OFFLINE"),
        ({"cover_open": True}, DeviceState.UNAVAILABLE, Paper.OK, False, "COVER_OPEN"),
    ],
)
async def test_status_through_dle_eot(
    printer: EscposPrinter, sim: EscposPrinterSim, setup: dict[str, object], state: DeviceState,
    paper: Paper, online: bool, reason: str,
) -> None:
    for key, value in setup.items():
        setattr(sim.state, key, value)
    status = await printer.read_status()
    assert (status.state, status.paper, status.online, status.reason) == (state, paper, online, reason)
    assert status.source is StatusSource.DEVICE
    assert printer.assess(status)[0] is state


async def test_silent_printer_is_unknown_not_ok(printer: EscposPrinter, sim: EscposPrinterSim) -> None:
    sim.state.silent = True
    status = await printer.read_status()
    assert (status.state, status.paper, status.online, status.reason) == (
        DeviceState.UNKNOWN, Paper.UNKNOWN, None, "NO_STATUS_REPLY"
    )
    assert not status.blocks_printing and status.source is StatusSource.INFERRED
    sim.state.silent = False  # a late reply is never taken for the next answer
    assert (await printer.read_status()).state is DeviceState.AVAILABLE


async def test_junk_reply_is_unknown(printer: EscposPrinter, sim: EscposPrinterSim) -> None:
    sim.garbage = True  # high-bit bytes: bit 7 set, off the 0xx1xx10 pattern
    status = await printer.read_status()
    assert status.state is DeviceState.UNKNOWN and "0xx1xx10" in status.detail


async def test_python_escpos_paper_status_says_ok_when_silent(sim: EscposPrinterSim) -> None:
    """Why we validate replies: python-escpos 3.1 reads nothing and reports 'paper adequate'."""
    from escpos.printer import Serial

    url = await sim.start("pty")
    sim.state.silent = True
    sim.state.paper = "out"
    lib = Serial(devfile=url.removeprefix("serial://").split("?")[0], timeout=0.2, dsrdtr=False)
    try:
        assert await asyncio.to_thread(lib.paper_status) == 2  # 2 = "paper adequate": false OK
    finally:
        lib.close()
    ours = DRIVER.factory("receipt", url, {"status_timeout": 0.2})
    try:
        assert (await ours.read_status()).state is DeviceState.UNKNOWN  # type: ignore[attr-defined]
        sim.state.silent = False
        assert (await ours.read_status()).paper is Paper.OUT  # type: ignore[attr-defined]
    finally:
        await ours.close()


async def test_serial_stall_keeps_the_rest_queued_then_flush(sim: EscposPrinterSim) -> None:
    url = await sim.start("pty")
    dev = DRIVER.factory("receipt", url, {"status_timeout": 0.2})
    assert isinstance(dev, EscposPrinter)
    sim.state.paper, sim.state.buffer_bytes = "out", 1024
    data = b"\x1b\x40" + b"\x1d\x76\x30\x00\x48\x00\x00\x10" + b"\x5a" * (72 * 4096) + b"\x1d\x56\x01"
    try:
        with pytest.raises(TransportTimeout):
            await dev.send(data, 0.3)
        status = await dev.read_status()  # bytes queued: the request could not get through
        assert (status.state, status.reason) == (DeviceState.UNKNOWN, "PRINTER_NOT_ACCEPTING")
        sim.interp.load_paper()
        await dev.flush(5.0)
        await until(lambda: sim.interp.receipts)
        receipt = sim.interp.receipts[-1]
        assert bytes(receipt.raw) == data  # nothing lost, nothing sent twice
        assert receipt.lines == ["[raster 576x4096]"] and receipt.cut
    finally:
        await dev.close()


async def test_usblp_link_writes_bytes_and_status_is_unknown(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.touch()
    dev = DRIVER.factory("receipt", f"usblp://{target}", {})
    assert isinstance(dev, EscposPrinter)
    try:
        status = await dev.read_status()
        assert (status.state, status.reason) == (DeviceState.UNKNOWN, "NO_STATUS_CHANNEL")
        assert status.paper is Paper.UNKNOWN
        delivery = await deliver(dev, b"\x1b\x40abc\x0a")  # write-only: no process ID asked
        assert delivery.confirmation is Confirmation.BYTES_ONLY
        assert target.read_bytes() == b"\x1b\x40abc\x0a"
    finally:
        await dev.close()


@pytest.mark.parametrize("url", ["serial:///dev/no-such-tty", "usblp:///no-such-dir/lp0"])
async def test_missing_device_is_no_such_device(url: str) -> None:
    dev = DRIVER.factory("receipt", url, {})
    for call in (dev.read_status, lambda: dev.send(b"x", 0.5)):  # type: ignore[attr-defined]
        with pytest.raises(TransportError) as info:
            await call()
        assert info.value.reason == "NO_SUCH_DEVICE"
    await dev.close()


async def test_refused_connection_is_a_transport_error(sim: EscposPrinterSim) -> None:
    url = await sim.start("tcp://127.0.0.1:0")
    await sim.stop()
    dev = DRIVER.factory("receipt", url, {}, timeout=1)
    with pytest.raises(TransportError) as info:
        await dev.read_status()  # type: ignore[attr-defined]
    assert info.value.reason == "CONNECTION_REFUSED"
    with pytest.raises(TransportError):
        await dev.send(b"x", 1.0)  # type: ignore[attr-defined]
    await dev.close()


async def test_idle_connection_closed_by_the_printer_is_reopened(
    printer: EscposPrinter, sim: EscposPrinterSim
) -> None:
    sim.state.disconnect_after_bytes = 6  # DLE EOT 1 and DLE EOT 4, then the printer hangs up
    assert (await printer.read_status()).state is DeviceState.AVAILABLE
    await until(lambda: not sim._ports)
    assert (await printer.read_status()).state is DeviceState.AVAILABLE  # reconnected, no error
    await deliver(printer, printer.encode([TextLine("after reconnect"), Cut()]))
    assert sim.interp.receipts[-1].lines[0] == "after reconnect"


# -- job confirmation -----------------------------------------------------------------------------

RECEIPT = [TextLine("E-MITRA RECEIPT", bold=True), ImageBand(np.ones((24, 576), dtype=bool)),
           TextLine("kioskhub-job: J-9"), Cut()]


@pytest.fixture
def quick_reprobe(monkeypatch: pytest.MonkeyPatch) -> None:
    import kioskhub.drivers.escpos.driver as driver

    monkeypatch.setattr(driver, "REPROBE_AFTER", 0.05)


async def test_confirmed_by_the_process_id_only_once_printed(printer: EscposPrinter,
                                                              sim: EscposPrinterSim) -> None:
    sim.state.slow_bps = 5_000  # the receipt takes about 0.4 s to print
    data = printer.encode(RECEIPT)
    await printer.start_job()
    await printer.send(data, 2.0)
    await printer.end_job()
    first = await printer.confirm_job()
    assert not first.done and first.reason == UNCONFIRMED
    delivery = await confirmed(printer)
    assert delivery.confirmation is Confirmation.PRINTER
    assert sim.interp.receipts and sim.interp.receipts[-1].ids == ["J-9"]  # on paper before
    assert bytes(sim.interp.receipts[-1].raw) == data  # the request is not part of the receipt


async def test_paper_out_keeps_the_job_unconfirmed_until_loaded(printer: EscposPrinter,
                                                                 sim: EscposPrinterSim) -> None:
    sim.state.paper_out_after_lines = 1
    await printer.start_job()
    await printer.send(printer.encode(RECEIPT), 2.0)
    await printer.end_job()
    waiting = await printer.confirm_job()
    assert (waiting.done, waiting.reason) == (False, PAPER_OUT)
    assert waiting.status is not None and waiting.status.paper is Paper.OUT
    sim.interp.load_paper()
    assert (await confirmed(printer)).confirmation is Confirmation.PRINTER
    assert sim.interp.receipts[-1].ids == ["J-9"]


@pytest.mark.usefixtures("quick_reprobe")
@pytest.mark.parametrize("link", ["pty", "tcp://127.0.0.1:0"])
async def test_a_power_cycle_while_unconfirmed_loses_the_job(sim: EscposPrinterSim, link: str) -> None:
    """Paper out, then the printer switched off and on: its buffer, and the job's tail, are gone.
    On TCP the connection resets; on a serial line the printer answers a new process ID but
    never the job's own."""
    dev = DRIVER.factory("receipt", await sim.start(link), {"status_timeout": 0.3})
    assert isinstance(dev, EscposPrinter)
    sim.state.paper_out_after_lines = 1
    try:
        await dev.start_job()
        await dev.send(dev.encode(RECEIPT), 2.0)
        await dev.end_job()
        assert (await dev.confirm_job()).reason == PAPER_OUT
        sim.power_cycle()
        sim.interp.load_paper()
        with pytest.raises(TransportError) as err:
            await confirmed(dev)
        assert err.value.reason == ("JOB_LOST" if link == "pty" else "DISCONNECTED")
        await dev.abort_job()
        assert not any("J-9" in r.ids for r in sim.interp.receipts)  # never printed in full
        await deliver(dev, dev.encode(RECEIPT))  # printed again, from the start
        assert sim.interp.receipts[-1].ids == ["J-9"]
    finally:
        await dev.close()


@pytest.mark.usefixtures("quick_reprobe")
async def test_a_return_channel_that_was_down_ends_in_a_reprint(printer: EscposPrinter,
                                                                sim: EscposPrinterSim) -> None:
    """Nothing comes back (DLE EOT, process ID): unconfirmed, never OK. When answers come again the
    job's own answer was lost with the rest: it cannot be told from a lost job, so it is reprinted."""
    sim.state.silent = True
    await printer.start_job()
    await printer.send(printer.encode(RECEIPT), 2.0)
    await printer.end_job()
    waiting = await printer.confirm_job()
    assert (waiting.done, waiting.reason) == (False, UNCONFIRMED) and "no reply" in waiting.detail
    sim.state.silent = False
    with pytest.raises(TransportError) as err:
        await confirmed(printer)
    assert err.value.reason == JOB_LOST


async def test_status_confirmation_for_printers_without_process_ids(sim: EscposPrinterSim) -> None:
    dev = DRIVER.factory("receipt", await sim.start("tcp://127.0.0.1:0"), {"confirm": "status"})
    assert isinstance(dev, EscposPrinter)
    try:
        sim.state.paper_out_after_lines = 1
        await dev.start_job()
        await dev.send(dev.encode(RECEIPT), 2.0)
        await dev.end_job()
        assert (await dev.confirm_job()).reason == PAPER_OUT
        sim.interp.load_paper()
        assert (await confirmed(dev)).confirmation is Confirmation.PRINTER
    finally:
        await dev.close()


async def test_no_status_request_lands_inside_a_job(printer: EscposPrinter, sim: EscposPrinterSim) -> None:
    assert (await printer.read_status()).state is DeviceState.AVAILABLE
    replies = sim.replies_sent
    await printer.start_job()
    await printer.send(printer.encode(RECEIPT)[:100], 2.0)  # in the middle of a command
    status = await printer.read_status()
    assert (status.state, status.reason) == (DeviceState.UNKNOWN, "PRINTER_NOT_ACCEPTING")
    assert sim.replies_sent == replies  # nothing was asked
    await printer.abort_job()
