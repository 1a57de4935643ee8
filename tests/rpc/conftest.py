"""A real hub and gRPC server on a temporary unix socket, with the Megatec UPS simulator on a pty."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from hubd.app import Hub
from hubd.clock import Clock, FakeClock
from hubd.config import DeviceConfig, HubConfig
from hubd.rpc.server import HubServer
from kioskhub.simulators.escl_scanner import EsclScannerSim
from kioskhub.simulators.megatec_ups import MegatecUpsSim
from kioskhub.simulators.rdservice import RdServiceSim


@pytest.fixture
async def ups_sim() -> AsyncIterator[MegatecUpsSim]:
    sim = MegatecUpsSim()
    sim.url = await sim.start("pty")
    yield sim
    await sim.stop()


class Running:
    """A running hub + server and a channel to it."""

    def __init__(self, hub: Hub, server: HubServer, target: str, channel: grpc.aio.Channel):
        self.hub, self.server, self.target, self.channel = hub, server, target, channel


def fast_ups(url: str) -> DeviceConfig:
    return DeviceConfig(
        "ups", "megatec_ups", url, poll_interval=0.1, timeout=0.3, stale_after=2, max_backoff=0.2
    )


@contextlib.asynccontextmanager
async def serving(
    config: HubConfig, state_dir: Path, sock: Path, clock: Clock | None = None
) -> AsyncIterator[Running]:
    """A started hub (on ``clock``: the system's by default) serving on unix socket ``sock``, and
    a channel to it; stopped on exit."""
    h = Hub(config, state_dir, clock=clock)
    await h.start()
    server = HubServer(h, [f"unix:{sock}"])
    await server.start()
    channel = grpc.aio.insecure_channel(f"unix://{sock}")
    try:
        yield Running(h, server, f"unix://{sock}", channel)
    finally:
        await channel.close()
        h.stopping.set()
        h.bus.close()
        await server.stop(1)
        await h.stop()


@pytest.fixture
async def hub(tmp_path: Path, ups_sim: MegatecUpsSim) -> AsyncIterator[Running]:
    config = HubConfig(devices={"ups": fast_ups(ups_sim.url)})
    async with serving(config, tmp_path, tmp_path / "hubd.sock") as running:
        yield running


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Poll ``check`` until true or fail after ``timeout`` seconds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def watch_from_now(channel: grpc.aio.Channel, device_ids: tuple[str, ...] = ()) -> Any:
    """A WatchEvents stream resumed from the newest event, as a client does (a live-only stream
    may subscribe after the event the test then provokes)."""
    from kioskhub.v1 import hub_pb2, hub_pb2_grpc

    stub = hub_pb2_grpc.HubServiceStub(channel)
    info = await stub.GetHubInfo(hub_pb2.GetHubInfoRequest())
    return stub.WatchEvents(
        hub_pb2.WatchEventsRequest(
            device_ids=list(device_ids), resume_boot_id=info.boot_id, resume_after_sequence=info.last_sequence
        )
    )


def error_info(err: grpc.aio.AioRpcError) -> Any:
    """The ErrorInfo detail of a failed call."""
    md = grpc.aio.Metadata(*(err.trailing_metadata() or ()))
    raw = md.get("grpc-status-details-bin")
    assert raw is not None, "no rich status in the trailers"
    from google.rpc import status_pb2

    status = status_pb2.Status.FromString(raw)
    info = error_details_pb2.ErrorInfo()
    assert status.details and status.details[0].Unpack(info)
    return info


# -- the identity classes: the RD Service simulator behind two closed ports of its range (the
# hub finds it only by discovery), and a hub serving it, on the real clock or on a FakeClock.


@pytest.fixture
async def rd_sim() -> AsyncIterator[RdServiceSim]:
    sim = RdServiceSim(seed=5)
    await sim.start("rdservice://127.0.0.1:0?skip=2")
    yield sim
    await sim.stop()


def fingerprint(url: str) -> DeviceConfig:
    """The fingerprint device of a test hub, polled fast."""
    return DeviceConfig("fingerprint", "rdservice", url, options={"capture_margin": 1.0}, poll_interval=0.1,
                        timeout=1.0, stale_after=2, max_backoff=0.2)


@pytest.fixture
async def bio(tmp_path: Path, rd_sim: RdServiceSim) -> AsyncIterator[Running]:
    config = HubConfig(devices={"fingerprint": fingerprint(rd_sim.urls[0])})
    async with serving(config, tmp_path, tmp_path / "hubd.sock") as running:
        yield running


@pytest.fixture
async def bio_timed(tmp_path: Path, rd_sim: RdServiceSim) -> AsyncIterator[tuple[Running, FakeClock]]:
    """A hub whose leases run on a FakeClock (grace window 10 s)."""
    clock = FakeClock()
    config = HubConfig(devices={"fingerprint": fingerprint(rd_sim.urls[0])}, lease_release_grace=10.0)
    async with serving(config, tmp_path, tmp_path / "hubd.sock", clock) as running:
        yield running, clock


# -- the scanner: the eSCL scanner simulator on loopback and a hub serving it, with two presets
# changed by its config (as [scanner.presets.<name>] tables would).


@pytest.fixture
async def escl() -> AsyncIterator[EsclScannerSim]:
    """The eSCL scanner simulator on loopback."""
    scanner = EsclScannerSim(seed=3)
    scanner.state.scan_seconds = 0.15  # every page is first answered 503
    await scanner.start("tcp://127.0.0.1:0")
    yield scanner
    await scanner.stop()


def scanner_device(url: str) -> DeviceConfig:
    """The scanner of a test hub: the eSCL driver, asking again soon after a 503, polled fast."""
    return DeviceConfig("scanner", "escl", url, options={"retry_interval": 0.05, "page_timeout": 20.0},
                        poll_interval=0.1, timeout=2.0, stale_after=2, max_backoff=0.2)


@pytest.fixture
async def scanning(tmp_path: Path, escl: EsclScannerSim) -> AsyncIterator[Running]:
    """A hub serving the simulated scanner."""
    sections = {"scanner": {"presets": {"passport_photo": {"max_kb": 45},
                                        "ration_card": {"format": "jpeg", "max_kb": 100}}}}
    config = HubConfig(devices={"scanner": scanner_device(escl.url)}, sections=sections)
    async with serving(config, tmp_path, tmp_path / "hubd.sock") as running:
        yield running


@pytest.fixture
async def scan_lease(scanning: Running) -> tuple[tuple[str, str], ...]:
    """The metadata presenting a lease on the scanner."""
    from tests.rpc.leasing import acquire

    _lease, metadata = await acquire(scanning.channel, "scanner", "counter-app")
    return metadata


__all__ = ["Running", "error_info", "eventually", "fast_ups", "rpc_status"]
