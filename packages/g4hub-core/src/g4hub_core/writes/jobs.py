"""Bulk changes as jobs: a `write_jobs` row holds the items and, as they are written, their
outcomes; `WriteRunner` runs queued jobs in the hub's process.

A job is a row before it is work: accepting one stores it and wakes the runner (`notify`), and
the runner also polls for queued rows, so a job accepted by another process sharing the
database runs too. A job is claimed in its own transaction (on PostgreSQL with `SKIP LOCKED`, so
processes share the work); each item is written in its own transaction (its row refresh and
audit entries commit with it), and progress is saved every few items.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from g4hub_core.db.base import utcnow
from g4hub_core.errors import CoreError
from g4hub_core.models import WriteJob
from g4hub_core.unit import UnitFactory, UnitOfWork
from g4hub_core.writes.schemas import BulkItem, ProductChange, WriteJobRead
from g4hub_core.writes.service import WriteService

__all__ = ["WriteRunner", "job_read"]

logger = logging.getLogger("g4hub_core.writes")

_SAVE_EVERY = 20
"""Items between progress saves: a job's results are one JSON document, rewritten each save."""


def job_read(job: WriteJob) -> WriteJobRead:
    counts: dict[str, int] = {}
    for result in job.results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return WriteJobRead(
        id=job.id,
        store_id=job.store_id,
        status=job.status,
        total=job.total,
        done=job.done,
        progress=1.0 if job.total == 0 else round(job.done / job.total, 4),
        counts=counts,
        results=list(job.results),
        error_message=job.error_message,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def _failure(item: BulkItem, exc: CoreError) -> dict[str, Any]:
    return {
        "product_id": item.product_id,
        "variant_id": item.variant_id,
        "status": "failed",
        "error_code": exc.code,
        "message": exc.message,
    }


class WriteRunner:
    """Runs queued bulk jobs: `workers` tasks, woken by `notify` or every `poll_interval`
    seconds. `service` builds the write service of a tenant's unit."""

    def __init__(
        self,
        work: UnitFactory,
        service: Callable[[UnitOfWork], WriteService],
        *,
        poll_interval: float = 2.0,
        workers: int = 1,
    ) -> None:
        self._work = work
        self._service = service
        self._poll_interval = poll_interval
        self._workers = workers
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def notify(self) -> None:
        """A job was queued: run it now rather than at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(), name=f"write jobs {n}") for n in range(self._workers)
        ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self) -> int:
        """Run every queued job now, in this task; returns how many ran."""
        ran = 0
        while await self.run_next():
            ran += 1
        return ran

    async def run_next(self) -> bool:
        """Claim the oldest queued job and run it to its end; `False` when none is queued."""
        async with self._work(None) as work:
            job = (
                await work.session.scalars(
                    select(WriteJob)
                    .where(WriteJob.status == "queued")
                    .order_by(WriteJob.created_at)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
            ).one_or_none()
            if job is None:
                return False
            job.status = "running"
            job.started_at = utcnow()
            claimed = (job.id, job.tenant_id, job.store_id, job.actor, list(job.items))
        await self._run(*claimed)
        return True

    async def _run(
        self,
        job_id: uuid.UUID,
        tenant_id: uuid.UUID,
        store_id: uuid.UUID,
        actor: str | None,
        items: Sequence[dict[str, Any]],
    ) -> None:
        results: list[dict[str, Any]] = []
        try:
            for index, raw in enumerate(items):
                item = BulkItem.model_validate(raw)
                change = ProductChange.model_validate(
                    item.model_dump(exclude={"product_id"}, exclude_unset=True)
                )
                try:
                    async with self._work(tenant_id) as work:
                        outcome = await self._service(work).update(
                            store_id, item.product_id, change, actor=actor, job_id=job_id
                        )
                    results.append(outcome.model_dump(mode="json", exclude={"product"}))
                except CoreError as exc:
                    results.append(_failure(item, exc))
                if (index + 1) % _SAVE_EVERY == 0:
                    await self._save(tenant_id, job_id, results, None)
            await self._save(tenant_id, job_id, results, "succeeded")
        except asyncio.CancelledError:
            await self._save(
                tenant_id, job_id, results, "failed", message="The hub stopped during the job."
            )
            raise
        except Exception:
            logger.warning("write job %s failed", job_id, exc_info=True)
            await self._save(
                tenant_id, job_id, results, "failed", message="The job stopped on an error."
            )

    async def _save(
        self,
        tenant_id: uuid.UUID,
        job_id: uuid.UUID,
        results: list[dict[str, Any]],
        status: str | None,
        *,
        message: str | None = None,
    ) -> None:
        async with self._work(tenant_id) as work:
            job = await work.session.get(WriteJob, job_id)
            if job is None:  # the store, and its jobs, were removed meanwhile
                return
            job.results = list(results)
            job.done = len(results)
            if status is not None:
                job.status = status
                job.finished_at = utcnow()
                job.error_message = message

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)
            self._wake.clear()
            try:
                await self.drain()
            except Exception:
                logger.warning("running write jobs failed; retrying", exc_info=True)
