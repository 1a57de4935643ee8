"""Jobs of the ESC/P printer simulator: what comes out of the printer, and the files it leaves.

``Printout`` holds the page being printed (a ``PageRaster``), the transcript and the current and
last finished jobs; ``JobStore`` writes them to the output folder as they happen:
``job-NNNN.txt`` (flushed per line), ``job-NNNN[-pK].png`` per page, ``job-NNNN.bin`` (the job's
exact bytes) and ``index.json``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

import numpy as np
from PIL import Image

from kioskhub.simulators.escp_render import PageRaster, Transcript
from kioskhub.simulators.printer_common import JOB_ID, JobIndex, job_stem, write_atomic

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 64 * 1024 * 1024
"""Page images kept in memory across the last jobs (packed); the newest job keeps all of its own."""


class PageImages(Sequence[Image.Image]):
    """A job's pages, kept packed at 1 bit per pixel (a PIL "1" image takes a byte per pixel:
    an 82-page job on a 24-pin carriage was over a gigabyte); each is unpacked when read."""

    def __init__(self) -> None:
        self._pages: list[tuple[bytes, tuple[int, int]]] = []

    def append(self, image: Image.Image) -> None:
        """Keep one page."""
        bits = np.asarray(image.convert("1"), dtype=bool)
        self._pages.append((np.packbits(bits).tobytes(), image.size))

    def clear(self) -> None:
        """Forget the pages (their files, if any, stay on disk)."""
        self._pages.clear()

    @property
    def nbytes(self) -> int:
        """Memory the packed pages take."""
        return sum(len(data) for data, _ in self._pages)

    def __len__(self) -> int:
        return len(self._pages)

    @overload
    def __getitem__(self, i: int) -> Image.Image: ...
    @overload
    def __getitem__(self, i: slice) -> list[Image.Image]: ...
    def __getitem__(self, i: int | slice) -> Image.Image | list[Image.Image]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        data, (width, height) = self._pages[i]
        bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), count=width * height)
        return Image.fromarray(bits.reshape(height, width).astype(bool))


@dataclass
class Job:
    """One print job: its number, transcript lines, finished pages, kioskhub job ids and the
    exact bytes the printer took for it (``raw``, saved as ``job-NNNN.bin``)."""

    number: int
    lines: list[str] = field(default_factory=list)
    pages: PageImages = field(default_factory=PageImages)
    ids: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    has_content: bool = False
    raw: bytes = b""
    raw_file: str | None = None


class JobStore:
    """Writes ``job-NNNN.txt`` (flushed per line), ``job-NNNN[-pK].png``, ``job-NNNN.bin`` (the
    job's bytes, at its end) and ``index.json`` (``raw`` maps a job number to its .bin file)."""

    def __init__(self, out_dir: Path) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.index = JobIndex(self.dir, "raw")

    def line(self, job: Job, text: str) -> None:
        """Append one transcript line to the job's text file and flush it."""
        name = f"{job_stem(job.number)}.txt"
        mode = "a" if name in job.files else "w"  # a job's first line replaces an old file
        with open(self.dir / name, mode, encoding="utf-8") as fh:
            fh.write(text + "\n")
        if name not in job.files:
            job.files.insert(0, name)
            self._write_index(job)
        elif JOB_ID.search(text):
            self._write_index(job)

    def page(self, job: Job, image: Image.Image) -> None:
        """Write the job's next page image."""
        n, stem = len(job.pages), job_stem(job.number)
        name = f"{stem}.png" if n == 1 else f"{stem}-p{n}.png"
        image.save(self.dir / name, compress_level=1)
        job.files.append(name)
        self._write_index(job)

    def raw(self, job: Job) -> None:
        """Write the bytes the job was received as (``job-NNNN.bin``)."""
        name = f"{job_stem(job.number)}.bin"
        write_atomic(self.dir / name, job.raw)
        job.raw_file = name
        self.index.data["raw"][str(job.number)] = name
        self._write_index(job)

    def _write_index(self, job: Job) -> None:
        self.index.record(job.number, {"job": job.number, "files": list(job.files)}, job.ids)


class Printout:
    """What comes out of the printer: the page being printed, transcript lines and jobs."""

    def __init__(
        self, pins: int, columns: int, font_path: str | None, stats: dict[str, int],
        out_dir: Callable[[], str | None], keep_jobs: int = 16,
    ) -> None:
        self.pins, self.width_in = pins, columns / 10
        self.font_path, self.stats, self.keep_jobs = font_path, stats, keep_jobs
        self._out_dir = out_dir
        self.transcript = Transcript()
        self.jobs: list[Job] = []
        self.job: Job | None = None
        self.page: PageRaster | None = None
        self._store: JobStore | None = None
        self._next_job = 1

    def raster(self, page_len: int) -> PageRaster:
        """The page being printed (a fresh one ``page_len`` units long if none)."""
        if self.page is None:
            self.page = PageRaster(self.pins, self.width_in, page_len, self.font_path)
        return self.page

    def current_job(self) -> Job:
        """The job being printed, started if none."""
        if self.job is None:
            self.job = Job(self._next_job)
            self._next_job += 1
            self.stats["jobs"] += 1
        return self.job

    def store(self) -> JobStore | None:
        """The file writer, when an output folder is set."""
        out = self._out_dir()
        if out is None:
            return None
        if self._store is None or self._store.dir != Path(out):
            self._store = JobStore(Path(out))
        return self._store

    def end_line(self, blank_line: bool, flush: bool = False) -> None:
        """Finish the transcript line (and a waiting graphics line when ``flush``)."""
        lines = self.transcript.end_line(blank_line)
        if flush:
            lines += self.transcript.flush()
        for text in lines:
            job = self.current_job()
            job.lines.append(text)
            job.ids += JOB_ID.findall(text)
            store = self.store()
            if store is not None:
                store.line(job, text)

    def finish_page(self, head_row_units: int | None) -> None:
        """Eject the page: full length, or cropped to the head row / last ink when given."""
        page, self.page = self.page, None
        if page is None:
            return
        rows = None
        if head_row_units is not None:
            rows = max(page.used_rows, page.py(head_row_units))
        job = self.current_job()
        image = page.image(rows)
        job.pages.append(image)
        self.stats["pages"] += 1
        store = self.store()
        if store is not None:
            store.page(job, image)

    def end_job(self, head_row_units: int, raw: bytes = b"") -> Job | None:
        """Finish the current job (last page cropped, ``raw`` = its bytes); return it, or None
        if there was none."""
        self.end_line(False, flush=True)
        if self.job is None:
            return None
        self.finish_page(head_row_units)
        job, self.job = self.job, None
        job.raw = raw
        store = self.store()
        if store is not None:
            store.raw(job)
        self.jobs = [*self.jobs, job][-self.keep_jobs :]
        self._bound_memory()
        return job

    def _bound_memory(self) -> None:
        """Keep at most ``MAX_PAGE_BYTES`` of page images across the kept jobs: the oldest jobs'
        pages go first (their PNGs, if written, stay on disk; transcripts are kept)."""
        total = sum(j.pages.nbytes for j in self.jobs)
        for old in self.jobs[:-1]:
            if total <= MAX_PAGE_BYTES:
                break
            total -= old.pages.nbytes
            old.pages.clear()
