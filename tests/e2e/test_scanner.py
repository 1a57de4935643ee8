"""The scanner in a real ``hubd --simulate``, driven by hubctl as a technician does: a feeder scan
to a capped PDF with progress per page (read back by pdfinfo), JSON Lines, DEVICE_BUSY naming the
holder, a refused scan leaving no file behind, and ^C stopping the scanner's job. The simulator's
sheets and job list come from its control socket."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from kioskhub.v1 import hub_pb2, hub_pb2_grpc
from tests.e2e.conftest import HubProcess, wait_for
from tests.stacks.base import find_binary, skip_or_fail

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One hubd for this module; each test leaves the scanner as it found it."""
    process = HubProcess(tmp_path_factory.mktemp("scanner")).start()
    try:
        wait_for(lambda: scanner_state(process) == "DEVICE_STATE_AVAILABLE", what="the simulated scanner")
        yield process
    finally:
        process.stop()


def scanner_state(hub: HubProcess) -> str:
    out = hub.hubctl("device", "scanner", "--json")
    return json.loads(out.stdout)["state"] if out.returncode == 0 else ""


def control(hub: HubProcess, *command: str) -> str:
    where = hub.simulators()["scanner"]["control"]
    out = subprocess.run([sys.executable, "-m", "kioskhub.simulators.cli", "ctl", where, *command],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def jobs(hub: HubProcess) -> list[list[object]]:
    """The simulated scanner's jobs: [uuid, eSCL JobState, pages delivered], oldest first."""
    reply = control(hub, "jobs").strip()
    assert reply.startswith("OK "), reply
    return list(json.loads(reply[3:]))


def pdf_pages(path: Path) -> int:
    if find_binary("pdfinfo") is None:
        skip_or_fail("poppler-utils: pdfinfo not installed")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=30,
                          check=True).stdout
    found = re.search(r"^Pages: +(\d+)$", info, re.M)
    assert found, info
    return int(found.group(1))


def test_a_feeder_scan_to_a_capped_pdf_shows_each_page(hub: HubProcess, tmp_path: Path) -> None:
    control(hub, "load", "2")
    out = tmp_path / "proofs.pdf"
    done = hub.hubctl("scan", "--source", "adf", "--max-kb", "150", "--dpi", "200", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert re.findall(r"^page (\d+): \d+ x \d+ px at 200 dpi$", done.stdout, re.M) == ["1", "2"]
    assert out.stat().st_size <= 150_000 and pdf_pages(out) == 2
    assert f"wrote {out}: pdf, 2 page(s)" in done.stdout and "(at most 150 KB)" in done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["proofs.pdf"]  # no temporary file left


def test_json_lines_and_a_preset(hub: HubProcess, tmp_path: Path) -> None:
    control(hub, "set", "platen_document", "signature")
    out = tmp_path / "sign.jpg"
    try:
        done = hub.hubctl("scan", "--preset", "signature", "--dpi", "150", "-o", str(out), "--json")
    finally:
        control(hub, "set", "platen_document", "form")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[0]["state"] == "STATE_SCANNING" and lines[0]["preset"] == "signature"
    assert lines[1]["page_number"] == 1 and lines[2]["state"] == "STATE_PROCESSING"
    header = lines[-1]
    assert header["format"] == "SCAN_FILE_FORMAT_JPEG"
    assert (header["width_px"], header["height_px"]) == (140, 60)
    assert 10 * 1024 <= int(header["size_bytes"]) == out.stat().st_size <= 20_000


def test_another_holder_makes_the_scan_device_busy_and_nothing_is_written(hub: HubProcess,
                                                                         tmp_path: Path) -> None:
    with grpc.insecure_channel(hub.target) as ch:
        stub = hub_pb2_grpc.HubServiceStub(ch)
        lease = stub.AcquireLease(hub_pb2.AcquireLeaseRequest(device_id="scanner", holder="counter-app",
                                                              ttl=Duration(seconds=60))).lease
        try:
            refused = hub.hubctl("scan", "-o", str(tmp_path / "x.pdf"))
        finally:
            stub.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id))
    assert refused.returncode == 1 and "DEVICE_BUSY" in refused.stderr
    assert "holder=counter-app" in refused.stderr and "expireTime=" in refused.stderr
    assert not list(tmp_path.iterdir())


def test_a_refused_scan_leaves_no_file(hub: HubProcess, tmp_path: Path) -> None:
    control(hub, "adf_empty")
    refused = hub.hubctl("scan", "--source", "adf", "-o", str(tmp_path / "x.pdf"), "--json")
    assert refused.returncode == 1
    assert json.loads(refused.stderr)["error"]["reason"] == "ADF_EMPTY"
    assert not list(tmp_path.iterdir())


def test_interrupting_hubctl_stops_the_scanners_job(hub: HubProcess, tmp_path: Path) -> None:
    control(hub, "load", "5")
    control(hub, "slow", "1.5")
    scan = ["scan", "--source", "adf", "--dpi", "100", "-o", str(tmp_path / "x.pdf")]
    proc = subprocess.Popen([sys.executable, "-m", "hubd.cli.hubctl", "--target", hub.target, *scan],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        while not proc.stdout.readline().startswith("page 1:"):
            pass
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 130
    finally:
        proc.kill()
        control(hub, "slow", "0.2")
    wait_for(lambda: jobs(hub)[-1][1] == "Canceled", what="the scanner's job cancelled")
    assert not list(tmp_path.iterdir())
    assert hub.hubctl("scan", "--dpi", "75", "-o", str(tmp_path / "after.pdf")).returncode == 0  # not stuck


def test_scanner_lists_capabilities_and_presets(hub: HubProcess) -> None:
    shown = hub.hubctl("scanner")
    assert shown.returncode == 0, shown.stderr
    assert "KioskHub Sim eSCL MFP 4200" in shown.stdout and "passport_photo" in shown.stdout
    assert re.search(r"^adf_duplex +75, 100, 150, 200, 300, 600 ", shown.stdout, re.M)


def test_random_scan_requests_under_a_lease_never_reach_internal(hub: HubProcess,
                                                                 tmp_path: Path) -> None:
    """The property test of test_fuzz_rpc, with the scanner leased so requests reach the scanner:
    each ends OK or with a status a client can act on, scans cut short by the client included."""
    from hypothesis import HealthCheck, given, settings

    from hubd.cli.common import error_info
    from kioskhub.v1 import scanner_pb2
    from tests.e2e.test_fuzz_rpc import ACCEPTABLE, _build, message_dict

    request_type = scanner_pb2.DESCRIPTOR.message_types_by_name["ScanRequest"]
    with grpc.insecure_channel(hub.target) as ch:
        stub = hub_pb2_grpc.HubServiceStub(ch)
        lease = stub.AcquireLease(hub_pb2.AcquireLeaseRequest(device_id="scanner", holder="fuzz",
                                                              ttl=Duration(seconds=300))).lease
        md = (("kioskhub-lease-id", lease.lease_id),)
        scan = ch.unary_stream("/kioskhub.v1.ScannerService/Scan",
                               request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=scanner_pb2.ScanResponse.FromString)

        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(message_dict(request_type))
        def check(data: dict[str, object]) -> None:
            request = _build(request_type, {k: v for k, v in data.items() if k != "device_id"})
            stream = scan(request, metadata=md, timeout=2.0)
            try:
                next(iter(stream), None)  # the first message (a job started), then the client goes
                stream.cancel()
            except grpc.RpcError as err:
                code, reason, message, _md, _v = error_info(err)
                assert code in ACCEPTABLE | {grpc.StatusCode.CANCELLED}, f"{data!r} -> {code.name} {message}"
                ours = code not in (grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED)
                assert reason or not ours, message

        try:
            check()
        finally:
            stub.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id))
    assert hub.serving()
    after = tmp_path / "after.pdf"
    wait_for(lambda: hub.hubctl("scan", "--dpi", "75", "-o", str(after)).returncode == 0,
             what="a scan after the random ones (the last cancelled job may still be ending)")
