"""The scanner behind the HTTP: its state and faults, its jobs, and how pages come out.

A page takes ``scan_seconds`` (plus ``warmup_seconds`` before a job's first page) and is drawn
in a worker thread meanwhile; until both are done NextDocument answers 503, as a real scanner
does while its head moves. The feeder holds ``adf_sheets`` sheets; each sheet gives one page
(two in duplex) and leaves the feeder; an empty feeder ends a job with 404.
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid as uuidlib
from dataclasses import dataclass, field

from PIL import Image

from kioskhub.simulators.escl_scanner import documents, pages
from kioskhub.simulators.escl_scanner.documents import Settings


@dataclass
class EsclScannerState:
    """What lies on the scanner and how it misbehaves (all settable over the control socket)."""

    make_and_model: str = "KioskHub Sim eSCL MFP 4200"
    platen_document: str = "form"
    """What lies on the glass: form, id_card, rotated."""
    adf_documents: str = "form,id_card,rotated"
    """The kinds of the feeder's sheets, in order (repeating when there are more sheets)."""
    adf_sheets: int = 3
    scan_seconds: float = 0.2
    warmup_seconds: float = 0.0
    jam_at_sheet: int | None = None
    """The feeder jams when this sheet of a job (1 = the first) is pulled in."""
    jammed: bool = False
    cover_open: bool = False
    """The feeder's cover (hatch) is open: feeder jobs are refused."""
    busy: bool = False
    """Another client's job holds the scanner: new jobs get 503."""
    drop_at_page: int | None = None
    """The connection drops half-way through this page's body (once; page 1 = a job's first)."""
    jpeg_quality: int = 85
    pages_delivered: int = 0
    jobs_canceled: int = 0


@dataclass
class Job:
    """One scan job on the simulated scanner."""

    uuid: str
    settings: Settings
    created: float
    ready_at: float
    delivered: int = 0
    sheets_fed: int = 0
    back_side_pending: bool = False
    state: str = "Processing"
    reason: str = "JobScanning"
    render: asyncio.Task[bytes] | None = field(default=None, repr=False)

    @property
    def feeder(self) -> bool:
        """True for a feeder job."""
        return self.settings.source == "Feeder"


def encode(kind: str, settings: Settings, quality: int) -> bytes:
    """Draw sheet ``kind`` at the job's resolution, cut the requested region, encode it."""
    dpi = settings.x_res
    sheet = pages.sheet(kind if kind in pages.SHEETS else "blank", dpi)  # "back": a blank reverse
    scale = dpi / 300
    left, top = settings.x_offset, settings.y_offset
    box = [round(v * scale) for v in (left, top, left + settings.width, top + settings.height)]
    region = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), pages.LID)
    region.paste(sheet, (-box[0], -box[1]))
    region = pages.with_sensor_noise(region, seed=dpi)
    out = io.BytesIO()
    if settings.color_mode == "Grayscale8":
        region = region.convert("L")
    elif settings.color_mode == "BlackAndWhite1":
        region = region.convert("L").point(lambda v: 255 if v > 140 else 0, mode="1")
    if settings.document_format == "image/png":
        region.save(out, "PNG", dpi=(dpi, dpi), compress_level=1)
    else:
        region = region.convert("L") if region.mode == "1" else region
        region.save(out, "JPEG", quality=quality, dpi=(dpi, dpi))
    return out.getvalue()


class Scanner:
    """Jobs and pages; answers are (HTTP status, reason text) decisions for the server."""

    def __init__(self, state: EsclScannerState) -> None:
        self.state = state
        self.jobs: dict[str, Job] = {}
        self.clock = time.monotonic

    # ------------------------------------------------------------------ status
    def engine_state(self) -> str:
        """pwg:State: Stopped on a jam, Testing while warming up, Processing while busy."""
        s = self.state
        if s.jammed:
            return "Stopped"
        active = [j for j in self.jobs.values() if j.state == "Processing"]
        if any(self.clock() < j.created + s.warmup_seconds for j in active):
            return "Testing"
        return "Processing" if s.busy or active else "Idle"

    def adf_state(self) -> str:
        """scan:AdfState of the feeder."""
        s = self.state
        if s.jammed:
            return "ScannerAdfJam"
        if s.cover_open:
            return "ScannerAdfHatchOpen"
        return "ScannerAdfLoaded" if s.adf_sheets > 0 else "ScannerAdfEmpty"

    def status_xml(self) -> bytes:
        """The ScannerStatus document, with the ten newest jobs."""
        now = self.clock()
        rows = [documents.JobRow(f"/eSCL/ScanJobs/{j.uuid}", j.uuid, int(now - j.created), j.delivered,
                                 0 if j.state != "Processing" else 1, j.state, j.reason)
                for j in list(self.jobs.values())[-10:]]
        return documents.status(self.engine_state(), self.adf_state(), rows)

    # ------------------------------------------------------------------ jobs
    def create(self, settings: Settings) -> tuple[int, Job | None]:
        """POST ScanJobs: (201, job) or the refusal's status (503 busy, 409 feeder unusable)."""
        s = self.state
        if s.busy or any(j.state == "Processing" for j in self.jobs.values()):
            return 503, None
        if s.jammed or (settings.source == "Feeder" and (s.cover_open or s.adf_sheets <= 0)):
            return 409, None
        now = self.clock()
        job = Job(uuidlib.uuid4().hex, settings, now, now + s.warmup_seconds + s.scan_seconds)
        self.jobs[job.uuid] = job
        while len(self.jobs) > 50:
            self.jobs.pop(next(iter(self.jobs)))
        return 201, job

    def cancel(self, job: Job) -> None:
        """DELETE: a running job is canceled; a finished one is just forgotten."""
        if job.state == "Processing":
            job.state, job.reason = "Canceled", "JobCanceledByUser"
            self.state.jobs_canceled += 1
        if job.render is not None:
            job.render.cancel()

    def next_kind(self, job: Job) -> str | None:
        """The kind of the job's next page, None when the job has no more (404)."""
        if not job.feeder:
            return self.state.platen_document if job.delivered == 0 else None
        if job.back_side_pending:
            return "back"
        if self.state.adf_sheets <= 0:
            return None
        kinds = [k.strip() for k in self.state.adf_documents.split(",") if k.strip()] or ["form"]
        return kinds[job.sheets_fed % len(kinds)]

    def next_document(self, job: Job) -> tuple[int, bytes]:
        """GET NextDocument: (200, image), (503, b"") not ready / jammed, (404, b"") no more."""
        s = self.state
        if job.state in ("Canceled", "Aborted"):
            return 410 if job.state == "Aborted" else 404, b""
        kind = self.next_kind(job)
        if kind is None:
            job.state, job.reason = "Completed", "JobCompletedSuccessfully"
            return 404, b""
        if job.feeder and not job.back_side_pending and s.jam_at_sheet == job.sheets_fed + 1:
            s.jammed, s.jam_at_sheet = True, None
            job.state, job.reason = "Aborted", "AdfJam"
            return 503, b""
        if job.render is None:
            job.render = asyncio.ensure_future(asyncio.to_thread(encode, kind, job.settings, s.jpeg_quality))
        if self.clock() < job.ready_at or not job.render.done():
            return 503, b""
        data, job.render = job.render.result(), None
        self._advance(job)
        return 200, data

    def _advance(self, job: Job) -> None:
        """A page went out: move the paper, time the next page."""
        s = self.state
        job.delivered += 1
        s.pages_delivered += 1
        if job.feeder and not job.back_side_pending:
            s.adf_sheets -= 1
            job.sheets_fed += 1
            job.back_side_pending = job.settings.duplex
        else:
            job.back_side_pending = False
        job.ready_at = self.clock() + s.scan_seconds
        if not job.feeder:
            job.state, job.reason = "Completed", "JobCompletedSuccessfully"
