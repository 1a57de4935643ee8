"""A running scan job: pages arrive one by one as an async iterator; ``cancel`` stops it.

A driver subclasses ``ScanJob`` and fills three hooks: ``_next_page`` (wait for the scanner's
next page; None when there are no more), ``_abort`` (tell the device to stop: an eSCL DELETE, a
``sane_cancel``) and ``_release`` (clean up whatever the outcome). The state machine here is
shared, so every driver ends a job the same way::

    job = await scanner.start_scan(ScanRequest(source=ScanSource.ADF, dpi=200))
    async with job:                      # leaving the block early cancels the job
        async for page in job:           # ScannedPage, numbered from 1
            ...
    job.state, job.error                 # COMPLETED / CANCELED / FAILED (+ the HubError)

``await job.cancel()`` may come from any task: a page being waited for is abandoned, the device
is told to stop, and the iteration ends (StopAsyncIteration) with state CANCELED. A failure
(jam, cover opened, link dropped) is raised from the iteration as a ``HubError`` and kept in
``job.error``.
"""

from __future__ import annotations

import abc
import asyncio
import enum
import logging
from types import TracebackType

from hubd.classes.scanner.values import ScannedPage, ScanRequest
from hubd.errors import DeviceUnavailable, HubError

log = logging.getLogger(__name__)


class JobState(enum.Enum):
    """Where a scan job is: still scanning, or how it ended."""

    SCANNING = "scanning"
    COMPLETED = "completed"
    CANCELED = "canceled"
    FAILED = "failed"


class ScanJob(abc.ABC):
    """One scan job on one scanner; iterate it for pages, ``cancel`` it from anywhere."""

    def __init__(self, request: ScanRequest) -> None:
        self.request = request
        self.state = JobState.SCANNING
        self.error: HubError | None = None
        self.pages = 0
        self._cancel_requested = asyncio.Event()
        self._ended = asyncio.Event()
        self._end_lock = asyncio.Lock()
        self._fetch: asyncio.Future[ScannedPage | None] | None = None

    # ------------------------------------------------------------------ driver hooks
    @abc.abstractmethod
    async def _next_page(self) -> ScannedPage | None:
        """Wait for the device's next page; None when the job has no more; raise ``HubError``."""

    @abc.abstractmethod
    async def _abort(self) -> None:
        """Tell the device to stop scanning this job; never raises."""

    async def _release(self) -> None:
        """Free what the job holds once it has ended, whatever the outcome; never raises."""

    # ------------------------------------------------------------------ public
    @property
    def done(self) -> bool:
        """True once the job has ended (completed, canceled or failed)."""
        return self._ended.is_set()

    @property
    def page_limit(self) -> int | None:
        """Pages this job stops after: 1 on the flatbed, ``max_pages`` (or none) on the feeder."""
        return self.request.max_pages if self.request.source.is_feeder else 1

    def __aiter__(self) -> ScanJob:
        return self

    async def __anext__(self) -> ScannedPage:
        if self.done:
            raise StopAsyncIteration
        if self._cancel_requested.is_set():
            await self._end(JobState.CANCELED, abort=True)
            raise StopAsyncIteration
        limit = self.page_limit
        if limit is not None and self.pages >= limit:
            await self._end(JobState.COMPLETED, abort=self.request.source.is_feeder)
            raise StopAsyncIteration
        page = await self._wait_for_page()
        if page is None:
            raise StopAsyncIteration
        self.pages += 1
        return page

    async def cancel(self) -> None:
        """Stop the job and return once it has ended (a no-op when it already has)."""
        if self.done:
            return
        self._cancel_requested.set()
        if self._fetch is None or self._fetch.done():
            await self._end(JobState.CANCELED, abort=True)
        else:
            await self._ended.wait()  # the iterating task sees the request and ends the job

    async def aclose(self) -> None:
        """Cancel unless the job has already ended (for ``contextlib.aclosing``)."""
        await self.cancel()

    async def __aenter__(self) -> ScanJob:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.cancel()

    # ------------------------------------------------------------------ internals
    async def _wait_for_page(self) -> ScannedPage | None:
        """Race the device's next page against a cancel request; end the job on anything but a page."""
        fetch = self._fetch = asyncio.ensure_future(self._next_page())
        cancelled = asyncio.ensure_future(self._cancel_requested.wait())
        try:
            await asyncio.wait({fetch, cancelled}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the consumer went away: stop the scanner too
            await asyncio.shield(self._end(JobState.CANCELED, abort=True, pending=fetch))
            raise
        finally:
            cancelled.cancel()
        if self._cancel_requested.is_set():
            await self._end(JobState.CANCELED, abort=True, pending=fetch)
            return None
        try:
            page = fetch.result()
        except HubError as err:
            await self._end(JobState.FAILED, err, abort=True)
            raise
        except Exception as err:  # a driver bug: still end the job and say so with a reason
            wrapped = DeviceUnavailable(f"scan failed: {type(err).__name__}: {err}", reason="DRIVER_ERROR")
            await self._end(JobState.FAILED, wrapped, abort=True)
            raise wrapped from err
        if page is None:
            await self._end(JobState.COMPLETED)
        return page

    async def _end(
        self,
        state: JobState,
        error: HubError | None = None,
        *,
        abort: bool = False,
        pending: asyncio.Future[ScannedPage | None] | None = None,
    ) -> None:
        """End the job once: stop the device if asked, drop a pending wait, release, record."""
        async with self._end_lock:
            if self.done:
                return
            if abort:
                await self._abort()
            if pending is not None:
                pending.cancel()  # a no-op when it is done; its outcome is dropped either way
                await asyncio.gather(pending, return_exceptions=True)
            await self._release()
            self.state, self.error = state, error
            self._ended.set()
        log.info("scan job ended %s after %d page(s)%s", state.value, self.pages,
                 f": {error.reason}" if error else "")
