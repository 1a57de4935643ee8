"""ScannerService over a real server and scanning, against the eSCL scanner simulator over HTTP: a
feeder job page by page (503 while a page is scanned, 404 after the last), the file in chunks
within its size cap, CancelScan mid-job, a dropped connection and a jam ending the job with a
reason while the scanning stays up, refusals naming the field or limit, leases, and request_id
replays. What is checked comes from the simulator (its request log, its sheets, its counters)."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC, datetime, timedelta

import grpc
import pikepdf
import pytest
from PIL import Image

from hubd.classes.scanner import output, scans
from kioskhub.simulators.escl_scanner import EsclScannerSim
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc, scanner_pb2
from tests.rpc.conftest import Running, error_info, eventually, watch_from_now
from tests.rpc.leasing import acquire, next_event, presenting
from tests.rpc.scanning import Job, read, scan, states, stub

pytestmark = pytest.mark.timeout(60)
ADF = scanner_pb2.SCAN_SOURCE_ADF
GRAY = scanner_pb2.SCAN_COLOR_MODE_GRAY


def requests(escl: EsclScannerSim, method: str, suffix: str = "") -> list[int]:
    return [status for m, path, status in escl.log if m == method and path.endswith(suffix)]


async def test_feeder_pages_then_the_file_in_chunks_within_the_cap(
    scanning: Running, escl: EsclScannerSim, scan_lease
) -> None:
    escl.state.adf_sheets = 3
    events = await watch_from_now(scanning.channel, ("scanner",))
    got = await scan(scanning.channel, scan_lease, source=ADF, resolution_dpi=150, color_mode=GRAY,
                     max_size_kb=120)
    assert got.error is None, got.error
    assert got.order[:5] == ["job", "page", "page", "page", "job"] and got.order[5] == "file"
    assert set(got.order[6:-1]) == {"file_chunk"} and got.order[-1] == "job"
    assert states(got) == ["STATE_SCANNING", "STATE_PROCESSING", "STATE_SUCCEEDED"]
    assert [p.page_number for p in got.pages] == [1, 2, 3] and got.jobs[-1].page_count == 3
    assert all(p.width_px == 1275 and p.resolution_dpi == 150 for p in got.pages)  # 8.5 in glass at 150 dpi
    header = got.file
    assert header is not None and header.size_bytes == len(got.data) <= 120_000
    assert header.max_size_kb == 120 and header.page_count == 3 and header.mime_type == "application/pdf"
    with pikepdf.open(io.BytesIO(got.data)) as pdf:
        assert len(pdf.pages) == 3
    # the simulator: every page answered 503 first, the feeder ran empty, NextDocument then 404
    assert 503 in requests(escl, "GET", "/NextDocument") and requests(escl, "GET", "/NextDocument")[-1] == 404
    assert escl.state.adf_sheets == 0 and escl.state.pages_delivered == 3
    started = await next_event(events, "SCAN_STARTED")
    assert started.scan_job.scan_job_id == got.scan_job_id and started.scan_job.source == ADF
    pages = [await next_event(events, "SCAN_PAGE") for _ in range(3)]
    assert [e.attributes["page"] for e in pages] == ["1", "2", "3"]
    done = await next_event(events, "SCAN_SUCCEEDED")
    assert done.scan_job.state == Job.STATE_SUCCEEDED and done.scan_job.page_count == 3
    events.cancel()


async def test_cancel_mid_job_stops_the_scanner(scanning: Running, escl: EsclScannerSim, scan_lease) -> None:
    escl.state.adf_sheets, escl.state.scan_seconds = 5, 1.0  # the job would take 5 s
    request = scanner_pb2.ScanRequest(source=ADF, resolution_dpi=100)
    stream = stub(scanning.channel).Scan(request, metadata=scan_lease)
    first = (await stream.read()).job
    assert (await stream.read()).page.page_number == 1  # now the scanner works on page 2
    cancel = scanner_pb2.CancelScanRequest(scan_job_id=first.scan_job_id)
    reply = await stub(scanning.channel).CancelScan(cancel, metadata=scan_lease)
    assert reply.scan_job.state == Job.STATE_CANCELLED and reply.scan_job.reason == "CANCELLED"
    rest = await asyncio.wait_for(read(stream), 10)
    assert rest.error is None and rest.file is None and not rest.chunks
    assert states(rest)[-1] == "STATE_CANCELLED"
    assert escl.state.jobs_canceled == 1 and 200 in requests(escl, "DELETE")  # the scanner was told
    assert escl.state.adf_sheets >= 2  # it stopped feeding
    again = await stub(scanning.channel).CancelScan(cancel, metadata=scan_lease)
    assert again.scan_job.state == Job.STATE_CANCELLED
    escl.state.scan_seconds = 0.1
    assert (await scan(scanning.channel, scan_lease, resolution_dpi=75)).file is not None  # works on


async def test_cancel_while_the_file_is_made_sends_no_file(
    scanning: Running, escl: EsclScannerSim, scan_lease, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()  # the file is made only once the test has cancelled (no race to win)
    monkeypatch.setattr(scans, "render", lambda pages, spec: gate.wait(20) and output.render(pages, spec))
    stream = stub(scanning.channel).Scan(scanner_pb2.ScanRequest(resolution_dpi=150), metadata=scan_lease)
    first = (await stream.read()).job
    assert (await stream.read()).page.page_number == 1
    assert (await stream.read()).job.state == Job.STATE_PROCESSING
    cancel = scanner_pb2.CancelScanRequest(scan_job_id=first.scan_job_id)
    try:
        reply = await stub(scanning.channel).CancelScan(cancel, metadata=scan_lease)
    finally:
        gate.set()
    assert reply.scan_job.state == Job.STATE_CANCELLED and reply.scan_job.page_count == 1
    rest = await asyncio.wait_for(read(stream), 10)
    assert rest.error is None and rest.file is None and states(rest) == ["STATE_CANCELLED"]
    with pytest.raises(grpc.aio.AioRpcError) as err:  # a cancelled job is not cancelled "again" into success
        await stub(scanning.channel).CancelScan(scanner_pb2.CancelScanRequest(scan_job_id="scan-" + "0" * 16),
                                                metadata=scan_lease)
    assert error_info(err.value).reason == "SCAN_JOB_NOT_FOUND"


async def test_a_dropped_connection_ends_the_scan_with_a_reason_and_the_hub_stays_up(
    scanning: Running, escl: EsclScannerSim, scan_lease
) -> None:
    escl.state.adf_sheets, escl.state.drop_at_page = 3, 2
    events = await watch_from_now(scanning.channel, ("scanner",))
    got = await scan(scanning.channel, scan_lease, source=ADF, resolution_dpi=100)
    code, reason, meta = got.reason()
    assert (code, reason) == (grpc.StatusCode.UNAVAILABLE, "DISCONNECTED")
    assert meta["scanJobId"] == got.scan_job_id and meta["pagesScanned"] == "1" and len(got.pages) == 1
    failed = await next_event(events, "SCAN_FAILED")
    assert failed.reason == "DISCONNECTED" and failed.scan_job.state == Job.STATE_FAILED
    events.cancel()
    info = await hub_pb2_grpc.HubServiceStub(scanning.channel).GetHubInfo(hub_pb2.GetHubInfoRequest())
    assert info.version
    ok = await scan(scanning.channel, scan_lease, resolution_dpi=75)
    assert ok.error is None and states(ok)[-1] == "STATE_SUCCEEDED"


async def test_a_jam_fails_the_scan_and_shows_on_the_device(
    scanning: Running, escl: EsclScannerSim, scan_lease
) -> None:
    escl.state.adf_sheets, escl.state.jam_at_sheet = 4, 2
    events = await watch_from_now(scanning.channel, ("scanner",))
    got = await scan(scanning.channel, scan_lease, source=ADF, resolution_dpi=100)
    assert got.reason()[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "ADF_JAM") and len(got.pages) == 1
    assert (await next_event(events, "ADF_JAM")).device_id == "scanner"  # the supervisor saw it too
    device = scanning.hub.devices["scanner"]
    await eventually(lambda: _async(device.status.reason == "ADF_JAM"))
    refused = await scan(scanning.channel, scan_lease, source=ADF, resolution_dpi=100)
    assert refused.reason()[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "ADF_JAM") and not refused.jobs
    escl.state.jammed = False  # the operator takes the sheet out
    await eventually(lambda: _async(device.status.reason == ""))
    events.cancel()


async def _async(value: bool) -> bool:
    return value


async def test_leases_are_enforced(scanning: Running, escl: EsclScannerSim) -> None:
    scanner = stub(scanning.channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await scanner.GetScannerCapabilities(scanner_pb2.GetScannerCapabilitiesRequest())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_info(err.value).reason == "LEASE_REQUIRED"
    assert (await scan(scanning.channel, (), resolution_dpi=75)).reason()[1] == "LEASE_REQUIRED"
    lease, mine = await acquire(scanning.channel, "scanner", "counter-app", ttl=60)
    stream = scanner.Scan(scanner_pb2.ScanRequest(resolution_dpi=75), metadata=mine)
    job = (await stream.read()).job
    expiry = lease.expire_time.ToDatetime(tzinfo=UTC)
    for theirs in ((), presenting(common_pb2.Lease(lease_id="someone-elses"))):
        cancel = scanner_pb2.CancelScanRequest(scan_job_id=job.scan_job_id)
        calls = (scanner.GetScannerCapabilities(scanner_pb2.GetScannerCapabilitiesRequest(), metadata=theirs),
                 scanner.CancelScan(cancel, metadata=theirs))
        for call in calls:
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await call
            info = error_info(err.value)
            assert info.reason == "DEVICE_BUSY" and info.metadata["holder"] == "counter-app"
            assert abs(datetime.fromisoformat(info.metadata["expireTime"]) - expiry) < timedelta(seconds=1)
        assert (await scan(scanning.channel, theirs)).reason()[1] == "DEVICE_BUSY"
    assert (await read(stream)).error is None  # the holder's scan was never disturbed


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"resolution_dpi": 123}, "resolution_dpi"),  # not offered by the scanner
        ({"resolution_dpi": 99999}, "resolution_dpi"),
        ({"max_size_kb": -1}, "max_size_kb"),
        ({"max_size_kb": float("nan")}, "max_size_kb"),
        ({"max_size_kb": 10, "min_size_kb": 20}, "min_size_kb"),
        ({"width_px": 200}, "height_px"),
        ({"preset": "aadhaar_selfie"}, "preset"),
        ({"source": 9}, "source"),
        ({"format": scanner_pb2.SCAN_FILE_FORMAT_JPEG, "source": ADF, "max_pages": 3}, "max_pages"),
        ({"area": {"x_mm": 0, "y_mm": 0, "width_mm": 400, "height_mm": 10}}, "area"),
        ({"request_id": "x" * 200}, "request_id"),
        ({"preset": "pan_application", "resolution_dpi": 100}, "resolution_dpi"),  # the preset needs 200
    ],
)
async def test_bad_requests_name_the_field_and_scan_nothing(
    scanning: Running, escl: EsclScannerSim, scan_lease, fields, field
) -> None:
    got = await scan(scanning.channel, scan_lease, **fields)
    code, reason, meta = got.reason()
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT") and meta["field"] == field
    assert not got.jobs and not requests(escl, "POST")


async def test_refusals_before_the_job_name_the_reason(
    scanning: Running, escl: EsclScannerSim, scan_lease
) -> None:
    escl.state.adf_sheets = 0
    got = await scan(scanning.channel, scan_lease, source=ADF)
    assert got.reason()[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "ADF_EMPTY") and not got.jobs
    escl.state.busy = True  # another computer's job holds the scanner
    got = await scan(scanning.channel, scan_lease, resolution_dpi=75)
    assert got.reason()[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "SCANNER_BUSY")


async def test_a_window_no_quality_can_meet_is_refused_naming_the_limit(
    scanning: Running, escl: EsclScannerSim, scan_lease
) -> None:
    events = await watch_from_now(scanning.channel, ("scanner",))
    jpeg = scanner_pb2.SCAN_FILE_FORMAT_JPEG
    got = await scan(scanning.channel, scan_lease, format=jpeg, max_size_kb=2, resolution_dpi=150)
    code, reason, meta = got.reason()
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "SIZE_LIMIT_UNREACHABLE")
    assert meta["maxKb"] == "2" and float(meta["smallestKb"]) > 2 and meta["scanJobId"] == got.scan_job_id
    assert "under 2 KB" in got.error.details()  # type: ignore[union-attr]
    assert got.file is None and states(got) == ["STATE_SCANNING", "STATE_PROCESSING"]
    assert (await next_event(events, "SCAN_FAILED")).reason == "SIZE_LIMIT_UNREACHABLE"
    events.cancel()


async def test_a_request_id_replays_the_file_without_scanning_again(scanning: Running, escl: EsclScannerSim,
                                                                    scan_lease) -> None:
    fields = {"request_id": "9b2f6c1e-upload-1", "resolution_dpi": 100, "max_size_kb": 80}
    first = await scan(scanning.channel, scan_lease, **fields)
    delivered = escl.state.pages_delivered
    again = await scan(scanning.channel, scan_lease, **fields)
    assert again.error is None and again.data == first.data and again.file == first.file
    assert again.scan_job_id == first.scan_job_id and escl.state.pages_delivered == delivered
    other = await scan(scanning.channel, scan_lease, **{**fields, "max_size_kb": 90})
    code, reason, meta = other.reason()
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    assert meta["scanJobId"] == first.scan_job_id


async def test_capabilities_and_the_configured_presets(
    scanning: Running, escl: EsclScannerSim, scan_lease
) -> None:
    caps = (await stub(scanning.channel).GetScannerCapabilities(
        scanner_pb2.GetScannerCapabilitiesRequest(), metadata=scan_lease)).scanner_capabilities
    assert caps.make_and_model == escl.state.make_and_model and caps.device_id == "scanner"
    assert [s.source for s in caps.sources] == [scanner_pb2.SCAN_SOURCE_FLATBED, ADF,
                                                scanner_pb2.SCAN_SOURCE_ADF_DUPLEX]
    flatbed = caps.sources[0]
    assert 300 in flatbed.resolutions_dpi and flatbed.max_height_mm == pytest.approx(297, abs=0.5)
    presets = {p.name: p for p in caps.presets}
    assert presets["passport_photo"].max_size_kb == 45 and presets["passport_photo"].min_size_kb == 20
    assert presets["ration_card"].format == scanner_pb2.SCAN_FILE_FORMAT_JPEG
    assert presets["pan_application"].format == scanner_pb2.SCAN_FILE_FORMAT_PDF_A


async def test_a_configured_preset_is_used(scanning: Running, escl: EsclScannerSim, scan_lease) -> None:
    escl.state.platen_document = "id_card"
    got = await scan(scanning.channel, scan_lease, preset="ration_card", resolution_dpi=150)
    assert got.error is None and len(got.data) <= 100_000 and got.jobs[0].preset == "ration_card"
    assert Image.open(io.BytesIO(got.data)).format == "JPEG"
