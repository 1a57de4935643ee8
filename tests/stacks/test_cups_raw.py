"""A private cupsd with a raw queue to the ESC/P simulator: the printer gets exactly the bytes sent.

The ESC/P job below is written by hand from the ESC/P command table (protocols.md §1.1/§1.2):
ESC @ (1B 40) reset; text; CR LF; ESC E / ESC F (1B 45 / 1B 46) bold on/off; ESC * m nL nH
(1B 2A m nL nH) bit images whose data holds 1B, 40, 0C, 00 and FF; FF (0C) ejects the page.
Bytes a filter would eat or rewrite (NUL, Ctrl-D, Ctrl-Z, bare LF, 0xFF) are in it on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest

from hubd.transport.cups import CupsTransport
from kioskhub.simulators.escp_printer import EscpPrinterSim
from tests.stacks.base import eventually, free_port, private_dir, remove_dir
from tests.stacks.cups import CupsStack, start_cups

pytestmark = [pytest.mark.stack, pytest.mark.timeout(60)]

SMALL_IMAGE = bytes([0x1B, 0x40, 0x00, 0xFF, 0x0C, 0x1B])  # "ESC @", NUL, FF inside image data
WIDE_IMAGE = bytes(range(256)) + bytes(range(224))  # every byte value, 480 columns
JOB = (
    b"\x1b@"  # ESC @: initialise
    b"KIOSKHUB CUPS RAW\r\n"
    b"\x1bEBOLD\x1bF\r\n"  # ESC E ... ESC F: bold on, off
    b"\x1b*\x00\x06\x00" + SMALL_IMAGE + b"\r\n"  # ESC * 0 (60 dpi, 8 dots), 6 columns
    b"\x1b*\x01\xe0\x01" + WIDE_IMAGE + b"\r\n"  # ESC * 1 (120 dpi, 8 dots), 0x01E0 = 480 columns
    b"\x04\x1a\x00tail\nEND\r\n"  # Ctrl-D, Ctrl-Z, NUL, a bare LF
    b"\x0c"  # FF: eject
)
GRAPHICS_COLUMNS = 6 + 480


def saved_jobs(out_dir: Path) -> list[bytes]:
    """The bytes of each job the simulator received, from its ``job-NNNN.bin`` files (index.json)."""
    path = out_dir / "index.json"
    if not path.exists():
        return []
    raw: dict[str, str] = json.loads(path.read_text(encoding="utf-8")).get("raw", {})
    return [(out_dir / raw[n]).read_bytes() for n in sorted(raw, key=int)]


def check_printed(sim: EscpPrinterSim, out_dir: Path) -> None:
    """The printer got JOB byte for byte, as one job, and interpreted it as ESC/P."""
    assert saved_jobs(out_dir) == [JOB]
    stats = sim.interp.stats
    assert stats["bytes"] == len(JOB)
    assert stats["graphics_columns"] == GRAPHICS_COLUMNS
    assert stats["unknown_commands"] == 0
    assert stats["pages"] == 1 and len(sim.interp.jobs) == 1
    text = "\n".join(sim.interp.jobs[0].lines)
    for word in ("KIOSKHUB CUPS RAW", "BOLD", "tail", "END"):
        assert word in text


@pytest.fixture
async def printer() -> AsyncIterator[tuple[EscpPrinterSim, Path]]:
    """An ESC/P simulator (not listening yet) and its out_dir (job files, index.json)."""
    out_dir = private_dir("escp")
    sim = EscpPrinterSim(out_dir=out_dir)
    try:
        yield sim, out_dir
    finally:
        await sim.stop()
        remove_dir(out_dir)


def socket_uri(sim_url: str) -> str:
    """``tcp://127.0.0.1:PORT?status=...`` -> ``socket://127.0.0.1:PORT`` (CUPS socket backend)."""
    return "socket://" + sim_url.removeprefix("tcp://").split("?", 1)[0]


def session_processes(sid: int) -> list[psutil.Process]:
    """Live (non-zombie) processes in session ``sid``: cupsd and the backends it started."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if os.getsid(proc.pid) == sid and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
    return found


def port_is_free(port: int) -> bool:
    """True when 127.0.0.1:port can be bound (nobody listens there any more)."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def test_private_cupsd_starts_and_stops_cleanly() -> None:
    root = private_dir("cups")
    stack: CupsStack | None = None
    try:
        stack = start_cups(root)
        assert stack.cupsd is not None
        pid, port = stack.cupsd.pid, stack.port
        assert Path(stack.server).is_socket() and not port_is_free(port)
        # A queue whose printer is not there keeps a socket backend running for its job.
        stack.add_raw_queue("Dead", f"socket://127.0.0.1:{free_port()}")
        stack.lp_raw("Dead", JOB)
        backends = await eventually(
            lambda: asyncio.to_thread(session_processes, pid),
            lambda procs: any(p.pid != pid for p in procs),
            timeout=5,
            what="a running backend",
        )
        assert any(p.cmdline()[0].startswith("socket://") for p in backends if p.pid != pid)
        assert "Dead" in (root / "printcap").read_text()  # printcap is private, not /etc/printcap
        stack.stop()
        assert stack.cupsd.returncode == 0
        await eventually(
            lambda: asyncio.to_thread(session_processes, pid),
            lambda procs: procs == [],
            timeout=5,
            what="cupsd and its backends gone",
        )
        assert not Path(stack.server).exists()
        assert port_is_free(port)
    finally:
        if stack is not None:
            stack.stop()
        remove_dir(root)


async def test_raw_queue_delivers_exact_bytes(
    cups_stack: CupsStack, printer: tuple[EscpPrinterSim, Path]
) -> None:
    sim, out_dir = printer
    url = await sim.start("tcp://127.0.0.1:0")
    cups_stack.add_raw_queue("Escp", socket_uri(url))
    job = await asyncio.to_thread(cups_stack.lp_raw, "Escp", JOB)
    await cups_stack.wait_completed("Escp", job, timeout=10)
    check_printed(sim, out_dir)


async def test_job_waits_for_printer_then_delivers(
    cups_stack: CupsStack, printer: tuple[EscpPrinterSim, Path]
) -> None:
    sim, out_dir = printer
    port = free_port()
    cups_stack.add_raw_queue("Later", f"socket://127.0.0.1:{port}")
    job = await asyncio.to_thread(cups_stack.lp_raw, "Later", JOB)
    # The backend tried, found nobody listening, and keeps the job processing.
    status = await eventually(
        lambda: asyncio.to_thread(cups_stack.printer_status, "Later"),
        lambda text: "may not exist or is unavailable" in text,
        timeout=5,
        what="backend connect failure",
    )
    assert f"now printing Later-{job}" in status
    assert cups_stack.active_jobs("Later") == [job]
    assert cups_stack.completed_jobs("Later") == []
    assert sim.interp.stats["bytes"] == 0 and saved_jobs(out_dir) == []
    t0 = time.monotonic()
    await sim.start(f"tcp://127.0.0.1:{port}")
    await cups_stack.wait_completed("Later", job, timeout=20)  # the socket backend retries every 5-30 s
    assert time.monotonic() - t0 < 20
    check_printed(sim, out_dir)


async def test_cups_transport_submit(cups_stack: CupsStack, printer: tuple[EscpPrinterSim, Path]) -> None:
    sim, out_dir = printer
    url = await sim.start("tcp://127.0.0.1:0")
    cups_stack.add_raw_queue("Hub", socket_uri(url))
    transport = CupsTransport(f"cups://Hub?server={cups_stack.server}")
    await transport.open()
    try:
        await transport.write(JOB[:100])  # a job written in pieces is spooled as one
        await transport.write(JOB[100:])
        job_id = await transport.submit("kioskhub-test")
        queue, _, number = job_id.rpartition("-")
        assert queue == "Hub" and number.isdigit()
        await cups_stack.wait_completed("Hub", int(number), timeout=10)
        assert (await transport.queue_state()).state == "idle"
    finally:
        await transport.close()
    check_printed(sim, out_dir)
