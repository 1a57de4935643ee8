"""hubctl printing commands: print text/receipt, jobs, job, cancel, release, printer."""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from hubd.cli.output import ago, as_json, enum_name, table
from kioskhub.v1 import common_pb2, printer_pb2, printer_pb2_grpc

TIMEOUT = 10.0
Command = Callable[[grpc.Channel, argparse.Namespace], None]


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    with_globals: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add the printing subcommands to hubctl's parser."""
    pr = sub.add_parser("print", help="print a document")
    what = pr.add_subparsers(dest="what", required=True)
    text = what.add_parser("text", help="print a text file (- for standard input)")
    text.add_argument("file")
    receipt = what.add_parser("receipt", help="print a receipt")
    receipt.add_argument("--sample", action="store_true", required=True, help="a realistic sample receipt")
    for p in (text, receipt):
        p.add_argument("--printer", default="", help="printer id (default: the only one)")
        p.add_argument("--key", default="", help="idempotency key (default: a new one)")
        p.add_argument("--wait", action="store_true", help="wait until the job is done")
        with_globals(p)
    with_globals(pr)
    jobs = sub.add_parser("jobs", help="print jobs, newest first")
    jobs.add_argument("--printer", default="")
    jobs.add_argument("--limit", type=int, default=20)
    job = sub.add_parser("job", help="one print job")
    job.add_argument("job_id")
    cancel = sub.add_parser("cancel", help="cancel a print job that has not started")
    cancel.add_argument("job_id")
    release = sub.add_parser("release", help="print a held job (it gets the DUPLICATE banner)")
    release.add_argument("job_id")
    printer = sub.add_parser("printer", help="printer status")
    printer.add_argument("printer_id", nargs="?", default="")
    for p in (jobs, job, cancel, release, printer):
        with_globals(p)


def _job_rows(jobs: list[printer_pb2.PrintJob]) -> str:
    rows = [
        [
            j.job_id,
            j.printer_id,
            j.kind,
            enum_name(printer_pb2.PrintJobState.Name(j.state), "PRINT_JOB_STATE_"),
            j.reason or "-",
            "yes" if j.duplicate else "",
            str(j.attempts),
            ago(j.updated_at),
            j.idempotency_key,
        ]
        for j in jobs
    ]
    return table(["JOB", "PRINTER", "KIND", "STATE", "REASON", "DUP", "TRIES", "UPDATED", "KEY"], rows)


def _show_job(job: printer_pb2.PrintJob, as_js: bool) -> None:
    print(as_json(job) if as_js else _job_rows([job]), flush=True)


def _sample_receipt() -> printer_pb2.Receipt:
    from hubd.render.sample import sample_receipt

    r = sample_receipt()
    issued = Timestamp()
    issued.FromDatetime(r.issued_at)
    fields = {
        k: getattr(r, k)
        for k in printer_pb2.Receipt.DESCRIPTOR.fields_by_name
        if k not in ("issued_at", "extra_lines")
    }
    return printer_pb2.Receipt(**fields, issued_at=issued, extra_lines=list(r.extra_lines))


def cmd_print(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Submit a document; with --wait, follow it to the end."""
    req = printer_pb2.PrintDocumentRequest(
        printer_id=args.printer, idempotency_key=args.key or f"hubctl-{secrets.token_hex(8)}"
    )
    if args.what == "text":
        data = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        req.text.text = data
    else:
        req.receipt.CopyFrom(_sample_receipt())
    stub = printer_pb2_grpc.PrinterServiceStub(ch)
    job = stub.PrintDocument(req, timeout=TIMEOUT).job
    final = {
        printer_pb2.PRINT_JOB_STATE_DONE,
        printer_pb2.PRINT_JOB_STATE_FAILED,
        printer_pb2.PRINT_JOB_STATE_EXPIRED,
        printer_pb2.PRINT_JOB_STATE_CANCELLED,
    }
    if args.wait:
        import time

        deadline = time.monotonic() + 120
        while job.state not in final and time.monotonic() < deadline:
            time.sleep(0.1)
            job = stub.GetPrintJob(printer_pb2.GetPrintJobRequest(job_id=job.job_id), timeout=TIMEOUT).job
    _show_job(job, args.json)


def cmd_jobs(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """List jobs."""
    resp = printer_pb2_grpc.PrinterServiceStub(ch).ListPrintJobs(
        printer_pb2.ListPrintJobsRequest(printer_id=args.printer, limit=args.limit), timeout=TIMEOUT
    )
    print(as_json(resp) if args.json else _job_rows(list(resp.jobs)))


def cmd_job(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Show one job."""
    job = (
        printer_pb2_grpc.PrinterServiceStub(ch)
        .GetPrintJob(printer_pb2.GetPrintJobRequest(job_id=args.job_id), timeout=TIMEOUT)
        .job
    )
    _show_job(job, args.json)
    if not args.json and job.reason_detail:
        print(f"reason: {job.reason_detail}")


def cmd_cancel(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Cancel a job."""
    stub = printer_pb2_grpc.PrinterServiceStub(ch)
    job = stub.CancelPrintJob(printer_pb2.CancelPrintJobRequest(job_id=args.job_id), timeout=TIMEOUT).job
    _show_job(job, args.json)


def cmd_release(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Print a held job."""
    stub = printer_pb2_grpc.PrinterServiceStub(ch)
    job = stub.ReleasePrintJob(printer_pb2.ReleasePrintJobRequest(job_id=args.job_id), timeout=TIMEOUT).job
    _show_job(job, args.json)


def _known(msg: printer_pb2.PrinterStatus, field: str) -> str:
    """yes / no for an optional boolean, or unknown when the printer could not tell."""
    return ("yes" if getattr(msg, field) else "no") if msg.HasField(field) else "unknown"


def cmd_printer(ch: grpc.Channel, args: argparse.Namespace) -> None:
    """Show a printer's status."""
    st = (
        printer_pb2_grpc.PrinterServiceStub(ch)
        .GetPrinterStatus(printer_pb2.GetPrinterStatusRequest(printer_id=args.printer_id), timeout=TIMEOUT)
        .status
    )
    if args.json:
        print(as_json(st))
        return
    rows = [
        ["printer", st.printer_id],
        [
            "state",
            enum_name(common_pb2.DeviceState.Name(st.state), "DEVICE_STATE_")
            + (f" ({st.reason})" if st.reason else ""),
        ],
        ["paper", enum_name(printer_pb2.PaperState.Name(st.paper), "PAPER_STATE_")],
        ["online", _known(st, "online")],
        ["error", _known(st, "error")],
        ["pending jobs", str(st.pending_jobs)],
        ["model", st.model or "-"],
        ["source", enum_name(common_pb2.StatusSource.Name(st.source), "STATUS_SOURCE_")],
        ["last seen", ago(st.last_seen)],
    ]
    print(table(["PRINTER", ""], rows))
    if st.reason_detail:
        print(f"{'reason' if st.reason else 'status'}: {st.reason_detail}")


COMMANDS: dict[str, Command] = {
    "print": cmd_print,
    "jobs": cmd_jobs,
    "job": cmd_job,
    "cancel": cmd_cancel,
    "release": cmd_release,
    "printer": cmd_printer,
}
