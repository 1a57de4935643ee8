"""hubctl's fingerprint commands: ``hubctl biometric info|capture [DEVICE]``.

Each takes a lease on the device itself and gives it back when done (also on failure or ^C);
a device leased by another client fails with DEVICE_BUSY naming the holder and until when.
A capture's PID block is never printed or written: hubctl shows its size and quality only.
"""

from __future__ import annotations

import argparse

import grpc
from google.protobuf.duration_pb2 import Duration

from hubd.cli.common import TIMEOUT, AddGlobals, Command, emit, positive_float, positive_int
from hubd.cli.hubctl import LEASE_TTL, default_device, leased
from hubd.cli.output import ago, as_dict, enum_name, table
from kioskhub.v1 import biometric_pb2, biometric_pb2_grpc, common_pb2

Capture = biometric_pb2.CaptureFingerprintRequest
FINGER_TYPES = {"fmr": Capture.FINGER_TYPE_FMR, "fir": Capture.FINGER_TYPE_FIR,
                "fmr-fir": Capture.FINGER_TYPE_FMR_FIR}
ENVIRONMENTS = {"P": Capture.ENVIRONMENT_PRODUCTION, "PP": Capture.ENVIRONMENT_PRE_PRODUCTION,
                "S": Capture.ENVIRONMENT_STAGING}


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add_globals: AddGlobals
) -> dict[str, Command]:
    """Add ``biometric`` to hubctl."""
    bio = sub.add_parser("biometric", help="fingerprint device (RD Service): health, a capture",
                         epilog="example: hubctl biometric capture --fingers 1")
    what = bio.add_subparsers(dest="action", required=True, metavar="ACTION")
    info = what.add_parser("info", help="RD Service status, version, certificate, last capture",
                           epilog="example: hubctl biometric info")
    cap = what.add_parser("capture", help="capture a fingerprint (shows its quality, never the PID block)",
                          epilog="example: hubctl biometric capture --timeout 15")
    for p in (info, cap):
        p.add_argument("device_id", nargs="?", default="",
                       help="the device (default: the only or default one)")
        add_globals(p)
    cap.add_argument("--fingers", type=positive_int, default=1, help="fingers to capture (1-10)")
    cap.add_argument("--type", choices=sorted(FINGER_TYPES), default="fmr-fir", help="PID block contents")
    cap.add_argument("--timeout", type=positive_float, default=10.0, help="seconds to wait for a finger")
    cap.add_argument("--env", choices=sorted(ENVIRONMENTS), default="P", help="UIDAI environment")
    add_globals(bio)
    return {"biometric": cmd_biometric}


def _info_rows(i: biometric_pb2.BiometricInfo) -> str:
    status = enum_name(biometric_pb2.BiometricInfo.RdServiceStatus.Name(i.rd_service_status),
                       "RD_SERVICE_STATUS_")
    expiry = i.certificate_expire_time.ToDatetime().date().isoformat() if i.HasField(
        "certificate_expire_time") else "-"
    rows = [
        ["device", i.device_id],
        ["state", enum_name(common_pb2.DeviceState.Name(i.state), "DEVICE_STATE_")
         + (f" ({i.reason})" if i.reason else "")],
        ["RD Service", f"{status} at {i.rd_service_url or '-'}"],
        ["version", i.rd_service_version or "-"],
        ["provider / model", f"{i.provider_id or '-'} / {i.model_id or '-'}"
         + (" (SIMULATED)" if i.simulated else "")],
        ["certificate expires", expiry],
        ["last capture", ago(i.last_capture_time)],
        ["last seen", ago(i.last_seen_time)],
    ]
    if i.reason_detail:
        rows.append(["detail", i.reason_detail])
    return table(["FINGERPRINT", ""], rows)


def _capture_text(r: biometric_pb2.CaptureFingerprintResponse) -> str:
    q = r.quality
    score = str(q.quality_score) if q.HasField("quality_score") else "-"
    lines = [f"captured {q.finger_count} finger(s) on {r.device_id}: quality {score}"
             f"{' (POOR)' if q.poor else ''}, minutiae {','.join(map(str, q.minutiae_counts)) or '-'}",
             f"PID block: {len(r.pid_data)} bytes, encrypted by the scanner (passed on, never shown or kept)"]
    if q.HasField("hint"):
        lines.append(f"{q.hint.text_hi} / {q.hint.text_en}")
    return "\n".join(lines)


def cmd_biometric(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """``info`` or ``capture``, under a lease of their own."""
    device_id = args.device_id or default_device(ch, common_pb2.DEVICE_CLASS_BIOMETRIC,
                                                 "fingerprint device")
    stub = biometric_pb2_grpc.BiometricServiceStub(ch)
    if args.action == "info":
        with leased(ch, device_id) as md:
            info = stub.GetBiometricInfo(biometric_pb2.GetBiometricInfoRequest(device_id=device_id),
                                         metadata=md, timeout=TIMEOUT).biometric_info
        emit(args, info, _info_rows(info))
        return None
    request = Capture(device_id=device_id, finger_count=args.fingers, finger_type=FINGER_TYPES[args.type],
                      timeout=Duration(seconds=int(args.timeout), nanos=int(args.timeout % 1 * 1e9)),
                      environment=ENVIRONMENTS[args.env])
    wait = args.timeout + 70  # the driver's margin beyond the capture timeout is at most 60 s
    with leased(ch, device_id, ttl=int(wait) + LEASE_TTL) as md:
        result = stub.CaptureFingerprint(request, metadata=md, timeout=wait)
    shown = as_dict(result)
    del shown["pid_data"]
    emit(args, {**shown, "pid_data_bytes": len(result.pid_data)}, _capture_text(result))
    return None
