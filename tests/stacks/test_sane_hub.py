"""ScannerService through SANE's ``test`` backend (private SANE_CONFIG_DIR, the test backend only):
a flatbed scan whose patterned picture survives a 100 KB cap (compared with the backend's grid,
downscaled), the feeder's 10 pages, and a forced jam ending the job with its reason while the hub
stays up. The pictures and the feeder's capacity are the backend's (sane-test(5))."""

from __future__ import annotations

import io
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import numpy as np
import pikepdf
import pytest
from PIL import Image

from hubd.config import DeviceConfig, HubConfig
from hubd.stacks.sane import SanePaths
from kioskhub.drivers.sane import SaneScanner
from kioskhub.v1 import hub_pb2, hub_pb2_grpc, scanner_pb2
from tests.rpc.conftest import Running, serving
from tests.rpc.leasing import acquire
from tests.rpc.scanning import scan, states
from tests.stacks.base import find_binary, skip_or_fail
from tests.stacks.test_sane import agreement, grid_reference

pytestmark = [pytest.mark.stack, pytest.mark.timeout(90)]
GRAY = scanner_pb2.SCAN_COLOR_MODE_GRAY
ADF = scanner_pb2.SCAN_SOURCE_ADF
A4 = {"x_mm": 0, "y_mm": 0, "width_mm": 210, "height_mm": 297}
SMALL = {"x_mm": 0, "y_mm": 0, "width_mm": 40, "height_mm": 40}


def sane_device(device_id: str, number: int, sane_options: str) -> DeviceConfig:
    return DeviceConfig(device_id, "sane", f"sane://test:{number}", options={"sane_options": sane_options},
                        poll_interval=0.5, timeout=10.0)


@pytest.fixture
async def hub(tmp_path: Path, sane_stack: SanePaths) -> AsyncIterator[Running]:
    devices = {"scanner": sane_device("scanner", 0, "test-picture=Grid"),
               "jammed": sane_device("jammed", 1, "read-return-value=SANE_STATUS_JAMMED")}
    async with serving(HubConfig(devices=devices), tmp_path, tmp_path / "hubd.sock") as running:
        yield running
    healthy = SaneScanner("reset", "sane://test:1", {"sane_options": "read-return-value=Default"})
    await healthy.poll()  # the backend keeps option values between opens: leave test:1 as found
    await healthy.close()


async def test_a_flatbed_grid_survives_a_100_kb_pdf(hub: Running, tmp_path: Path) -> None:
    if find_binary("pdftoppm") is None:
        skip_or_fail("poppler-utils: pdftoppm not installed")
    _lease, md = await acquire(hub.channel, "scanner", "counter-app")
    got = await scan(hub.channel, md, device_id="scanner", resolution_dpi=300, color_mode=GRAY, area=A4,
                     max_size_kb=100)
    assert got.error is None, got.error
    assert [(p.width_px, p.resolution_dpi) for p in got.pages] == [(2480, 300)]  # A4 at 300 dpi
    assert got.file is not None and len(got.data) <= 100_000
    (tmp_path / "grid.pdf").write_bytes(got.data)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-singlefile", "grid.pdf", "shown"], cwd=tmp_path,
                   capture_output=True, timeout=60, check=True)
    shown = np.asarray(Image.open(tmp_path / "shown.pgm").convert("L"))
    assert agreement(shown, grid_reference(shown.shape[1], shown.shape[0], 50)) > 0.9


async def test_the_feeder_gives_its_ten_pages(hub: Running) -> None:
    _lease, md = await acquire(hub.channel, "scanner", "counter-app")
    got = await scan(hub.channel, md, device_id="scanner", source=ADF, resolution_dpi=75,
                     color_mode=GRAY, area=SMALL)
    assert got.error is None, got.error
    assert [p.page_number for p in got.pages] == list(range(1, 11))  # the test backend's feeder holds 10
    assert states(got)[-1] == "STATE_SUCCEEDED" and got.jobs[-1].page_count == 10
    with pikepdf.open(io.BytesIO(got.data)) as pdf:
        assert len(pdf.pages) == 10


async def test_a_forced_jam_ends_the_scan_and_the_hub_stays_up(hub: Running) -> None:
    _lease, md = await acquire(hub.channel, "jammed", "counter-app")
    got = await scan(hub.channel, md, device_id="jammed", source=ADF, resolution_dpi=75,
                     area=SMALL)
    code, reason, meta = got.reason()
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ADF_JAM")
    assert meta["scanJobId"] == got.scan_job_id and meta["pagesScanned"] == "0" and not got.pages
    assert (await hub_pb2_grpc.HubServiceStub(hub.channel).GetHubInfo(hub_pb2.GetHubInfoRequest())).version
    _lease, ok = await acquire(hub.channel, "scanner", "counter-app")
    again = await scan(hub.channel, ok, device_id="scanner", resolution_dpi=75, area=SMALL)
    assert again.error is None and states(again)[-1] == "STATE_SUCCEEDED"
