"""hubctl printing commands: print text/receipt, jobs, job, cancel, resume, printer, printers."""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

import grpc

from hubd.classes.printer import cli_document
from hubd.cli.common import (
    EXIT_FAILED,
    TIMEOUT,
    AddGlobals,
    Command,
    UsageError,
    emit,
    positive_float,
    positive_int,
)
from hubd.cli.hubctl import list_devices
from hubd.cli.output import ago, enum_name, table
from kioskhub.v1 import common_pb2, printer_pb2, printer_pb2_grpc

PrintJob = printer_pb2.PrintJob
Severity = printer_pb2.PrinterCondition.Severity
FINAL = {PrintJob.STATE_SUCCEEDED, PrintJob.STATE_FAILED, PrintJob.STATE_EXPIRED, PrintJob.STATE_CANCELLED}
SETTLED = FINAL | {PrintJob.STATE_HELD}
DEFAULT_WAIT = 120.0


def _parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    add_globals: AddGlobals,
    name: str,
    help_: str,
    example: str,
) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_, description=help_, epilog=f"example: {example}")
    add_globals(p)
    return p


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add_globals: AddGlobals
) -> dict[str, Command]:
    """Add the printing commands to hubctl."""
    pr = _parser(sub, add_globals, "print", "print a document", "hubctl print receipt --sample --wait")
    what = pr.add_subparsers(dest="what", required=True, metavar="WHAT")
    text = _parser(
        what,
        add_globals,
        "text",
        "print a UTF-8 text file (- for standard input)",
        "hubctl print text notice.txt --printer receipt --wait",
    )
    text.add_argument("file")
    receipt = _parser(what, add_globals, "receipt", "print a receipt", "hubctl print receipt --sample")
    receipt.add_argument("--sample", action="store_true", required=True, help="a realistic sample receipt")
    document = _parser(
        what, add_globals, "document", "print a PDF (or JPEG/PNG) on the A4 document printer",
        "hubctl print document certificate.pdf --copies 2 --sides two-sided-long-edge --wait",
    )
    cli_document.add_arguments(document)
    for p in (text, receipt, document):
        p.add_argument("--printer", default="", help="printer id (default: the only or default printer)")
        p.add_argument("--request-id", default="", help="idempotency key (default: a new one)")
        p.add_argument(
            "--wait", action="store_true", help="wait until the job ends; exit 1 unless it succeeded"
        )
        p.add_argument(
            "--timeout",
            type=positive_float,
            default=DEFAULT_WAIT,
            help=f"seconds --wait waits (default {DEFAULT_WAIT:g}); exit 1 when it runs out",
        )
    jobs = _parser(
        sub, add_globals, "jobs", "print jobs, newest first", "hubctl jobs --printer receipt --limit 10"
    )
    jobs.add_argument("--printer", default="")
    jobs.add_argument(
        "--limit", type=positive_int, default=50, help="at most N jobs (default 50, as the hub's)"
    )
    job = _parser(sub, add_globals, "job", "one print job", "hubctl job j-0123456789ab")
    job.add_argument("job_id")
    cancel = _parser(
        sub, add_globals, "cancel", "cancel a print job that has not started", "hubctl cancel j-0123456789ab"
    )
    cancel.add_argument("job_id")
    resume = _parser(
        sub,
        add_globals,
        "resume",
        "print a held job (it gets the DUPLICATE banner)",
        "hubctl resume j-0123456789ab",
    )
    resume.add_argument("job_id")
    printer = _parser(sub, add_globals, "printer", "a printer's status", "hubctl printer receipt")
    printer.add_argument("printer_id", nargs="?", default="")
    _parser(sub, add_globals, "printers", "every printer (* marks the default)", "hubctl printers")
    return {
        "print": cmd_print,
        "jobs": cmd_jobs,
        "job": cmd_job,
        "cancel": cmd_cancel,
        "resume": cmd_resume,
        "printer": cmd_printer,
        "printers": cmd_printers,
    }


def job_rows(jobs: list[printer_pb2.PrintJob]) -> str:
    """Jobs as a table for people."""
    rows = [
        [
            j.print_job_id,
            j.device_id,
            enum_name(PrintJob.Kind.Name(j.kind), "KIND_"),
            enum_name(PrintJob.State.Name(j.state), "STATE_"),
            j.reason or "-",
            "yes" if j.duplicate else "",
            str(j.attempts),
            ago(j.update_time),
            j.request_id,
        ]
        for j in jobs
    ]
    return table(["JOB", "PRINTER", "KIND", "STATE", "REASON", "DUP", "TRIES", "UPDATED", "REQUEST ID"], rows)


def _sample_receipt() -> printer_pb2.Receipt:
    from hubd.classes.printer.convert import receipt_to_pb
    from hubd.render.sample import sample_receipt

    return receipt_to_pb(sample_receipt())


def _read_text(name: str) -> str:
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {name}: {err.strerror}") from err
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{name} is not UTF-8 text (byte {data[err.start]:#04x} at {err.start})") from err


def cmd_print(ch: grpc.Channel, args: argparse.Namespace) -> int | None:
    """Submit a document; with --wait, follow it to the end (exit 1 unless it succeeded)."""
    request_id = args.request_id or f"hubctl-{secrets.token_hex(8)}"
    stub = printer_pb2_grpc.PrinterServiceStub(ch)
    if args.what == "document":
        job = cli_document.submit(stub, args, request_id)
    else:
        req = printer_pb2.PrintDocumentRequest(device_id=args.printer, request_id=request_id)
        if args.what == "text":
            req.text.text = _read_text(args.file)
        else:
            req.receipt.CopyFrom(_sample_receipt())
        job = stub.PrintDocument(req, timeout=TIMEOUT).print_job
    if not args.wait:
        emit(args, job, job_rows([job]))
        return None
    deadline = time.monotonic() + args.timeout
    while job.state not in SETTLED and time.monotonic() < deadline:
        time.sleep(0.1)
        job = stub.GetPrintJob(
            printer_pb2.GetPrintJobRequest(print_job_id=job.print_job_id), timeout=TIMEOUT
        ).print_job
    emit(args, job, job_rows([job]))
    if job.state == PrintJob.STATE_SUCCEEDED:
        return None
    why = (
        "still not finished"
        if job.state not in SETTLED
        else enum_name(PrintJob.State.Name(job.state), "STATE_")
    )
    print(
        f"hubctl: job {job.print_job_id} {why}"
        + (f" ({job.reason}: {job.reason_detail})" if job.reason else ""),
        file=sys.stderr,
    )
    return EXIT_FAILED


def cmd_jobs(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """List jobs, following pages up to --limit."""
    stub = printer_pb2_grpc.PrinterServiceStub(ch)
    jobs: list[printer_pb2.PrintJob] = []
    token = ""
    while len(jobs) < args.limit:
        resp = stub.ListPrintJobs(
            printer_pb2.ListPrintJobsRequest(
                device_id=args.printer, page_size=min(args.limit - len(jobs), 1000), page_token=token
            ),
            timeout=TIMEOUT,
        )
        jobs += resp.print_jobs
        token = resp.next_page_token
        if not token:
            break
    for j in jobs:
        emit(args, j)
    if not args.json:
        print(job_rows(jobs))


def _job_call(ch: grpc.Channel, args: argparse.Namespace, method: str, request: object) -> None:
    job = getattr(printer_pb2_grpc.PrinterServiceStub(ch), method)(request, timeout=TIMEOUT).print_job
    human = job_rows([job]) + (f"\nreason: {job.reason_detail}" if job.reason_detail else "")
    emit(args, job, human)


def cmd_job(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Show one job."""
    _job_call(ch, args, "GetPrintJob", printer_pb2.GetPrintJobRequest(print_job_id=args.job_id))


def cmd_cancel(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Cancel a job."""
    _job_call(ch, args, "CancelPrintJob", printer_pb2.CancelPrintJobRequest(print_job_id=args.job_id))


def cmd_resume(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print a held job."""
    _job_call(ch, args, "ResumePrintJob", printer_pb2.ResumePrintJobRequest(print_job_id=args.job_id))


def _known(msg: printer_pb2.PrinterStatus, field: str) -> str:
    """yes / no for an optional boolean, or unknown when the printer could not tell."""
    return ("yes" if getattr(msg, field) else "no") if msg.HasField(field) else "unknown"


def cmd_printer(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Show a printer's status."""
    st = (
        printer_pb2_grpc.PrinterServiceStub(ch)
        .GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(device_id=args.printer_id), timeout=TIMEOUT)
        .status
    )
    state = enum_name(common_pb2.DeviceState.Name(st.state), "DEVICE_STATE_") + (
        f" ({st.reason})" if st.reason else ""
    )
    rows = [
        ["printer", st.device_id],
        ["state", state],
        ["paper", enum_name(printer_pb2.PaperState.Name(st.paper), "PAPER_STATE_")],
        ["online", _known(st, "online")],
        ["error", _known(st, "error")],
        ["pending jobs", str(st.pending_job_count)],
        *([["accepting jobs", _known(st, "accepting_jobs")]] if st.HasField("accepting_jobs") else []),
        *[["condition", f"{c.reason} ({enum_name(Severity.Name(c.severity), 'SEVERITY_')})"]
          for c in st.conditions],
        ["model", st.model or "-"],
        ["source", enum_name(common_pb2.StatusSource.Name(st.source), "STATUS_SOURCE_")],
        ["last seen", ago(st.last_seen_time)],
    ]
    detail = f"\n{'reason' if st.reason else 'status'}: {st.reason_detail}" if st.reason_detail else ""
    emit(args, st, table(["PRINTER", ""], rows) + detail)


def cmd_printers(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Every printer, the default marked."""
    from hubd.cli.hubctl import device_rows

    printers = [
        d
        for cls in (common_pb2.DEVICE_CLASS_RECEIPT_PRINTER, common_pb2.DEVICE_CLASS_DOCUMENT_PRINTER)
        for d in list_devices(ch, cls)
    ]
    for d in printers:
        emit(args, d)
    if not args.json:
        print(device_rows(printers))
