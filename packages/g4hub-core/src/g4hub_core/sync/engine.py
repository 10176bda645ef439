"""The sync engine: one job, from a queued log to a store's catalog in the database.

A sync works in short transactions and never holds one open while it waits on the store:

1. mark the log running (only a queued log starts, so a job delivered twice runs once);
2. ask the store for its product count (`products_total`, the base of `progress`);
3. stream the catalog, writing each batch of `sync_batch_size` products in its own transaction
   together with the log's counters and the store's `products_synced`; the next batch is read
   from the store while the previous one is written;
4. after a complete full listing, delete the rows the listing did not see; mark the log
   succeeded and the store synced.

A failure at any point leaves every batch already written in place and deletes nothing: the
log records the connector's code and message, `interrupted` when the task was cancelled (the
hub stopped), or `internal_error` for a fault of ours (logged with its traceback, never shown).
A cancellation never cuts a database write short: the write in progress ends first.

A job queue that retries (`RunPolicy`) may instead put the log back to `queued`: after a store
error that may pass (`RetryLater` tells it when to run the job again), or when its worker
stops. The run that follows continues the log's counts: the rows are upserts by product id, so
what the first run wrote is counted once, as unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from sqlalchemy import select, update

from g4hub_connectors import AuthenticationError, ConnectorError, PermissionDeniedError, Product
from g4hub_core.catalog.ingest import (
    IngestBatch,
    IngestResult,
    count_store_products,
    remove_unseen,
    write_batch,
)
from g4hub_core.db.base import utcnow
from g4hub_core.errors import CoreError
from g4hub_core.models import Store, SyncLog
from g4hub_core.stores.connection import open_connector
from g4hub_core.stores.hosts import check_store_host
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.sync.jobs import (
    MAX_RETRY_DELAY,
    RELEASED_MESSAGE,
    RetryLater,
    RunPolicy,
    SyncJob,
    retry_message,
)
from g4hub_core.sync.recovery import INTERRUPTED_MESSAGE

if TYPE_CHECKING:
    from g4hub_core.hub import Hub, Unit

__all__ = ["INTERNAL_ERROR_MESSAGE", "SyncEngine"]

logger = logging.getLogger("g4hub_core.sync")

T = TypeVar("T")

INTERNAL_ERROR_MESSAGE = (
    "The sync stopped because of an error in the hub. Products synced before that are kept; "
    "try again, and contact support if it keeps failing."
)


@attrs.define
class _Run:
    """What a running sync knows, outside any transaction."""

    job: SyncJob
    store: Store
    mode: str
    updated_since: datetime | None
    total: int | None = None
    fetched: int = 0
    result: IngestResult = attrs.field(factory=IngestResult)

    def progress(self, fetched: int) -> int:
        """Percent of the store's count fetched. Held below 100 until the sync has finished:
        the store may hold more than it counted."""
        return min(99, fetched * 100 // self.total) if self.total else 0


class SyncEngine:
    """Runs sync jobs against the hub's database. One instance serves every job of a hub."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    async def run(self, job: SyncJob, policy: RunPolicy | None = None) -> None:
        """Run the sync `job` names, to its end. Returns quietly when the log is not queued any
        more (already run, or its store deleted). Failures are recorded in the log, not raised;
        a cancelled run records `interrupted` and re-raises `CancelledError`. `policy` (see
        `RunPolicy`) lets a job queue retry and release jobs instead."""
        policy = policy or RunPolicy()
        try:
            run = await _settled(self._begin(job, resume=policy.resume_running))
            if run is None:
                return
            await self._sync(run)
        except asyncio.CancelledError:
            if policy.release_on_cancel:
                await _settled_quietly(self._requeue(job, None, RELEASED_MESSAGE))
            else:
                await _settled_quietly(self._fail(job, "interrupted", INTERRUPTED_MESSAGE))
            raise
        except ConnectorError as exc:
            if exc.retryable and policy.retry_in is not None:
                retry_after = getattr(exc, "retry_after", None) or 0.0
                delay = min(max(policy.retry_in, retry_after), MAX_RETRY_DELAY)
                message = retry_message(exc.user_message, delay)
                if await _settled(self._requeue(job, exc.code, message)):
                    raise RetryLater(exc.code, delay) from exc
                return

            # The store refused the credentials: the dashboard shows the store as failing.
            refused = isinstance(exc, AuthenticationError | PermissionDeniedError)
            await _settled(self._fail(job, exc.code, exc.user_message, connection_failed=refused))
        except CoreError as exc:  # a store host the settings refuse; credentials that won't open
            await _settled(self._fail(job, exc.code, exc.message))
        except Exception:
            if await _settled(self._fail(job, "internal_error", INTERNAL_ERROR_MESSAGE)):
                logger.exception("sync %s of store %s failed", job.log_id, job.store_id)
            else:  # most likely its store was deleted meanwhile, and the log with it
                logger.warning(
                    "sync %s of store %s failed after its log stopped running",
                    job.log_id,
                    job.store_id,
                    exc_info=True,
                )

    # -- the steps ------------------------------------------------------------------------------

    async def _begin(self, job: SyncJob, *, resume: bool = False) -> _Run | None:
        async with self._hub.unit(job.tenant_id) as unit:
            started = await self._update_log(
                unit,
                job,
                status="running",
                started_at=utcnow(),
                error_code=None,
                error_message=None,
                expect=("queued", "running") if resume else "queued",
            )
            if not started:
                return None
            store = await StoreRepository(unit.session, job.tenant_id).get(job.store_id)
            if store is None:  # deleted meanwhile; its logs go with it
                return None
            mode, updated_since, created, updated = (
                await unit.session.execute(
                    select(
                        SyncLog.mode,
                        SyncLog.updated_since,
                        SyncLog.products_created,
                        SyncLog.products_updated,
                    ).where(SyncLog.id == job.log_id)
                )
            ).one()
        incremental = mode == "incremental" and updated_since is not None
        # A retried run continues the counts of the runs before it (zero for a new log); the
        # listing starts again, so `products_fetched` does too.
        return _Run(
            job,
            store,
            "incremental" if incremental else "full",
            updated_since,
            result=IngestResult(created, updated),
        )

    async def _sync(self, run: _Run) -> None:
        hub = self._hub
        await check_store_host(
            run.store.store_url, allow_private=hub.settings.allow_private_store_hosts
        )
        connector = open_connector(run.store, vault=hub.vault, http_client=hub.http_client)
        async with connector:
            run.total = await connector.count_products()
            await _settled(self._save(run, products_total=run.total))
            since = run.updated_since if run.mode == "incremental" else None
            await self._stream(run, connector.iter_products(updated_since=since))
        await _settled(self._finish(run))

    async def _stream(self, run: _Run, products: AsyncIterator[Product]) -> None:
        """Write the listing in batches, reading the next batch while one is being written."""
        size = self._hub.settings.sync_batch_size
        writing: asyncio.Future[None] | None = None
        pending: list[Product] = []
        try:
            async for product in products:
                pending.append(product)
                if len(pending) < size:
                    continue
                batch = self._prepare(run, pending)
                pending = []
                if writing is not None:
                    await _settled(writing)
                writing = asyncio.ensure_future(self._write(run, batch))
            if writing is not None:
                await _settled(writing)
            if pending:
                await _settled(self._write(run, self._prepare(run, pending)))
        finally:
            if writing is not None and not writing.done():
                # Stopped by an error or a cancellation while a batch was being written: that
                # write ends first (committed or rolled back), so nothing outlives the run.
                await _settled_quietly(writing)
            elif writing is not None and not writing.cancelled():
                writing.exception()  # raised already, or lost to the error on its way out
            aclose = getattr(products, "aclose", None)
            if aclose is not None:
                await aclose()

    def _prepare(self, run: _Run, products: list[Product]) -> IngestBatch:
        job = run.job
        return IngestBatch.prepare(
            products, tenant_id=job.tenant_id, store_id=job.store_id, sync_id=job.log_id
        )

    async def _write(self, run: _Run, batch: IngestBatch) -> None:
        async with self._hub.unit(run.job.tenant_id) as unit:
            result = await write_batch(unit.session, batch)
            fetched, total = run.fetched + batch.received, run.result + result
            await self._update_log(
                unit,
                run.job,
                products_fetched=fetched,
                products_created=total.created,
                products_updated=total.updated,
                progress=run.progress(fetched),
            )
            if result.created:
                synced = Store.products_synced + result.created
                await self._update_store(unit, run.job, products_synced=synced)
        # Counted once committed: a batch that rolled back did not happen.
        run.fetched, run.result = fetched, total

    async def _save(self, run: _Run, **values: Any) -> None:
        async with self._hub.unit(run.job.tenant_id) as unit:
            await self._update_log(unit, run.job, **values)

    async def _finish(self, run: _Run) -> None:
        job = run.job
        async with self._hub.unit(job.tenant_id) as unit:
            deleted = 0
            if run.mode == "full":
                deleted = await remove_unseen(
                    unit.session, tenant_id=job.tenant_id, store_id=job.store_id, sync_id=job.log_id
                )
            held = await count_store_products(unit.session, job.store_id)
            now = utcnow()
            await self._update_log(
                unit,
                job,
                status="succeeded",
                progress=100,
                products_deleted=deleted,
                finished_at=now,
            )
            await self._update_store(
                unit,
                job,
                last_sync_at=now,
                products_count=run.total if run.total is not None else held,
                products_synced=held,
                connection_status="connected",
                last_error_code=None,
                last_error_message=None,
            )

    async def _fail(
        self, job: SyncJob, code: str, message: str, *, connection_failed: bool = False
    ) -> bool:
        """Record a running sync's failure on its log and its store. False if the log was not
        running (never started, or gone with its store)."""
        async with self._hub.unit(job.tenant_id) as unit:
            failed = await self._update_log(
                unit,
                job,
                status="failed",
                error_code=code,
                error_message=message,
                finished_at=utcnow(),
            )
            if failed:
                changes: dict[str, Any] = {"last_error_code": code, "last_error_message": message}
                if connection_failed:
                    changes["connection_status"] = "failed"
                await self._update_store(unit, job, **changes)
            return failed

    async def _requeue(self, job: SyncJob, code: str | None, message: str) -> bool:
        """Put a running sync's log back to `queued`, its rows and counts kept, saying why.
        False if the log was not running."""
        async with self._hub.unit(job.tenant_id) as unit:
            return await self._update_log(
                unit, job, status="queued", error_code=code, error_message=message
            )

    # -- rows -----------------------------------------------------------------------------------

    @staticmethod
    async def _update_log(
        unit: Unit, job: SyncJob, *, expect: str | tuple[str, ...] = "running", **values: Any
    ) -> bool:
        """Change the job's log if its status is `expect` (or one of them); True if it was."""
        expected = (expect,) if isinstance(expect, str) else expect
        result = await unit.session.execute(
            update(SyncLog)
            .where(
                SyncLog.id == job.log_id,
                SyncLog.tenant_id == job.tenant_id,
                SyncLog.store_id == job.store_id,
                SyncLog.status.in_(expected),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    @staticmethod
    async def _update_store(unit: Unit, job: SyncJob, **values: Any) -> None:
        await unit.session.execute(
            update(Store)
            .where(Store.id == job.store_id, Store.tenant_id == job.tenant_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def _settled(work: Coroutine[Any, Any, T] | asyncio.Future[T]) -> T:
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


async def _settled_quietly(work: Coroutine[Any, Any, Any] | asyncio.Future[Any]) -> None:
    """`_settled`, logging the work's error instead of raising it: for clean-up while another
    error, or a cancellation, is on its way out."""
    try:
        await _settled(work)
    except Exception:
        logger.warning("a sync's last write failed", exc_info=True)
