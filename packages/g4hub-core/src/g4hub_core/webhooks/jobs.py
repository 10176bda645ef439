"""Running the webhook work: applying stored deliveries, and the watchdog that keeps every
store's subscriptions alive.

A delivery is a row before it is work: the endpoint stores it, then wakes what applies it
(`wake`), and stored rows are also looked for every `poll_interval` seconds, so deliveries
stored by another process sharing the database, or left by a crash, are applied too. Each
batch of deliveries is applied in one transaction, its rows locked meanwhile (on PostgreSQL,
`SKIP LOCKED`: several processes share the work, none applies a delivery twice); a batch cut
short (a process killed, a lost connection) is rolled back whole and applied again later.

Two ways to apply them:

- in this process (the embedded way, SQLite's): `workers` tasks drain the inbox when woken;
- as jobs on the hub's job queue (`nudge`, procrastinate on PostgreSQL): a delivery defers a
  job that drains the inbox in a worker (`apply_waiting`), at most one waiting at a time; the
  poll only nudges again when deliveries wait (a deferral that failed, a job that died).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from g4hub_core.jobs_loop import Loops, run_woken
from g4hub_core.webhooks.inbox import WebhookInbox

__all__ = ["NUDGE_GAP", "WebhookRunner"]

logger = logging.getLogger("g4hub_core.webhooks")

NUDGE_GAP = 0.1
"""Seconds at least between two nudges of the job queue."""


class WebhookRunner:
    """`workers` tasks applying deliveries (or, with `nudge`, one task nudging the job queue
    when deliveries wait); a watchdog calling `watch` every `watch_interval` seconds (`None`:
    no watchdog)."""

    def __init__(
        self,
        inbox: WebhookInbox,
        *,
        watch: Callable[[], Awaitable[object]] | None = None,
        watch_interval: float | None = None,
        poll_interval: float = 2.0,
        workers: int = 2,
        nudge: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._inbox = inbox
        self._watch = watch
        self._watch_interval = watch_interval
        self._poll_interval = poll_interval
        self._workers = workers
        self._nudge = nudge
        self._wake = asyncio.Event()
        self._loops = Loops()

    @property
    def queued(self) -> bool:
        """Deliveries are applied as jobs on the job queue, not by this runner's tasks."""
        return self._nudge is not None

    def notify(self) -> None:
        """A delivery was stored: apply it now rather than at the next poll (this process's
        tasks; see `wake`)."""
        self._wake.set()

    async def wake(self) -> None:
        """A delivery was stored: wake this process's tasks, which apply it or (with `nudge`)
        have the job queue apply it. Returns at once: deliveries arriving together share one
        nudge, so answering the store never waits on the queue."""
        self.notify()

    async def start(self) -> None:
        if self._nudge is None:
            for n in range(self._workers):
                self._loops.start(f"webhook apply {n}", self._apply_loop())
        else:
            self._loops.start("webhook nudge", self._nudge_loop())
        if self._watch is not None and self._watch_interval is not None:
            self._loops.start("webhook watchdog", self._watch_loop())

    async def stop(self) -> None:
        await self._loops.stop()

    async def apply_waiting(self) -> int:
        """Apply batches until none waits (what a job of the queue runs); returns how many."""
        handled = 0
        while await self._inbox.apply_next():
            handled += 1
        return handled

    async def drain(self, *, timeout: float = 30.0) -> int:
        """Apply every delivery waiting now, in this task, and wait for those other tasks or
        processes are applying; returns how many batches this task handled. Deliveries waiting
        for a retry are left to it."""
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
        await run_woken(
            self._loops,
            self._wake,
            self._poll_interval,
            self.apply_waiting,
            logger=logger,
            failure="applying webhook deliveries failed; retrying",
        )

    async def _nudge_loop(self) -> None:
        # Woken: nudge (a delivery stored before the wake-up is cleared is seen by the job the
        # nudge leaves waiting; one stored after wakes the loop again). Not woken for a poll
        # interval: nudge only when deliveries wait.
        assert self._nudge is not None
        while await self._loops.pause(self._poll_interval, self._wake):
            woken = self._wake.is_set()
            self._wake.clear()
            try:
                if woken or await self._inbox.waiting():
                    await self._nudge()
            except Exception:
                logger.warning("queueing webhook deliveries failed; retrying", exc_info=True)
            if woken:
                # Deliveries arriving meanwhile share the next nudge: a stream costs the queue
                # a few deferrals a second, not one per delivery (the job waiting, or the one
                # running, applies them anyway).
                await self._loops.pause(NUDGE_GAP)

    async def _watch_loop(self) -> None:
        assert self._watch is not None
        assert self._watch_interval is not None
        while await self._loops.pause(self._watch_interval):
            try:
                await self._watch()
            except Exception:
                logger.warning("the webhook watchdog failed; retrying", exc_info=True)
