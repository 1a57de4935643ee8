"""The identity classes in a real ``hubd --simulate``, driven by hubctl and a gRPC client as a
kiosk does: discovery of the RD Service behind closed ports, a capture, the virtual card's ATR and
APDUs through the private pcscd, card events from the card's control socket, DEVICE_BUSY naming
the holder, vpcd's port kept off the hub's network, and no biometric data at rest or in logs."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as SafeET
import grpc
import psutil
import pytest
from google.protobuf.duration_pb2 import Duration

from kioskhub.simulators.vpcd_applet import AID
from kioskhub.simulators.vpcd_card import VpcdCardState
from kioskhub.v1 import biometric_pb2, biometric_pb2_grpc, hub_pb2, hub_pb2_grpc, smartcard_pb2
from tests.e2e.conftest import HubProcess, wait_for

pytestmark = pytest.mark.timeout(90)
SELECT = (bytes.fromhex("00A4040009") + AID + b"\x00").hex().upper()
GET_SERIAL = "00CA005A00"
AADHAAR = "2345 6789 0124"  # passes Verhoeff (tests/unit/test_aadhaar.py works it by hand)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One hubd for this module, its fingerprint device polled and the virtual card in the
    private pcscd's reader (both start in the background); each test leaves it as it found it."""
    process = HubProcess(tmp_path_factory.mktemp("identity")).start()
    try:
        wait_for(lambda: fingerprint_ready(process), what="the fingerprint device")
        wait_for(lambda: card_ready(process), what="the virtual card in the private pcscd's reader")
        yield process
    finally:
        process.stop()


def ok(out: subprocess.CompletedProcess[str]) -> bool:
    return out.returncode == 0


def json_lines(out: subprocess.CompletedProcess[str]) -> list[dict]:
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def card_ready(hub: HubProcess) -> bool:
    out = hub.hubctl("card", "readers", "--json")
    return ok(out) and any(r["card_present"] for r in json_lines(out))


def fingerprint_ready(hub: HubProcess) -> bool:
    out = hub.hubctl("biometric", "info", "--json")
    return ok(out) and json_lines(out)[0]["state"] == "DEVICE_STATE_AVAILABLE"


def control(hub: HubProcess, device_id: str, *command: str) -> str:
    where = hub.simulators()[device_id]["control"]
    out = subprocess.run([sys.executable, "-m", "kioskhub.simulators.cli", "ctl", where, *command],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_hubctl_finds_the_rd_service_by_discovery_and_captures(hub: HubProcess) -> None:
    first, last = map(int, hub.simulators()["fingerprint"]["url"].rsplit("?ports=", 1)[1].split("-"))
    info = json_lines(hub.hubctl("biometric", "info", "--json"))[0]
    assert info["rd_service_url"] == f"http://127.0.0.1:{last}" and last > first  # not the range's first
    assert info["simulated"] and info["rd_service_status"] == "RD_SERVICE_STATUS_READY"
    (captured,) = json_lines(hub.hubctl("biometric", "capture", "--json"))
    assert captured["pid_data_bytes"] > 1000 and "pid_data" not in captured  # hubctl never shows it
    assert captured["quality"]["quality_score"] == 78  # the simulator's default quality
    human = hub.hubctl("biometric", "capture")
    assert ok(human) and "PID block:" in human.stdout and "<PidData" not in human.stdout


def test_hubctl_reads_the_virtual_cards_atr_and_talks_to_it(hub: HubProcess) -> None:
    (atr,) = json_lines(hub.hubctl("card", "atr", "--json"))
    assert atr["atr"] == VpcdCardState().atr.upper()
    apdus = json_lines(hub.hubctl("card", "apdu", SELECT, GET_SERIAL, "--json"))
    assert [a["status_word"] for a in apdus] == ["9000", "9000"]
    assert [a["session_started"] for a in apdus] == [True, False]  # one session: the SELECT held
    assert apdus[1]["data"] == VpcdCardState().serial.upper()


def test_device_busy_names_the_holder_and_until_when(hub: HubProcess) -> None:
    with grpc.insecure_channel(hub.target) as ch:
        stub = hub_pb2_grpc.HubServiceStub(ch)
        leases = [stub.AcquireLease(hub_pb2.AcquireLeaseRequest(device_id=d, holder="counter-app")).lease
                  for d in ("card", "fingerprint")]
        try:
            for args in (("card", "readers"), ("biometric", "info")):
                out = hub.hubctl(*args)
                assert out.returncode == 1 and "DEVICE_BUSY" in out.stderr, out.stderr
                assert "holder=counter-app" in out.stderr and "expireTime=" in out.stderr
            error = json.loads(hub.hubctl("card", "atr", "--json").stderr)["error"]
            assert (error["reason"], error["metadata"]["holder"]) == ("DEVICE_BUSY", "counter-app")
            assert error["metadata"]["expireTime"].startswith(leases[0].expire_time.ToDatetime().isoformat())
        finally:
            for lease in leases:
                stub.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id))
    assert card_ready(hub)  # free again


def test_the_card_control_socket_drives_typed_card_events(hub: HubProcess) -> None:
    with grpc.insecure_channel(hub.target) as ch:
        stub = hub_pb2_grpc.HubServiceStub(ch)
        info = stub.GetHubInfo(hub_pb2.GetHubInfoRequest())
        events = stub.WatchEvents(hub_pb2.WatchEventsRequest(
            device_ids=["card"], resume_boot_id=info.boot_id, resume_after_sequence=info.last_sequence))
        try:
            control(hub, "card", "remove")
            removed = next(e.event for e in events if e.event.type == hub_pb2.EVENT_TYPE_CARD_REMOVED)
            assert removed.WhichOneof("payload") == "card_reader" and not removed.card_reader.card_present
            control(hub, "card", "insert")
            inserted = next(e.event for e in events if e.event.type == hub_pb2.EVENT_TYPE_CARD_INSERTED)
            assert inserted.card_reader.atr == bytes.fromhex(VpcdCardState().atr)
            assert inserted.card_reader.card_reader_id == hub.simulators()["card"]["reader"]
        finally:
            events.cancel()
    assert card_ready(hub)


def test_vpcds_card_port_is_not_on_the_hubs_network(hub: HubProcess) -> None:
    conf = (hub.state / "pcscd" / "conf" / "vpcd").read_text()
    port = int(re.search(r"CHANNELID 0x([0-9A-F]+)", conf).group(1), 16)  # type: ignore[union-attr]
    pcscd = next(p for p in psutil.Process(hub.proc.pid).children(recursive=True)  # type: ignore[union-attr]
                 if p.name() == "pcscd")
    inside = Path(f"/proc/{pcscd.pid}/net/tcp").read_text()
    assert f":{port:04X} 00000000:0000 0A" in inside  # vpcd listens (on every interface) in there
    with pytest.raises(ConnectionRefusedError):  # and nothing listens on it out here
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert "private namespace" in hub.simulators()["card"]["network"]


def test_no_biometric_data_at_rest_or_in_logs(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path, "--log-level", "DEBUG").start()
    secrets: list[str] = []
    try:
        with grpc.insecure_channel(hub.target) as ch:
            hubs = hub_pb2_grpc.HubServiceStub(ch)
            lease = hubs.AcquireLease(hub_pb2.AcquireLeaseRequest(
                device_id="fingerprint", holder=f"ekyc-app for {AADHAAR}")).lease
            md = (("kioskhub-lease-id", lease.lease_id),)
            stub = biometric_pb2_grpc.BiometricServiceStub(ch)
            for fingers in (1, 2, 1):
                request = biometric_pb2.CaptureFingerprintRequest(finger_count=fingers,
                                                                  timeout=Duration(seconds=2))
                pid = stub.CaptureFingerprint(request, metadata=md).pid_data
                block = SafeET.fromstring(pid)
                fields = [block.find(name).text or "" for name in ("Skey", "Hmac", "Data")]
                assert all(len(f) > 40 for f in fields)
                secrets += [pid.decode(), *fields, *(f[:32] for f in fields), *(f[-32:] for f in fields)]
            control(hub, "fingerprint", "fail", "730")
            with pytest.raises(grpc.RpcError):
                stub.CaptureFingerprint(biometric_pb2.CaptureFingerprintRequest(), metadata=md)
            control(hub, "fingerprint", "fail", "off")
    finally:
        hub.stop()  # everything is flushed and closed
    log = hub.log.read_text()
    assert " DEBUG " in log and "capture errCode=0 qScore=78" in log  # what may be logged was
    assert f"capture for ekyc-app for XXXX XXXX {AADHAAR[-4:]}" in log and AADHAAR not in log
    at_rest = {p: p.read_bytes() for p in hub.state.rglob("*") if p.is_file()}
    assert any(p.name.startswith("jobs.db") for p in at_rest), sorted(map(str, at_rest))  # the job database
    for secret in secrets:
        assert secret not in log
        found = [str(p) for p, data in at_rest.items() if secret.encode() in data]
        assert not found, found


LEASED = [(service, method, device)
          for service, device in ((biometric_pb2, "fingerprint"), (smartcard_pb2, "card"))
          for s in service.DESCRIPTOR.services_by_name.values() for method in s.methods]


@pytest.mark.parametrize(("service", "method", "device"), LEASED, ids=[m.name for _, m, _ in LEASED])
def test_random_requests_under_a_lease_never_reach_internal(
    hub: HubProcess, service: object, method: object, device: str
) -> None:
    """The generic property test (test_fuzz_rpc) has no lease, so it stops at LEASE_REQUIRED; this
    one holds the lease and lets random fields reach the conversions, the card and the scanner."""
    from hypothesis import HealthCheck, given, settings

    from tests.e2e.test_fuzz_rpc import ACCEPTABLE, _build, message_dict

    path = f"/{method.containing_service.full_name}/{method.name}"  # type: ignore[attr-defined]
    kw = {"request_serializer": lambda m: m.SerializeToString(), "response_deserializer": lambda b: b}
    with grpc.insecure_channel(hub.target) as ch:
        hubs = hub_pb2_grpc.HubServiceStub(ch)
        lease = hubs.AcquireLease(hub_pb2.AcquireLeaseRequest(device_id=device, holder="fuzz")).lease
        md = (("kioskhub-lease-id", lease.lease_id),)
        seen: set[str] = set()

        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(message_dict(method.input_type))  # type: ignore[attr-defined]
        def check(data: dict[str, object]) -> None:
            request = _build(method.input_type, {**data, "device_id": ""})  # type: ignore[attr-defined]
            try:
                if method.server_streaming:  # type: ignore[attr-defined]
                    stream = ch.unary_stream(path, **kw)(request, metadata=md, timeout=5)
                    next(iter(stream), None)
                    stream.cancel()
                else:
                    ch.unary_unary(path, **kw)(request, metadata=md, timeout=70)
                seen.add("OK")
            except grpc.RpcError as err:
                code = err.code()  # type: ignore[attr-defined]
                seen.add(code.name)
                assert code in ACCEPTABLE, f"{path} {data!r} → {code.name}: {err.details()}"  # type: ignore[attr-defined]
                assert code is grpc.StatusCode.CANCELLED or "grpc-status-details-bin" in dict(
                    err.trailing_metadata() or ())  # type: ignore[attr-defined]

        try:
            check()
        finally:
            hubs.ReleaseLease(hub_pb2.ReleaseLeaseRequest(lease_id=lease.lease_id))
    assert "OK" in seen, seen  # random fields got through to the device, not only refusals
    assert hub.serving()
