"""The background loops of the hub's in-process runners (bulk writes, rules, webhook
deliveries, sync polling): `Loops` starts them and stops them between rounds, and `run_woken` is
the loop most of them run: wait until woken or a poll interval passes, do the work, log a
failure and go on.

Stopping waits for the round in hand rather than cancelling it: a task cancelled in the middle
of a query leaves its connection to be rolled back by a cancelled task (SQLAlchemy logs
"Exception during reset", and an aiosqlite thread may answer a loop that has closed). Only a
round still running after the grace period (a store that stopped answering) is cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

__all__ = ["STOP_GRACE", "Loops", "run_woken", "stop_tasks"]

logger = logging.getLogger("g4hub_core.jobs")

STOP_GRACE = 10.0
"""Seconds `Loops.stop` lets a round finish before cancelling it."""


class Loops:
    """A runner's background tasks, each a loop that waits with `pause` between rounds.

    `pause` returns False once `stop` was called (at once if it is waiting), so a loop written
    `while await loops.pause(...)` ends after its round; `stop` waits `grace` seconds for that,
    then cancels what is still running."""

    def __init__(self, *, grace: float = STOP_GRACE) -> None:
        self._grace = grace
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self, name: str, loop: Coroutine[Any, Any, None]) -> None:
        """Run `loop` as a task named `name` (after a `stop`, the loops run again)."""
        if not self._tasks:
            self._stopping = asyncio.Event()
        self._tasks.append(asyncio.create_task(loop, name=name))

    async def pause(self, seconds: float, wake: asyncio.Event | None = None) -> bool:
        """Wait `seconds`, or until `wake` is set; False (at once) when the loops are
        stopping, True otherwise. `wake` is left as it is: the caller clears it."""
        if self._stopping.is_set():
            return False
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if wake is not None:
            waits.append(asyncio.ensure_future(wake.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        return not self._stopping.is_set()

    async def stop(self) -> None:
        """Ask the loops to end after their round, wait up to the grace period, then cancel
        what is left and wait for it."""
        tasks, self._tasks = self._tasks, []
        self._stopping.set()
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self._grace)
        await stop_tasks(late)
        for task in tasks:
            if not task.cancelled() and (crash := task.exception()) is not None:
                logger.error("%s ended with an error", task.get_name(), exc_info=crash)


async def run_woken(
    loops: Loops,
    wake: asyncio.Event,
    poll_interval: float,
    work: Callable[[], Awaitable[object]],
    *,
    logger: logging.Logger,
    failure: str,
) -> None:
    """Until `loops` stop: wait for `wake` (set by whoever queued work) or `poll_interval`
    seconds, clear it, then run `work`. An exception of `work` is logged as `failure` (the
    database may be away for a moment: the rows wait) and the loop goes on."""
    while await loops.pause(poll_interval, wake):
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
