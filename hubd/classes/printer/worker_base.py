"""What every print worker shares: the wake-up, waiting, and queue commits that must happen.

A worker prints one printer's queue in order (``PrintWorker`` streams receipt bytes,
``DocumentWorker`` hands documents to an IPP printer and follows them). A job store that cannot
write (disk full) does not end a worker or leave a job half-recorded: state changes are retried
with backoff until they commit (shown on the printer meanwhile); a reason that cannot be shown is
only logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from hubd.clock import Clock
from hubd.errors import HubError
from hubd.supervisor import Supervisor
from hubd.tasks import TaskHealth

if TYPE_CHECKING:
    from hubd.classes.printer.spooler_runtime import SpoolerRuntime

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_MIN, RETRY_MAX = 0.5, 10.0


class QueueWorker:
    """Base of the print workers: one per printer, driven by ``run`` (supervised by the spooler)."""

    def __init__(self, printing: SpoolerRuntime, sup: Supervisor, clock: Clock) -> None:
        self.printing = printing
        self.queue = printing.queue
        self._q = printing.call  # queue calls run on the queue's thread
        self.sup = sup
        self.clock = clock
        self.wake = asyncio.Event()
        self.health = TaskHealth(f"print-worker:{sup.id}")

    async def run(self) -> None:
        """Forever: print the next job, or wait for one."""
        raise NotImplementedError

    async def abort(self) -> None:
        """The hub is stopping: let go of the printer (a job in flight is recovered at start)."""

    async def _idle(self, seconds: float) -> None:
        """Until a job is submitted, the printer's status changes, or ``seconds`` pass."""
        waits = [
            asyncio.ensure_future(self.wake.wait()),
            asyncio.ensure_future(self.sup.wait_changed()),
            asyncio.ensure_future(self.clock.sleep(seconds)),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
        self.wake.clear()

    async def _commit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A queue change that must happen: retried with backoff while the job store cannot write."""
        delay = RETRY_MIN
        while True:
            try:
                result = await self._q(fn, *args, **kwargs)
            except HubError as err:
                if not err.reason.startswith("STORAGE"):
                    raise
                if delay == RETRY_MIN:
                    log.error("%s: job store: %s; retrying", self.sup.id, err.message)
                self.printing.failing(self, err)  # shown on the printer meanwhile
            else:
                self.printing.worked(self)  # the queue answered: a storage failure is over
                return result
            await self.clock.sleep(delay)
            delay = min(RETRY_MAX, delay * 2)

    async def _show(self, fn: Callable[..., object], *args: Any) -> None:
        """A reason shown on a job: worth a try, not worth stopping a print for."""
        try:
            await self._q(fn, *args)
        except HubError as err:
            if not err.reason.startswith("STORAGE"):
                raise
            log.warning("%s: job store: %s (reason not recorded)", self.sup.id, err.message)
