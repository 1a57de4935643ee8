"""The ESC/POS printer simulator: hand-written bytes (protocols.md §2, §2.1) in, dots and replies out."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from kioskhub.simulators import escpos_commands as sp
from kioskhub.simulators.control import send_control
from kioskhub.simulators.escpos_interp import EscposInterpreter, EscposState
from kioskhub.simulators.escpos_printer import EscposPrinterSim

ESC, GS = b"\x1b", b"\x1d"


def printed(data: bytes, state: EscposState | None = None) -> EscposInterpreter:
    interp = EscposInterpreter(state)
    interp.receive(data)
    interp.run()
    interp.end_receipt(cut=False)
    return interp


@pytest.mark.parametrize(
    ("setup", "replies"),
    [
        ({}, (0x12, 0x12, 0x12, 0x12)),
        ({"paper": "near"}, (0x12, 0x12, 0x12, 0x1E)),
        ({"paper": "out"}, (0x1A, 0x32, 0x12, 0x72)),
        ({"online": False}, (0x1A, 0x12, 0x12, 0x12)),
        ({"cover_open": True}, (0x1A, 0x16, 0x12, 0x12)),
        ({"cutter_error": True}, (0x1A, 0x52, 0x1A, 0x12)),
    ],
)
def test_dle_eot_replies_follow_the_state(setup: dict[str, object], replies: tuple[int, ...]) -> None:
    sim = EscposPrinterSim(EscposState(**setup))  # type: ignore[arg-type]
    session = sim.new_session()
    got = sim.on_bytes(session, b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04")
    assert got == [bytes([r]) for r in replies]
    assert all(r & 0x93 == 0x12 for r in replies)  # the fixed bits 0xx1xx10


def test_dle_eot_split_across_reads_and_inside_image_data() -> None:
    sim = EscposPrinterSim()
    session = sim.new_session()
    assert sim.on_bytes(session, b"\x10") == []
    assert sim.on_bytes(session, b"\x04") == []
    assert sim.on_bytes(session, b"\x04") == [b"\x12"]
    assert sim.on_bytes(session, b"\x10\x04\x05") == []  # n = 5 is not a status
    # Inside GS v 0 data a real printer answers too (its real-time layer sees every byte).
    raster = GS + b"v0\x00\x03\x00\x01\x00" + b"\x10\x04\x01"
    assert sim.on_bytes(session, raster) == [b"\x12"]
    assert sim.interp.head.receipt.lines == ["[raster 24x1]"]


def test_silent_printer_prints_but_never_answers() -> None:
    sim = EscposPrinterSim(EscposState(silent=True))
    assert sim.on_bytes(sim.new_session(), b"\x10\x04\x04Hi\n") == []
    assert sim.interp.head.receipt.lines == ["Hi"]


def test_text_lines_bold_and_double_width() -> None:
    interp = printed(ESC + b"@Hello\n" + ESC + b"E\x01Hello\n" + ESC + b"E\x00" + GS + b"!\x10Hello\n")
    receipt = interp.receipts[-1]
    assert receipt.lines == ["Hello", "Hello", "Hello"]
    bits = receipt.bits
    plain, bold, wide = bits[0:34], bits[34:68], bits[68:102]  # 1/6" = 34 dots a line
    assert plain[:, :60].sum() > 100 and not plain[:, 60:].any()  # 5 cells of 12 dots
    assert bold.sum() > plain.sum()
    assert wide[:, 60:120].any() and not wide[:, 120:].any()  # double width: 5 cells of 24


def test_raster_image_dots_msb_left_rows_down() -> None:
    interp = printed(GS + b"v0\x00\x02\x00\x02\x00" + b"\x81\x00" + b"\x18\x01")
    bits = interp.receipts[-1].bits
    assert bits.shape[0] == 2
    assert list(np.flatnonzero(bits[0])) == [0, 7]
    assert list(np.flatnonzero(bits[1])) == [3, 4, 15]
    scaled = printed(GS + b"v0\x03\x01\x00\x01\x00\x80").receipts[-1].bits  # m = 3: 2 x 2 per dot
    assert scaled.shape[0] == 2 and scaled[:, :2].all() and not scaled[:, 2:].any()


def test_raster_with_text_in_the_line_buffer_is_ignored() -> None:
    interp = printed(b"abc" + GS + b"v0\x00\x01\x00\x01\x00\xff" + b"\n")
    assert interp.stats["ignored_images"] == 1 and interp.receipts[-1].lines == ["abc"]


def test_column_images_24_and_8_dot() -> None:
    # ESC * 33 nL nH: 2 columns of 3 bytes, top dot = MSB of the first byte.
    interp = printed(ESC + b"3\x18" + ESC + b"*\x21\x02\x00" + b"\x80\x00\x01" + b"\x00\x00\x00" + b"\n")
    bits = interp.receipts[-1].bits
    assert bits.shape[0] == 24 and list(zip(*np.nonzero(bits), strict=True)) == [(0, 0), (23, 0)]
    # ESC * 0: 8-dot single density -> each dot 2 wide, 3 tall.
    single = printed(ESC + b"*\x00\x01\x00\x80\n").receipts[-1].bits
    assert single[:3, :2].all() and single.sum() == 6


def test_cut_ends_a_receipt_with_files_and_index(tmp_path: Path) -> None:
    data = ESC + b"@kioskhub-job: abc-1\n" + ESC + b"d\x02" + GS + b"V\x01" + b"next\n"
    interp = EscposInterpreter(EscposState(out_dir=str(tmp_path)))
    interp.receive(data)
    interp.run()
    first = interp.receipts[-1]
    assert first.cut and first.ids == ["abc-1"] and first.lines == ["kioskhub-job: abc-1", "", ""]
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["ids"]["abc-1"]["files"] == ["job-0001.png", "job-0001.txt", "job-0001.bin"]
    assert (tmp_path / "job-0001.bin").read_bytes() == data[: data.index(b"next")]
    assert (tmp_path / "job-0001.txt").read_text() == "kioskhub-job: abc-1\n\n\n"
    assert interp.head.receipt.lines == ["next"]  # the next receipt has begun


def test_unknown_and_skipped_commands() -> None:
    data = (ESC + b"\x01" + b"A\n"  # unknown ESC: skipped as two bytes
            + GS + b"(k\x03\x001A\x32" + b"B\n"  # GS ( k pL pH + 3 bytes (QR model)
            + GS + b"k\x04123\x00" + b"C\n"  # GS k 4 NUL-terminated barcode
            + b"\x10\x14\x01\x00\x01" + b"D\n")  # DLE DC4 1 m t: pulse
    interp = printed(data)
    assert interp.receipts[-1].lines == ["A", "B", "C", "D"]
    assert interp.stats["unknown_commands"] == 1


def test_code_page_selects_the_glyphs() -> None:
    assert printed(b"\x9b\n").receipts[-1].lines == ["¢"]  # PC437
    assert printed(ESC + b"t\x02\x9b\n").receipts[-1].lines == ["ø"]  # PC850


def test_paper_out_stops_printing_until_loaded() -> None:
    interp = EscposInterpreter(EscposState(paper_out_after_lines=2))
    interp.receive(b"one\ntwo\nthree\n")
    interp.run()
    assert interp.head.receipt.lines == ["one", "two"] and interp.state.paper == "out"
    assert interp.pending == 6 and interp.status_byte(4) == 0x72
    interp.load_paper()
    assert interp.head.receipt.lines == ["one", "two", "three"] and interp.pending == 0


async def until(cond: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_tcp_close_ends_the_receipt_and_status_answers_mid_job(tmp_path: Path) -> None:
    sim = EscposPrinterSim(out_dir=tmp_path)
    url = await sim.start("tcp://127.0.0.1:0")
    host, port = url.removeprefix("tcp://").split(":")
    try:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"kioskhub-job: t1\n" + GS + b"v0\x00\x01\x00\x04\x00")  # raster header, data pending
        writer.write(b"\x10\x04\x04")  # real time: answered although it is raster data here
        await writer.drain()
        assert await asyncio.wait_for(reader.readexactly(1), 2) == b"\x12"
        writer.write(b"\x00\n")
        writer.close()
        await until(lambda: sim.interp.receipts)
        receipt = sim.interp.receipts[-1]
        assert receipt.lines == ["kioskhub-job: t1", "[raster 8x4]", ""] and not receipt.cut
        assert json.loads((tmp_path / "index.json").read_text())["ids"]["t1"]["job"] == 1
    finally:
        await sim.stop()


async def test_disconnect_after_bytes_and_unplug() -> None:
    sim = EscposPrinterSim(EscposState(disconnect_after_bytes=4))
    url = await sim.start("tcp://127.0.0.1:0")
    host, port = url.removeprefix("tcp://").split(":")
    try:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"abcdefgh\n")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(10), 2) == b""  # the printer hung up
        writer.close()
        await until(lambda: sim.interp.receipts)
        assert sim.interp.receipts[-1].lines == ["abcd"]
        sim.unplug()
        assert sim.on_bytes(sim.new_session(), b"") == []
    finally:
        await sim.stop()


async def test_control_commands() -> None:
    sim = EscposPrinterSim()
    await sim.start("tcp://127.0.0.1:0")
    ctl = await sim.start_control("tcp://127.0.0.1:0")
    try:
        assert await send_control(ctl, "paper near") == "OK paper near status4=0x1e"
        assert await send_control(ctl, "paper out") == "OK paper out status4=0x72"
        assert json.loads((await send_control(ctl, "status"))[3:]) == {
            "1": "0x1a", "2": "0x32", "3": "0x12", "4": "0x72"
        }
        assert (await send_control(ctl, "paper in")).startswith("OK paper in")
        assert await send_control(ctl, "cover open") == "OK cover open"
        assert sim.interp.status_byte(2) == 0x16
        assert await send_control(ctl, "cover closed") == "OK cover closed"
        assert await send_control(ctl, "set silent on") == "OK silent=true"
        assert sim.state.silent
        assert (await send_control(ctl, "paper sideways")).startswith("ERR")
        assert await send_control(ctl, "end_job") == "OK no job"
        assert json.loads((await send_control(ctl, "jobs"))[3:]) == []
    finally:
        await sim.stop()


def test_registered_name_and_command_table_sanity() -> None:
    assert EscposPrinterSim.name == "escpos_printer"
    assert sp.command_length(bytearray(GS + b"V"), 0) is None  # incomplete: wait for more
    assert sp.command_length(bytearray(GS + b"VA\x03"), 0) == 4  # GS V 65 n
    assert sp.command_length(bytearray(GS + b"V\x01"), 0) == 3


def test_a_command_cut_short_by_a_hang_up_is_dropped() -> None:
    interp = EscposInterpreter()
    interp.receive(b"partial\n" + GS + b"v0\x00\x01\x00\x10\x00\xff\xff")  # 16 rows announced, 2 sent
    interp.close_stream()
    assert interp.receipts[-1].lines == ["partial"] and interp.stats["dropped_bytes"] == 10
    interp.receive(ESC + b"@next\n")
    interp.close_stream()
    assert interp.receipts[-1].lines == ["next"]


PROCESS_ID = GS + b"(H\x06\x00\x30\x30" + b"JB01"  # GS ( H pL=6 pH=0 fn=48 m=48 "JB01"


async def test_process_id_answered_once_printed_and_one_connection_at_a_time(tmp_path: Path) -> None:
    sim = EscposPrinterSim(out_dir=tmp_path)
    url = await sim.start("tcp://127.0.0.1:0")
    host, port = url.removeprefix("tcp://").split(":")
    try:
        reader, writer = await asyncio.open_connection(host, int(port))
        other_reader, other = await asyncio.open_connection(host, int(port))  # waits, unread
        other.write(b"kioskhub-job: second\n" + GS + b"V\x01" + b"\x10\x04\x01")
        await other.drain()
        sim.state.paper = "out"  # nothing prints: the answer waits for the printing
        writer.write(ESC + b"@kioskhub-job: first\n" + GS + b"V\x01" + PROCESS_ID)
        await writer.drain()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.readexactly(1), 0.2)
        sim.interp.load_paper()
        # header 37h, identifier 22h, the process ID, NUL: after the receipt was cut
        assert await asyncio.wait_for(reader.readexactly(7), 2) == b"\x37\x22JB01\x00"
        assert [r.ids for r in sim.interp.receipts] == [["first"]]
        assert bytes(sim.interp.receipts[0].raw) == ESC + b"@kioskhub-job: first\n" + GS + b"V\x01"
        writer.close()
        assert await asyncio.wait_for(other_reader.readexactly(1), 2) == b"\x12"  # now read
        await until(lambda: len(sim.interp.receipts) == 2)
        other.close()
    finally:
        await sim.stop()


async def test_slow_printer_fills_its_buffer_then_stops_reading(tmp_path: Path) -> None:
    sim = EscposPrinterSim(EscposState(slow_bps=10_000, buffer_bytes=1024), out_dir=tmp_path)
    url = await sim.start("tcp://127.0.0.1:0")
    host, port = url.removeprefix("tcp://").split(":")
    try:
        _, writer = await asyncio.open_connection(host, int(port))
        body = b"".join(b"line %04d of a slow receipt ...................\n" % n for n in range(100))
        started = time.monotonic()
        writer.write(ESC + b"@" + body + b"kioskhub-job: slow\n" + GS + b"V\x01")
        await writer.drain()
        await until(lambda: sim.interp.stats["bytes"] > 0)
        assert sim.interp.stats["bytes"] < len(body) / 2  # printing, not there yet
        await until(lambda: bool(sim.interp.receipts), timeout=10)
        assert time.monotonic() - started >= 0.4  # 5 KB at 10 KB/s
        assert sim.interp.receipts[0].lines[-1] == "kioskhub-job: slow"
        writer.close()
    finally:
        await sim.stop()


async def test_power_cycle_keeps_what_was_printed_and_loses_the_rest(tmp_path: Path) -> None:
    sim = EscposPrinterSim(EscposState(paper_out_after_lines=1), out_dir=tmp_path)
    url = await sim.start("tcp://127.0.0.1:0")
    host, port = url.removeprefix("tcp://").split(":")
    try:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(ESC + b"@printed\nnot printed\nkioskhub-job: lost\n" + PROCESS_ID)
        await writer.drain()
        await until(lambda: sim.interp.pending > 0)
        ctl = await sim.start_control("tcp://127.0.0.1:0")
        assert await send_control(ctl, "power cycle") == "OK power cycled"
        assert await asyncio.wait_for(reader.read(10), 2) == b""  # the connection is gone
        sim.interp.load_paper()
        assert [r.lines for r in sim.interp.receipts] == [["printed"]] and sim.interp.pending == 0
    finally:
        await sim.stop()


def test_a_silent_printer_sends_nothing_back() -> None:
    sim = EscposPrinterSim(EscposState(silent=True))
    assert sim.on_bytes(sim.new_session(), b"x\n" + PROCESS_ID + b"\x10\x04\x01") == []
    assert sim.take_responses() == b""  # the process ID answer is lost, not held
    sim.state.silent = False
    assert sim.take_responses() == b""
