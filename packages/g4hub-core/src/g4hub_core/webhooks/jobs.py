"""Running the webhook work in the hub's process: applying stored deliveries, and the watchdog
that keeps every store's subscriptions alive.

A delivery is a row before it is work: the endpoint stores it and wakes the processor (`notify`),
and the processor also looks for pending rows every `poll_interval` seconds, so deliveries stored
by another process sharing the database (a web process beside workers), or left by a crash, are
applied too. Each delivery is applied in its own transaction, locked while it is (on PostgreSQL,
`SKIP LOCKED`: several processes share the work, none applies a delivery twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from g4hub_core.webhooks.inbox import WebhookInbox

__all__ = ["WebhookRunner"]

logger = logging.getLogger("g4hub_core.webhooks")


class WebhookRunner:
    """`workers` tasks applying deliveries; a watchdog calling `watch` every `watch_interval`
    seconds (`None`: no watchdog)."""

    def __init__(
        self,
        inbox: WebhookInbox,
        *,
        watch: Callable[[], Awaitable[object]] | None = None,
        watch_interval: float | None = None,
        poll_interval: float = 2.0,
        workers: int = 2,
    ) -> None:
        self._inbox = inbox
        self._watch = watch
        self._watch_interval = watch_interval
        self._poll_interval = poll_interval
        self._workers = workers
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def notify(self) -> None:
        """A delivery was stored: apply it now rather than at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._apply_loop(), name=f"webhook apply {n}")
            for n in range(self._workers)
        ]
        if self._watch is not None and self._watch_interval is not None:
            self._tasks.append(asyncio.create_task(self._watch_loop(), name="webhook watchdog"))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self, *, timeout: float = 30.0) -> int:
        """Apply every delivery waiting now, in this task, and wait for those other tasks or
        processes are applying; returns how many this task handled. Deliveries waiting for a
        retry are left to it."""
        handled = 0
        async with asyncio.timeout(timeout):
            while True:
                if await self._inbox.apply_next():
                    handled += 1
                elif not await self._inbox.waiting():
                    return handled
                else:
                    await asyncio.sleep(0.01)

    async def _apply_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)
            self._wake.clear()
            try:
                while await self._inbox.apply_next():
                    pass
            except Exception:
                # The database may be away for a moment: the rows wait, the loop goes on.
                logger.warning("applying webhook deliveries failed; retrying", exc_info=True)

    async def _watch_loop(self) -> None:
        assert self._watch is not None
        assert self._watch_interval is not None
        while True:
            await asyncio.sleep(self._watch_interval)
            try:
                await self._watch()
            except Exception:
                logger.warning("the webhook watchdog failed; retrying", exc_info=True)
