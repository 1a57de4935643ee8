"""``hubd --simulate``: every class's simulated devices (``ClassSpec.simulate``), each wired to
the simulator or OS stack its driver names (``DriverInfo.simulator`` / ``DriverInfo.stack``):
one simulator process per device, reached only through its real URL."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from hubd.classes import SimulatedDevice, specs
from hubd.config import DeviceConfig
from hubd.errors import ConfigError
from hubd.registry import DriverRegistry
from hubd.stacks import simulated as stacks
from hubd.stacks.process import child_env

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
START_TIMEOUT = 15.0


def simulated_devices() -> list[SimulatedDevice]:
    """Every device ``hubd --simulate`` wires: each class's ``ClassSpec.simulate``."""
    return [device for spec in specs() for device in spec.simulate]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """In the child: get SIGTERM if hubd dies (even by kill -9), so nothing is left behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class RunningSimulator:
    """A started simulator child process and the URLs it reported."""

    spec: SimulatedDevice
    simulator: str
    process: asyncio.subprocess.Process
    url: str
    control: str


class SimulatorFleet:
    """Starts, records and stops the simulator processes of ``hubd --simulate``."""

    def __init__(self, state_dir: Path, registry: DriverRegistry | None = None) -> None:
        self.state_dir = state_dir
        self.registry = registry or DriverRegistry()
        self.running: list[RunningSimulator] = []
        self.stacks: list[stacks.StackResult] = []

    async def start_service(
        self, name: str, simulator: str, *settings: str, listen: str = "tcp://127.0.0.1:0"
    ) -> RunningSimulator:
        """Start a simulator that is not a device (a portal a class talks to): ``settings`` are
        ``key=value`` pairs for its ``--set``; recorded under ``name`` in simulators.json."""
        extra = [arg for setting in settings for arg in ("--set", setting)]
        sim = await self.start(SimulatedDevice(name, "", listen=listen), simulator, extra)
        self._record()
        return sim

    async def start(
        self, spec: SimulatedDevice, simulator: str, extra: list[str] | None = None
    ) -> RunningSimulator:
        """Start one simulator in its own process group and read the URL it prints."""
        control = f"unix://{self.state_dir / f'sim-{spec.device_id}.ctl'}"
        extra = list(extra or [])
        if spec.output:
            out = self.state_dir / "printouts" / spec.device_id
            out.mkdir(parents=True, exist_ok=True)
            extra += ["--set", f"out_dir={out}"]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from kioskhub.simulators.cli import main; main()",
            simulator,
            "--listen",
            spec.listen,
            "--control",
            control,
            *extra,
            stdout=asyncio.subprocess.PIPE,
            env=child_env(),
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
            info = json.loads(line)
        except (TimeoutError, ValueError) as err:
            await self._kill(proc)
            raise ConfigError(f"simulator {simulator} did not start: {err!r}") from err
        sim = RunningSimulator(spec, simulator, proc, info["url"], info.get("control", control))
        self.running.append(sim)
        log.info("simulator %s for %s at %s", simulator, spec.device_id, sim.url)
        return sim

    async def start_all(
        self, devices: list[SimulatedDevice]
    ) -> tuple[list[DeviceConfig], list[tuple[DeviceConfig, str]]]:
        """Start every simulator and stack; return device configs, and (config, why) for absent stacks."""
        by_sim = [(d, self.registry.get(d.driver)) for d in devices]
        missing_source = [d.driver for d, info in by_sim if not (info.simulator or info.stack)]
        if missing_source:
            raise ConfigError(f"drivers without a simulator or stack: {', '.join(missing_source)}")
        sims = await asyncio.gather(*(self.start(d, info.simulator) for d, info in by_sim if info.simulator))
        self.stacks = [
            await stacks.start(info.stack, self.state_dir, d)
            for d, info in by_sim
            if info.stack and not info.simulator
        ]
        self._record()
        configs = [
            DeviceConfig(
                id=s.spec.device_id,
                driver=s.spec.driver,
                url=s.url,
                options=dict(s.spec.options),
                poll_interval=s.spec.poll_interval,
                default=s.spec.default,
            )
            for s in sims
        ]
        configs += [r.config for r in self.stacks if not r.missing]
        missing = [(r.config, r.missing) for r in self.stacks if r.missing]
        return configs, missing

    def _record(self) -> None:
        """Write ``simulators.json`` so demos and technicians can find the control sockets."""
        data = {
            s.spec.device_id: {
                "simulator": s.simulator,
                "url": s.url,
                "control": s.control,
                "pid": s.process.pid,
                **({"output": str(self.state_dir / "printouts" / s.spec.device_id)} if s.spec.output else {}),
            }
            for s in self.running
        }
        data.update({r.config.id: r.record for r in self.stacks if r.record})
        (self.state_dir / "simulators.json").write_text(json.dumps(data, indent=2))

    async def stop(self) -> None:
        """SIGTERM each process group, SIGKILL what is left after a grace period."""
        await asyncio.gather(*(self._kill(s.process) for s in self.running))
        self.running.clear()
        await stacks.stop(self.stacks)
        self.stacks.clear()

    @staticmethod
    async def _kill(proc: asyncio.subprocess.Process, grace: float = 3.0) -> None:
        if proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
