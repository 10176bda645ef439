"""Awaiting database work to its end even while the sync that asked for it is cancelled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["settled", "settled_quietly"]

logger = logging.getLogger("g4hub_core.sync")

T = TypeVar("T")


async def settled(work: Coroutine[Any, Any, T] | asyncio.Future[T]) -> T:
    """Await `work` to its end even if this task is cancelled meanwhile, then raise the
    cancellation. A database call cut short can leave its connection mid-command (a COPY), and a
    cancelled sync still has to write down why."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            # This task's cancellation, unless `work` itself was cancelled (its result below
            # raises that). `work` may have just finished: the cancellation still counts.
            cancelled = cancelled or not task.cancelled()
        except Exception:  # noqa: S110 - the task's own error, raised by `result()` below
            pass
    if cancelled:
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.warning("a sync's write failed while the sync was cancelled", exc_info=error)
        raise asyncio.CancelledError
    return task.result()


async def settled_quietly(work: Coroutine[Any, Any, Any] | asyncio.Future[Any]) -> None:
    """`settled`, logging the work's error instead of raising it: for clean-up while another
    error, or a cancellation, is on its way out."""
    try:
        await settled(work)
    except Exception:
        logger.warning("a sync's last write failed", exc_info=True)
