"""`Hub`: the core's composition root, built from settings; and `Unit`, the scope one request or
job works in, with the tenant's services.

    hub = Hub(HubSettings())                   # or HubSettings(database_url=..., ...)
    await hub.upgrade()                        # migrations (the only way the schema is made)
    async with hub:                            # starts the job queue
        async with hub.unit() as unit:         # commits when the block ends without error
            account = await unit.accounts.register(...)
        async with hub.unit(account.tenant.id) as unit:
            store = await unit.stores.create(...)

Services never commit: the unit does, once, at the end of its block, and then runs what was
deferred until after the commit (handing queued syncs to the job queue). Nothing imports this
module but the package's entry: each service gets a `UnitOfWork` and only the collaborators it
uses, and the job queue a `JobRuntime` (the engine's `run`, units, the schedule check).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime
from functools import cached_property
from types import TracebackType
from typing import Self

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from g4hub_core.catalog.service import CatalogService
from g4hub_core.changes.service import ChangeFeed
from g4hub_core.dashboard.service import DashboardService
from g4hub_core.db.engine import create_engine
from g4hub_core.db.migrate import upgrade
from g4hub_core.models.sync_log import ACTIVE_STATUSES
from g4hub_core.rules import RuleService
from g4hub_core.rules.jobs import RuleRunner
from g4hub_core.settings import HubSettings
from g4hub_core.skus import SkuService
from g4hub_core.stores.service import StoreService
from g4hub_core.stores.transport import pinned_client
from g4hub_core.sync.engine import SyncEngine
from g4hub_core.sync.jobs import JobQueue, JobQueueFactory, JobRuntime
from g4hub_core.sync.queues import create_job_queue
from g4hub_core.sync.schedule import queue_due_syncs
from g4hub_core.sync.schemas import SyncLogRead
from g4hub_core.sync.service import SyncService
from g4hub_core.tenants.service import AccountService
from g4hub_core.unit import UnitOfWork
from g4hub_core.vault.keys import load_keys
from g4hub_core.vault.rotation import RotationReport, rotate_credentials
from g4hub_core.vault.vault import Vault
from g4hub_core.webhooks import Webhooks, WebhookService
from g4hub_core.writes import AuditTrail, BulkWrites, WriteRunner, WriteService
from g4hub_core.writes.locks import ProductLocks

__all__ = ["Hub", "Unit"]

logger = logging.getLogger("g4hub_core")


class Hub:
    """Everything the core needs, built once: the engine, the vault, the sync engine, the job
    queue, wired together here and nowhere else.

    `http_client` is handed to every connector (for a proxy, or a test transport); by default
    the hub's own pinned client (`stores.transport.pinned_client`), closed with the hub.

    `jobs`: the job queue, or a factory that builds one from the hub's `JobRuntime`
    (`sync.queues.job_queue(run_syncs=False)`, `lambda runtime: EmbeddedRunner(runtime, ...)`);
    by default the one the settings' `job_queue` names, running syncs in this process
    (procrastinate on PostgreSQL, the embedded runner on SQLite; see
    `sync.queues.create_job_queue`).

    `runners`: whether `start` also starts the runners of bulk writes and rules. `g4hub serve
    --workers N` builds its web processes' hubs without them (and without a sync runner): its
    one background process runs them, taking what a web process queued at its next poll (a
    couple of seconds). Webhook deliveries are applied (or nudged) by the process that
    received them, as ever.
    """

    def __init__(
        self,
        settings: HubSettings | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        jobs: JobQueue | JobQueueFactory | None = None,
        engine: AsyncEngine | None = None,
        runners: bool = True,
    ) -> None:
        self.settings = settings if settings is not None else HubSettings()
        self.engine = engine or create_engine(
            self.settings.resolved_database_url, echo=self.settings.database_echo
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.product_locks = ProductLocks.for_database(self.engine.url)
        self.vault = Vault(load_keys(self.settings))
        # Every connector the hub builds connects only to addresses vetted in the same step
        # (`stores.transport`): a store host cannot rebind to the hub's own network.
        self._owns_http_client = http_client is None
        self.http_client = http_client or pinned_client(
            allow_private=self.settings.allow_private_store_hosts
        )
        self.sync_engine = SyncEngine(
            self.settings, unit=self._work, vault=self.vault, http_client=self.http_client
        )
        self.runtime = JobRuntime(
            settings=self.settings,
            run=self.sync_engine.run,
            unit=self._work,
            queue_due=self.queue_due_syncs,
            apply_webhooks=self._apply_webhooks,
        )
        if jobs is None:
            jobs = create_job_queue
        self._jobs = jobs if isinstance(jobs, JobQueue) else jobs(self.runtime)
        # With a queue that runs webhook deliveries as jobs (procrastinate), a delivery nudges
        # it; otherwise the hub's own runner applies them.
        self.webhooks = Webhooks(
            self.settings,
            work=self._work,
            vault=self.vault,
            http_client=self.http_client,
            nudge=getattr(self._jobs, "nudge_webhooks", None),
        )
        self.writes = WriteRunner(self._work, self._write_service)
        self.rules = RuleRunner(
            self._work, lambda work: RuleService(work, writes=self._write_service(work))
        )
        self._runners = runners

    def __repr__(self) -> str:
        return f"Hub(database={self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def jobs(self) -> JobQueue:
        """The job queue, chosen when the hub was built."""
        return self._jobs

    def _work(self, tenant_id: uuid.UUID | None = None) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker, tenant_id)

    def _write_service(self, work: UnitOfWork) -> WriteService:
        stores = StoreService(
            work, settings=self.settings, vault=self.vault, http_client=self.http_client
        )
        return WriteService(work, open_connector=stores.open_connector, locks=self.product_locks)

    async def _apply_webhooks(self) -> int:
        return await self.webhooks.runner.apply_waiting()

    async def upgrade(self) -> None:
        """Bring the database to the newest schema."""
        await upgrade(self.engine)

    async def start(self) -> None:
        await self._jobs.start()
        await self.webhooks.start()
        if self._runners:
            await self.writes.start()
            await self.rules.start()

    async def close(self) -> None:
        if self._runners:
            await self.rules.stop()
            await self.writes.stop()
        await self.webhooks.stop()
        await self._jobs.stop()
        await self.engine.dispose()
        self.product_locks.close()
        if self._owns_http_client:
            await self.http_client.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def rotate_keys(self, *, batch_size: int = 100) -> RotationReport:
        """Re-seal every store's credentials under the first configured key, in batches that
        each commit, so an interrupted run is finished by running it again."""
        return await rotate_credentials(self, batch_size=batch_size)

    async def queue_due_syncs(self, *, now: datetime | None = None) -> int:
        """Queue a `scheduled` sync of every store whose schedule is due (at `now`, default
        now), each in its tenant's unit; returns how many were queued."""

        async def request(tenant_id: uuid.UUID, store_id: uuid.UUID) -> None:
            async with self.unit(tenant_id) as unit:
                await unit.sync.request(store_id, trigger="scheduled")

        return await queue_due_syncs(self._work, request, now=now)

    async def wait_for_sync(
        self, tenant_id: uuid.UUID, log_id: uuid.UUID, *, timeout: float = 600.0
    ) -> SyncLogRead:
        """Wait until a sync has finished (succeeded or failed) and return its log. Works with any
        job queue: it watches the log, not the runner. Raises `TimeoutError` after `timeout`."""
        async with asyncio.timeout(timeout):
            delay = 0.05
            while True:
                async with self.unit(tenant_id) as unit:
                    log = await unit.sync.get(log_id)
                if log.status not in ACTIVE_STATUSES:
                    return log
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    def unit(self, tenant_id: uuid.UUID | None = None) -> Unit:
        """A unit of work: one session and transaction. With a `tenant_id` it also gives the
        tenant's services; without, only `accounts` (registration and sign-in)."""
        return Unit(self, tenant_id)


class Unit(UnitOfWork):
    """One transaction and the services working in it, each built on first use with the
    hub's collaborators it needs. Use as `async with hub.unit(...)`."""

    def __init__(self, hub: Hub, tenant_id: uuid.UUID | None) -> None:
        super().__init__(hub.sessionmaker, tenant_id)
        self._hub = hub

    @cached_property
    def accounts(self) -> AccountService:
        return AccountService(self)

    @cached_property
    def stores(self) -> StoreService:
        hub = self._hub
        return StoreService(
            self, settings=hub.settings, vault=hub.vault, http_client=hub.http_client
        )

    @cached_property
    def catalog(self) -> CatalogService:
        return CatalogService(self)

    @cached_property
    def sync(self) -> SyncService:
        return SyncService(self, settings=self._hub.settings, enqueue=self._hub.jobs.enqueue)

    @cached_property
    def dashboard(self) -> DashboardService:
        return DashboardService(self, public_url=self._hub.settings.public_url)

    @cached_property
    def webhooks(self) -> WebhookService:
        return WebhookService(self, vault=self._hub.vault, public_url=self._hub.settings.public_url)

    @cached_property
    def changes(self) -> ChangeFeed:
        return ChangeFeed(self)

    @cached_property
    def writes(self) -> WriteService:
        return WriteService(
            self, open_connector=self.stores.open_connector, locks=self._hub.product_locks
        )

    @cached_property
    def bulk_writes(self) -> BulkWrites:
        return BulkWrites(self, notify=self._hub.writes.notify)

    @cached_property
    def audit(self) -> AuditTrail:
        return AuditTrail(self)

    @cached_property
    def skus(self) -> SkuService:
        return SkuService(self)

    @cached_property
    def rules(self) -> RuleService:
        return RuleService(self, writes=self.writes)
