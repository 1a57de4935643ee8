"""The ESC/P printer simulator, fed hand-written ESC/P streams (protocols.md §1.1-§1.3)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from kioskhub.simulators.control import execute
from kioskhub.simulators.escp_interp import EscpInterpreter
from kioskhub.simulators.escp_jobs import Job
from kioskhub.simulators.escp_modes import EscpState
from kioskhub.simulators.escp_printer import Escp24PinSim, EscpPrinterSim

ESC = b"\x1b"


def run(data: bytes, pins: int = 9, **kw: object) -> Job:
    sim = EscpInterpreter(pins, 80, **kw)  # type: ignore[arg-type]
    assert sim.feed(data) == len(data)
    job = sim.end_job()
    assert job is not None
    return job


def ink(page: Image.Image, x: int, y: int) -> bool:
    return page.getpixel((x, y)) == 0


def ink_count(page: Image.Image) -> int:
    return int((~np.asarray(page)).sum())


def test_text_transcript_and_ink() -> None:
    job = run(ESC + b"@Hello\r\nWorld  \r\n\r\nEnd")
    assert job.lines == ["Hello", "World", "", "End"]
    page = job.pages[0]
    assert page.width == 1920  # 8" at 240 dpi
    # "H" occupies the first 1/10" cell of the first line (24 px wide, 27 rows tall).
    assert any(ink(page, x, y) for x in range(24) for y in range(27))
    assert not any(ink(page, x, y) for x in range(5 * 24, 5 * 24 + 24) for y in range(27))


def test_bold_adds_ink_and_condensed_double_change_pitch() -> None:
    plain = run(b"HHHH\r\n").pages[0]
    bold = run(ESC + b"EHHHH" + ESC + b"F\r\n").pages[0]
    assert ink_count(bold) > ink_count(plain)
    # Condensed (17.14 cpi = 14 px) and double width (5 cpi = 48 px): the 4th character starts
    # at x = 42 and x = 144.
    condensed = run(b"\x0fHHHH\x12\r\n").pages[0]
    assert any(ink(condensed, x, y) for x in range(42, 56) for y in range(27))
    assert not any(ink(condensed, x, y) for x in range(56, 96) for y in range(27))
    double = run(ESC + b"W\x01HHHH" + ESC + b"W\x00\r\n").pages[0]
    assert any(ink(double, x, y) for x in range(144, 192) for y in range(27))


def test_bit_image_with_esc_in_its_data_9_pin() -> None:
    # ESC * 1 (120 x 72 dpi), 3 columns: 1B (ESC!), 40 ('@'), 80. Then 'X'.
    job = run(ESC + b"*\x01\x03\x00" + b"\x1b\x40\x80" + b"X\r\n")
    assert job.lines == ["[graphics 3x8]X"]
    page = job.pages[0]
    # 9-pin raster 240 x 216 dpi: a dot is 2 px wide (1/120") and 3 px tall (1/72").
    # Column 0 = 0x1B = 0001 1011: dots 3, 4, 6, 7.
    assert [ink(page, 0, 3 * d + 1) for d in range(8)] == [False] * 3 + [True, True, False] + [True] * 2
    assert ink(page, 1, 9) and not ink(page, 2, 9)
    assert [ink(page, 2, 3 * d + 1) for d in range(8)] == [False, True] + [False] * 6  # 0x40
    assert [ink(page, 4, 3 * d + 1) for d in range(8)] == [True] + [False] * 7  # 0x80
    # 'X' starts after 3 columns = 3/120" = 6 px.
    assert any(ink(page, x, y) for x in range(6, 30) for y in range(27))


def test_bit_image_24_pin_modes() -> None:
    # ESC * 39: 180 x 180 dpi, 3 bytes per column (top dot = MSB of the first byte).
    job = run(ESC + b"*\x27\x02\x00" + b"\x80\x00\x01" + b"\x00\x80\x00" + b"\r\n", pins=24)
    page = job.pages[0]
    assert page.width == 2880  # 8" at 360 dpi; a 180 dpi dot is 2 x 2 px
    assert ink(page, 0, 0) and ink(page, 1, 1) and not ink(page, 0, 2)
    assert ink(page, 0, 46) and ink(page, 1, 47)  # dot 24
    assert ink(page, 2, 16) and not ink(page, 2, 14)  # column 1, dot 9 (rows 16-17)
    # ESC * 1 on a 24-pin printer: 8 dots at 60 dpi (6 px tall), 120 dpi wide (3 px).
    page = run(ESC + b"*\x01\x01\x00\x40\r\n", pins=24).pages[0]
    assert ink(page, 0, 6) and ink(page, 2, 11) and not ink(page, 0, 5) and not ink(page, 0, 12)


def test_unknown_and_skipped_commands_consume_their_parameters() -> None:
    sim = EscpInterpreter(9, 80)
    data = (
        ESC + b"kA" + b"1"  # ESC k n (typeface): 'A' is its parameter
        + ESC + b"XABC" + b"2"  # ESC X: 3 parameters
        + ESC + b"[ABCDEFG" + b"3"  # ESC [: 7 parameters
        + ESC + b"(Z\x04\x00\x1b@AB" + b"4"  # ESC ( Z nL nH + 4 bytes (with an ESC @ inside)
        + ESC + b"C\x00\x0b" + b"5"  # ESC C NUL n: page length in inches
        + ESC + b"D\x05\x0a\x00" + b"6"  # ESC D tabs, NUL-terminated
        + ESC + b"B\x02\x04\x00" + b"7"  # ESC B vertical tabs, NUL-terminated
        + ESC + b"z" + b"8"  # not an ESC/P command: skipped alone
        + b"\r\n"
    )
    assert sim.feed(data) == len(data)
    job = sim.end_job()
    assert job is not None and job.lines == ["12345678"]
    assert sim.stats["unknown_commands"] == 1
    assert len(sim.jobs) == 1  # the ESC @ inside ESC ( data did not start a job


def test_tabs_and_stream_split_anywhere() -> None:
    data = ESC + b"D\x05\x00" + b"\tA\r\n" + ESC + b"*\x01\x02\x00\x1b\x1b" + b"\r\n"
    whole = run(data)
    assert whole.lines == ["     A", "[graphics 2x8]"]
    sim = EscpInterpreter(9, 80)
    for b in data:  # one byte at a time
        assert sim.feed(bytes([b])) == 1
    split = sim.end_job()
    assert split is not None and split.lines == whole.lines
    assert split.pages[0].tobytes() == whole.pages[0].tobytes()


def test_line_spacing_units_differ_per_head() -> None:
    # ESC 3 24 then two 8-dot (9-pin) passes: 24/216" = 24 rows at 216 dpi = exactly one pass.
    pass_ = ESC + b"*\x01\x01\x00\x80"
    page = run(ESC + b"3\x18" + pass_ + b"\r\n" + pass_ + b"\r\n").pages[0]
    assert ink(page, 0, 0) and ink(page, 0, 24) and not ink(page, 0, 3) and not ink(page, 0, 27)
    # ESC 3 24 on 24 pins: 24/180" = 48 rows at 360 dpi = one 24-dot pass.
    pass24 = ESC + b"*\x27\x01\x00\x80\x00\x00"
    page = run(ESC + b"3\x18" + pass24 + b"\r\n" + pass24 + b"\r\n", pins=24).pages[0]
    assert ink(page, 0, 48) and not ink(page, 0, 2) and not ink(page, 0, 50)
    # ESC A 8 = 8/72" (24 rows) on 9 pins; ESC A 10 = 10/60" (60 rows) on 24 pins.
    page = run(ESC + b"A\x08" + b"\r\n" + pass_ + b"\r\n").pages[0]
    assert ink(page, 0, 24) and not ink(page, 0, 21)
    page = run(ESC + b"A\x0a" + b"\r\n" + pass24 + b"\r\n", pins=24).pages[0]
    assert ink(page, 0, 60) and not ink(page, 0, 58)
    # ESC J 36 = 36/216" = 36 rows (9-pin).
    page = run(ESC + b"J\x24" + pass_ + b"\r\n").pages[0]
    assert ink(page, 0, 36) and not ink(page, 0, 35)


def test_adjacent_dots_in_high_speed_modes_are_counted_and_dropped() -> None:
    sim = EscpInterpreter(9, 80)
    sim.feed(ESC + b"*\x02\x03\x00\xff\xff\xff\r\n")  # mode 2: no adjacent dots
    job = sim.end_job()
    assert job is not None
    assert sim.stats["adjacent_dots"] == 16  # 8 pins x 2 adjacent pairs
    page = job.pages[0]
    assert ink(page, 0, 0) and not ink(page, 2, 0) and ink(page, 4, 0)
    sim.feed(ESC + b"*\x01\x03\x00\xff\xff\xff\r\n")  # mode 1 allows them
    assert sim.stats["adjacent_dots"] == 16


def test_24_dot_modes_do_not_print_on_9_pins() -> None:
    sim = EscpInterpreter(9, 80)
    data = ESC + b"*\x27\x01\x00\xff\xff\xff" + b"ok\r\n"
    assert sim.feed(data) == len(data)
    assert sim.stats["unsupported_graphics"] == 1
    job = sim.end_job()
    assert job is not None and job.lines == ["ok"]


def test_pages_form_feed_and_page_length(tmp_path: Path) -> None:
    sim = EscpInterpreter(9, 80, out_dir=tmp_path)
    sim.feed(ESC + b"C\x00\x01" + b"a\r\n" * 7 + b"b\x0c" + b"c\r\n")  # 1" pages: 6 lines each
    job = sim.end_job()
    assert job is not None
    assert [pg.height for pg in job.pages][:2] == [216, 216]
    assert len(job.pages) == 3
    assert job.files == ["job-0001.txt", "job-0001.png", "job-0001-p2.png", "job-0001-p3.png"]
    assert (tmp_path / "job-0001.txt").read_text() == "a\n" * 7 + "b\nc\n"


def test_jobs_split_on_reset_after_content_and_index(tmp_path: Path) -> None:
    sim = EscpInterpreter(24, 80, out_dir=tmp_path)
    sim.feed(ESC + b"@" + ESC + b"@" + b"one\r\nkioskhub-job: r-41\r\n")
    sim.feed(ESC + b"@two\r\nkioskhub-job: r-42\r\n")
    # The transcript is written as it goes, before the job ends.
    assert (tmp_path / "job-0002.txt").read_text() == "two\nkioskhub-job: r-42\n"
    sim.end_job()
    assert [j.number for j in sim.jobs] == [1, 2]
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["jobs"]["1"]["files"] == ["job-0001.txt", "job-0001.png"]
    assert index["ids"]["r-42"] == {"job": 2, "files": ["job-0002.txt", "job-0002.png"]}
    assert index["ids"]["r-41"]["job"] == 1
    assert Image.open(tmp_path / "job-0002.png").size[0] == 2880


def test_paper_out_after_lines_stops_reading() -> None:
    state = EscpState(paper_out_after_lines=2)
    sim = EscpInterpreter(9, 80, state=state)
    assert sim.port_status == 0x18
    data = b"A\r\nB\r\nC\r\n"
    used = sim.feed(data)
    assert used == 6 and sim.port_status == 0x30
    assert sim.feed(data[used:]) == 0
    sim.load_paper()
    assert sim.feed(data[used:]) == 3 and sim.port_status == 0x18
    job = sim.end_job()
    assert job is not None and job.lines == ["A", "B", "C"]


def test_offline_reads_nothing() -> None:
    sim = EscpInterpreter(9, 80, state=EscpState(online=False))
    assert sim.port_status == 0x08
    assert sim.feed(b"abc") == 0
    sim.state.online = True
    assert sim.feed(b"abc") == 3


def test_receipt_renders_fast() -> None:
    line = ESC + b"E" + b"Consumer: Ram Kumar   Bill no 123456   Amount Rs 1,250.00" + ESC + b"F\r\n"
    data = ESC + b"@" + line * 30 + ESC + b"3\x18" + (ESC + b"*\x01\xe0\x01" + b"\x5a" * 480 + b"\r\n") * 6
    start = time.perf_counter()
    job = run(data)
    assert time.perf_counter() - start < 3.0  # typically well under 0.2 s
    assert len(job.lines) == 31 and job.lines[-1] == "[graphics 480x48]"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from([9, 24]))
def test_fuzz_arbitrary_bytes_never_crash(data: bytes, pins: int) -> None:
    sim = EscpInterpreter(pins, 80)
    assert sim.feed(data) == len(data)
    sim.end_job()


_TOKENS = st.one_of(
    st.binary(max_size=6),
    st.builds(lambda c, rest: ESC + bytes([c]) + rest, st.integers(0, 255), st.binary(max_size=6)),
    st.sampled_from([b"\r\n", b"\x0c", b"\x0f", b"\x0e", ESC + b"@", ESC + b"C\x00\x01", ESC + b"3\x00"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOKENS, max_size=40), st.sampled_from([9, 24]))
def test_fuzz_command_shaped_bytes_never_crash(tokens: list[bytes], pins: int) -> None:
    sim = EscpInterpreter(pins, 136)
    data = b"".join(tokens)
    assert sim.feed(data) == len(data)
    sim.end_job()


# -- serving ------------------------------------------------------------------------------------


async def until(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_tcp_job_per_connection_and_control(tmp_path: Path) -> None:
    sim = EscpPrinterSim(out_dir=tmp_path)
    url = await sim.start("tcp://127.0.0.1:0")
    try:
        port = int(url.rsplit(":", 1)[1])
        for n in (1, 2):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"receipt %d\r\nkioskhub-job: tcp-%d\r\n" % (n, n))
            await writer.drain()
            writer.close()
            await until(lambda n=n: len(sim.interp.jobs) == n)  # type: ignore[misc]
        index = json.loads((tmp_path / "index.json").read_text())
        assert index["ids"]["tcp-2"]["job"] == 2
        assert execute(sim, "port_status") == "OK 0x18"
        assert execute(sim, "paper out") == "OK paper out port_status=0x30"
        assert execute(sim, "paper in") == "OK paper in port_status=0x18"
        assert execute(sim, "set online off").startswith("OK")
        assert sim.port_status == 0x08
        assert json.loads(execute(sim, "get")[3:])["port_status"] == 0x08
    finally:
        await sim.stop()


async def test_tcp_paper_out_gives_backpressure_then_resumes() -> None:
    sim = Escp24PinSim()
    sim.state.paper_out_after_lines = 1
    url = await sim.start("tcp://127.0.0.1:0")
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        writer.write(b"A\r\nB\r\n")
        await writer.drain()
        await until(lambda: sim.port_status == 0x30)
        assert sim.interp.stats["bytes"] == 3
        sim.interp.load_paper()
        await until(lambda: sim.interp.stats["bytes"] == 6)
        writer.close()
        await until(lambda: len(sim.interp.jobs) == 1)
        assert sim.interp.jobs[0].lines == ["A", "B"]
    finally:
        await sim.stop()


async def test_tcp_cable_pulled_mid_job() -> None:
    sim = EscpPrinterSim()
    sim.state.disconnect_after_bytes = 5
    url = await sim.start("tcp://127.0.0.1:0")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        writer.write(b"Hello world\r\n")
        await writer.drain()
        try:  # the printer hung up: EOF, or a reset if unread bytes were still queued
            assert await asyncio.wait_for(reader.read(), 5) == b""
        except ConnectionResetError:
            pass
        await until(lambda: len(sim.interp.jobs) == 1)
        assert sim.interp.stats["bytes"] == 5 and sim.interp.jobs[0].lines == ["Hello"]
        writer.close()
    finally:
        await sim.stop()


async def test_slow_link_reads_gradually() -> None:
    sim = EscpPrinterSim()
    sim.state.slow_bps = 100
    url = await sim.start("tcp://127.0.0.1:0")
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        writer.write(b"x" * 40 + b"\r\n")
        await writer.drain()
        await until(lambda: sim.interp.stats["bytes"] > 0)
        assert sim.interp.stats["bytes"] < 42  # 10 bytes per 0.1 s
        await until(lambda: sim.interp.stats["bytes"] == 42)
        writer.close()
    finally:
        await sim.stop()


async def test_fifo_stands_in_for_usblp(tmp_path: Path) -> None:
    sim = EscpPrinterSim(out_dir=tmp_path / "out")
    path = tmp_path / "lp0"
    url = await sim.start(f"fifo://{path}")
    try:
        assert url == f"usblp://{path}"

        def write(data: bytes) -> None:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)

        await asyncio.to_thread(write, b"first\r\n")
        await until(lambda: len(sim.interp.jobs) == 1)
        await asyncio.to_thread(write, b"second\r\n")
        await until(lambda: len(sim.interp.jobs) == 2)
        assert [j.lines for j in sim.interp.jobs] == [["first"], ["second"]]
    finally:
        await sim.stop()
    assert not path.exists()


async def test_pty_jobs_split_by_reset_and_idle() -> None:
    sim = EscpPrinterSim()
    sim.job_idle_s = 0.2
    url = await sim.start("pty")
    try:
        assert url.startswith("serial:///dev/")
        fd = os.open(url[len("serial://") :], os.O_WRONLY | os.O_NOCTTY)
        try:
            os.write(fd, ESC + b"@one\r\n" + ESC + b"@two\r\n")
            await until(lambda: len(sim.interp.jobs) == 2)  # second one ended by the idle gap
        finally:
            os.close(fd)
        assert [j.lines for j in sim.interp.jobs] == [["one"], ["two"]]
    finally:
        await sim.stop()


def test_bad_construction() -> None:
    with pytest.raises(ValueError):
        EscpInterpreter(12, 80)


async def test_appsocket_serves_one_connection_at_a_time(tmp_path: Path) -> None:
    """A second connection waits unread (as in the listen backlog) until the first has ended."""
    sim = EscpPrinterSim(out_dir=tmp_path)
    url = await sim.start("tcp://127.0.0.1:0")
    port = int(url.split("?")[0].rsplit(":", 1)[1])
    try:
        _, first = await asyncio.open_connection("127.0.0.1", port)
        first.write(ESC + b"@first job\r\n")
        await first.drain()
        await until(lambda: sim.interp.stats["bytes"] == 13)
        _, second = await asyncio.open_connection("127.0.0.1", port)  # connects: the backlog
        second.write(ESC + b"@second job\r\n")
        await second.drain()
        first.write(b"still the first\r\n")
        await first.drain()
        await until(lambda: sim.interp.stats["bytes"] == 13 + 17)
        assert len(sim.interp.jobs) == 0  # the second has not been read
        first.close()
        await until(lambda: len(sim.interp.jobs) == 1)
        second.close()
        await until(lambda: len(sim.interp.jobs) == 2)
        assert [j.lines for j in sim.interp.jobs] == [["first job", "still the first"], ["second job"]]
    finally:
        await sim.stop()


def _snmpget(port: int, *oids: str) -> str:
    """net-snmp's snmpget (not our codec) against the simulator's agent."""
    import shutil
    import subprocess

    from tests.stacks.base import skip_or_fail

    if shutil.which("snmpget") is None:
        skip_or_fail("snmpget is not installed (Debian package snmp)")
    out = subprocess.run(["snmpget", "-v2c", "-c", "public", "-On", "-t", "1", "-r", "0",
                          f"127.0.0.1:{port}", *oids], capture_output=True, text=True, timeout=10)
    return out.stdout + out.stderr


UPTIME, LIFE_COUNT = ".1.3.6.1.2.1.1.3.0", ".1.3.6.1.2.1.43.10.2.1.4.1.1"


async def test_snmp_uptime_page_count_silence_and_power_cycle(tmp_path: Path) -> None:
    sim = EscpPrinterSim(out_dir=tmp_path)
    url = await sim.start("tcp://127.0.0.1:0")
    port = int(url.split("?")[0].rsplit(":", 1)[1])
    try:
        sim.booted -= 5  # on for five seconds
        before = await asyncio.to_thread(_snmpget, sim.snmp_port, UPTIME, LIFE_COUNT)
        ticks = int(re.search(rf"{re.escape(UPTIME)} = Timeticks: \((\d+)\)", before).group(1))
        assert 500 <= ticks < 1000 and f"{LIFE_COUNT} = Counter32: 0" in before
        _, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(ESC + b"@page\r\n")
        w.close()
        await until(lambda: len(sim.interp.jobs) == 1)
        after = await asyncio.to_thread(_snmpget, sim.snmp_port, LIFE_COUNT)
        assert f"{LIFE_COUNT} = Counter32: 1" in after  # one page printed
        assert execute(sim, "set silent on") == "OK silent=true"
        assert "Timeout" in await asyncio.to_thread(_snmpget, sim.snmp_port, UPTIME)
        execute(sim, "set silent off")
        assert execute(sim, "power cycle") == "OK power cycled"
        again = await asyncio.to_thread(_snmpget, sim.snmp_port, UPTIME)
        assert int(re.search(r"Timeticks: \((\d+)\)", again).group(1)) < 400  # switched on again
    finally:
        await sim.stop()


async def test_restarted_at_the_same_address(tmp_path: Path) -> None:
    """The URL a printer gave, as its listen URL, takes the same TCP and SNMP ports again; a pty
    listens behind a link that a restarted printer takes over."""
    sim = EscpPrinterSim()
    url = await sim.start("tcp://127.0.0.1:0")
    await sim.stop()
    again = EscpPrinterSim()
    try:
        assert await again.start(url) == url
    finally:
        await again.stop()
    link = tmp_path / "ttyPRN"
    for _ in range(2):
        sim = EscpPrinterSim()
        assert await sim.start(f"pty://{link}") == f"serial://{link}"
        assert os.path.realpath(link).startswith("/dev/pts/")
        await sim.stop()
        assert not link.exists()  # a stopped printer takes its link along


def test_a_long_job_keeps_its_pages_packed_and_old_jobs_within_a_bound() -> None:
    """The 24-pin simulator once held ~1.1 GB after a few long jobs (a byte per pixel): pages are
    kept at a bit per pixel, and across jobs at most MAX_PAGE_BYTES (older jobs' pages go)."""
    from kioskhub.simulators.escp_interp import EscpInterpreter
    from kioskhub.simulators.escp_jobs import MAX_PAGE_BYTES

    sim = EscpInterpreter(24, 136)
    long_job = b"\x1b@" + (b"A line of a long job\r\n" * 66 + b"\x0c") * 12  # 12 full pages
    for _ in range(6):
        sim.feed(long_job)
        job = sim.end_job()
        assert job is not None and len(job.pages) >= 12
        width, height = job.pages[0].size
        assert job.pages.nbytes <= len(job.pages) * (width * height // 8 + 1)  # a bit per pixel
    assert sum(j.pages.nbytes for j in sim.out.jobs) <= MAX_PAGE_BYTES + job.pages.nbytes
    assert sim.out.jobs[0].pages.nbytes == 0 and len(sim.out.jobs[0].lines) > 0


def test_a_text_job_keeps_its_spacing_and_prints_ascii_runs_natively() -> None:
    """A text line with Devanagari is not one bitmap: its ASCII runs go in the printer's own font
    and the spaces the sender wrote stay (two spaces before "(" stay two)."""
    from datetime import UTC, datetime

    from hubd.classes.printer.documents import build_program, check_text
    from hubd.classes.printer.records import Job, JobState, sha256
    from kioskhub.drivers.escp.driver import EscpPrinter
    from kioskhub.simulators.escp_interp import EscpInterpreter

    now = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    payload = check_text("उपभोक्ता:  सुनीता  Welcome.\nTotal  (शुल्क)  Rs 10\n")
    job = Job("j-0123456789ab", "receipt", "k", "text", payload, sha256(payload), JobState.PRINTING, "", "",
              1, False, now, now, None, None, None)
    printer = EscpPrinter("receipt", "tcp://127.0.0.1:9", {"model": "tvs-msp455"})
    sim = EscpInterpreter(24, 80)
    sim.feed(printer.encode(build_program(job, printer.geometry())))
    done = sim.end_job()
    assert done is not None
    text = [line for line in done.lines if not line.startswith("[graphics")]
    assert any(line.endswith("  Welcome.") for line in text), text  # native text after the Hindi
    assert any(line.startswith("Total  (") and line.endswith("  Rs 10") for line in text), text
