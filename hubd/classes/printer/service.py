"""``kioskhub.v1.PrinterService``: thin: convert, call the spooler, convert back."""

from __future__ import annotations

from typing import Any

from hubd.app import Hub
from hubd.classes.printer import convert as cp
from hubd.classes.printer.spooler import Spooler
from hubd.device import DeviceClass
from hubd.rpc.cache import StatusCache
from kioskhub.v1 import printer_pb2, printer_pb2_grpc

Ctx = Any
PRINTER = DeviceClass.RECEIPT_PRINTER


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

    async def GetPrintJob(self, request: printer_pb2.GetPrintJobRequest, context: Ctx) -> Any:
        """One job."""
        job = await self.spooler.get(request.print_job_id)
        return printer_pb2.GetPrintJobResponse(print_job=cp.job_to_pb(job))

    async def ListPrintJobs(self, request: printer_pb2.ListPrintJobsRequest, context: Ctx) -> Any:
        """Jobs, newest first, a page at a time."""
        if request.device_id:
            self.hub.find(PRINTER, request.device_id)
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
        sup = self.hub.find(PRINTER, request.device_id)
        return self._status.wire(sup, self.spooler.pending(sup.id))

    def _status_response(self, sup: Any) -> printer_pb2.GetPrinterStatusResponse:
        status = cp.printer_status_to_pb(sup, self.spooler.pending(sup.id))
        return printer_pb2.GetPrinterStatusResponse(status=status)
