"""A scripted scan job, for unit tests of the shared job state machine (not of a device path)."""

from __future__ import annotations

import asyncio

from hubd.classes.scanner.contract import ColorMode, PageFormat, ScanJob, ScannedPage, ScanRequest


def raw_page(number: int, width: int = 4, height: int = 3) -> ScannedPage:
    """A tiny gray RAW page."""
    return ScannedPage(number, bytes(width * height), PageFormat.RAW, width, height, 100, ColorMode.GRAY)


class ScriptedJob(ScanJob):
    """Pages come out of ``feed`` (a page, None for the end, or an exception to raise)."""

    def __init__(self, request: ScanRequest) -> None:
        super().__init__(request)
        self.feed: asyncio.Queue[ScannedPage | BaseException | None] = asyncio.Queue()
        self.aborts = 0
        self.releases = 0
        self.waiting = asyncio.Event()

    async def _next_page(self) -> ScannedPage | None:
        self.waiting.set()
        item = await self.feed.get()
        self.waiting.clear()
        if isinstance(item, BaseException):
            raise item
        return item

    async def _abort(self) -> None:
        self.aborts += 1

    async def _release(self) -> None:
        self.releases += 1
