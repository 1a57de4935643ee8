"""The daemon's life: start simulators (if asked), the hub and the server; drain on SIGTERM."""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from pathlib import Path

from hubd.app import Hub
from hubd.classes import resolve, specs
from hubd.config import HubConfig
from hubd.paths import default_socket, default_state_dir
from hubd.rpc.server import HubServer, parse_listen
from hubd.sdnotify import Notifier, start_watchdog
from hubd.simulate import SimulatorFleet, simulated_devices

log = logging.getLogger(__name__)
SHUTDOWN_LIMIT = 20.0


@dataclass(frozen=True)
class Options:
    """What the command line decided."""

    config: HubConfig
    simulate: bool = False
    listen: tuple[str, ...] = ()
    state_dir: Path | None = None
    grace: float = 5.0


async def _bounded(what: str, step: Awaitable[None], limit: float) -> None:
    """One shutdown step, given at most ``limit`` seconds so the next steps still run."""
    try:
        await asyncio.wait_for(step, limit)
    except TimeoutError:
        log.error("shutdown: %s did not finish within %.0f s; going on", what, limit)


class Daemon:
    """One run of hubd."""

    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.stop_requested = asyncio.Event()
        self.fleet: SimulatorFleet | None = None
        self.hub: Hub | None = None
        self.server: HubServer | None = None
        self._temp_state: Path | None = None
        self.notifier = Notifier.from_env()

    def _state_dir(self) -> Path:
        """The state directory, created 0700 (jobs.db and its WAL hold citizens' names, consumer
        numbers and amounts): whatever umask started hubd, nobody else reads them."""
        explicit = self.opts.state_dir or self.opts.config.state_dir
        if explicit is None and self.opts.simulate:
            self._temp_state = Path(tempfile.mkdtemp(prefix="kioskhub-sim-"))
            return self._temp_state
        state = explicit or default_state_dir()
        state.mkdir(parents=True, exist_ok=True)
        os.chmod(state, 0o700)
        return state

    async def start(self) -> list[str]:
        """Bring everything up; return the addresses served.

        hubd sets its own umask (0077): every file it creates (jobs.db, its -wal and -shm, the
        journal, simulator records) is the daemon's alone; the socket is made 0660 explicitly.
        """
        os.umask(0o077)
        listen = list(self.opts.listen or self.opts.config.listen or [f"unix://{default_socket()}"])
        for spec in listen:
            parse_listen(spec)  # refuse a bad address before starting anything
        state_dir = self._state_dir()
        config = self.opts.config
        simulated: frozenset[str] = frozenset()
        if self.opts.simulate:
            self.fleet = SimulatorFleet(state_dir)
            devices, missing = await self.fleet.start_all(simulated_devices())
            sections = dict(config.sections)
            for unit in specs():
                if unit.simulate_config:
                    sections.update(await resolve(unit.simulate_config)(self.fleet, state_dir))
            config = replace(config, devices={d.id: d for d in devices}, sections=sections)
            simulated = frozenset(config.devices) | {cfg.id for cfg, _ in missing}
        else:
            missing = []
        self.hub = Hub(config, state_dir, simulated=simulated)
        for cfg, why in missing:
            self.hub.add_missing(cfg, "STACK_NOT_INSTALLED", why)
        await self.hub.start()
        self.server = HubServer(self.hub, listen)
        addresses = await self.server.start()
        log.info("hubd %s serving on %s (state in %s)", self.hub.version, addresses, state_dir)
        return addresses

    async def shutdown(self) -> None:
        """Drain in-flight calls, end streams, stop devices and simulators."""
        log.info("hubd stopping")
        # A stop that hangs must not leave a half-dead hub: dump every thread's stack (the
        # technician's log shows where it stuck) and exit, as systemd would after TimeoutStopSec.
        faulthandler.dump_traceback_later(SHUTDOWN_LIMIT, exit=True)
        if self.hub is not None:
            self.hub.stopping.set()
            self.hub.bus.close()
        if self.server is not None:
            await _bounded("stopping the server", self.server.stop(self.opts.grace), self.opts.grace + 3)
        if self.hub is not None:
            await _bounded("stopping devices", self.hub.stop(), 10)
        if self.fleet is not None:
            await _bounded("stopping simulators", self.fleet.stop(), 15)
        if self._temp_state is not None:
            shutil.rmtree(self._temp_state, ignore_errors=True)
        faulthandler.cancel_dump_traceback_later()

    async def run(self) -> int:
        """Serve until SIGTERM or SIGINT; return the exit code."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop_requested.set)
        watchdog: asyncio.Task[None] | None = None
        try:
            self.notifier.status("starting devices")
            addresses = await self.start()
            assert self.hub is not None
            self.notifier.ready(f"serving {len(self.hub.list())} devices on {' '.join(addresses)}")
            watchdog = start_watchdog(self.notifier, self.hub.clock)
            await self.stop_requested.wait()
        finally:
            self.notifier.stopping("draining calls, stopping devices")
            if watchdog is not None:
                watchdog.cancel()
            await self.shutdown()
            self.notifier.close()
        return 0
