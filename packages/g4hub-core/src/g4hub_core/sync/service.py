"""Asking for syncs and reading their logs, for one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import insert

from g4hub_core.db.base import utcnow
from g4hub_core.db.dialects import dialect_of
from g4hub_core.errors import Conflict, InvalidInput
from g4hub_core.models import SyncLog
from g4hub_core.settings import HubSettings
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.sync.jobs import SyncJob
from g4hub_core.sync.repository import SyncLogRepository
from g4hub_core.sync.schemas import SyncLogRead, SyncTrigger
from g4hub_core.unit import UnitOfWork

__all__ = ["RequestedMode", "SyncService"]

RequestedMode = Literal["auto", "full", "incremental"]
_TRIGGERS = ("initial", "manual", "scheduled")
_MODES = ("auto", "full", "incremental")
_MAX_LIMIT = 500


def _limit(limit: int) -> int:
    if limit < 1:
        raise InvalidInput("Ask for at least one sync log.", details={"limit": "must be 1 or more"})
    return min(limit, _MAX_LIMIT)


class SyncService:
    """Syncs of the unit's tenant. Nothing here talks to a store: `request` queues a sync, and
    once the unit has committed hands its job to `enqueue` (the job queue's)."""

    def __init__(
        self,
        unit: UnitOfWork,
        *,
        settings: HubSettings,
        enqueue: Callable[[SyncJob], Awaitable[None]],
    ) -> None:
        self._unit = unit
        self._settings = settings
        self._enqueue = enqueue
        self._logs = SyncLogRepository(unit.session, unit.tenant_id)
        self._stores = StoreRepository(unit.session, unit.tenant_id)

    async def request(
        self,
        store_id: uuid.UUID,
        *,
        trigger: SyncTrigger = "manual",
        mode: RequestedMode = "auto",
    ) -> SyncLogRead:
        """Queue a sync of the store and return its log; if the store already has a queued or
        running sync, return that one instead (one sync per store at a time).

        `mode`: "full" lists the whole catalog and then removes the products the store no
        longer has; "incremental" asks only for products changed since the last successful
        sync began (less a safety margin, `sync_incremental_overlap_seconds`) and removes
        nothing; "auto" is full for `manual` and `initial` triggers, and for `scheduled` ones
        incremental, except a full one when the last full sync is older than
        `sync_full_every_hours` (so removals reach the hub at least that often) or there is
        none. "incremental" with no earlier successful sync runs full. A store with a schedule has
        its next scheduled sync moved one interval on. Raises `NotFound` for a store the tenant
        does not have.
        """
        if trigger not in _TRIGGERS:
            raise InvalidInput(
                f"Unknown sync trigger {trigger!r}.", details={"trigger": "unknown value"}
            )
        if mode not in _MODES:
            raise InvalidInput(
                "A sync's mode is auto, full or incremental.", details={"mode": "unknown value"}
            )
        store = await self._stores.get_or_raise(store_id)
        active = await self._logs.active(store.id)
        if active is not None:
            return SyncLogRead.model_validate(active)
        chosen, updated_since = await self._choose_mode(store.id, trigger, mode)
        log_id = uuid.uuid4()
        inserted = await self._insert(
            id=log_id,
            tenant_id=self._unit.tenant_id,
            store_id=store.id,
            trigger=trigger,
            mode=chosen,
            status="queued",
            updated_since=updated_since,
            created_at=utcnow(),
        )
        if not inserted:  # a concurrent request queued one first
            active = await self._logs.active(store.id)
            if active is None:
                raise Conflict(
                    "Another sync of this store was just requested; try again.",
                    code="sync_conflict",
                )
            return SyncLogRead.model_validate(active)
        if store.sync_interval_minutes is not None:
            # Any sync restarts the schedule's clock: the next scheduled one is an interval on.
            store.next_sync_at = utcnow() + timedelta(minutes=store.sync_interval_minutes)
        log = await self._logs.get_or_raise(log_id)
        job = SyncJob(tenant_id=self._unit.tenant_id, store_id=store.id, log_id=log_id)
        enqueue_job = self._enqueue

        async def enqueue() -> None:
            await enqueue_job(job)

        self._unit.after_commit(enqueue)
        return SyncLogRead.model_validate(log)

    async def _choose_mode(
        self, store_id: uuid.UUID, trigger: SyncTrigger, mode: RequestedMode
    ) -> tuple[str, datetime | None]:
        if trigger == "initial" or mode == "full":
            return "full", None
        if mode == "auto" and trigger == "manual":
            # A merchant asking for a sync expects the hub to match the store, removals
            # included, and only a full listing can see removals.
            return "full", None
        settings = self._settings
        last = await self._logs.last_succeeded(store_id)
        if last is None or last.started_at is None:
            # Nothing to be incremental to: the first sync of a store lists everything.
            return "full", None
        if mode == "auto":
            last_full = await self._logs.last_succeeded(store_id, mode="full")
            full_due = timedelta(hours=settings.sync_full_every_hours)
            if last_full is None or last_full.created_at < utcnow() - full_due:
                return "full", None
        overlap = timedelta(seconds=settings.sync_incremental_overlap_seconds)
        return "incremental", last.started_at - overlap

    async def _insert(self, **values: Any) -> bool:
        """Insert a queued log; False if the store already has an active one (the partial
        unique index on active syncs refused it), the caller's unit intact either way."""
        session = self._unit.session
        return await dialect_of(session).insert_or_skip(session, insert(SyncLog).values(**values))

    async def get(self, log_id: uuid.UUID) -> SyncLogRead:
        """One sync log; `NotFound` if the tenant has none with this id."""
        return SyncLogRead.model_validate(await self._logs.get_or_raise(log_id))

    async def active(self, store_id: uuid.UUID) -> SyncLogRead | None:
        """The store's queued or running sync, if any."""
        log = await self._logs.active(store_id)
        return None if log is None else SyncLogRead.model_validate(log)

    async def history(self, store_id: uuid.UUID, *, limit: int = 50) -> list[SyncLogRead]:
        """The store's syncs, newest first (at most `limit`, up to 500). `NotFound` for a store
        the tenant does not have."""
        await self._stores.get_or_raise(store_id)
        return [
            SyncLogRead.model_validate(log)
            for log in await self._logs.history(store_id, limit=_limit(limit))
        ]

    async def logs(
        self, *, store_id: uuid.UUID | None = None, limit: int = 50
    ) -> list[SyncLogRead]:
        """The tenant's syncs (of one store, when given), newest first (at most `limit`, up to
        500)."""
        return [
            SyncLogRead.model_validate(log)
            for log in await self._logs.recent(store_id=store_id, limit=_limit(limit))
        ]
