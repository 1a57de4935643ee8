"""The RD Service driver against the simulated RD Service over real loopback HTTP."""

from __future__ import annotations

import asyncio
import base64
import logging
import pickle
import socket
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from hubd.classes.biometric.contract import HINT_POOR_QUALITY, CaptureRequest, RdStatus
from hubd.device import DeviceClass, DeviceState
from hubd.errors import DeviceNotReady, DeviceUnavailable, InvalidArgument, TransportError, TransportTimeout
from kioskhub.drivers.rdservice import DRIVER, RdServiceDevice
from kioskhub.simulators.control import execute
from kioskhub.simulators.rdservice import RdServiceSim

pytestmark = pytest.mark.timeout(30)
QUICK = CaptureRequest(timeout_ms=1000)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.fixture
async def sim() -> AsyncIterator[RdServiceSim]:
    s = RdServiceSim(seed=7)
    await s.start("tcp://127.0.0.1:0")
    yield s
    await s.stop()


@pytest.fixture
async def dev(sim: RdServiceSim) -> AsyncIterator[RdServiceDevice]:
    d = RdServiceDevice("fp", f"rdservice://127.0.0.1:{port_of(sim.urls[0])}", {"capture_margin": 1.0})
    yield d
    await d.close()


@pytest.fixture
def decoy() -> Iterator[socket.socket]:
    """A port held by another local web service: accepts, answers HTTP 404 to anything."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.setblocking(False)
    yield srv
    srv.close()


async def serve_404(srv: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    while True:
        conn, _ = await loop.sock_accept(srv)
        await loop.sock_recv(conn, 4096)
        reply = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        await loop.sock_sendall(conn, reply)
        conn.close()


def test_driver_info() -> None:
    assert DRIVER.device_class is DeviceClass.BIOMETRIC and DRIVER.simulator == "rdservice"
    with pytest.raises(InvalidArgument) as info:
        RdServiceDevice("fp", "rdservice://192.0.2.1")
    assert info.value.field == "url"
    with pytest.raises(InvalidArgument) as info:
        RdServiceDevice("fp", "rdservice://127.0.0.1", {"ports": "11100-12000"})
    assert info.value.field == "options.ports"


async def test_discovery_finds_the_service_on_a_later_port_of_the_range(decoy: socket.socket) -> None:
    """First port: another web service (404); the simulator binds the next free port of the range,
    as a real RD Service does; the driver probes the range in order and finds it."""
    first = decoy.getsockname()[1]
    sim = RdServiceSim(seed=1)
    url = await sim.start(f"rdservice://127.0.0.1:{first}-{first + 5}")
    assert port_of(url) > first
    server = asyncio.ensure_future(serve_404(decoy))
    dev = RdServiceDevice("fp", "rdservice://127.0.0.1", {"ports": f"{first}-{first + 5}"})
    try:
        reading = await dev.read_info()
        assert reading.service.base_url == f"http://127.0.0.1:{port_of(url)}"
        assert reading.status is RdStatus.READY
        assert reading.device is not None and reading.device.simulated
        assert reading.device.additional["srno"] == sim.state.serial  # ours, not another test's
        assert reading.version == sim.state.rds_ver
        assert reading.cert_expiry is not None
        assert dev.assess(reading) == (DeviceState.AVAILABLE, "", "")
        assert "KIOSKHUB.SIM" in dev.describe()
    finally:
        server.cancel()
        await dev.close()
        await sim.stop()


async def test_discovery_behind_the_simulators_closed_ports() -> None:
    """``?skip=2``: the first two ports of the range are held closed (refused) and the URL names
    only the range, as hubd --simulate wires it: the driver finds the service by probing."""
    sim = RdServiceSim(seed=2)
    url = await sim.start("rdservice://127.0.0.1:0?skip=2")
    first, last = map(int, url.rsplit("?ports=", 1)[1].split("-"))
    assert last == first + 2 and url.startswith("rdservice://127.0.0.1?")
    for port in (first, first + 1):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    dev = RdServiceDevice("fp", url)
    try:
        assert (await dev.read_info()).service.base_url == f"http://127.0.0.1:{last}"
    finally:
        await dev.close()
        await sim.stop()
    with pytest.raises(InvalidArgument) as info:
        RdServiceDevice("fp", "rdservice://127.0.0.1?ports=1-999")
    assert info.value.field == "url"


async def test_nothing_listening_is_unavailable_with_a_reason(decoy: socket.socket) -> None:
    port = decoy.getsockname()[1]  # bound and listening, but never answers RDSERVICE in time
    dev = RdServiceDevice("fp", f"rdservice://127.0.0.1:{port}", {"https": False}, timeout=0.3)
    with pytest.raises(DeviceUnavailable) as info:
        await dev.read_info()
    assert info.value.reason == "RD_SERVICE_NOT_FOUND"
    await dev.close()


async def test_capture_returns_pid_data_untouched(sim: RdServiceSim, dev: RdServiceDevice) -> None:
    result = await dev.capture(CaptureRequest(finger_count=2))
    for name in ("Skey", "Hmac", "Data"):
        assert sim.last_pid_fields[name].encode() in result.pid_data
    assert result.quality.q_score == sim.state.q_score
    assert result.quality.nm_points == (sim.state.nm_points,) * 2 and result.quality.finger_count == 2
    assert not result.quality.poor and result.quality.hint is None
    assert sim.last_pid_options["fCount"] == "2" and sim.last_pid_options["fType"] == "2"
    assert dev.last_capture == result.captured_at
    assert (await dev.read_info()).last_capture == result.captured_at


async def test_poor_quality_coaches_the_operator(sim: RdServiceSim, dev: RdServiceDevice) -> None:
    assert execute(sim, "quality 22 9").startswith("OK")
    result = await dev.capture(QUICK)
    assert result.quality.poor and result.quality.q_score == 22
    assert result.quality.hint == HINT_POOR_QUALITY


@pytest.mark.parametrize(("status", "reason"), [("NOTREADY", "DEVICE_NOT_READY"), ("USED", "DEVICE_IN_USE")])
async def test_notready_and_used(sim: RdServiceSim, dev: RdServiceDevice, status: str, reason: str) -> None:
    assert execute(sim, f"status {status}") == f"OK status {status}"
    reading = await dev.read_info()
    assert reading.status.value == status
    state, why, _ = dev.assess(reading)
    assert (state, why) == (DeviceState.UNAVAILABLE, reason)
    with pytest.raises(DeviceNotReady) as info:
        await dev.capture(QUICK)
    assert info.value.reason == reason and info.value.metadata["hintHi"]


async def test_no_finger_is_a_capture_timeout(sim: RdServiceSim, dev: RdServiceDevice) -> None:
    execute(sim, "no_finger on")
    with pytest.raises(TransportTimeout) as info:
        await dev.capture(QUICK)
    assert info.value.reason == "CAPTURE_TIMEOUT" and info.value.metadata["errCode"] == "700"
    assert sim.last_pid_options["timeout"] == "1000"


async def test_silent_service_times_out_bounded(sim: RdServiceSim, dev: RdServiceDevice) -> None:
    sim.state.capture_delay = 30.0
    t0 = time.monotonic()
    with pytest.raises(TransportTimeout) as info:
        await dev.capture(QUICK)  # 1 s capture timeout + 1 s margin
    assert info.value.reason == "TIMEOUT"
    assert time.monotonic() - t0 < 5


async def test_unknown_error_code_verbatim(sim: RdServiceSim, dev: RdServiceDevice) -> None:
    execute(sim, "fail 815 Finger moved during capture")
    with pytest.raises(DeviceUnavailable, match="Finger moved during capture") as info:
        await dev.capture(QUICK)
    assert info.value.reason == "RD_SERVICE_ERROR"


async def test_service_vanishing_mid_capture_then_returning(decoy: socket.socket) -> None:
    first = decoy.getsockname()[1]
    decoy.close()  # the range starts at a now-closed port: refused, as on a kiosk
    sim = RdServiceSim(seed=3)
    url = await sim.start(f"rdservice://127.0.0.1:{first}-{first + 9}")
    dev = RdServiceDevice("fp", "rdservice://127.0.0.1", {"ports": f"{first}-{first + 9}", "https": False})
    try:
        await dev.read_info()
        execute(sim, "vanish_on_capture on")
        with pytest.raises(TransportError) as info:
            await dev.capture(QUICK)
        assert info.value.reason == "DISCONNECTED"
        with pytest.raises(DeviceUnavailable):
            await dev.read_info()  # gone: nothing in the range answers
        sim.state.vanish_on_capture = False
        await sim.start(url.replace("rdservice", "tcp"))  # the service is restarted
        assert (await dev.capture(QUICK)).quality.q_score == sim.state.q_score
    finally:
        await dev.close()
        await sim.stop()


async def test_vendor_paths_come_from_the_rdservice_reply(sim: RdServiceSim, dev: RdServiceDevice) -> None:
    sim.state.info_path, sim.state.capture_path = "/getDeviceInfo", "/capture"
    reading = await dev.read_info()
    assert (reading.service.info_path, reading.service.capture_path) == ("/getDeviceInfo", "/capture")
    await dev.capture(QUICK)
    assert ("CAPTURE", "/capture") in sim.requests


async def test_no_biometric_data_in_logs_repr_or_pickles(
    sim: RdServiceSim, dev: RdServiceDevice, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    results = [await dev.capture(QUICK) for _ in range(3)]
    execute(sim, "fail 730")
    with pytest.raises(DeviceUnavailable):
        await dev.capture(QUICK)
    secrets = [r.pid_data.decode() for r in results]
    secrets += [sim.last_pid_fields[k] for k in ("Skey", "Hmac", "Data")]
    secrets += [base64.b64decode(sim.last_pid_fields["Skey"]).hex()]
    logged = caplog.text + "".join(repr(r) + str(r) for r in results)
    assert "qScore=78" in caplog.text  # what may be logged is logged
    for secret in secrets:
        assert secret[:24] not in logged
    with pytest.raises(TypeError, match="never stored"):
        pickle.dumps(results[0])
