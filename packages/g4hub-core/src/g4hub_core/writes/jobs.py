"""Bulk changes as jobs: a `write_jobs` row holds the items and, as they are written, their
outcomes; `WriteRunner` runs queued jobs in the hub's process.

A job is a row before it is work: accepting one stores it and wakes the runner (`notify`), and
the runner also polls for queued rows, so a job accepted by another process sharing the
database runs too. A job is claimed in its own transaction (on PostgreSQL with `SKIP LOCKED`, so
processes share the work); each item is written in its own transaction (its row refresh and
audit entries commit with it), all on one connector to the store, and progress is saved every
few items or seconds, which is the job's heartbeat (`heartbeat_at`).

Recovery: a job `running` without a heartbeat for `stalled_after` seconds (its worker was
killed) is claimed again and resumes after its last saved result. An item written after that
save but before the kill has its audit entries (they commit with the write): its result is
rebuilt from them, and it is not written again. An item cut off between the store's answer and
that commit is written again expecting the values it asked for the first time (its `expected`),
so the store refuses it as a conflict rather than writing it twice (an item without `expected`
sets the same absolute values again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from g4hub_connectors import BaseConnector
from g4hub_core.db.base import utcnow
from g4hub_core.errors import CoreError
from g4hub_core.jobs_loop import Loops, run_woken
from g4hub_core.models import WriteAudit, WriteJob
from g4hub_core.unit import UnitFactory, UnitOfWork
from g4hub_core.writes.schemas import BulkItem, ProductChange, WriteJobRead
from g4hub_core.writes.service import WriteService

__all__ = ["WriteRunner", "job_read"]

logger = logging.getLogger("g4hub_core.writes")

_SAVE_EVERY = 20
"""Items between progress saves: a job's results are one JSON document, rewritten each save."""
_SAVE_SECONDS = 5.0
"""And at least this often, so a slow job's heartbeat stays fresh."""
RECOVERED = "Written before the worker running the job stopped (from the audit trail)."


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
    seconds, and resumes jobs whose worker stopped saving progress `stalled_after` seconds ago.
    `service` builds the write service of a tenant's unit."""

    def __init__(
        self,
        work: UnitFactory,
        service: Callable[[UnitOfWork], WriteService],
        *,
        poll_interval: float = 2.0,
        workers: int = 1,
        stalled_after: float = 120.0,
    ) -> None:
        self._stalled_after = stalled_after
        self._work = work
        self._service = service
        self._poll_interval = poll_interval
        self._workers = workers
        self._wake = asyncio.Event()
        self._loops = Loops()

    def notify(self) -> None:
        """A job was queued: run it now rather than at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        for n in range(self._workers):
            self._loops.start(f"write jobs {n}", self._loop())

    async def stop(self) -> None:
        await self._loops.stop()

    async def drain(self) -> int:
        """Run every queued job now, in this task; returns how many ran."""
        ran = 0
        while await self.run_next():
            ran += 1
        return ran

    async def run_next(self) -> bool:
        """Claim the oldest queued (or stalled) job and run it to its end; `False` when none
        is."""
        now = utcnow()
        stalled = now - timedelta(seconds=self._stalled_after)
        async with self._work(None) as work:
            job = (
                await work.session.scalars(
                    select(WriteJob)
                    .where(
                        or_(
                            WriteJob.status == "queued",
                            and_(WriteJob.status == "running", WriteJob.heartbeat_at < stalled),
                        )
                    )
                    .order_by(WriteJob.created_at)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
            ).one_or_none()
            if job is None:
                return False
            resumed = job.status == "running"
            if resumed:
                logger.warning("write job %s stalled; resuming after item %d", job.id, job.done)
            job.status = "running"
            job.started_at = job.started_at or now
            job.heartbeat_at = now
            claimed = (job.id, job.tenant_id, job.store_id, job.actor, list(job.items))
            done = list(job.results) if resumed else []
        await self._run(*claimed, done=done, resumed=resumed)
        return True

    async def _recovered(
        self, tenant_id: uuid.UUID, job_id: uuid.UUID, item: BulkItem
    ) -> dict[str, Any] | None:
        """The result of an item of a resumed job as its audit entries tell it, or `None`
        when it left none (it was not written)."""
        async with self._work(tenant_id) as work:
            entries = (
                await work.session.scalars(
                    select(WriteAudit)
                    .where(
                        WriteAudit.tenant_id == tenant_id,
                        WriteAudit.job_id == job_id,
                        WriteAudit.product_id == item.product_id,
                        WriteAudit.variant_id.is_(None)
                        if item.variant_id is None
                        else WriteAudit.variant_id == item.variant_id,
                    )
                    .order_by(WriteAudit.created_at, WriteAudit.id)
                )
            ).all()
        if not entries:
            return None
        return {
            "product_id": item.product_id,
            "variant_id": item.variant_id,
            "status": entries[0].result,
            "error_code": entries[0].error_code,
            "message": RECOVERED,
            "fields": {e.field: {"old": e.old_value, "new": e.new_value} for e in entries},
            "audit_ids": {e.field: str(e.id) for e in entries},
        }

    async def _run(
        self,
        job_id: uuid.UUID,
        tenant_id: uuid.UUID,
        store_id: uuid.UUID,
        actor: str | None,
        items: Sequence[dict[str, Any]],
        *,
        done: Sequence[dict[str, Any]] = (),
        resumed: bool = False,
    ) -> None:
        results: list[dict[str, Any]] = list(done)
        # A resumed job's items past its last save may have been written: the audit trail says
        # which (only up to the next save: later items were surely not).
        unsure = len(results) + _SAVE_EVERY if resumed else 0
        saved_at = time.monotonic()
        try:
            async with contextlib.AsyncExitStack() as opened:
                connector = await self._connector(tenant_id, store_id, opened)
                for index in range(len(results), len(items)):
                    item = BulkItem.model_validate(items[index])
                    recovered = (
                        await self._recovered(tenant_id, job_id, item) if index < unsure else None
                    )
                    if recovered is not None:
                        results.append(recovered)
                    else:
                        results.append(
                            await self._write(tenant_id, store_id, job_id, actor, item, connector)
                        )
                    since = time.monotonic() - saved_at
                    if (index + 1) % _SAVE_EVERY == 0 or since > _SAVE_SECONDS:
                        await self._save(tenant_id, job_id, results, None)
                        saved_at = time.monotonic()
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

    async def _connector(
        self, tenant_id: uuid.UUID, store_id: uuid.UUID, opened: contextlib.AsyncExitStack
    ) -> BaseConnector[Any] | None:
        """The store's connector for the whole job, closed with `opened`; `None` when it does
        not open (the store was removed): each item then ends as a single change would."""
        try:
            async with self._work(tenant_id) as work:
                connector = await self._service(work).open_connector(store_id)
        except CoreError:
            return None
        return await opened.enter_async_context(connector)

    async def _write(
        self,
        tenant_id: uuid.UUID,
        store_id: uuid.UUID,
        job_id: uuid.UUID,
        actor: str | None,
        item: BulkItem,
        connector: BaseConnector[Any] | None,
    ) -> dict[str, Any]:
        change = ProductChange.model_validate(
            item.model_dump(exclude={"product_id"}, exclude_unset=True)
        )
        try:
            async with self._work(tenant_id) as work:
                outcome = await self._service(work).update(
                    store_id,
                    item.product_id,
                    change,
                    actor=actor,
                    job_id=job_id,
                    connector=connector,
                )
        except CoreError as exc:
            return _failure(item, exc)
        return outcome.model_dump(mode="json", exclude={"product"})

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
            job.heartbeat_at = utcnow()
            if status is not None:
                job.status = status
                job.finished_at = utcnow()
                job.error_message = message

    async def _loop(self) -> None:
        await run_woken(
            self._loops,
            self._wake,
            self._poll_interval,
            self.drain,
            logger=logger,
            failure="running write jobs failed; retrying",
        )
