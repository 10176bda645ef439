"""The sync engine: one job, from a queued log to a store's catalog in the database.

A sync works in short transactions and never holds one open while it waits on the store:

1. mark the log running (only a queued log starts, so a job delivered twice runs once);
2. ask the store for its product count (`products_total`, the base of the log's progress);
3. stream the catalog, writing each batch of `sync_batch_size` products in its own transaction
   together with the log's counters and the store's `products_synced`; the next batch is read
   from the store while the previous one is written;
4. after a complete full listing, delete the rows the listing did not see; mark the log
   succeeded and the store synced.

A failure at any point leaves every batch already written in place and deletes nothing: the
log records the connector's code and message, `time_budget_exceeded` when the run outlasted
`sync_time_budget_seconds` (a stuck or endless store), `interrupted` when the task was
cancelled (the hub stopped), or `internal_error` for a fault of ours (logged with its
traceback, never shown). A cancellation never cuts a database write short: the write in
progress ends first.

A job queue that retries (`RunPolicy`) may instead put the log back to `queued`: after a store
error that may pass (`RetryLater` tells it when to run the job again), or when its worker
stops. The run that follows continues the log's counts: the rows are upserts by product id, so
what the first run wrote is counted once, as unchanged.

Every statement of a sync names the job's tenant (`SyncLogRepository`,
`SyncedStoreRepository`, `CatalogWriter`): a job naming another tenant's store changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import attrs
import httpx
from sqlalchemy import text

from g4hub_connectors import AuthenticationError, ConnectorError, PermissionDeniedError, Product
from g4hub_core.catalog.ingest import CatalogWriter, IngestBatch, IngestResult
from g4hub_core.db.base import utcnow
from g4hub_core.db.dialects import dialect_of
from g4hub_core.errors import CoreError
from g4hub_core.models import Store
from g4hub_core.settings import HubSettings
from g4hub_core.stores.connection import open_connector
from g4hub_core.stores.hosts import check_store_host
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.sync.jobs import (
    MAX_RETRY_DELAY,
    RELEASED_MESSAGE,
    RetryLater,
    RunPolicy,
    SyncJob,
    TenantBusy,
    retry_message,
)
from g4hub_core.sync.recovery import INTERRUPTED_MESSAGE
from g4hub_core.sync.repository import SyncedStoreRepository, SyncLogRepository
from g4hub_core.sync.settle import settled, settled_quietly
from g4hub_core.unit import UnitFactory, UnitOfWork
from g4hub_core.vault.vault import Vault

__all__ = ["INTERNAL_ERROR_MESSAGE", "TIME_BUDGET_CODE", "SyncEngine", "time_budget_message"]

logger = logging.getLogger("g4hub_core.sync")

INTERNAL_ERROR_MESSAGE = (
    "The sync stopped because of an error in the hub. Products synced before that are kept; "
    "try again, and contact support if it keeps failing."
)
TIME_BUDGET_CODE = "time_budget_exceeded"


def _duration(seconds: float) -> str:
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size, 1)
            shown = f"{count:g}"
            return f"{shown} {unit}" + ("" if shown == "1" else "s")
    return f"{seconds:g} seconds"


def time_budget_message(budget: float) -> str:
    """What a log says when its run outlasted the time budget of `budget` seconds."""
    return (
        f"The sync was stopped after {_duration(budget)}, the longest a sync may run. Products "
        "synced before that are kept. The store answered too slowly or its catalog did not end: "
        "check that the store's API responds normally, then sync again. (The hub's operator "
        "can raise the limit with G4HUB_SYNC_TIME_BUDGET_SECONDS.)"
    )


ANALYZE_FROM = 1_000
"""A sync refreshes the catalog's planner statistics each time the rows it created pass
1,000, 2,000, 4,000, ... (a few times per big sync, never for a small one)."""

_MERGE_SEARCH_INDEX = "SELECT gin_clean_pending_list('ix_store_products_search_trgm'::regclass)"


def _doubled_past(before: int, after: int, start: int) -> bool:
    """Whether going from `before` to `after` passes `start`, `2 * start`, `4 * start`, ..."""
    threshold = start
    while threshold <= after:
        if before < threshold:
            return True
        threshold *= 2
    return False


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


class SyncEngine:
    """Runs sync jobs. One instance serves every job of a hub: `unit` opens a tenant's units,
    `vault` opens the stores' credentials, `http_client` (optional) is handed to connectors."""

    def __init__(
        self,
        settings: HubSettings,
        *,
        unit: UnitFactory,
        vault: Vault,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._settings = settings
        self._unit = unit
        self._vault = vault
        self._http_client = http_client

    async def run(self, job: SyncJob, policy: RunPolicy | None = None) -> None:
        """Run the sync `job` names, to its end. Returns quietly when the log is not queued any
        more (already run, or its store deleted). Failures are recorded in the log, not raised;
        a cancelled run records `interrupted` and re-raises `CancelledError`. `policy` (see
        `RunPolicy`) lets a job queue retry and release jobs instead, and limit a tenant's
        running syncs (`TenantBusy`)."""
        policy = policy or RunPolicy()
        budget = self._settings.sync_time_budget_seconds
        try:
            run = await settled(self._begin(job, policy))
            if run is None:
                return
            deadline = asyncio.timeout(budget)
            try:
                async with deadline:
                    await self._sync(run)
            except TimeoutError:
                if not deadline.expired():
                    raise
                # Outlasting the budget is the store's doing (stuck, drip-feeding, endless);
                # failing the log frees the slot, and retrying would only hold it again.
                await settled(self._fail(job, TIME_BUDGET_CODE, time_budget_message(budget)))
                logger.warning("sync %s of store %s ran out of time", job.log_id, job.store_id)
        except asyncio.CancelledError:
            if policy.release_on_cancel:
                await settled_quietly(self._requeue(job, None, RELEASED_MESSAGE))
            else:
                await settled_quietly(self._fail(job, "interrupted", INTERRUPTED_MESSAGE))
            raise
        except ConnectorError as exc:
            if exc.retryable and policy.retry_in is not None:
                retry_after = getattr(exc, "retry_after", None) or 0.0
                delay = min(max(policy.retry_in, retry_after), MAX_RETRY_DELAY)
                message = retry_message(exc.user_message, delay)
                if await settled(self._requeue(job, exc.code, message)):
                    raise RetryLater(exc.code, delay) from exc
                return

            # The store refused the credentials: the dashboard shows the store as failing.
            refused = isinstance(exc, AuthenticationError | PermissionDeniedError)
            await settled(self._fail(job, exc.code, exc.user_message, connection_failed=refused))
        except CoreError as exc:  # a store host the settings refuse; credentials that won't open
            await settled(self._fail(job, exc.code, exc.message))
        except TenantBusy:
            raise
        except Exception:
            if await settled(self._fail(job, "internal_error", INTERNAL_ERROR_MESSAGE)):
                logger.exception("sync %s of store %s failed", job.log_id, job.store_id)
            else:  # most likely its store was deleted meanwhile, and the log with it
                logger.warning(
                    "sync %s of store %s failed after its log stopped running",
                    job.log_id,
                    job.store_id,
                    exc_info=True,
                )

    # -- the steps ------------------------------------------------------------------------------

    async def _begin(self, job: SyncJob, policy: RunPolicy) -> _Run | None:
        async with self._unit(job.tenant_id) as unit:
            logs = SyncLogRepository(unit.session, job.tenant_id)
            if policy.tenant_limit is not None:
                # Counting and starting in one transaction, one at a time per tenant: two
                # workers cannot both take the tenant's last slot.
                await dialect_of(unit.session).lock(unit.session, "tenant-syncs", job.tenant_id)
                running = await logs.running(besides=job.log_id)
                if running >= policy.tenant_limit:
                    raise TenantBusy(job.tenant_id, running)
            started = await logs.transition(
                job.log_id,
                job.store_id,
                status="running",
                started_at=utcnow(),
                error_code=None,
                error_message=None,
                expect=("queued", "running") if policy.resume_running else "queued",
            )
            if not started:
                return None
            store = await StoreRepository(unit.session, job.tenant_id).get(job.store_id)
            if store is None:  # deleted meanwhile; its logs go with it
                return None
            mode, updated_since, created, updated = await logs.plan(job.log_id)
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
        await check_store_host(
            run.store.store_url, allow_private=self._settings.allow_private_store_hosts
        )
        connector = open_connector(run.store, vault=self._vault, http_client=self._http_client)
        async with connector:
            run.total = await connector.count_products()
            await settled(self._save(run, products_total=run.total))
            since = run.updated_since if run.mode == "incremental" else None
            await self._stream(
                run, connector.iter_products(updated_since=since, include_variants=True)
            )
        await settled(self._finish(run))
        if run.result.created >= ANALYZE_FROM:
            # The last refresh saw the catalog at its last doubling: now it is whole.
            await self._refresh_statistics(run)

    async def _stream(self, run: _Run, products: AsyncIterator[Product]) -> None:
        """Write the listing in batches, reading the next batch while one is being written."""
        size = self._settings.sync_batch_size
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
                    await settled(writing)
                writing = asyncio.ensure_future(self._write(run, batch))
            if writing is not None:
                await settled(writing)
            if pending:
                await settled(self._write(run, self._prepare(run, pending)))
        finally:
            if writing is not None and not writing.done():
                # Stopped by an error or a cancellation while a batch was being written: that
                # write ends first (committed or rolled back), so nothing outlives the run.
                await settled_quietly(writing)
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
        job = run.job
        async with self._unit(job.tenant_id) as unit:
            writer = CatalogWriter(unit.session, job.tenant_id)
            result = await writer.write(batch)
            fetched, total = run.fetched + batch.received, run.result + result
            await SyncLogRepository(unit.session, job.tenant_id).transition(
                job.log_id,
                job.store_id,
                products_fetched=fetched,
                products_created=total.created,
                products_updated=total.updated,
            )
            if result.created:
                await self._record_synced(unit, job, writer)
        # Counted once committed: a batch that rolled back did not happen.
        before, run.fetched, run.result = run.result.created, fetched, total
        if _doubled_past(before, total.created, ANALYZE_FROM):
            await self._refresh_statistics(run)

    async def _refresh_statistics(self, run: _Run) -> None:
        """On PostgreSQL, ANALYZE `store_products` (it takes no lock readers or writers wait
        on): its planner statistics otherwise still describe the table before a big first
        sync until autovacuum runs (a minute later, or never where it is off), and reads plan
        for an empty store meanwhile (a search walks every row instead of the trigram index,
        ~60 ms instead of ~5 on 20,000 products). It also merges the trigram index's pending
        list (rows a GIN index takes in fast, unsorted, until autovacuum merges them): a search
        reads that list whole, and the planner, costing it, walks the name index instead
        (~18 ms instead of ~2 for a search on 20,000 products). Best effort: a failure (the
        index not the hub user's own) is only logged."""
        for statement in ("ANALYZE store_products", _MERGE_SEARCH_INDEX):
            try:
                async with self._unit(run.job.tenant_id) as unit:
                    if dialect_of(unit.session).name != "postgresql":
                        return
                    await unit.session.execute(text(statement))
            except Exception:
                logger.warning("refreshing the catalog's statistics failed", exc_info=True)

    async def _save(self, run: _Run, **values: Any) -> None:
        job = run.job
        async with self._unit(job.tenant_id) as unit:
            logs = SyncLogRepository(unit.session, job.tenant_id)
            await logs.transition(job.log_id, job.store_id, **values)

    async def _finish(self, run: _Run) -> None:
        job = run.job
        async with self._unit(job.tenant_id) as unit:
            writer = CatalogWriter(unit.session, job.tenant_id)
            deleted = 0
            if run.mode == "full":
                deleted = await writer.remove_unseen(job.store_id, job.log_id)
            now = utcnow()
            await SyncLogRepository(unit.session, job.tenant_id).transition(
                job.log_id,
                job.store_id,
                status="succeeded",
                products_deleted=deleted,
                finished_at=now,
            )
            held = await self._record_synced(unit, job, writer)
            await SyncedStoreRepository(unit.session, job.tenant_id).record(
                job.store_id,
                last_sync_at=now,
                products_count=run.total if run.total is not None else held,
                connection_status="connected",
                last_error_code=None,
                last_error_message=None,
            )

    @staticmethod
    async def _record_synced(unit: UnitOfWork, job: SyncJob, writer: CatalogWriter) -> int:
        """Set the store's `products_synced` to the rows the hub holds for it, and return that:
        the one place it is derived, from the rows themselves."""
        held = await writer.count(job.store_id)
        stores = SyncedStoreRepository(unit.session, job.tenant_id)
        await stores.record(job.store_id, products_synced=held)
        return held

    async def _fail(
        self, job: SyncJob, code: str, message: str, *, connection_failed: bool = False
    ) -> bool:
        """Record a running sync's failure on its log and its store. False if the log was not
        running (never started, or gone with its store)."""
        async with self._unit(job.tenant_id) as unit:
            failed = await SyncLogRepository(unit.session, job.tenant_id).transition(
                job.log_id,
                job.store_id,
                status="failed",
                error_code=code,
                error_message=message,
                finished_at=utcnow(),
            )
            if failed:
                changes: dict[str, Any] = {"last_error_code": code, "last_error_message": message}
                if connection_failed:
                    changes["connection_status"] = "failed"
                await SyncedStoreRepository(unit.session, job.tenant_id).record(
                    job.store_id, **changes
                )
            return failed

    async def _requeue(self, job: SyncJob, code: str | None, message: str) -> bool:
        """Put a running sync's log back to `queued`, its rows and counts kept, saying why.
        False if the log was not running."""
        async with self._unit(job.tenant_id) as unit:
            return await SyncLogRepository(unit.session, job.tenant_id).transition(
                job.log_id, job.store_id, status="queued", error_code=code, error_message=message
            )
