"""Simulator framework: the Megatec simulator's wire bytes, its control socket, and kioskhub-sim."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import serial

from kioskhub.simulators import SIMULATORS, load
from kioskhub.simulators.base import SimulatorError
from kioskhub.simulators.control import control, send_control
from kioskhub.simulators.megatec_ups import MegatecUpsSim

# Replies of the default state, written by hand from megatec.txt (v2.7) field layouts.
Q1_MAINS = b"(229.8 229.8 229.8 018 50.0 27.4 31.0 00001001\r"
Q1_BATTERY = b"(000.0 000.0 229.8 018 00.0 25.8 31.0 10001001\r"
F_REPLY = b"#230.0 003 024.0 50.0\r"
I_REPLY = b"#KIOSKHUB-SIM    LI-600VA   SIM-1.0   \r"


class Wire:
    """A raw TCP client speaking Megatec by hand (no driver code involved)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def ask(self, command: bytes, timeout: float = 2.0) -> bytes:
        self.writer.write(command)
        await self.writer.drain()
        return await asyncio.wait_for(self.reader.readuntil(b"\r"), timeout)

    async def silent(self, command: bytes, wait: float = 0.1) -> bool:
        """True when nothing comes back within ``wait`` seconds."""
        self.writer.write(command)
        await self.writer.drain()
        try:
            await asyncio.wait_for(self.reader.read(1), wait)
        except TimeoutError:
            return True
        return False


@pytest.fixture
async def sim() -> AsyncIterator[MegatecUpsSim]:
    s = MegatecUpsSim(seed=3)
    s.state.discharge_rate = 0.0
    yield s
    await s.stop()


@pytest.fixture
async def wire(sim: MegatecUpsSim) -> AsyncIterator[Wire]:
    url = await sim.start("tcp://127.0.0.1:0")
    host, port = url.removeprefix("tcp://").split(":")
    w = Wire(*await asyncio.open_connection(host, int(port)))
    yield w
    w.writer.close()


async def test_simulator_speaks_the_reference_bytes(sim: MegatecUpsSim, wire: Wire):
    assert await wire.ask(b"Q1\r") == Q1_MAINS
    assert await wire.ask(b"F\r") == F_REPLY
    assert await wire.ask(b"I\r") == I_REPLY
    assert await wire.ask(b"X9\r") == b"X9\r"  # unknown: echoed
    assert await wire.ask(b"D\r") == b"D\r"  # disabled in v2.7: echoed
    assert await wire.silent(b"Q\r")  # beeper toggle: no reply
    assert (await wire.ask(b"Q1\r")).endswith(b" 00001000\r")
    assert await wire.silent(b"T\r")  # 10 s test
    assert (await wire.ask(b"Q1\r")).endswith(b" 00001100\r")
    assert await wire.silent(b"CT\r")
    assert (await wire.ask(b"Q1\r")).endswith(b" 00001000\r")
    assert await wire.silent(b"S05R0003\r")  # shut down in 5 min, back 3 min later
    assert (await wire.ask(b"Q1\r")).endswith(b" 00001010\r")
    assert await wire.silent(b"C\r")
    assert (await wire.ask(b"Q1\r")).endswith(b" 00001000\r")
    assert await wire.ask(b"S11\r") == b"S11\r"  # out of range: echoed
    assert await wire.ask(b"T00\r") == b"T00\r"


async def test_two_commands_in_one_write(wire: Wire):
    wire.writer.write(b"F\rI\r")
    assert await wire.reader.readuntil(b"\r") == F_REPLY
    assert await wire.reader.readuntil(b"\r") == I_REPLY


async def test_fault_conveniences(sim: MegatecUpsSim, wire: Wire):
    sim.set_on_battery(True)
    assert await wire.ask(b"Q1\r") == Q1_BATTERY
    sim.set_low_battery(True)
    assert await wire.ask(b"Q1\r") == b"(000.0 000.0 229.8 018 00.0 21.6 31.0 11001001\r"
    sim.set_on_battery(False)
    assert await wire.ask(b"Q1\r") == Q1_MAINS
    sim.set_mains(190.0)  # AVR boost
    assert await wire.ask(b"Q1\r") == b"(190.0 190.0 218.5 018 50.0 27.4 31.0 00101001\r"
    sim.state.temperature = None
    sim.state.load = None
    assert (await wire.ask(b"Q1\r"))[19:36] == b"@@@ 50.0 27.4 @@@"
    sim.unplug()
    assert await wire.silent(b"Q1\r")
    sim.replug()
    assert await wire.ask(b"F\r") == F_REPLY
    sim.garbage = True
    junk = await wire.ask(b"Q1\r")
    assert junk.endswith(b"\r") and all(b >= 0x80 for b in junk[:-1])
    sim.garbage = False
    sim.delay = 0.15
    start = time.monotonic()
    assert await wire.ask(b"F\r") == F_REPLY
    assert time.monotonic() - start >= 0.15


async def test_battery_drains_on_battery_over_a_pty(sim: MegatecUpsSim):
    now = [1000.0]
    sim.clock = lambda: now[0]
    sim.state.discharge_rate = 0.02  # volts per second
    sim.set_on_battery(True)  # 25.8 V under load
    url = await sim.start("pty")
    assert url.startswith("serial:///dev/") and url.endswith("?baudrate=2400")
    with serial.Serial(url.removeprefix("serial://").split("?")[0], 2400, timeout=2) as port:

        async def q1() -> bytes:
            port.write(b"Q1\r")
            return await asyncio.to_thread(port.read_until, b"\r")

        assert await q1() == Q1_BATTERY
        now[0] += 60.0  # -1.2 V
        assert await q1() == b"(000.0 000.0 229.8 018 00.0 24.6 31.0 10001001\r"
        now[0] += 130.0  # 24.6 - 2.6 = 22.0 V: the low limit, battery low
        assert await q1() == b"(000.0 000.0 229.8 018 00.0 22.0 31.0 11001001\r"
    sim.set_on_battery(False)
    assert not sim.state.battery_low and sim.state.battery_voltage == 27.4


async def test_control_socket_commands(sim: MegatecUpsSim, wire: Wire, tmp_path: Path):
    url = await sim.start_control(f"unix://{tmp_path}/ctl.sock")
    assert url == f"unix://{tmp_path}/ctl.sock"

    async def ctl(command: str) -> str:
        return await send_control(url, command)

    state = json.loads((await ctl("get")).removeprefix("OK "))
    assert state["input_voltage"] == 229.8 and state["utility_fail"] is False
    assert json.loads((await ctl("get faults"))[3:]) == {
        "unplugged": False, "garbage": False, "delay": 0.0,
    }  # fmt: skip
    assert await ctl("set battery_voltage 26.1") == "OK battery_voltage=26.1"
    assert await ctl("set load none") == "OK load=null"
    assert await ctl("set utility_fail on") == "OK utility_fail=true"
    assert await ctl("set model UPS 1000") == 'OK model="UPS 1000"'
    assert await wire.ask(b"Q1\r") == b"(229.8 229.8 229.8 @@@ 50.0 26.1 31.0 10001001\r"
    for bad in ("set nosuch 1", "set load lots", "set battery_voltage nan", "set load",
                "fault garbage maybe", "fault delay -1", "frobnicate", "", "on_battery"):  # fmt: skip
        assert (await ctl(bad)).startswith("ERR "), bad
    assert sim.state.load is None
    assert await ctl("on_battery off") == "OK on_battery off"
    assert await ctl("low_battery on") == "OK low_battery on"
    assert sim.state.battery_low and sim.state.utility_fail
    assert await ctl("mains 260") == "OK mains 260.0"
    assert await ctl("unplug") == "OK unplugged" and sim.unplugged
    assert await ctl("replug") == "OK replugged" and not sim.unplugged
    assert await ctl("fault garbage on") == "OK garbage on" and sim.garbage
    assert await ctl("fault garbage off") == "OK garbage off" and not sim.garbage
    assert await ctl("fault delay 0.5") == "OK delay 0.5" and sim.delay == 0.5
    help_text = await ctl("help")
    assert help_text.startswith("OK ") and "on_battery" in help_text and "fault delay" in help_text
    # the blocking client, from a thread
    assert (await asyncio.to_thread(control, url, "fault delay 0")) == "OK delay 0.0"


async def test_listen_urls_are_checked(sim: MegatecUpsSim, tmp_path: Path):
    for bad in ("tcp://0.0.0.0:0", "tcp://localhost:0", "tcp://192.168.1.5:9000",
                "tcp://127.0.0.1", "ftp://127.0.0.1:0", "unix://relative/x.sock", "nonsense"):  # fmt: skip
        with pytest.raises(SimulatorError):
            await sim.start(bad)
    with pytest.raises(SimulatorError, match="only 127.0.0.1"):
        await sim.start_control("tcp://0.0.0.0:0")
    sock = tmp_path / "ups.sock"
    assert await sim.start(f"unix://{sock}") == f"unix://{sock}"
    await sim.stop()
    assert not sock.exists()


def test_registry():
    assert SIMULATORS["megatec_ups"] == "kioskhub.simulators.megatec_ups:MegatecUpsSim"
    assert load("megatec_ups") is MegatecUpsSim
    with pytest.raises(KeyError):
        load("nosuch")


# -- kioskhub-sim as a real process ----------------------------------------------------------------


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "kioskhub-sim"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from kioskhub.simulators.cli import main; main()"]


async def _run(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *_cli(), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_cli_runs_simulator_until_sigterm(tmp_path: Path):
    ctl_sock = tmp_path / "ctl.sock"
    proc = await asyncio.create_subprocess_exec(
        *_cli(), "megatec_ups", "--listen", "tcp://127.0.0.1:0", "--control", f"unix://{ctl_sock}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        info = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
        assert info["name"] == "megatec_ups"
        assert info["url"].startswith("tcp://127.0.0.1:") and not info["url"].endswith(":0")
        assert info["control"] == f"unix://{ctl_sock}"
        host, port = info["url"].removeprefix("tcp://").split(":")
        wire = Wire(*await asyncio.open_connection(host, int(port)))
        assert await wire.ask(b"I\r") == I_REPLY
        code, out, _ = await _run("ctl", info["control"], "on_battery", "on")
        assert (code, out) == (0, "OK on_battery on\n")
        assert (await wire.ask(b"Q1\r"))[:1] == b"(" and (await wire.ask(b"Q1\r"))[38:39] == b"1"
        code, out, _ = await _run("ctl", info["control"], "set", "nosuch", "1")
        assert code == 1 and out.startswith("ERR ")
        wire.writer.close()
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
    assert code == 0
    assert not ctl_sock.exists()


async def test_cli_pty_listen():
    proc = await asyncio.create_subprocess_exec(
        *_cli(), "megatec_ups", "--listen", "pty", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        info = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
        assert info["control"] is None
        path = info["url"].removeprefix("serial://").split("?")[0]
        assert info["url"].endswith("?baudrate=2400") and os.path.exists(path)
        with serial.Serial(path, 2400, timeout=2) as port:
            port.write(b"F\r")
            assert await asyncio.to_thread(port.read_until, b"\r") == F_REPLY
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0


async def test_cli_list():
    code, out, err = await _run("list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == len(SIMULATORS)
    assert any(line.startswith("megatec_ups ") and "Megatec Q1 UPS" in line for line in lines)


async def test_cli_runs_as_a_module():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kioskhub.simulators.cli", "ctl", "tcp://127.0.0.1:1",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2 and err.startswith(b"kioskhub-sim: ")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["nosuch"],
        ["megatec_ups"],
        ["megatec_ups", "--listen"],
        ["megatec_ups", "--listen", "tcp://0.0.0.0:0"],
        ["megatec_ups", "--listen", "ftp://127.0.0.1:0"],
        ["megatec_ups", "--listen", "tcp://127.0.0.1:0", "--bogus"],
        ["ctl"],
        ["ctl", "tcp://127.0.0.1:1"],
        ["ctl", "http://x", "get"],
    ],
)
async def test_cli_bad_arguments_exit_2(args: list[str]):
    code, out, err = await _run(*args)
    assert code == 2 and out == ""
    assert err.startswith("kioskhub-sim: ") and err.count("\n") == 1, err
