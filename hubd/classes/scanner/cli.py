"""hubctl's scanner commands: ``hubctl scan -o FILE`` and ``hubctl scanner [DEVICE]``.

``scan`` takes a lease on the scanner itself (renewed while the scan runs, given back when it
ends, fails or is interrupted), shows each page as it arrives, and writes FILE only when the
whole file has arrived (a scan that fails leaves nothing behind). The format comes from FILE's
extension (.pdf, .jpg, .png; ``--pdfa`` for PDF/A).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import grpc
from google.protobuf.duration_pb2 import Duration

from hubd.cli.common import EXIT_FAILED, TIMEOUT, AddGlobals, Command, UsageError, emit, positive_int
from hubd.cli.hubctl import LEASE_TTL, Metadata, default_device, leased
from hubd.cli.output import enum_name, table, yes_no
from kioskhub.v1 import common_pb2, hub_pb2, hub_pb2_grpc, scanner_pb2, scanner_pb2_grpc

SOURCES = {"flatbed": scanner_pb2.SCAN_SOURCE_FLATBED, "adf": scanner_pb2.SCAN_SOURCE_ADF,
           "adf-duplex": scanner_pb2.SCAN_SOURCE_ADF_DUPLEX}
MODES = {"color": scanner_pb2.SCAN_COLOR_MODE_COLOR, "gray": scanner_pb2.SCAN_COLOR_MODE_GRAY,
         "bw": scanner_pb2.SCAN_COLOR_MODE_BLACK_WHITE}
FORMATS = {".pdf": scanner_pb2.SCAN_FILE_FORMAT_PDF, ".jpg": scanner_pb2.SCAN_FILE_FORMAT_JPEG,
           ".jpeg": scanner_pb2.SCAN_FILE_FORMAT_JPEG, ".png": scanner_pb2.SCAN_FILE_FORMAT_PNG}
Job = scanner_pb2.ScanJob
DEVICE_HELP = "the scanner (default: the only or default one)"


def kilobytes(text: str) -> float:
    """argparse type: a size in KB, > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of KB") from None
    if not 0 < value <= 100_000:
        raise argparse.ArgumentTypeError(f"must be a number of KB in (0, 100000], got {text}")
    return value


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add_globals: AddGlobals
) -> dict[str, Command]:
    """Add ``scan`` and ``scanner`` to hubctl."""
    scan = sub.add_parser(
        "scan", help="scan to a portal-ready file (format from -o's extension) within a size window",
        epilog="example: hubctl scan --source adf --max-kb 200 -o proofs.pdf\n"
               "         hubctl scan --preset passport_photo -o photo.jpg",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    scan.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                      help="where to write the file: .pdf, .jpg or .png")
    scan.add_argument("device_id", nargs="?", default="", help=DEVICE_HELP)
    scan.add_argument("--source", choices=sorted(SOURCES), default="flatbed", help="where the paper is")
    scan.add_argument("--preset", default="", help="a named output preset (hubctl scanner lists them)")
    scan.add_argument("--max-kb", type=kilobytes, default=0.0, help="the file's size cap in KB")
    scan.add_argument("--min-kb", type=kilobytes, default=0.0, help="the file's minimum size in KB")
    scan.add_argument("--dpi", type=positive_int, default=0,
                      help="scan resolution (default: the preset's, else 300)")
    scan.add_argument("--mode", choices=sorted(MODES), default=None,
                      help="colour of the file (default: the preset's, else gray)")
    scan.add_argument("--pdfa", action="store_true", help="make the PDF a PDF/A-1b")
    scan.add_argument("--max-pages", type=positive_int, default=0,
                      help="the feeder stops after N pages")
    scan.add_argument("--crop", action=argparse.BooleanOptionalAction, default=None,
                      help="cut each page to the paper (default: the preset's, else no)")
    scan.add_argument("--deskew", action=argparse.BooleanOptionalAction, default=None,
                      help="straighten each page (default: the preset's, else no)")
    info = sub.add_parser("scanner", help="what a scanner can do, its state, and the output presets",
                          epilog="example: hubctl scanner")
    info.add_argument("device_id", nargs="?", default="", help=DEVICE_HELP)
    for p in (scan, info):
        add_globals(p)
    return {"scan": cmd_scan, "scanner": cmd_scanner}


@contextlib.contextmanager
def renewing(ch: grpc.Channel, md: Metadata) -> Iterator[None]:
    """Renew the lease ``md`` presents every third of its ttl while the block runs."""
    stop = threading.Event()
    hub = hub_pb2_grpc.HubServiceStub(ch)
    request = hub_pb2.RenewLeaseRequest(lease_id=md[0][1], ttl=Duration(seconds=LEASE_TTL))

    def beat() -> None:
        while not stop.wait(LEASE_TTL / 3):
            with contextlib.suppress(grpc.RpcError):  # the scan's own call will say what is wrong
                hub.RenewLease(request, timeout=TIMEOUT)

    thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(TIMEOUT)


def scan_request(args: argparse.Namespace, device_id: str) -> scanner_pb2.ScanRequest:
    """The ScanRequest hubctl's options describe."""
    suffix = args.output.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"-o {args.output}: the file name must end in .pdf, .jpg or .png")
    fmt = FORMATS[suffix]
    if args.pdfa:
        if fmt != scanner_pb2.SCAN_FILE_FORMAT_PDF:
            raise UsageError("--pdfa needs a .pdf file")
        fmt = scanner_pb2.SCAN_FILE_FORMAT_PDF_A
    request = scanner_pb2.ScanRequest(
        device_id=device_id, source=SOURCES[args.source], resolution_dpi=args.dpi, format=fmt,
        max_size_kb=args.max_kb, min_size_kb=args.min_kb, preset=args.preset, max_pages=args.max_pages,
    )
    if args.mode:
        request.color_mode = MODES[args.mode]
    if args.crop is not None:
        request.auto_crop = args.crop
    if args.deskew is not None:
        request.deskew = args.deskew
    return request


def _name(full: str) -> str:
    """``SCAN_FILE_FORMAT_PDF_A`` → ``pdf_a``."""
    for prefix in ("SCAN_FILE_FORMAT_", "SCAN_COLOR_MODE_", "SCAN_SOURCE_"):
        full = full.removeprefix(prefix)
    return full.lower()


def _file_text(f: scanner_pb2.ScanFile, path: Path) -> str:
    window = f"{f.min_size_kb:g}-{f.max_size_kb:g} KB" if f.min_size_kb else (
        f"at most {f.max_size_kb:g} KB" if f.max_size_kb else "no size cap")
    quality = f", JPEG quality {f.jpeg_quality}" if f.jpeg_quality else ""
    return (f"wrote {path}: {_name(scanner_pb2.ScanFileFormat.Name(f.format))}, "
            f"{f.page_count} page(s), {f.size_bytes / 1000:.1f} KB ({window}), "
            f"{f.width_px} x {f.height_px} px at {f.resolution_dpi} dpi{quality}")


def receive(args: argparse.Namespace, stream: Iterable[scanner_pb2.ScanResponse], out: Path) -> int | None:
    """Show the stream's progress and write its file to ``out`` (only once it is complete)."""
    header: scanner_pb2.ScanFile | None = None
    fd, temp = tempfile.mkstemp(prefix=".scan-", dir=out.parent)
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)  # as a file the operator saved (mkstemp makes it 0600)
    received = 0
    try:
        with os.fdopen(fd, "wb") as sink:
            for message in stream:
                kind = message.WhichOneof("response")
                if kind == "file_chunk":
                    sink.write(message.file_chunk)
                    received += len(message.file_chunk)
                    continue
                if kind == "page":
                    p = message.page
                    emit(args, p, f"page {p.page_number}: {p.width_px} x {p.height_px} px at "
                                           f"{p.resolution_dpi} dpi")
                elif kind == "file":
                    header = message.file
                elif kind == "job":
                    job = message.job
                    if job.state == Job.STATE_SCANNING:
                        emit(args, job, f"scanning ({job.scan_job_id}) on {job.device_id}…")
                    elif job.state == Job.STATE_PROCESSING:
                        emit(args, job, f"making the file of {job.page_count} page(s)…")
                    elif job.state == Job.STATE_CANCELLED:
                        emit(args, job)
                        why = f"{job.reason or 'CANCELLED'}: the scan was cancelled: {job.reason_detail}"
                        print(f"hubctl: {why}", file=sys.stderr)
                        return EXIT_FAILED
                    elif job.state == Job.STATE_SUCCEEDED and header is not None:
                        if received != header.size_bytes:
                            raise UsageError(f"the hub sent {received} of {header.size_bytes} bytes")
                        sink.close()
                        os.replace(temp, out)
                        emit(args, header, _file_text(header, out))
                        return None
        raise UsageError("the scan stream ended before the file was complete")
    finally:
        Path(temp).unlink(missing_ok=True)


def cmd_scan(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """Scan under a lease of its own and write the file."""
    out: Path = args.output
    if not out.parent.is_dir():
        raise UsageError(f"-o {out}: no directory {out.parent}")
    device_id = args.device_id or default_device(ch, common_pb2.DEVICE_CLASS_SCANNER, "scanner")
    request = scan_request(args, device_id)
    with leased(ch, device_id) as md, renewing(ch, md):
        stream = scanner_pb2_grpc.ScannerServiceStub(ch).Scan(request, metadata=md)
        try:
            return receive(args, stream, out)
        finally:
            stream.cancel()  # type: ignore[no-untyped-call]  # a no-op once ended; on ^C the scan stops


def _caps_text(c: scanner_pb2.ScannerCapabilities) -> str:
    state = enum_name(common_pb2.DeviceState.Name(c.state), "DEVICE_STATE_")
    state += f" ({c.reason})" if c.reason else ""
    detail = f": {c.reason_detail}" if c.reason_detail else ""
    lines = [f"{c.device_id}: {c.make_and_model or '-'}, {state}{detail}"]
    rows = []
    for s in c.sources:
        dpis = ", ".join(map(str, s.resolutions_dpi))
        if s.max_resolution_dpi:
            dpis = ", ".join(x for x in (dpis, f"{s.min_resolution_dpi}-{s.max_resolution_dpi}") if x)
        modes = ", ".join(_name(scanner_pb2.ScanColorMode.Name(m)) for m in s.color_modes)
        rows.append([_name(scanner_pb2.ScanSource.Name(s.source)), dpis, modes,
                     f"{s.max_width_mm:.0f} x {s.max_height_mm:.0f} mm"])
    lines.append(table(["SOURCE", "DPI", "MODES", "LARGEST"], rows))
    presets = [[p.name, _name(scanner_pb2.ScanFileFormat.Name(p.format)),
                (f"{p.min_size_kb:g}-" if p.min_size_kb else "")
                + (f"{p.max_size_kb:g} KB" if p.max_size_kb else "-"),
                f"{p.width_px} x {p.height_px}" if p.width_px else "-", yes_no(p.auto_crop), p.description]
               for p in c.presets]
    lines.append(table(["PRESET", "FORMAT", "SIZE", "PIXELS", "CROP", "FOR"], presets))
    return "\n\n".join(lines)


def cmd_scanner(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """Capabilities, state and presets of a scanner (under a lease of its own)."""
    device_id = args.device_id or default_device(ch, common_pb2.DEVICE_CLASS_SCANNER, "scanner")
    request = scanner_pb2.GetScannerCapabilitiesRequest(device_id=device_id)
    with leased(ch, device_id) as md:
        caps = scanner_pb2_grpc.ScannerServiceStub(ch).GetScannerCapabilities(
            request, metadata=md, timeout=TIMEOUT).scanner_capabilities
    emit(args, caps, _caps_text(caps))
    return None
