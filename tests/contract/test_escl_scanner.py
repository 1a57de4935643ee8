"""eSCL scanner contract: the escl driver against the simulator over HTTP (or a real scanner).

    pytest tests/contract/test_escl_scanner.py --hw escl=escl://192.168.1.20:80/eSCL

Fault tests (jam, busy, connection drop...) need the simulator and skip under --hw.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from PIL import Image

from hubd.classes.scanner.contract import (
    AdfState,
    ColorMode,
    JobState,
    PageFormat,
    ScanArea,
    ScannedPage,
    ScannerState,
    ScanRequest,
    ScanSource,
)
from hubd.device import DeviceState
from hubd.errors import DeviceNotReady, InvalidArgument, TransportError, TransportTimeout
from kioskhub.drivers.escl import DRIVER, EsclScanner
from kioskhub.simulators.escl_scanner import EsclScannerSim
from kioskhub.simulators.escl_scanner import pages as sim_pages
from tests.conftest import hw_url

pytestmark = pytest.mark.timeout(60)
FAST = {"retry_interval": 0.05, "page_timeout": 10.0}


@dataclass
class Rig:
    """The driver and, unless on hardware, the simulator behind it."""

    scanner: EsclScanner
    sim: EsclScannerSim | None

    def need_sim(self) -> EsclScannerSim:
        if self.sim is None:
            pytest.skip("needs fault injection: simulator only")
        return self.sim

    def requests(self, method: str, suffix: str) -> list[int]:
        """Statuses the simulator answered to ``method`` on paths ending with ``suffix``."""
        sim = self.need_sim()
        return [status for m, path, status in sim.log if m == method and path.endswith(suffix)]


@pytest.fixture
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    url = hw_url(request.config, "escl")
    sim = None
    if url is None:
        sim = EsclScannerSim(seed=1)
        sim.state.scan_seconds = 0.15  # long enough that every page is first answered 503
        url = await sim.start("tcp://127.0.0.1:0")
        assert url.startswith("escl://127.0.0.1:") and url.endswith("/eSCL")
    scanner = DRIVER.factory("scanner", url, FAST, timeout=1.0 if sim else 5.0)
    assert isinstance(scanner, EsclScanner)
    try:
        yield Rig(scanner, sim)
    finally:
        job = scanner.active_job
        if job is not None:
            await job.cancel()
        await scanner.close()
        if sim is not None:
            await sim.stop()


async def scan(rig: Rig, request: ScanRequest) -> list[ScannedPage]:
    job = await rig.scanner.start_scan(request)
    async with job:
        return [page async for page in job]


def decoded(page: ScannedPage) -> Image.Image:
    image = Image.open(io.BytesIO(page.data))
    assert image.size == (page.width_px, page.height_px)
    return image


async def test_capabilities_and_idle_status(rig: Rig) -> None:
    caps = await rig.scanner.capabilities()
    flatbed = caps.source(ScanSource.FLATBED)
    assert flatbed is not None and flatbed.supports_dpi(300) and ColorMode.GRAY in flatbed.color_modes
    status = await rig.scanner.poll()
    assert status.state is ScannerState.IDLE
    assert rig.scanner.assess(status)[0] is DeviceState.AVAILABLE
    if rig.sim is not None:
        assert caps.make_and_model == rig.sim.state.make_and_model
        assert status.adf is AdfState.LOADED
        assert rig.sim.state.make_and_model in rig.scanner.describe()


async def test_flatbed_page_with_503_retries(rig: Rig) -> None:
    area = ScanArea(0, 0, 210, 297)
    [page] = await scan(rig, ScanRequest(ScanSource.FLATBED, 150, ColorMode.GRAY, area))
    assert page.number == 1 and page.format is PageFormat.JPEG and page.dpi == 150
    image = decoded(page)
    assert image.mode == "L" and image.size == (1240, 1754)  # 210 x 297 mm at 150 dpi
    if rig.sim is not None:
        assert 503 in rig.requests("GET", "/NextDocument")  # the page was not ready at first
        assert rig.requests("DELETE", "") == [200]  # cleaned up, as sane-airscan does
        assert rig.sim.state.pages_delivered == 1
    assert rig.scanner.active_job is None


async def test_feeder_pages_until_404(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.adf_sheets = 3
    pages = await scan(rig, ScanRequest(ScanSource.ADF, 100, ColorMode.COLOR))
    assert [p.number for p in pages] == [1, 2, 3]
    assert all(decoded(p).mode == "RGB" for p in pages)
    assert rig.requests("GET", "/NextDocument")[-1] == 404  # the end of the feeder
    assert sim.state.adf_sheets == 0
    assert (await rig.scanner.read_status()).adf is AdfState.EMPTY


async def test_duplex_gives_two_pages_per_sheet_and_max_pages_stops_early(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.adf_sheets, sim.state.scan_seconds = 2, 0.02
    pages = await scan(rig, ScanRequest(ScanSource.ADF_DUPLEX, 75, ColorMode.GRAY))
    assert len(pages) == 4
    sim.state.adf_sheets = 5
    pages = await scan(rig, ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY, max_pages=2))
    assert len(pages) == 2 and sim.state.jobs_canceled == 1  # the rest was cancelled with DELETE


async def test_png_black_and_white(rig: Rig) -> None:
    sim = rig.need_sim()
    rig.scanner.options["document_format"] = "image/png"
    request = ScanRequest(ScanSource.FLATBED, 100, ColorMode.BLACK_WHITE, ScanArea(0, 0, 100, 50))
    [page] = await scan(rig, request)
    image = decoded(page)
    assert page.format is PageFormat.PNG and image.mode == "1" and image.size == (394, 197)
    assert sim.state.pages_delivered == 1


async def test_cancel_mid_job(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.adf_sheets, sim.state.scan_seconds = 10, 0.3
    job = await rig.scanner.start_scan(ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY))
    first = await anext(job)
    waiter = asyncio.create_task(anext(job))  # waiting for page 2 (503s meanwhile)
    await asyncio.sleep(0.05)
    await job.cancel()
    with pytest.raises(StopAsyncIteration):
        await waiter
    assert first.number == 1 and job.state is JobState.CANCELED
    assert rig.requests("DELETE", "") == [200] and sim.state.jobs_canceled == 1
    assert sim.state.adf_sheets == 9  # the scanner stopped feeding
    [page] = await scan(rig, ScanRequest(ScanSource.FLATBED, 75, ColorMode.GRAY))  # and scans again
    assert page.number == 1


async def test_connection_drop_mid_page_ends_the_job_and_the_scanner_recovers(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.adf_sheets, sim.state.drop_at_page = 3, 2
    job = await rig.scanner.start_scan(ScanRequest(ScanSource.ADF, 100, ColorMode.GRAY))
    got = []
    with pytest.raises(TransportError) as err:
        async for page in job:
            got.append(page)
    assert len(got) == 1 and err.value.reason == "DISCONNECTED" and "page 2" in err.value.message
    assert job.state is JobState.FAILED and job.error is err.value
    assert (await rig.scanner.read_status()).state in (ScannerState.IDLE, ScannerState.BUSY)
    sim.state.adf_sheets = 1
    assert len(await scan(rig, ScanRequest(ScanSource.ADF, 100, ColorMode.GRAY))) == 1


async def test_jam_mid_job(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.adf_sheets, sim.state.jam_at_sheet = 5, 2
    job = await rig.scanner.start_scan(ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY))
    with pytest.raises(DeviceNotReady) as err:
        async for _ in job:
            pass
    assert err.value.reason == "ADF_JAM" and job.pages == 1
    status = await rig.scanner.poll()
    assert rig.scanner.assess(status)[:2] == (DeviceState.UNAVAILABLE, "ADF_JAM")
    with pytest.raises(DeviceNotReady) as again:
        await rig.scanner.start_scan(ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY))
    assert again.value.reason == "ADF_JAM"
    sim.state.jammed = False
    assert rig.scanner.assess(await rig.scanner.poll())[0] is DeviceState.AVAILABLE


@pytest.mark.parametrize(
    ("fault", "source", "reason"),
    [
        ({"adf_sheets": 0}, ScanSource.ADF, "ADF_EMPTY"),
        ({"busy": True}, ScanSource.FLATBED, "SCANNER_BUSY"),
        ({"cover_open": True}, ScanSource.ADF, "COVER_OPEN"),
    ],
)
async def test_refusals_name_the_reason(
    rig: Rig, fault: dict[str, object], source: ScanSource, reason: str
) -> None:
    sim = rig.need_sim()
    for key, value in fault.items():
        setattr(sim.state, key, value)
    with pytest.raises(DeviceNotReady) as err:
        await scan(rig, ScanRequest(source, 75, ColorMode.GRAY))
    assert err.value.reason == reason
    assert rig.scanner.active_job is None


async def test_open_feeder_cover_does_not_stop_the_flatbed(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.cover_open = True
    assert rig.scanner.assess(await rig.scanner.poll())[:2] == (DeviceState.UNAVAILABLE, "COVER_OPEN")
    assert len(await scan(rig, ScanRequest(ScanSource.FLATBED, 75, ColorMode.GRAY))) == 1


async def test_warming_up_delays_the_first_page(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.warmup_seconds = 0.4
    job = await rig.scanner.start_scan(ScanRequest(ScanSource.FLATBED, 75, ColorMode.GRAY))
    assert (await rig.scanner.read_status()).state is ScannerState.WARMING_UP
    pages = [p async for p in job]
    assert len(pages) == 1 and rig.requests("GET", "/NextDocument").count(503) >= 3


async def test_a_page_that_never_comes_times_out(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.scan_seconds = 30
    rig.scanner.options["page_timeout"] = 0.3
    job = await rig.scanner.start_scan(ScanRequest(ScanSource.FLATBED, 75, ColorMode.GRAY))
    with pytest.raises(TransportTimeout):
        await anext(job)
    assert job.state is JobState.FAILED and sim.state.jobs_canceled == 1


async def test_one_job_at_a_time_and_requests_checked(rig: Rig) -> None:
    rig.need_sim().state.scan_seconds = 5
    job = await rig.scanner.start_scan(ScanRequest(ScanSource.FLATBED, 75, ColorMode.GRAY))
    with pytest.raises(DeviceNotReady) as err:
        await rig.scanner.start_scan(ScanRequest(ScanSource.FLATBED, 75, ColorMode.GRAY))
    assert err.value.reason == "SCANNER_BUSY"
    await job.cancel()
    with pytest.raises(InvalidArgument) as bad:
        await rig.scanner.start_scan(ScanRequest(ScanSource.FLATBED, 123, ColorMode.GRAY))
    assert bad.value.field == "dpi"


async def test_unplugged_scanner_times_out_and_returns(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.unplug()
    with pytest.raises(TransportTimeout):
        await rig.scanner.poll()
    await rig.scanner.close()  # what the supervisor does after a failed poll
    sim.replug()
    assert (await rig.scanner.poll()).state is ScannerState.IDLE


async def test_pages_are_the_simulators_documents(rig: Rig) -> None:
    sim = rig.need_sim()
    sim.state.platen_document = "id_card"
    [page] = await scan(rig, ScanRequest(ScanSource.FLATBED, 100, ColorMode.COLOR, ScanArea(0, 0, 120, 80)))
    image = decoded(page).convert("RGB")
    x, y = (round(mm * 100 / 25.4) for mm in (15 + 40, 15 + 6))  # inside the card's saffron band
    r, g, b = image.getpixel((x, y))  # type: ignore[misc]
    assert r > 200 and 110 < g < 190 and b < 110
    assert sim_pages.KEYWORDS["id_card"]  # what OCR tests look for comes from the simulator too
