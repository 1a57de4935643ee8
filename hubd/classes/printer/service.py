"""``kioskhub.v1.PrinterService``: thin: convert, call the spooler, convert back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from hubd.app import Hub
from hubd.classes.printer import convert as cp
from hubd.classes.printer import document_convert as dc
from hubd.classes.printer.document_jobs import DocumentJob
from hubd.classes.printer.document_printer import DocumentPrinterDevice, PrintOptions
from hubd.classes.printer.spooler import Spooler
from hubd.device import DeviceClass
from hubd.errors import HubError, InvalidArgument
from hubd.rpc.cache import StatusCache
from hubd.supervisor import Supervisor
from kioskhub.v1 import printer_pb2, printer_pb2_grpc

Ctx = Any
PRINTER = DeviceClass.RECEIPT_PRINTER
DOCUMENT_PRINTER = DeviceClass.DOCUMENT_PRINTER
MAX_CHUNK = 2**20
CAPABILITIES_WAIT = 2.0
"""Seconds a StreamPrintDocument waits to check the options against the printer (an unreachable
printer is no reason to refuse the job: it is checked again when it is sent)."""


class PrinterServicer(printer_pb2_grpc.PrinterServiceServicer):
    """Print jobs and printer status."""

    SERVICE = printer_pb2.DESCRIPTOR.services_by_name["PrinterService"]

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._status = StatusCache(self._status_response)

    @property
    def spooler(self) -> Spooler:
        """The printer class's runner."""
        return self.hub.runner("printer", Spooler)

    async def PrintDocument(self, request: printer_pb2.PrintDocumentRequest, context: Ctx) -> Any:
        """Persist a job, then acknowledge it."""
        sup = self.hub.find(PRINTER, request.device_id)
        spooler = self.spooler
        kind, payload = cp.document_from_pb(request, spooler.config.zone)
        job = await spooler.submit(
            sup.id, request.request_id, kind, payload,
            cp.window(request.ttl, "ttl"), cp.window(request.retry_duration, "retry_duration"),
        )
        return printer_pb2.PrintDocumentResponse(print_job=cp.job_to_pb(job))

    async def StreamPrintDocument(self, requests: AsyncIterator[Any], context: Ctx) -> Any:
        """Receive a document in chunks, check and store it, persist its job, then acknowledge."""
        first = await anext(requests, None)
        if first is None or first.WhichOneof("part") != "header":
            raise InvalidArgument("header", "the first message must carry the header")
        header = first.header
        sup = self.hub.find(DOCUMENT_PRINTER, header.device_id, "header.device_id")
        if not header.request_id.strip():
            raise InvalidArgument("header.request_id", "required")
        options = dc.options_from_pb(header.options, header.title, "header.options")
        spooler = self.spooler
        dc.size_check(header, spooler.config.pdf_limits.max_bytes)
        ttl = cp.window(header.ttl, "header.ttl")
        retry = cp.window(header.retry_duration, "header.retry_duration")
        await _check_against_printer(sup, options)
        document = await spooler.accept_document(_chunks(requests))
        try:
            options.check(document.pages)
        except InvalidArgument as err:
            raise InvalidArgument(f"header.{err.field}", err.description) from err
        job = DocumentJob(document.sha256, document.source_format, header.title, options)
        committed = await spooler.submit_document(sup.id, header.request_id, document, job, ttl, retry)
        return printer_pb2.StreamPrintDocumentResponse(print_job=cp.job_to_pb(committed))

    async def GetPrintJob(self, request: printer_pb2.GetPrintJobRequest, context: Ctx) -> Any:
        """One job."""
        job = await self.spooler.get(request.print_job_id)
        return printer_pb2.GetPrintJobResponse(print_job=cp.job_to_pb(job))

    async def ListPrintJobs(self, request: printer_pb2.ListPrintJobsRequest, context: Ctx) -> Any:
        """Jobs, newest first, a page at a time."""
        if request.device_id:
            self._printer(request.device_id)
        page = cp.page_of(request)
        before = page.after if isinstance(page.after, int) else None
        states = cp.job_states_from_pb(request.states)
        jobs, after = await self.spooler.page(request.device_id or None, states, page.size, before)
        return printer_pb2.ListPrintJobsResponse(
            print_jobs=[cp.job_to_pb(j) for j in jobs], next_page_token=page.token(after)
        )

    async def CancelPrintJob(self, request: printer_pb2.CancelPrintJobRequest, context: Ctx) -> Any:
        """Cancel a job not yet printing."""
        job = await self.spooler.cancel(request.print_job_id)
        return printer_pb2.CancelPrintJobResponse(print_job=cp.job_to_pb(job))

    async def ResumePrintJob(self, request: printer_pb2.ResumePrintJobRequest, context: Ctx) -> Any:
        """Print a held job, marked duplicate."""
        job = await self.spooler.resume(request.print_job_id)
        return printer_pb2.ResumePrintJobResponse(print_job=cp.job_to_pb(job))

    async def GetPrinterStatus(self, request: printer_pb2.GetPrinterStatusRequest, context: Ctx) -> Any:
        """Paper / online / error as last observed (built once per change, not per call)."""
        sup = self._printer(request.device_id)
        return self._status.wire(sup, self.spooler.pending(sup.id))

    def _printer(self, device_id: str) -> Supervisor:
        """A receipt or document printer by id; with none, the only (or default) receipt printer."""
        if not device_id:
            return self.hub.find(PRINTER)
        sup = self.hub.get(device_id)
        if sup.device.device_class not in (PRINTER, DOCUMENT_PRINTER):
            raise InvalidArgument("device_id", f"{device_id!r} is not a printer")
        return sup

    def _status_response(self, sup: Any) -> printer_pb2.GetPrinterStatusResponse:
        status = cp.printer_status_to_pb(sup, self.spooler.pending(sup.id))
        return printer_pb2.GetPrinterStatusResponse(status=status)


async def _chunks(requests: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    """The file's bytes from the messages after the header."""
    async for message in requests:
        if message.WhichOneof("part") != "chunk":
            raise InvalidArgument("header", "only the first message may carry the header")
        if len(message.chunk) > MAX_CHUNK:
            raise InvalidArgument("chunk", f"at most {MAX_CHUNK} bytes per message")
        yield message.chunk


async def _check_against_printer(sup: Supervisor, options: PrintOptions) -> None:
    """INVALID_ARGUMENT now for an option the printer cannot honour, when it answers in time."""
    assert isinstance(sup.device, DocumentPrinterDevice)
    try:
        caps = await asyncio.wait_for(sup.device.capabilities(), CAPABILITIES_WAIT)
    except (HubError, TimeoutError):
        return  # checked again when the job is sent
    try:
        options.check_against(caps)
    except InvalidArgument as err:
        raise InvalidArgument(err.field.replace("options", "header.options", 1), err.description) from err
