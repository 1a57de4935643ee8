"""The sane driver against libsane's ``test`` backend (private SANE_CONFIG_DIR, test backend only)."""

from __future__ import annotations

import asyncio
import io
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hubd.classes.scanner.contract import (
    ColorMode,
    JobState,
    PageFormat,
    ScanArea,
    ScannedPage,
    ScannerState,
    ScanRequest,
    ScanSource,
)
from hubd.classes.scanner.output import OutputFormat, OutputSpec, render
from hubd.device import StatusSource
from hubd.errors import DeviceNotReady, DeviceUnavailable, InvalidArgument, TransportError
from hubd.stacks.sane import SanePaths
from kioskhub.drivers.sane import DRIVER, SaneScanner
from tests.conftest import sigpipe_ignored
from tests.stacks.base import find_binary, skip_or_fail

pytestmark = [pytest.mark.stack, pytest.mark.timeout(90)]
A4 = ScanArea(0, 0, 210, 297)


@pytest.fixture
async def scanners(sane_stack: SanePaths) -> AsyncIterator[list[SaneScanner]]:
    """Scanners a test makes; each is closed afterwards (a SANE device opens once at a time)."""
    made: list[SaneScanner] = []
    yield made
    for scanner in made:
        if scanner.active_job is not None:
            await scanner.active_job.cancel()
        await scanner.close()


GRID = "test-picture=Grid;read-return-value=Default"
"""libsane's test backend keeps a device's options for the life of the process (other tests, in
the same worker, set others): each scanner states the picture and the read status it expects."""


def scanner(made: list[SaneScanner], device: int = 0, sane_options: str = GRID) -> SaneScanner:
    dev = DRIVER.factory(f"scanner{len(made)}", f"sane://test:{device}", {"sane_options": sane_options})
    assert isinstance(dev, SaneScanner)
    made.append(dev)
    return dev


async def scan(dev: SaneScanner, request: ScanRequest) -> list[ScannedPage]:
    job = await dev.start_scan(request)
    async with job:
        return [page async for page in job]


def pixels(page: ScannedPage) -> np.ndarray:
    mode = "RGB" if page.color_mode is ColorMode.COLOR else "L"
    return np.asarray(Image.frombytes(mode, (page.width_px, page.height_px), page.data))


def grid_reference(width: int, height: int, dpi: float) -> np.ndarray:
    """The test backend's "Grid": 10 mm squares, the top-left one white (drawn from its manual)."""
    xs = (np.arange(width) * 25.4 / dpi // 10).astype(int)
    ys = (np.arange(height) * 25.4 / dpi // 10).astype(int)
    return np.where((ys[:, None] + xs[None, :]) % 2 == 0, 255, 0).astype(np.uint8)


def agreement(image: np.ndarray, reference: np.ndarray) -> float:
    """Share of pixels on the same side of mid-gray as the reference."""
    return float(((image > 127) == (reference > 127)).mean())


async def test_private_config_holds_only_the_test_backend(sane_stack: SanePaths) -> None:
    if find_binary("scanimage") is None:
        skip_or_fail("SANE: scanimage not installed (package sane-utils)")
    out = subprocess.run(["scanimage", "-L"], env=sane_stack.env(), capture_output=True, text=True,
                         timeout=30)
    lines = [line for line in out.stdout.splitlines() if line.startswith("device")]
    assert [line.split("`")[1].split("'")[0] for line in lines] == ["test:0", "test:1"]


async def test_capabilities_and_status(scanners: list[SaneScanner]) -> None:
    dev = scanner(scanners)
    caps = await dev.capabilities()
    assert [s.source for s in caps.sources] == [ScanSource.FLATBED, ScanSource.ADF]
    flatbed = caps.sources[0]
    assert set(flatbed.color_modes) == {ColorMode.COLOR, ColorMode.GRAY, ColorMode.BLACK_WHITE}
    assert flatbed.supports_dpi(300) and flatbed.supports_dpi(1200) and flatbed.max_height_mm >= 297
    assert flatbed.formats == (PageFormat.RAW,)
    status = await dev.poll()
    assert status.state is ScannerState.IDLE and status.source is StatusSource.SPOOLER
    assert "frontend-tester" in dev.describe()


async def test_flatbed_grid_at_300_dpi(scanners: list[SaneScanner]) -> None:
    [page] = await scan(scanner(scanners), ScanRequest(ScanSource.FLATBED, 300, ColorMode.GRAY, A4))
    assert page.width_px == 2480 and abs(page.height_px - 3508) <= 1 and page.dpi == 300  # SANE rounds
    got = pixels(page)
    assert agreement(got, grid_reference(page.width_px, page.height_px, 300)) > 0.98


async def test_grid_survives_a_100_kb_pdf(scanners: list[SaneScanner], tmp_path: Path) -> None:
    if find_binary("pdftoppm") is None:
        skip_or_fail("poppler-utils: pdftoppm not installed")
    [page] = await scan(scanner(scanners), ScanRequest(ScanSource.FLATBED, 300, ColorMode.GRAY, A4))
    result = render([page], OutputSpec(OutputFormat.PDF, max_kb=100))
    assert len(result.data) <= 100_000
    (tmp_path / "grid.pdf").write_bytes(result.data)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-singlefile", "grid.pdf", "shown"], cwd=tmp_path,
                   capture_output=True, timeout=60, check=True)
    shown = Image.open(tmp_path / "shown.pgm").convert("L")
    reference = Image.fromarray(pixels(page)).resize(shown.size, Image.Resampling.BOX)  # downscaled scan
    diff = np.abs(np.asarray(shown, np.int16) - np.asarray(reference, np.int16))
    assert diff.mean() < 12
    assert agreement(np.asarray(shown), grid_reference(shown.width, shown.height, 50)) > 0.9


async def test_color_pattern_survives_a_jpeg_cap(scanners: list[SaneScanner]) -> None:
    dev = scanner(scanners, 1, "test-picture=Color pattern;read-return-value=Default")
    [page] = await scan(dev, ScanRequest(ScanSource.FLATBED, 150, ColorMode.COLOR, ScanArea(0, 0, 100, 100)))
    raw = pixels(page)
    assert raw.std() > 40  # a pattern, not a solid picture
    result = render([page], OutputSpec(OutputFormat.JPEG, max_kb=100))
    assert len(result.data) <= 100_000
    got = Image.open(io.BytesIO(result.data)).convert("RGB")
    small = (100, 100)
    diff = np.abs(np.asarray(got.resize(small, Image.Resampling.BOX), np.int16)
                  - np.asarray(Image.fromarray(raw).resize(small, Image.Resampling.BOX), np.int16))
    assert diff.mean() < 10


async def test_ten_page_feeder(scanners: list[SaneScanner]) -> None:
    dev = scanner(scanners)
    job = await dev.start_scan(ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY, ScanArea(0, 0, 50, 50)))
    pages = [page async for page in job]
    assert [p.number for p in pages] == list(range(1, 11))  # the test backend's feeder holds 10
    assert job.state is JobState.COMPLETED
    assert len(await scan(dev, ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY, ScanArea(0, 0, 50, 50)))) == 10


async def test_black_and_white(scanners: list[SaneScanner]) -> None:
    [page] = await scan(scanner(scanners), ScanRequest(ScanSource.FLATBED, 100, ColorMode.BLACK_WHITE, A4))
    assert set(np.unique(pixels(page))) <= {0, 255}


@pytest.mark.parametrize(
    ("status", "error", "reason"),
    [
        ("SANE_STATUS_JAMMED", DeviceNotReady, "ADF_JAM"),
        ("SANE_STATUS_COVER_OPEN", DeviceNotReady, "COVER_OPEN"),
        ("SANE_STATUS_DEVICE_BUSY", DeviceNotReady, "SCANNER_BUSY"),
        ("SANE_STATUS_IO_ERROR", TransportError, "IO_ERROR"),
    ],
)
async def test_forced_faults(scanners: list[SaneScanner], status: str, error: type, reason: str) -> None:
    dev = scanner(scanners, 1, f"test-picture=Grid;read-return-value={status}")
    job = await dev.start_scan(ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY))
    with pytest.raises(error) as err:
        await anext(job)
    assert err.value.reason == reason and job.state is JobState.FAILED
    await dev.close()
    healthy = scanner(scanners, 1, "read-return-value=Default")  # the backend keeps options: reset
    request = ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY, ScanArea(0, 0, 20, 20))
    assert len(await scan(healthy, request)) == 10


async def test_cancel_mid_feeder_and_scan_again(scanners: list[SaneScanner]) -> None:
    dev = scanner(scanners)
    job = await dev.start_scan(ScanRequest(ScanSource.ADF, 300, ColorMode.COLOR, A4))
    first = await anext(job)
    assert (await dev.poll()).state is ScannerState.BUSY
    await asyncio.wait_for(job.cancel(), 30)
    assert first.number == 1 and job.state is JobState.CANCELED and job.pages < 10
    assert (await dev.poll()).state is ScannerState.IDLE
    assert len(await scan(dev, ScanRequest(ScanSource.FLATBED, 75, ColorMode.GRAY))) == 1


async def test_sigpipe_stays_ignored_after_scans_and_cancels(scanners: list[SaneScanner]) -> None:
    """libsane resets SIGPIPE to terminate when a scan starts or ends: the next write to a closed
    socket would kill the hub (and a test worker) without a trace. The driver ignores it again."""
    assert sigpipe_ignored()
    dev = scanner(scanners)
    await scan(dev, ScanRequest(ScanSource.FLATBED, 75, ColorMode.GRAY))
    assert sigpipe_ignored()
    job = await dev.start_scan(ScanRequest(ScanSource.ADF, 75, ColorMode.GRAY, A4))
    await anext(job)
    await asyncio.wait_for(job.cancel(), 30)
    assert sigpipe_ignored()


async def test_bad_devices_and_options(scanners: list[SaneScanner]) -> None:
    with pytest.raises(DeviceUnavailable) as err:
        await scanner(scanners, 7).poll()
    assert err.value.reason == "NO_SUCH_DEVICE"
    with pytest.raises(InvalidArgument) as bad:
        await scanner(scanners, 1, "no-such-option=1").poll()
    assert bad.value.field == "options.sane_options"
    with pytest.raises(InvalidArgument):
        SaneScanner("x", "sane://test:0", {"sane_options": "just words"})
    with pytest.raises(InvalidArgument):
        SaneScanner("x", "scanner://test:0")
    other = scanner(scanners)
    await other.poll()
    with pytest.raises(DeviceNotReady) as busy:  # test:0 is open in ``other``
        await scanner(scanners).poll()
    assert busy.value.reason == "SCANNER_BUSY"
