"""An independent eSCL client against the simulator: SANE's ``airscan`` backend with ``scanimage``.

sane-airscan is the eSCL client Linux desktops use; if it scans from the simulator, the
simulator speaks eSCL as real scanners do (not just as our driver expects). It runs with a
private SANE configuration naming only ``airscan`` and the simulator's URL, discovery off.
"""

from __future__ import annotations

import asyncio
import glob
import os
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kioskhub.simulators.escl_scanner import EsclScannerSim
from kioskhub.simulators.escl_scanner import pages as sim_pages
from tests.stacks.base import find_binary, skip_or_fail

pytestmark = [pytest.mark.stack, pytest.mark.timeout(90)]
DEVICE = "airscan:e0:Kiosk Sim"


@pytest.fixture
async def airscan(tmp_path: Path) -> AsyncIterator[tuple[EsclScannerSim, dict[str, str]]]:
    if find_binary("scanimage") is None or not glob.glob("/usr/lib/*/sane/libsane-airscan.so*"):
        skip_or_fail("sane-airscan: not installed (packages sane-utils, sane-airscan)")
    sim = EsclScannerSim()
    sim.state.scan_seconds = 0.0
    await sim.start("tcp://127.0.0.1:0")
    (tmp_path / "dll.conf").write_text("airscan\n")
    (tmp_path / "airscan.conf").write_text(
        f'[devices]\n"Kiosk Sim" = http://127.0.0.1:{sim.port}/eSCL, eSCL\n[options]\ndiscovery = disable\n'
    )
    env = {**os.environ, "SANE_CONFIG_DIR": str(tmp_path)}
    yield sim, env
    await sim.stop()


async def scanimage(env: dict[str, str], *args: str, cwd: Path | None = None) -> tuple[int, str]:
    """Run scanimage (the loop keeps serving the simulator meanwhile); (exit code, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        "scanimage", "-d", DEVICE, *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, err.decode(errors="replace")


async def test_flatbed_scan_matches_the_simulators_page(airscan: tuple[EsclScannerSim, dict[str, str]],
                                                        tmp_path: Path) -> None:
    sim, env = airscan
    out = tmp_path / "page.png"
    code, err = await scanimage(env, "--resolution", "150", "--mode", "Gray", "-x", "210", "-y", "297",
                                "--format=png", "-o", str(out))
    assert code == 0, err
    got = Image.open(out).convert("L")
    assert abs(got.width - 1240) <= 2 and abs(got.height - 1754) <= 2
    expected = sim_pages.sheet("form", 150).convert("L").resize(got.size)
    small = (160, 226)
    diff = np.abs(np.asarray(got.resize(small), np.int16) - np.asarray(expected.resize(small), np.int16))
    assert diff.mean() < 6  # the same form, through JPEG and PNG
    assert any(method == "DELETE" for method, _, _ in sim.log)  # it cleaned up the job


async def test_feeder_batch_until_empty(
    airscan: tuple[EsclScannerSim, dict[str, str]], tmp_path: Path
) -> None:
    sim, env = airscan
    sim.state.adf_sheets = 3
    code, err = await scanimage(env, "--source", "ADF", "--resolution", "75", "--mode", "Gray",
                                "--format=png", f"--batch={tmp_path}/p%d.png")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.glob("p*.png")) == ["p1.png", "p2.png", "p3.png"]
    assert "3 pages scanned" in err and "out of documents" in err.lower()
    assert sim.state.adf_sheets == 0 and sim.state.pages_delivered == 3


async def test_jam_is_reported_to_the_client(airscan: tuple[EsclScannerSim, dict[str, str]],
                                             tmp_path: Path) -> None:
    sim, env = airscan
    sim.state.jam_at_sheet = 1
    code, err = await scanimage(env, "--source", "ADF", "--resolution", "75", "--format=png",
                                "-o", str(tmp_path / "x.png"))
    assert code != 0 and "jammed" in err.lower(), err
