"""`Hub`: the core built from settings, and `Unit`, the scope one request or job works in.

    hub = Hub(HubSettings())                   # or HubSettings(database_url=..., ...)
    await hub.upgrade()                        # migrations (the only way the schema is made)
    async with hub:                            # starts the sync runner
        async with hub.unit() as unit:         # commits when the block ends without error
            account = await unit.accounts.register(...)
        async with hub.unit(account.tenant.id) as unit:
            store = await unit.stores.create(...)

Services never commit: the unit does, once, at the end of its block, and then runs what was
deferred until after the commit (handing queued syncs to the runner).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from g4hub_core.db.engine import create_engine
from g4hub_core.db.migrate import upgrade
from g4hub_core.errors import AccessDenied
from g4hub_core.models.sync_log import ACTIVE_STATUSES
from g4hub_core.settings import HubSettings
from g4hub_core.sync.jobs import JobQueue
from g4hub_core.vault.keys import load_keys
from g4hub_core.vault.vault import Vault

if TYPE_CHECKING:
    from g4hub_core.catalog.service import CatalogService
    from g4hub_core.dashboard.service import DashboardService
    from g4hub_core.stores.service import StoreService
    from g4hub_core.sync.engine import SyncEngine
    from g4hub_core.sync.schemas import SyncLogRead
    from g4hub_core.sync.service import SyncService
    from g4hub_core.tenants.service import AccountService
    from g4hub_core.vault.rotation import RotationReport

__all__ = ["Hub", "Unit"]

logger = logging.getLogger("g4hub_core")


class Hub:
    """Everything the core needs, built once: the engine, the vault, the job queue.

    `http_client` is handed to every connector (for a proxy, or a test transport); by default
    each connector makes its own. `jobs`: the job queue; by default the one the settings'
    `job_queue` names, running syncs in this process (procrastinate on PostgreSQL, the embedded
    runner on SQLite; see `sync.queues.create_job_queue`).
    """

    def __init__(
        self,
        settings: HubSettings | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        jobs: JobQueue | None = None,
        engine: AsyncEngine | None = None,
    ) -> None:
        self.settings = settings if settings is not None else HubSettings()
        self.engine = engine or create_engine(
            self.settings.resolved_database_url, echo=self.settings.database_echo
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.vault = Vault(load_keys(self.settings))
        self.http_client = http_client
        if jobs is None:
            from g4hub_core.sync.queues import create_job_queue

            jobs = create_job_queue(self)
        self.jobs = jobs

    def __repr__(self) -> str:
        return f"Hub(database={self.engine.url.render_as_string(hide_password=True)!r})"

    @cached_property
    def sync_engine(self) -> SyncEngine:
        from g4hub_core.sync.engine import SyncEngine

        return SyncEngine(self)

    async def upgrade(self) -> None:
        """Bring the database to the newest schema."""
        await upgrade(self.engine)

    async def start(self) -> None:
        await self.jobs.start()

    async def close(self) -> None:
        await self.jobs.stop()
        await self.engine.dispose()

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
        from g4hub_core.vault.rotation import rotate_credentials

        return await rotate_credentials(self, batch_size=batch_size)

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


class Unit:
    """One transaction and the services working in it. Use as `async with hub.unit(...)`."""

    def __init__(self, hub: Hub, tenant_id: uuid.UUID | None) -> None:
        self.hub = hub
        self._tenant_id = tenant_id
        self._session: AsyncSession | None = None
        self._after_commit: list[Callable[[], Awaitable[None]]] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit as `async with hub.unit(...) as unit`")
        return self._session

    @property
    def tenant_id(self) -> uuid.UUID:
        if self._tenant_id is None:
            raise AccessDenied("This action needs a signed-in tenant.", code="tenant_required")
        return self._tenant_id

    def after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` once this unit has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    async def commit(self) -> None:
        """Commit now (the unit commits at its end anyway), then run what waited for it."""
        await self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            await callback()

    async def __aenter__(self) -> Self:
        self._session = self.hub.sessionmaker()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                await self.commit()
            else:
                await session.rollback()
                self._after_commit.clear()
        finally:
            await session.close()

    @cached_property
    def accounts(self) -> AccountService:
        from g4hub_core.tenants.service import AccountService

        return AccountService(self)

    @cached_property
    def stores(self) -> StoreService:
        from g4hub_core.stores.service import StoreService

        return StoreService(self)

    @cached_property
    def catalog(self) -> CatalogService:
        from g4hub_core.catalog.service import CatalogService

        return CatalogService(self)

    @cached_property
    def sync(self) -> SyncService:
        from g4hub_core.sync.service import SyncService

        return SyncService(self)

    @cached_property
    def dashboard(self) -> DashboardService:
        from g4hub_core.dashboard.service import DashboardService

        return DashboardService(self)
