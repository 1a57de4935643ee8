"""``kioskhub.v1.PrinterService``."""

from __future__ import annotations

from typing import Any

from hubd.app import Hub
from hubd.classes.printer import convert as cp
from hubd.device import DeviceClass
from kioskhub.v1 import printer_pb2, printer_pb2_grpc

Ctx = Any
PRINTER = DeviceClass.RECEIPT_PRINTER


class PrinterServicer(printer_pb2_grpc.PrinterServiceServicer):
    """Print jobs and printer status."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def PrintDocument(self, request: printer_pb2.PrintDocumentRequest, context: Ctx) -> Any:
        """Persist a job, then acknowledge it."""
        sup = self.hub.find(PRINTER, request.printer_id, field="printer_id")
        now = self.hub.clock.now().astimezone(self.hub.config.printing.zone)
        kind, payload = cp.document_from_pb(request, now)
        job = await self.hub.printing.submit(
            sup.id,
            request.idempotency_key,
            kind,
            payload,
            cp.duration(request.time_to_live),
            cp.duration(request.retry_for),
        )
        return printer_pb2.PrintDocumentResponse(job=cp.job_to_pb(job))

    async def GetPrintJob(self, request: printer_pb2.GetPrintJobRequest, context: Ctx) -> Any:
        """One job."""
        printing = self.hub.printing
        job = await printing.call(printing.queue.get, request.job_id)
        return printer_pb2.GetPrintJobResponse(job=cp.job_to_pb(job))

    async def ListPrintJobs(self, request: printer_pb2.ListPrintJobsRequest, context: Ctx) -> Any:
        """Jobs, newest first."""
        if request.printer_id:
            self.hub.find(PRINTER, request.printer_id, field="printer_id")
        printing = self.hub.printing
        jobs = await printing.call(
            printing.queue.list,
            request.printer_id or None,
            cp.job_states_from_pb(request.states),
            cp.list_limit(request.limit),
            newest_first=True,
        )
        return printer_pb2.ListPrintJobsResponse(jobs=[cp.job_to_pb(j) for j in jobs])

    async def CancelPrintJob(self, request: printer_pb2.CancelPrintJobRequest, context: Ctx) -> Any:
        """Cancel a job not yet printing."""
        printing = self.hub.printing
        job = await printing.call(printing.queue.cancel, request.job_id)
        return printer_pb2.CancelPrintJobResponse(job=cp.job_to_pb(job))

    async def ReleasePrintJob(self, request: printer_pb2.ReleasePrintJobRequest, context: Ctx) -> Any:
        """Print a held job, marked duplicate."""
        job = await self.hub.printing.release(request.job_id)
        return printer_pb2.ReleasePrintJobResponse(job=cp.job_to_pb(job))

    async def GetPrinterStatus(self, request: printer_pb2.GetPrinterStatusRequest, context: Ctx) -> Any:
        """Paper / online / error as last observed."""
        sup = self.hub.find(PRINTER, request.printer_id, field="printer_id")
        status = cp.printer_status_to_pb(sup, await self.hub.printing.pending(sup.id))
        return printer_pb2.GetPrinterStatusResponse(status=status)
