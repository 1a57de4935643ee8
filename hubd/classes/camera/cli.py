"""hubctl's camera commands: ``hubctl camera capture|document|preview [DEVICE]``.

Each takes a lease on the camera itself and gives it back when done (also on failure or ^C); a
camera leased by another client fails with DEVICE_BUSY naming the holder and until when.
``capture --check`` exits 1 when the photo fails a check (the table says which, and why, in Hindi
and English). Pictures go to files, never to the terminal; ``--json`` prints the response with
each picture's bytes replaced by its size.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from hubd.cli.common import EXIT_FAILED, TIMEOUT, AddGlobals, Command, UsageError, emit, positive_int
from hubd.cli.hubctl import default_device, leased
from hubd.cli.output import as_dict, enum_name, table
from kioskhub.v1 import camera_pb2, camera_pb2_grpc, common_pb2

DOCUMENT_FORMATS = {".pdf": camera_pb2.CaptureDocumentRequest.DOCUMENT_FORMAT_PDF,
                    ".jpg": camera_pb2.CaptureDocumentRequest.DOCUMENT_FORMAT_JPEG,
                    ".jpeg": camera_pb2.CaptureDocumentRequest.DOCUMENT_FORMAT_JPEG}
DOCUMENT_TIMEOUT = 30.0


def _kb(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 100_000:
        raise argparse.ArgumentTypeError(f"must be a number of KB in (0, 100000], got {text}")
    return value


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add_globals: AddGlobals
) -> dict[str, Command]:
    """Add ``camera`` to hubctl."""
    cam = sub.add_parser("camera", help="webcam: a photo (with the applicant checks), a page, a preview",
                         epilog="example: hubctl camera capture --check -o applicant.jpg")
    what = cam.add_subparsers(dest="action", required=True, metavar="ACTION")
    cap = what.add_parser("capture", help="take a photo; --check runs the applicant-photo checks and "
                          "writes the portal preset's file",
                          epilog="example: hubctl camera capture --check -o photo.jpg")
    cap.add_argument("-o", "--output", required=True, help="where to write the photo (.jpg or .png)")
    cap.add_argument("--check", action="store_true",
                     help="check it as an applicant photo (exit 1 if it fails)")
    cap.add_argument("--preset", default="", help="portal photo preset for --check (default passport_photo)")
    cap.add_argument("--frame", default="", help="with --check: also write the frame as the camera saw it")
    cap.add_argument("--width", type=positive_int, default=0, help="photo width in pixels (with --height)")
    cap.add_argument("--height", type=positive_int, default=0, help="photo height in pixels (with --width)")
    doc = what.add_parser("document", help="photograph a page, flatten it, write a size-capped PDF or JPEG",
                          epilog="example: hubctl camera document -o form.pdf --max-kb 200")
    doc.add_argument("-o", "--output", required=True, help="where to write the file (.pdf, .jpg)")
    doc.add_argument("--max-kb", type=_kb, default=0.0, help="size cap in KB (1000 bytes)")
    doc.add_argument("--min-kb", type=_kb, default=0.0, help="least size in KB (1024 bytes)")
    doc.add_argument("--preset", default="", help="a portal preset (pan_application...)")
    doc.add_argument("--dpi", type=positive_int, default=0, help="page resolution, 50-600 (default 150)")
    pre = what.add_parser("preview", help="write N preview frames as JPEG files (frame-0001.jpg...)",
                          epilog="example: hubctl camera preview -o frames/ --frames 25")
    pre.add_argument("-o", "--output", required=True, help="directory for the frames (created if needed)")
    pre.add_argument("--frames", type=positive_int, default=10, help="how many frames (default 10)")
    pre.add_argument("--fps", type=float, default=0.0, help="frames per second, at most 30 (default 15)")
    pre.add_argument("--width", type=positive_int, default=0, help="frame width in pixels (with --height)")
    pre.add_argument("--height", type=positive_int, default=0, help="frame height in pixels (with --width)")
    for p in (cap, doc, pre):
        p.add_argument("device_id", nargs="?", default="",
                       help="the camera (default: the only or default one)")
        add_globals(p)
    add_globals(cam)
    return {"camera": cmd_camera}


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from err


def _shown(msg: Message) -> dict[str, Any]:
    """``msg`` as JSON-able data with every bytes field replaced by its length (``<field>_bytes``)."""
    out: dict[str, Any] = as_dict(msg)
    for field, value in msg.ListFields():
        if field.type == field.TYPE_BYTES:
            del out[field.name]
            out[f"{field.name}_bytes"] = len(value)
        elif field.message_type is not None and field.message_type.full_name == "kioskhub.v1.Image":
            out[field.name] = _shown(value)
    return out


def _limit(c: camera_pb2.PhotoCheck) -> str:
    """A check's limits for people: ``70..225``, ``>= 25``, ``<= 0.12``, ``1``."""
    low = f"{c.lower_limit:g}" if c.HasField("lower_limit") else ""
    high = f"{c.upper_limit:g}" if c.HasField("upper_limit") else ""
    if low and high:
        return low if low == high else f"{low}..{high}"
    return f">= {low}" if low else f"<= {high}" if high else "-"


def _check_rows(r: camera_pb2.CheckApplicantPhotoResponse) -> str:
    rows = [[enum_name(camera_pb2.PhotoCheck.Check.Name(c.check), "CHECK_"),
             enum_name(camera_pb2.PhotoCheck.Outcome.Name(c.outcome), "OUTCOME_").upper(),
             f"{c.measured_value:g} {c.unit}" if c.HasField("measured_value") else "-",
             _limit(c), c.reason, f"{c.message_hi} / {c.message_en}"] for c in r.checks]
    return table(["CHECK", "RESULT", "MEASURED", "LIMIT", "REASON", "HINDI / ENGLISH"], rows)


def _capture(stub: camera_pb2_grpc.CameraServiceStub, args: argparse.Namespace, device_id: str,
             md: tuple[tuple[str, str], ...]) -> int | None:
    out = Path(args.output)
    if not args.check:
        fmt = camera_pb2.IMAGE_FORMAT_PNG if out.suffix.lower() == ".png" else camera_pb2.IMAGE_FORMAT_JPEG
        request = camera_pb2.CapturePhotoRequest(device_id=device_id, width_px=args.width,
                                                 height_px=args.height, image_format=fmt)
        photo = stub.CapturePhoto(request, metadata=md, timeout=TIMEOUT)
        _write(out, photo.photo.data)
        p = photo.photo
        emit(args, _shown(photo), f"photo {p.width_px}x{p.height_px} "
             f"{enum_name(camera_pb2.ImageFormat.Name(p.image_format), 'IMAGE_FORMAT_').upper()}, "
             f"{len(p.data) / 1024:.1f} KB -> {out}")
        return None
    checked = stub.CheckApplicantPhoto(camera_pb2.CheckApplicantPhotoRequest(device_id=device_id,
                                                                             preset=args.preset),
                                       metadata=md, timeout=TIMEOUT)
    chosen = checked.portal_photo if checked.HasField("portal_photo") else checked.photo
    _write(out, chosen.data)
    if args.frame:
        _write(Path(args.frame), checked.photo.data)
    preset = checked.preset
    verdict = "PASSED" if checked.passed else "FAILED"
    what = (f"{preset.name} {chosen.width_px}x{chosen.height_px} px, {len(chosen.data) / 1024:.1f} KB "
            f"(window {preset.min_kb:g}-{preset.max_kb:g} KB)" if checked.HasField("portal_photo")
            else f"the frame as seen, {chosen.width_px}x{chosen.height_px} px (not one face: no portal crop)")
    emit(args, _shown(checked), f"applicant photo {verdict} ({checked.face_count} face(s)); {what} -> {out}\n"
         + _check_rows(checked))
    return None if checked.passed else EXIT_FAILED


def _document(stub: camera_pb2_grpc.CameraServiceStub, args: argparse.Namespace, device_id: str,
              md: tuple[tuple[str, str], ...]) -> None:
    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in DOCUMENT_FORMATS:
        raise UsageError(f"{out.name}: write a .pdf or a .jpg")
    request = camera_pb2.CaptureDocumentRequest(device_id=device_id, preset=args.preset,
                                                document_format=DOCUMENT_FORMATS[suffix], max_kb=args.max_kb,
                                                min_kb=args.min_kb, resolution_dpi=args.dpi)
    doc = stub.CaptureDocument(request, metadata=md, timeout=DOCUMENT_TIMEOUT)
    _write(out, doc.document)
    corners = " ".join(f"({p.x_px:.0f},{p.y_px:.0f})" for p in doc.page_corners)
    quality = f", JPEG quality {doc.jpeg_quality}" if doc.HasField("jpeg_quality") else ""
    cap = f" (cap {args.max_kb:g} KB)" if args.max_kb else ""
    emit(args, _shown(doc), f"page found at {corners} in a {doc.frame_width_px}x{doc.frame_height_px} frame\n"
         f"{doc.mime_type} {doc.width_px}x{doc.height_px} px at {doc.resolution_dpi} dpi{quality}, "
         f"{len(doc.document) / 1000:.1f} KB{cap} -> {out}")


def _preview(stub: camera_pb2_grpc.CameraServiceStub, args: argparse.Namespace, device_id: str,
             md: tuple[tuple[str, str], ...]) -> None:
    folder = Path(args.output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create {folder}: {err.strerror or err}") from err
    request = camera_pb2.StreamPreviewRequest(device_id=device_id, width_px=args.width, height_px=args.height,
                                              frames_per_second=args.fps)
    stream = stub.StreamPreview(request, metadata=md, timeout=TIMEOUT + args.frames)
    dropped = 0
    try:
        for n, item in enumerate(stream, start=1):
            _write(folder / f"frame-{n:04d}.jpg", item.frame.data)
            dropped += item.dropped_frames if n > 1 else 0
            emit(args, _shown(item))
            if n >= args.frames:
                break
    finally:
        stream.cancel()  # type: ignore[no-untyped-call]
    if not args.json:
        print(f"{args.frames} frames -> {folder}/frame-NNNN.jpg ({dropped} camera frames skipped)")


def cmd_camera(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """``capture``, ``document`` or ``preview``, under a lease of their own."""
    if (args.action != "document") and bool(args.width) != bool(args.height):
        raise UsageError("give --width and --height together")
    device_id = args.device_id or default_device(ch, common_pb2.DEVICE_CLASS_CAMERA, "camera")
    stub = camera_pb2_grpc.CameraServiceStub(ch)
    with leased(ch, device_id) as md:
        if args.action == "capture":
            return _capture(stub, args, device_id, md)
        if args.action == "document":
            _document(stub, args, device_id, md)
        else:
            _preview(stub, args, device_id, md)
    return None
