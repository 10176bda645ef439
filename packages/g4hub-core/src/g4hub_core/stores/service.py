"""`StoreService`: adding, changing, testing and removing a tenant's stores.

Every path that takes new connection settings validates them, refuses private hosts (unless the
hub allows them) and tests them against the live store before anything is saved. Credentials are
sealed the moment they are accepted and opened again only to build a connector.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from g4hub_connectors import (
    BaseConnector,
    ConnectionResult,
    ConnectorConfig,
    create_connector,
    get_descriptor,
)
from g4hub_core.changes.repository import record_store_deleted
from g4hub_core.db.base import utcnow
from g4hub_core.db.engine import is_postgresql
from g4hub_core.errors import Conflict, InvalidInput, StoreConnectionFailed, VaultError
from g4hub_core.models import Store
from g4hub_core.stores import connection
from g4hub_core.stores.hosts import check_store_host
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.stores.schemas import (
    ConnectionCheck,
    StoreCreate,
    StoreCredentials,
    StoreRead,
    StoreUpdate,
)

if TYPE_CHECKING:
    import httpx

    from g4hub_core.settings import HubSettings
    from g4hub_core.unit import UnitOfWork
    from g4hub_core.vault.vault import Vault

__all__ = ["StoreService"]

logger = logging.getLogger("g4hub_core.stores")


def _merge(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    # The platform's descriptor knows its ways to authenticate: giving one way in an update
    # drops the other, or the merged settings would hold both.
    return get_descriptor(str(current["platform"])).merge(current, changes)


def _failure(result: ConnectionResult) -> StoreConnectionFailed:
    return StoreConnectionFailed.from_result(result)


def _schedule(store: Store, interval: int | None, now: datetime) -> None:
    """Set the store's schedule; its first scheduled sync is due one interval from `now`."""
    store.sync_interval_minutes = interval
    store.next_sync_at = None if interval is None else now + timedelta(minutes=interval)


def _record(store: Store, result: ConnectionResult) -> None:
    """Write a connection test's outcome on the store. A failure keeps the last known store
    info and product count: they still describe the store, only the connection is broken."""
    store.last_connection_test = utcnow()
    if result.success:
        store.connection_status = "connected"
        store.last_error_code = None
        store.last_error_message = None
        if result.store_info is not None:
            store.store_info = result.store_info.model_dump(mode="json")
        if result.products_count is not None:
            store.products_count = result.products_count
    else:
        store.connection_status = "failed"
        store.last_error_code = result.error_code
        store.last_error_message = result.error_message


class StoreService:
    """The signed-in tenant's stores. Never commits: the unit does."""

    def __init__(
        self,
        unit: UnitOfWork,
        *,
        settings: HubSettings,
        vault: Vault,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.unit = unit
        self._settings = settings
        self._vault = vault
        self._http_client = http_client

    @cached_property
    def repository(self) -> StoreRepository:
        return StoreRepository(self.unit.session, self.unit.tenant_id)

    # -- reading --------------------------------------------------------------------------------

    async def list(self) -> list[StoreRead]:
        """The tenant's stores, by name."""
        return [StoreRead.model_validate(store) for store in await self.repository.list()]

    async def get(self, store_id: uuid.UUID) -> StoreRead:
        """One store. `NotFound` for an unknown id and for another tenant's store alike."""
        return StoreRead.model_validate(await self.repository.get_or_raise(store_id))

    async def api_of(self, store_id: uuid.UUID) -> str | None:
        """The API the store is reached through (`"graphql"`, `"rest"`), `None` for a platform
        with one API. A store saved before it named one uses the connector's default.
        `VaultError` when its settings cannot be opened."""
        store = await self.repository.get_or_raise(store_id)
        config = connection.connector_config(connection.open_settings(store, vault=self._vault))
        value = getattr(config, "api", None)
        return value if isinstance(value, str) else None

    # -- testing without saving -----------------------------------------------------------------

    async def check(self, credentials: StoreCredentials) -> ConnectionCheck:
        """Test connection settings against the live store; nothing is saved.

        Raises `InvalidInput` for settings that cannot work (a missing key, a malformed URL, a
        private host); a store that refuses or does not answer is a failed `ConnectionCheck`.
        """
        config = connection.connector_config(credentials.connector_settings())
        await self._check_host(config.store_url)
        result = await self._test(config)
        return ConnectionCheck(
            success=result.success,
            platform=result.platform,
            store_name=result.store_name,
            products_count=result.products_count,
            warnings=list(result.warnings),
            error_code=result.error_code,
            error_message=result.error_message,
            remedy=result.remedy,
            request_id=result.request_id,
            store_info=(
                result.store_info.model_dump(mode="json") if result.store_info is not None else None
            ),
        )

    # -- changing -------------------------------------------------------------------------------

    async def create(self, data: StoreCreate, *, force: bool = False) -> StoreRead:
        """Add a store, testing its connection first. With `sync_interval_minutes`, its first
        scheduled sync is due one interval from now.

        A store that fails the test raises `StoreConnectionFailed` (the connector's code and user
        message) and is not saved, unless `force`: then it is saved as `failed`, with the error.
        `Conflict` (`store_exists`) when the tenant already has this store.
        """
        config = connection.connector_config(data.connector_settings())
        await self._check_host(config.store_url)
        await self._refuse_duplicate(config)
        result = await self._test(config)
        if not result.success and not force:
            raise _failure(result)
        store_id = uuid.uuid4()
        store = Store(
            id=store_id,
            tenant_id=self.unit.tenant_id,
            platform=config.platform,
            name=data.name,
            store_url=config.store_url,
            api_version=config.api_version,
            api_credentials=connection.seal_settings(
                config, vault=self._vault, tenant_id=self.unit.tenant_id, store_id=store_id
            ),
            credentials_hint=config.credentials_hint(),
            store_info={},
            products_count=0,
        )
        _record(store, result)
        _schedule(store, data.sync_interval_minutes, utcnow())
        await self._save(store, new=True)
        logger.info("store %s added (%s, %s)", store_id, config.platform, store.connection_status)
        return StoreRead.model_validate(store)

    async def update(
        self, store_id: uuid.UUID, data: StoreUpdate, *, force: bool = False
    ) -> StoreRead:
        """Change a store. A new name or schedule alone is saved as is (a changed schedule's
        first sync is due one interval from now). New connection settings (URL, API version,
        credentials) are merged into the stored ones and tested: a failure raises
        `StoreConnectionFailed` and changes nothing, unless `force` (saved as `failed`)."""
        store = await self.repository.get_or_raise(store_id)
        if data.platform is not None and data.platform.strip().lower() != store.platform:
            raise InvalidInput(
                "A store cannot move to another platform. Add the other store separately.",
                code="platform_immutable",
                details={"platform": "cannot be changed"},
            )
        changes = data.connection_changes()
        if changes:
            config, unchanged = self._merged_config(store, changes)
            if not unchanged:
                await self._check_host(config.store_url)
                await self._refuse_duplicate(config, exclude=store.id)
                result = await self._test(config)
                if not result.success and not force:
                    raise _failure(result)
                store.store_url = config.store_url
                store.api_version = config.api_version
                store.api_credentials = connection.seal_settings(
                    config, vault=self._vault, tenant_id=store.tenant_id, store_id=store.id
                )
                store.credentials_hint = config.credentials_hint()
                _record(store, result)
                logger.info("store %s settings changed (%s)", store.id, store.connection_status)
        if data.name is not None:
            store.name = data.name
        if data.changes_schedule and data.sync_interval_minutes != store.sync_interval_minutes:
            _schedule(store, data.sync_interval_minutes, utcnow())
        await self._save(store)
        return StoreRead.model_validate(store)

    async def delete(self, store_id: uuid.UUID) -> None:
        """Remove a store; the database removes its products and sync logs with it."""
        store = await self.repository.get_or_raise(store_id)
        # The change feed outlives the store: its products' deletions are its last changes.
        await record_store_deleted(self.unit.session, store.tenant_id, store.id)
        await self.repository.delete(store)
        await self.unit.session.flush()
        logger.info("store %s deleted", store_id)

    async def test(self, store_id: uuid.UUID) -> StoreRead:
        """Test a saved store's connection and record the outcome (`connection_status`,
        `last_connection_test`, `store_info`, `products_count`, `last_error_*`). A store that
        refuses is recorded, not raised; `VaultError` when its credentials cannot be opened."""
        store = await self.repository.get_or_raise(store_id)
        config = connection.connector_config(connection.open_settings(store, vault=self._vault))
        await self._check_host(config.store_url)
        result = await self._test(config)
        _record(store, result)
        await self.unit.session.flush()
        return StoreRead.model_validate(store)

    async def open_connector(self, store_id: uuid.UUID) -> BaseConnector[Any]:
        """A connector for the store, on the hub's HTTP client. The caller closes it
        (`async with`)."""
        store = await self.repository.get_or_raise(store_id)
        await self._check_host(store.store_url)
        return connection.open_connector(store, vault=self._vault, http_client=self._http_client)

    # -- internals ------------------------------------------------------------------------------

    def _merged_config(
        self, store: Store, changes: Mapping[str, Any]
    ) -> tuple[ConnectorConfig, bool]:
        """The store's settings with `changes` applied, and whether that changes nothing.

        Credentials that no longer open (a key removed from the hub) can still be replaced by a
        complete new set: that is the remedy the `VaultError` tells the merchant."""
        try:
            current = connection.open_settings(store, vault=self._vault)
        except VaultError as unopened:
            public = {
                "platform": store.platform,
                "store_url": store.store_url,
                "api_version": store.api_version,
            }
            try:
                return connection.connector_config({**public, **changes}), False
            except InvalidInput:
                raise unopened from None
        config = connection.connector_config(_merge(current, changes))
        return config, config == connection.connector_config(current)

    async def _check_host(self, store_url: str) -> None:
        await check_store_host(store_url, allow_private=self._settings.allow_private_store_hosts)

    async def _test(self, config: ConnectorConfig) -> ConnectionResult:
        async with create_connector(config, http_client=self._http_client) as connector:
            result = await connector.test_connection()
        if not result.success:
            # The platform's request id lets its support find the failed call.
            logger.info(
                "%s connection test of %s failed: %s (%s, request id %s)",
                config.platform,
                config.store_url,
                result.error_code,
                result.remedy,
                result.request_id or "-",
            )
        return result

    def _exists(self, platform: str, store_url: str) -> Conflict:
        label = get_descriptor(platform).label
        return Conflict(
            f"This {label} store ({store_url}) is already connected.",
            code="store_exists",
            details={"store_url": "already connected"},
        )

    async def _refuse_duplicate(
        self, config: ConnectorConfig, *, exclude: uuid.UUID | None = None
    ) -> None:
        if await self.repository.find_by_url(config.platform, config.store_url, exclude=exclude):
            raise self._exists(config.platform, config.store_url)

    async def _save(self, store: Store, *, new: bool = False) -> None:
        # The duplicate check above races with a concurrent add of the same store; the unique
        # constraint decides.
        session = self.unit.session
        conflict = self._exists(store.platform, store.store_url)
        if not is_postgresql(session.get_bind().engine):
            # SQLite's driver begins a transaction only before a write, so a savepoint opened
            # first would be the whole transaction and its release would commit the unit. Without
            # one, losing the race leaves the unit to roll back, which the raised error does.
            if new:
                self.repository.add(store)
            try:
                await session.flush()
            except IntegrityError:
                raise conflict from None
            return
        try:
            # A savepoint keeps the unit's transaction usable after losing the race.
            async with session.begin_nested():
                if new:
                    self.repository.add(store)
                await session.flush()
        except IntegrityError:
            raise conflict from None
