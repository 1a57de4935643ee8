"""``hubctl print document FILE``: a PDF (or JPEG/PNG) streamed to the A4 document printer."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from hubd.cli.common import TIMEOUT, UsageError, positive_int
from kioskhub.v1 import printer_pb2

Options = printer_pb2.DocumentOptions
CHUNK = 256 * 1024
SIDES = {
    "one-sided": Options.SIDES_ONE_SIDED,
    "two-sided-long-edge": Options.SIDES_TWO_SIDED_LONG_EDGE,
    "two-sided-short-edge": Options.SIDES_TWO_SIDED_SHORT_EDGE,
}
UPLOAD_TIMEOUT = 300.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The document's options."""
    p.add_argument("file", help="a PDF, JPEG or PNG file")
    p.add_argument("--copies", type=positive_int, default=1, help="copies (1-99, default 1)")
    p.add_argument("--sides", choices=sorted(SIDES), default="one-sided", help="default one-sided")
    p.add_argument("--landscape", action="store_true", help="landscape pages (default portrait)")
    p.add_argument("--pages", default="", help="page ranges, e.g. 1-3,5 (default all)")
    p.add_argument("--fit", action="store_true", help="scale each page to the paper")
    p.add_argument("--title", default="", help="job name in the printer's queue (default: file name)")


def page_ranges(text: str) -> list[printer_pb2.DocumentOptions.PageRange]:
    """``1-3,5`` as page ranges; UsageError for anything else."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("-")
        if not first.isdigit() or not (last or first).isdigit():
            raise UsageError(f"--pages: {part!r} is not N or N-M")
        ranges.append(Options.PageRange(first=int(first), last=int(last or first)))
    return ranges


def header(args: argparse.Namespace, request_id: str, size: int) -> printer_pb2.DocumentHeader:
    """The first message: printer, request id, options, title and the file's size."""
    landscape = Options.ORIENTATION_LANDSCAPE if args.landscape else Options.ORIENTATION_PORTRAIT
    options = Options(
        copies=args.copies,
        sides=SIDES[args.sides],
        fit_to_page=args.fit,
        orientation=landscape,
        page_ranges=page_ranges(args.pages),
    )
    title = args.title or Path(args.file).name
    return printer_pb2.DocumentHeader(
        device_id=args.printer, request_id=request_id, options=options, title=title, size_bytes=size
    )


def requests(
    first: printer_pb2.DocumentHeader, handle: BinaryIO
) -> Iterator[printer_pb2.StreamPrintDocumentRequest]:
    """The header, then the file in chunks (never read whole)."""
    yield printer_pb2.StreamPrintDocumentRequest(header=first)
    while chunk := handle.read(CHUNK):
        yield printer_pb2.StreamPrintDocumentRequest(chunk=chunk)


def submit(stub: Any, args: argparse.Namespace, request_id: str) -> printer_pb2.PrintJob:
    """Stream the document; the job the hub committed."""
    try:
        handle = Path(args.file).open("rb")
    except OSError as err:
        raise UsageError(f"cannot read {args.file}: {err.strerror}") from err
    with handle:
        first = header(args, request_id, os.fstat(handle.fileno()).st_size)
        reply = stub.StreamPrintDocument(requests(first, handle), timeout=max(TIMEOUT, UPLOAD_TIMEOUT))
    job: printer_pb2.PrintJob = reply.print_job
    return job
