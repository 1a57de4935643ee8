"""An A4 document printer reached over IPP: a CUPS queue (``cups://``, ``ipp://…/printers/Q``) or
an IPP Everywhere printer (``ipp://HOST/ipp/print``, ``ipps://``).

Print-Job carries the attributes and the PDF in one request: CUPS reads the whole request before
it creates the job, so a send cut half-way leaves no job behind. The job's ``job-name`` carries
the caller's key (``TITLE [KEY]``) so that after a crash ``find_job`` can tell whether the job
reached the printer. The remote id is ``JOB-ID;JOB-UUID``: a printer that restarted and numbers
its jobs from 1 again does not pass off another job as ours.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hubd.classes.printer.contract import (
    DocumentCapabilities,
    DocumentPrinterDevice,
    DocumentPrinterStatus,
    DocumentSource,
    PrintOptions,
    RemoteJob,
    Sides,
)
from hubd.classes.printer.contract import DocumentPrinterState as PrinterState
from hubd.driver_api import (
    DeviceUnavailable,
    FailedPrecondition,
    HubError,
    InvalidArgument,
    NotFound,
    Option,
    StatusSource,
    ipp,
)
from kioskhub.drivers.ipp import status

log = logging.getLogger(__name__)

CAPABILITIES_MAX_AGE = 300.0
"""Seconds the capabilities read for ``submit``'s checks are reused."""
SEND_READ_TIMEOUT = 60.0
"""Seconds to wait for the answer once a whole document is sent (the printer spools it first)."""
PDF = "application/pdf"


class IppPrinter(DocumentPrinterDevice):
    """A document printer spoken to with IPP/2.0 (IPP/1.1 when the printer asks for it)."""

    DEFAULT_TIMEOUT = 5.0
    OPTIONS = {
        "user": Option(str, "kioskhub", "requesting-user-name sent with each operation"),
        "ca_file": Option(str, None, "PEM file to trust for ipps:// (a CA or the printer's own certificate)"),
        "tls_verify": Option(bool, True, "check the ipps:// printer's certificate"),
    }

    def __init__(
        self,
        device_id: str,
        url: str,
        options: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        super().__init__(device_id, url, options, timeout=timeout)
        self.endpoint = ipp.endpoint(url)
        self.status_source = StatusSource.SPOOLER if self.endpoint.spooler else StatusSource.DEVICE
        verify: bool | str = self.options["ca_file"] or bool(self.options["tls_verify"])
        if isinstance(verify, str) and not Path(verify).is_file():
            raise InvalidArgument("options.ca_file", f"no such file: {verify}")
        self._client = ipp.IppClient(
            self.endpoint, timeout=self.timeout, user=self.options["user"], verify=verify
        )
        self._caps: DocumentCapabilities | None = None
        self._caps_at = 0.0

    async def read_status(self) -> DocumentPrinterStatus:
        """Get-Printer-Attributes for the state attributes only."""
        message = await self._client.call(
            ipp.Op.GET_PRINTER_ATTRIBUTES, [_requested(status.STATUS_ATTRIBUTES)]
        )
        if self._caps is None:  # once: the make and model people see in the status
            with contextlib.suppress(HubError):
                await self.capabilities()
        return status.printer_status(message, self.status_source)

    async def capabilities(self) -> DocumentCapabilities:
        """Get-Printer-Attributes for media, sides, color, formats, resolutions and operations."""
        message = await self._client.call(
            ipp.Op.GET_PRINTER_ATTRIBUTES, [_requested(status.CAPABILITY_ATTRIBUTES)]
        )
        caps = status.capabilities(message)
        if caps.make_and_model and (self._caps is None or self._caps.make_and_model != caps.make_and_model):
            log.info("%s: %s at %s", self.id, caps.make_and_model, self.endpoint.printer_uri)
        self._caps, self._caps_at = caps, time.monotonic()
        return caps

    async def _fresh_capabilities(self) -> DocumentCapabilities:
        if self._caps is None or time.monotonic() - self._caps_at > CAPABILITIES_MAX_AGE:
            return await self.capabilities()
        return self._caps

    async def submit(self, document: DocumentSource, options: PrintOptions) -> str:
        """Print-Job with the PDF streamed after the attributes; the remote id of the new job."""
        options.check()
        caps = await self._fresh_capabilities()
        options.check_against(caps)
        if caps.document_formats and PDF not in caps.document_formats:
            raise InvalidArgument(
                "document", "this printer does not take PDF", reason="DOCUMENT_FORMAT_NOT_SUPPORTED"
            )
        operation = [
            ipp.attr("job-name", ipp.Tag.NAME, job_name(options)),
            ipp.attr("document-format", ipp.Tag.MIME_TYPE, PDF),
        ]
        message = await self._client.call(
            ipp.Op.PRINT_JOB,
            operation,
            self._job_template(options, caps),
            document=document,
            read_timeout=SEND_READ_TIMEOUT,
        )
        job_id = status.job_id(message)
        uuid = status.job_uuid(message)
        if not uuid:  # the job exists now: a failure to learn its uuid must not hide it
            with contextlib.suppress(DeviceUnavailable):
                uuid = status.job_uuid(await self._job_attributes(job_id, ("job-uuid",)))
        remote_id = f"{job_id};{uuid}" if uuid else str(job_id)
        log.info("%s: job %s sent (%s)", self.id, remote_id, options.title or "untitled")
        return remote_id

    def _job_template(self, options: PrintOptions, caps: DocumentCapabilities) -> list[ipp.Attribute]:
        job = [
            ipp.attr("copies", ipp.Tag.INTEGER, options.copies),
            ipp.attr("media", ipp.Tag.KEYWORD, options.media),
            ipp.attr("orientation-requested", ipp.Tag.ENUM, ipp.ORIENTATION[options.orientation.value]),
        ]
        if options.sides is not Sides.ONE_SIDED or caps.sides_supported:
            job.append(ipp.attr("sides", ipp.Tag.KEYWORD, options.sides.value))
        if options.page_ranges:
            job.append(
                ipp.attr("page-ranges", ipp.Tag.RANGE, *(ipp.IntRange(a, b) for a, b in options.page_ranges))
            )
        if options.fit_to_page:
            if "fit" in caps.print_scaling:
                job.append(ipp.attr("print-scaling", ipp.Tag.KEYWORD, "fit"))
            elif self.endpoint.spooler:
                job.append(ipp.attr("fit-to-page", ipp.Tag.BOOLEAN, True))
        return job

    async def job_state(self, remote_id: str) -> RemoteJob:
        """Get-Job-Attributes; NotFound REMOTE_JOB_NOT_FOUND if gone or another job now has the id."""
        job_id, uuid = _parse_remote_id(remote_id)
        message = await self._job_attributes(job_id, (*status.JOB_ATTRIBUTES, "job-uuid"))
        if uuid and status.job_uuid(message) not in ("", uuid):
            raise NotFound(
                f"{self.endpoint.printer_uri}: job {job_id} is now another job (the printer restarted)",
                reason="REMOTE_JOB_NOT_FOUND",
            )
        return status.remote_job(message, remote_id)

    async def _job_attributes(self, job_id: int, names: tuple[str, ...]) -> ipp.Message:
        return await self._client.call(
            ipp.Op.GET_JOB_ATTRIBUTES, [ipp.attr("job-id", ipp.Tag.INTEGER, job_id), _requested(names)]
        )

    async def cancel(self, remote_id: str) -> RemoteJob:
        """Cancel-Job; a job that already ended is returned as it is."""
        job_id, _ = _parse_remote_id(remote_id)
        before = await self.job_state(remote_id)
        if not before.state.done:
            try:
                await self._client.call(ipp.Op.CANCEL_JOB, [ipp.attr("job-id", ipp.Tag.INTEGER, job_id)])
            except FailedPrecondition as err:
                if err.reason != "NOT_POSSIBLE":
                    raise
        return await self.job_state(remote_id)

    async def find_job(self, key: str) -> RemoteJob | None:
        """Get-Jobs (which-jobs=all): the newest job whose job-name ends with ``[key]``."""
        if not key:
            raise InvalidArgument("key", "find_job needs the key the job was submitted with")
        message = await self._client.call(
            ipp.Op.GET_JOBS,
            [
                ipp.attr("which-jobs", ipp.Tag.KEYWORD, "all"),
                _requested((*status.JOB_ATTRIBUTES, "job-uuid")),
            ],
        )
        found: list[tuple[int, RemoteJob]] = []
        for group in message.each(ipp.JOB_GROUP):
            job = ipp.Message(message.version, message.code, message.request_id, (group,))
            if status.text(job, "job-name").endswith(f"[{key}]"):
                job_id, uuid = status.job_id(job), status.job_uuid(job)
                found.append((job_id, status.remote_job(job, f"{job_id};{uuid}" if uuid else str(job_id))))
        return max(found, key=lambda item: item[0])[1] if found else None

    async def resume(self) -> DocumentPrinterStatus:
        """Resume-Printer if stopped, CUPS-Accept-Jobs if rejecting; the status afterwards."""
        now = await self.read_status()
        needed = [
            op
            for op, wanted in (
                (ipp.Op.RESUME_PRINTER, now.state is PrinterState.STOPPED),
                (ipp.Op.CUPS_ACCEPT_JOBS, not now.accepting),
            )
            if wanted
        ]
        if not needed:
            return now
        if not (await self._fresh_capabilities()).can_resume:
            raise FailedPrecondition(
                f"{self.endpoint.printer_uri} is {now.describe()} and cannot be resumed over IPP",
                reason="RESUME_NOT_SUPPORTED",
            )
        for op in needed:
            await self._client.call(op)
            log.warning("%s: %s sent (was: %s)", self.id, op.name, now.describe())
        return await self.read_status()

    async def close(self) -> None:
        """Close the HTTP connection; the next operation reconnects."""
        await self._client.close()

    def describe(self) -> str:
        """Make and model once read, and where."""
        model = self._caps.make_and_model if self._caps else ""
        return f"{model} ({self.endpoint.printer_uri})" if model else self.endpoint.printer_uri


def job_name(options: PrintOptions) -> str:
    """``TITLE [KEY]``: the title people see, with the key ``find_job`` looks for."""
    title = "".join(ch for ch in options.title if ch.isprintable()) or "kioskhub"
    return f"{title} [{options.key}]" if options.key else title


def _requested(names: tuple[str, ...]) -> ipp.Attribute:
    return ipp.attr("requested-attributes", ipp.Tag.KEYWORD, *names)


def _parse_remote_id(remote_id: str) -> tuple[int, str]:
    number, _, uuid = remote_id.partition(";")
    if not number.isdigit() or not 0 < int(number) < 2**31:
        raise InvalidArgument("remote_id", f"not an IPP job id: {remote_id[:40]!r}")
    return int(number), uuid
