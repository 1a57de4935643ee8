"""The eSCL scanner simulator on the wire: HTTP written by hand (no driver code), faults, its CLI."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import sys
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from kioskhub.simulators import SIMULATORS, load
from kioskhub.simulators.base import SimulatorError
from kioskhub.simulators.escl_scanner import EsclScannerSim

SCAN = "{http://schemas.hp.com/imaging/escl/2011/05/03}"
PWG = "{http://www.pwg.org/schemas/2010/12/sm}"
# ScanSettings as sane-airscan 0.99 sends them (airscan-escl.c escl_scan_query), 100 dpi gray, A5 area.
SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<scan:ScanSettings xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm" \
xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"><pwg:Version>2.0</pwg:Version>\
<pwg:ScanRegions><pwg:ScanRegion><pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>\
<pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset><pwg:Width>1748</pwg:Width><pwg:Height>2480</pwg:Height>\
</pwg:ScanRegion></pwg:ScanRegions><pwg:InputSource>{source}</pwg:InputSource>\
<scan:ColorMode>Grayscale8</scan:ColorMode><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>\
<scan:XResolution>100</scan:XResolution><scan:YResolution>100</scan:YResolution></scan:ScanSettings>"""


class Http:
    """One kept-alive HTTP/1.1 connection, requests written by hand."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int) -> None:
        self.reader, self.writer, self.port = reader, writer, port

    async def send(self, method: str, path: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        if body:
            head += f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        await self.writer.drain()
        return await asyncio.wait_for(self.response(), 10)

    async def response(self) -> tuple[int, dict[str, str], bytes]:
        status_line, *lines = (await self.reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return int(status_line.split()[1]), headers, body


@pytest.fixture
async def sim() -> AsyncIterator[EsclScannerSim]:
    s = EsclScannerSim()
    s.state.scan_seconds = 0.1
    await s.start("tcp://127.0.0.1:0")
    yield s
    await s.stop()


@pytest.fixture
async def http(sim: EsclScannerSim) -> AsyncIterator[Http]:
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    yield Http(reader, writer, sim.port)
    writer.close()


async def next_document(http: Http, job: str) -> tuple[int, list[int], bytes]:
    """GET NextDocument until it is not 503; (status, the 503s seen, body)."""
    seen: list[int] = []
    for _ in range(200):
        status, headers, body = await http.send("GET", f"{job}/NextDocument")
        if status != 503:
            return status, seen, body
        assert headers.get("retry-after") == "1"
        seen.append(status)
        await asyncio.sleep(0.02)
    raise AssertionError("the page never came")


async def test_capabilities_and_status(http: Http, sim: EsclScannerSim) -> None:
    status, headers, body = await http.send("GET", "/eSCL/ScannerCapabilities")
    assert status == 200 and headers["content-type"] == "text/xml"
    caps = ET.fromstring(body)
    assert caps.tag == f"{SCAN}ScannerCapabilities"
    assert caps.findtext(f"{PWG}MakeAndModel") == sim.state.make_and_model
    platen = caps.find(f"{SCAN}Platen/{SCAN}PlatenInputCaps")
    assert platen is not None and platen.findtext(f"{SCAN}MaxWidth") == "2550"
    modes = [m.text for m in platen.iter(f"{SCAN}ColorMode")]
    assert modes == ["BlackAndWhite1", "Grayscale8", "RGB24"]
    assert caps.find(f"{SCAN}Adf/{SCAN}AdfDuplexInputCaps") is not None
    status, _, body = await http.send("GET", "/eSCL/ScannerStatus")  # same connection: keep-alive
    root = ET.fromstring(body)
    assert status == 200 and root.findtext(f"{PWG}State") == "Idle"
    assert root.findtext(f"{SCAN}AdfState") == "ScannerAdfLoaded"


async def test_platen_job_201_503_200_404_delete(http: Http, sim: EsclScannerSim) -> None:
    status, headers, _ = await http.send("POST", "/eSCL/ScanJobs", SETTINGS.format(source="Platen").encode())
    assert status == 201
    location = headers["location"]
    assert location.startswith(f"http://127.0.0.1:{sim.port}/eSCL/ScanJobs/")
    job = location.split(str(sim.port), 1)[1]
    status, retries, body = await next_document(http, job)
    assert status == 200 and retries  # 503 while the head moved
    image = Image.open(io.BytesIO(body))
    assert (image.format, image.mode, image.size) == ("JPEG", "L", (583, 827))  # 1748 x 2480 /300" at 100 dpi
    assert image.info["dpi"] == (100, 100)
    _, _, status_xml = await http.send("GET", "/eSCL/ScannerStatus")
    info = ET.fromstring(status_xml).find(f"{SCAN}Jobs/{SCAN}JobInfo")
    assert info is not None and info.findtext(f"{PWG}JobState") == "Completed"
    assert info.findtext(f"{PWG}ImagesCompleted") == "1"
    assert (await http.send("GET", f"{job}/NextDocument"))[0] == 404  # a platen job has one page
    assert (await http.send("DELETE", job))[0] == 200
    assert (await http.send("DELETE", "/eSCL/ScanJobs/" + "0" * 32))[0] == 404


async def test_feeder_job_ends_with_404_and_empty_feeder_is_refused(http: Http, sim: EsclScannerSim) -> None:
    sim.state.adf_sheets = 2
    _, headers, _ = await http.send("POST", "/eSCL/ScanJobs", SETTINGS.format(source="Feeder").encode())
    job = "/eSCL" + headers["location"].split("/eSCL", 1)[1]
    assert [(await next_document(http, job))[0] for _ in range(3)] == [200, 200, 404]
    _, _, body = await http.send("GET", "/eSCL/ScannerStatus")
    assert ET.fromstring(body).findtext(f"{SCAN}AdfState") == "ScannerAdfEmpty"
    assert (await http.send("POST", "/eSCL/ScanJobs", SETTINGS.format(source="Feeder").encode()))[0] == 409


async def test_faults_on_the_wire(http: Http, sim: EsclScannerSim) -> None:
    sim.state.busy = True
    assert (await http.send("POST", "/eSCL/ScanJobs", SETTINGS.format(source="Platen").encode()))[0] == 503
    _, _, body = await http.send("GET", "/eSCL/ScannerStatus")
    assert ET.fromstring(body).findtext(f"{PWG}State") == "Processing"
    sim.state.busy = False
    sim.state.jam_at_sheet = 1
    _, headers, _ = await http.send("POST", "/eSCL/ScanJobs", SETTINGS.format(source="Feeder").encode())
    job = "/eSCL" + headers["location"].split("/eSCL", 1)[1]
    assert (await http.send("GET", f"{job}/NextDocument"))[0] == 503
    _, _, body = await http.send("GET", "/eSCL/ScannerStatus")
    root = ET.fromstring(body)
    assert root.findtext(f"{PWG}State") == "Stopped" and root.findtext(f"{SCAN}AdfState") == "ScannerAdfJam"
    assert root.findtext(f"{SCAN}Jobs/{SCAN}JobInfo/{PWG}JobState") == "Aborted"
    assert (await http.send("GET", f"{job}/NextDocument"))[0] == 410


async def test_connection_drop_cuts_the_body(http: Http, sim: EsclScannerSim) -> None:
    sim.state.drop_at_page = 1
    _, headers, _ = await http.send("POST", "/eSCL/ScanJobs", SETTINGS.format(source="Platen").encode())
    job = "/eSCL" + headers["location"].split("/eSCL", 1)[1]
    with pytest.raises((asyncio.IncompleteReadError, ConnectionResetError)):
        await next_document(http, job)
    assert sim.state.drop_at_page is None  # once


async def test_bad_requests(http: Http, sim: EsclScannerSim) -> None:
    assert (await http.send("POST", "/eSCL/ScanJobs", b"<notxml"))[0] == 400
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'
    assert (await http.send("POST", "/eSCL/ScanJobs", bomb))[0] == 400
    too_fine = SETTINGS.format(source="Platen").replace(">100<", ">1200<").encode()
    assert (await http.send("POST", "/eSCL/ScanJobs", too_fine))[0] == 400
    assert (await http.send("GET", "/eSCL/ScanJobs"))[0] == 405
    assert (await http.send("PUT", "/eSCL/ScannerStatus"))[0] == 405
    assert (await http.send("GET", "/eSCL/Nothing"))[0] == 404
    http.writer.write(b"NONSENSE\r\n\r\n")
    assert (await http.response())[0] == 400


async def test_listen_must_be_tcp_on_loopback() -> None:
    for bad in ("pty", "unix:///tmp/x.sock", "tcp://0.0.0.0:0"):
        with pytest.raises(SimulatorError):
            await EsclScannerSim().start(bad)
    assert SIMULATORS["escl_scanner"] == "kioskhub.simulators.escl_scanner:EsclScannerSim"
    assert load("escl_scanner") is EsclScannerSim


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "kioskhub-sim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kioskhub.simulators.cli"]


async def _ctl(control: str, *words: str) -> str:
    proc = await asyncio.create_subprocess_exec(*_cli(), "ctl", control, *words,
                                                stdout=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    return out.decode().strip()


async def test_cli_and_control_socket(tmp_path: Path) -> None:
    ctl = f"unix://{tmp_path}/ctl.sock"
    proc = await asyncio.create_subprocess_exec(
        *_cli(), "escl_scanner", "--listen", "tcp://127.0.0.1:0", "--control", ctl, "--set", "adf_sheets=7",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
        assert info["name"] == "escl_scanner" and info["url"].startswith("escl://127.0.0.1:")
        state = json.loads((await _ctl(ctl, "get")).removeprefix("OK "))
        assert state["adf_sheets"] == 7 and state["adf"] == "ScannerAdfLoaded" and state["engine"] == "Idle"
        assert await _ctl(ctl, "jam", "2") == "OK jam_at_sheet=2"
        assert await _ctl(ctl, "busy", "on") == "OK busy on"
        assert await _ctl(ctl, "cover", "on") == "OK cover_open on"
        assert await _ctl(ctl, "slow", "1.5") == "OK scan_seconds=1.5"
        assert await _ctl(ctl, "drop", "3") == "OK drop_at_page=3"
        assert await _ctl(ctl, "adf_empty") == "OK adf_sheets=0"
        assert (await _ctl(ctl, "load", "x")).startswith("ERR ")
        port = int(info["url"].split(":")[2].split("/")[0])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        http = Http(reader, writer, port)
        _, _, body = await http.send("GET", "/eSCL/ScannerStatus")
        root = ET.fromstring(body)
        assert root.findtext(f"{PWG}State") == "Processing"  # busy
        assert root.findtext(f"{SCAN}AdfState") == "ScannerAdfHatchOpen"
        writer.close()
        assert "jam [SHEET|off]" in await _ctl(ctl, "help")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
