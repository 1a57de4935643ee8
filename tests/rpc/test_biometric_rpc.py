"""BiometricService over a real server, against the RD Service simulator on loopback HTTP.

The simulator sits behind two closed ports of its range (``?skip=2``): the hub only finds it by
discovery. What the tests check comes from the simulator's state (quality, status, faults).
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import defusedxml.ElementTree as SafeET
import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from hubd.classes.ups.power import PowerPolicy
from kioskhub.simulators.rdservice import RdServiceSim
from kioskhub.v1 import biometric_pb2, biometric_pb2_grpc, common_pb2, hub_pb2, hub_pb2_grpc
from tests.rpc.conftest import Running, error_info, eventually, watch_from_now
from tests.rpc.leasing import acquire, next_event

pytestmark = pytest.mark.timeout(60)
Info = biometric_pb2.BiometricInfo
QUICK = biometric_pb2.CaptureFingerprintRequest(timeout=Duration(seconds=1))


async def info(channel: grpc.aio.Channel, md: tuple[tuple[str, str], ...]) -> biometric_pb2.BiometricInfo:
    stub = biometric_pb2_grpc.BiometricServiceStub(channel)
    return (await stub.GetBiometricInfo(biometric_pb2.GetBiometricInfoRequest(), metadata=md)).biometric_info


async def failure(call: object) -> tuple[grpc.StatusCode, object]:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call  # type: ignore[misc]
    return err.value.code(), error_info(err.value)


async def test_discovery_finds_the_service_behind_closed_ports(bio: Running, rd_sim: RdServiceSim) -> None:
    first, last = map(int, parse_qs(urlsplit(rd_sim.urls[0]).query)["ports"][0].split("-"))
    assert urlsplit(rd_sim.urls[0]).port is None and last == first + 2  # the URL names only the range
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")

    async def found() -> bool:
        return (await info(bio.channel, md)).state == common_pb2.DEVICE_STATE_AVAILABLE

    await eventually(found)
    got = await info(bio.channel, md)
    assert got.rd_service_url == f"http://127.0.0.1:{last}" and last != first
    assert got.rd_service_status == Info.RD_SERVICE_STATUS_READY
    assert (got.provider_id, got.rd_service_version, got.model_id) == (
        rd_sim.state.dp_id, rd_sim.state.rds_ver, rd_sim.state.mi)
    assert got.simulated and got.certificate_expire_time.seconds > 0
    assert not got.HasField("last_capture_time")


async def test_capture_returns_the_pid_block_untouched_with_its_quality(
    bio: Running, rd_sim: RdServiceSim
) -> None:
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")
    stub = biometric_pb2_grpc.BiometricServiceStub(bio.channel)
    request = biometric_pb2.CaptureFingerprintRequest(
        finger_count=2, finger_type=biometric_pb2.CaptureFingerprintRequest.FINGER_TYPE_FMR,
        environment=biometric_pb2.CaptureFingerprintRequest.ENVIRONMENT_PRE_PRODUCTION,
        finger_positions=["LEFT_INDEX", "RIGHT_INDEX"], timeout=Duration(seconds=3))
    result = await stub.CaptureFingerprint(request, metadata=md)
    pid = SafeET.fromstring(result.pid_data)
    assert {k: pid.find(k).text for k in ("Skey", "Hmac", "Data")} == rd_sim.last_pid_fields
    q = result.quality
    assert (q.quality_score, list(q.minutiae_counts), q.finger_count, q.poor) == (
        rd_sim.state.q_score, [rd_sim.state.nm_points] * 2, 2, False)
    assert not q.HasField("hint")
    sent = rd_sim.last_pid_options  # the typed request became these PidOptions
    assert (sent["fCount"], sent["fType"], sent["env"], sent["timeout"], sent["posh"]) == (
        "2", "0", "PP", "3000", "LEFT_INDEX,RIGHT_INDEX")
    assert (await info(bio.channel, md)).last_capture_time == result.capture_time


async def test_poor_quality_coaches_the_operator_in_hindi_and_english(
    bio: Running, rd_sim: RdServiceSim
) -> None:
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")
    rd_sim.state.q_score = 20
    result = await biometric_pb2_grpc.BiometricServiceStub(bio.channel).CaptureFingerprint(QUICK, metadata=md)
    hint = result.quality.hint
    assert result.quality.poor and result.quality.quality_score == 20
    assert hint.code == "POOR_QUALITY" and "उंगली" in hint.text_hi and "finger" in hint.text_en


@pytest.mark.parametrize(("status", "reason", "rd_status", "event"), [
    ("NOTREADY", "DEVICE_NOT_READY", Info.RD_SERVICE_STATUS_NOT_READY, "RD_SERVICE_NOT_READY"),
    ("USED", "DEVICE_IN_USE", Info.RD_SERVICE_STATUS_USED, "RD_SERVICE_IN_USE"),
])
async def test_notready_and_used_are_reported_with_reasons(
    bio: Running, rd_sim: RdServiceSim, status: str, reason: str, rd_status: int, event: str
) -> None:
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")
    await eventually(lambda: _state_is(bio, md, common_pb2.DEVICE_STATE_AVAILABLE))
    events = await watch_from_now(bio.channel, ("fingerprint",))
    rd_sim.state.status = status
    ev = await next_event(events, event)
    assert ev.WhichOneof("payload") == "biometric_info" and ev.biometric_info.rd_service_status == rd_status
    await eventually(lambda: _state_is(bio, md, common_pb2.DEVICE_STATE_UNAVAILABLE))
    got = await info(bio.channel, md)
    assert (got.reason, got.rd_service_status) == (reason, rd_status)
    code, detail = await failure(
        biometric_pb2_grpc.BiometricServiceStub(bio.channel).CaptureFingerprint(QUICK, metadata=md))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and detail.reason == reason  # type: ignore[attr-defined]
    meta = detail.metadata  # type: ignore[attr-defined]
    assert meta["errCode"] == ("720" if status == "NOTREADY" else "710") and meta["hintHi"] and meta["hintEn"]
    events.cancel()


async def _state_is(bio: Running, md: tuple[tuple[str, str], ...], state: int) -> bool:
    return (await info(bio.channel, md)).state == state


async def test_no_finger_is_capture_timeout(bio: Running, rd_sim: RdServiceSim) -> None:
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")
    rd_sim.state.no_finger = True
    code, detail = await failure(
        biometric_pb2_grpc.BiometricServiceStub(bio.channel).CaptureFingerprint(QUICK, metadata=md))
    assert code == grpc.StatusCode.UNAVAILABLE and detail.reason == "CAPTURE_TIMEOUT"  # type: ignore[attr-defined]
    assert detail.metadata["errCode"] == "700" and detail.metadata["hintCode"] == "CAPTURE_TIMEOUT"  # type: ignore[attr-defined]


async def test_service_vanishing_mid_capture_is_unavailable_and_the_hub_stays_up(
    bio: Running, rd_sim: RdServiceSim
) -> None:
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")
    await eventually(lambda: _state_is(bio, md, common_pb2.DEVICE_STATE_AVAILABLE))
    rd_sim.state.vanish_on_capture = True
    code, detail = await failure(
        biometric_pb2_grpc.BiometricServiceStub(bio.channel).CaptureFingerprint(QUICK, metadata=md))
    assert code == grpc.StatusCode.UNAVAILABLE and detail.reason == "DISCONNECTED"  # type: ignore[attr-defined]
    await eventually(lambda: _state_is(bio, md, common_pb2.DEVICE_STATE_UNAVAILABLE))
    assert (await info(bio.channel, md)).reason == "RD_SERVICE_NOT_FOUND"
    hub = hub_pb2_grpc.HubServiceStub(bio.channel)
    assert (await hub.GetHubInfo(hub_pb2.GetHubInfoRequest())).boot_id  # the hub is fine


async def test_a_second_capture_while_one_runs_is_refused(bio: Running, rd_sim: RdServiceSim) -> None:
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")
    stub = biometric_pb2_grpc.BiometricServiceStub(bio.channel)
    rd_sim.state.capture_delay = 0.5
    first = asyncio.ensure_future(stub.CaptureFingerprint(QUICK, metadata=md))
    await eventually(lambda: _capturing(rd_sim))
    code, detail = await failure(stub.CaptureFingerprint(QUICK, metadata=md))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and detail.reason == "CAPTURE_IN_PROGRESS"  # type: ignore[attr-defined]
    assert (await first).quality.quality_score == rd_sim.state.q_score


async def _capturing(sim: RdServiceSim) -> bool:
    return any(verb == "CAPTURE" for verb, _ in sim.requests)


async def test_no_capture_when_shutdown_is_imminent(bio: Running) -> None:
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")
    bio.hub.runner("ups", PowerPolicy).imminent = True
    code, detail = await failure(
        biometric_pb2_grpc.BiometricServiceStub(bio.channel).CaptureFingerprint(QUICK, metadata=md))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and detail.reason == "SHUTDOWN_IMMINENT"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("request_", "field"), [
    (biometric_pb2.CaptureFingerprintRequest(finger_count=11), "finger_count"),
    (biometric_pb2.CaptureFingerprintRequest(timeout=Duration(seconds=61)), "timeout"),
    (biometric_pb2.CaptureFingerprintRequest(timeout=Duration(nanos=5)), "timeout"),
    (biometric_pb2.CaptureFingerprintRequest(finger_positions=["left index"]), "finger_positions"),
    (biometric_pb2.CaptureFingerprintRequest(pid_format=9), "pid_format"),  # type: ignore[arg-type]
    (biometric_pb2.CaptureFingerprintRequest(wadh="not base64!"), "wadh"),
    (biometric_pb2.CaptureFingerprintRequest(otp="12ab"), "otp"),
])
async def test_bad_fields_are_invalid_argument_naming_the_proto_field(
    bio: Running, rd_sim: RdServiceSim, request_: biometric_pb2.CaptureFingerprintRequest, field: str
) -> None:
    _, md = await acquire(bio.channel, "fingerprint", "counter-app")
    code, detail = await failure(
        biometric_pb2_grpc.BiometricServiceStub(bio.channel).CaptureFingerprint(request_, metadata=md))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and detail.metadata["field"] == field  # type: ignore[attr-defined]
    assert not any(verb == "CAPTURE" for verb, _ in rd_sim.requests)  # nothing reached the scanner
