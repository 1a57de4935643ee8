"""Supervised background tasks: an exception is logged once with its traceback, the task is
restarted with backoff, and the reason stays visible until it runs again.

Every long-running task of the hub (print workers, pollers, purges, monitors) runs under
``supervise``: a task that dies silently would leave the hub wrong without saying so (a print
worker killed by a full disk left jobs queued forever).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from hubd.clock import Clock
from hubd.errors import HubError

log = logging.getLogger(__name__)

MIN_BACKOFF = 0.5
MAX_BACKOFF = 30.0


@dataclass
class TaskHealth:
    """What a supervised task is doing: running, or failed and waiting to restart (and why)."""

    name: str
    failures: int = 0
    reason: str = ""
    detail: str = ""

    @property
    def healthy(self) -> bool:
        """True while it runs without a failure since its last restart."""
        return not self.reason


def supervise(
    name: str,
    run: Callable[[], Awaitable[None]],
    clock: Clock,
    *,
    on_change: Callable[[TaskHealth], None] | None = None,
    max_backoff: float = MAX_BACKOFF,
) -> tuple[asyncio.Task[None], TaskHealth]:
    """Run ``run()`` forever in a task: when it raises, log once, report, wait, run it again.

    A ``run`` that returns normally is done (not restarted). Cancellation stops it.
    ``on_change`` hears of each failure and of the first good second after a restart.
    """
    health = TaskHealth(name)

    async def loop() -> None:
        backoff = MIN_BACKOFF
        while True:
            started = clock.monotonic()
            try:
                await run()
                return
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 - supervision is the point
                reason = err.reason if isinstance(err, HubError) else "TASK_FAILED"
                detail = f"{type(err).__name__}: {err}"
                if clock.monotonic() - started > max_backoff:
                    backoff = MIN_BACKOFF  # it ran fine for a while: a fresh failure
                if health.reason != reason or health.detail != detail:
                    log.error("task %s failed (%s); restarting in %.1f s", name, reason, backoff,
                              exc_info=err)
                else:
                    log.debug("task %s failed again: %s", name, detail)
                health.failures += 1
                health.reason, health.detail = reason, detail
                if on_change is not None:
                    on_change(health)
                await clock.sleep(backoff)
                backoff = min(max_backoff, backoff * 2)
                log.info("task %s restarting (attempt %d)", name, health.failures + 1)

    return asyncio.create_task(loop(), name=name), health


def recovered(health: TaskHealth, on_change: Callable[[TaskHealth], None] | None = None) -> None:
    """A supervised task calls this once it has done useful work again: the reason is cleared."""
    if health.reason:
        log.info("task %s works again", health.name)
        health.reason = health.detail = ""
        if on_change is not None:
            on_change(health)
