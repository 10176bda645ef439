"""The runner loop the hub's in-process runners share (bulk writes; webhook deliveries alike):
wait until woken or a poll interval passes, do the work, log a failure and go on; and stopping
a runner's tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable

__all__ = ["run_woken", "stop_tasks"]


async def run_woken(
    wake: asyncio.Event,
    poll_interval: float,
    work: Callable[[], Awaitable[object]],
    *,
    logger: logging.Logger,
    failure: str,
) -> None:
    """Forever: wait for `wake` (set by whoever queued work) or `poll_interval` seconds, clear
    it, then run `work`. An exception of `work` is logged as `failure` (the database may be away
    for a moment: the rows wait) and the loop goes on; cancellation ends it."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), poll_interval)
        wake.clear()
        try:
            await work()
        except Exception:
            logger.warning(failure, exc_info=True)


async def stop_tasks(tasks: Iterable[asyncio.Task[None]]) -> None:
    """Cancel `tasks` and wait for each to end."""
    stopping = list(tasks)
    for task in stopping:
        task.cancel()
    for task in stopping:
        with contextlib.suppress(asyncio.CancelledError):
            await task
