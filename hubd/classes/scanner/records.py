"""A scan job's records: where it is (``ScanState``), what is known of its pages (``PageInfo``),
the job as it is at one moment (``ScanJobInfo``: what events carry and the API shows) and the
runner's own record of it (``ScanRecord``). Pages' pixels are not kept (a request_id's finished
file is, for replays), and nothing goes to disk."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field
from datetime import datetime

from hubd.classes.scanner.contract import ColorMode, ScanJob, ScannedPage
from hubd.classes.scanner.order import ScanOrder
from hubd.classes.scanner.output import OutputFile


class ScanState(enum.Enum):
    """Where a scan job is."""

    SCANNING = "scanning"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class PageInfo:
    """What is known of a delivered page without its pixels."""

    number: int
    width_px: int
    height_px: int
    dpi: int
    color_mode: ColorMode
    size_bytes: int

    @classmethod
    def of(cls, page: ScannedPage) -> PageInfo:
        """The info of ``page``."""
        return cls(page.number, page.width_px, page.height_px, page.dpi, page.color_mode, len(page.data))


@dataclass(frozen=True)
class ScanJobInfo:
    """A scan job as it is at one moment (what events carry and the API shows)."""

    scan_job_id: str
    device_id: str
    order: ScanOrder
    state: ScanState
    dpi: int
    page_count: int
    created: datetime
    ended: datetime | None = None
    reason: str = ""
    detail: str = ""


@dataclass(eq=False)
class ScanRecord:
    """A scan job while it runs and for keep_results after it ended."""

    scan_job_id: str
    device_id: str
    order: ScanOrder
    dpi: int
    created: datetime
    job: ScanJob | None = None
    state: ScanState = ScanState.SCANNING
    pages: list[PageInfo] = field(default_factory=list)
    ended: datetime | None = None
    reason: str = ""
    detail: str = ""
    output: OutputFile | None = None
    """The file, kept only for a request_id's replay."""
    cancel_requested: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def done(self) -> bool:
        """True once the job has ended."""
        return self.ended is not None

    def info(self) -> ScanJobInfo:
        """A snapshot."""
        return ScanJobInfo(self.scan_job_id, self.device_id, self.order, self.state, self.dpi,
                           len(self.pages), self.created, self.ended, self.reason, self.detail)


Progress = ScanJobInfo | PageInfo | OutputFile
