"""The dashboard's data: the state of all of a tenant's stores, and its recent syncs."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import RowMapping

from g4hub_core.dashboard.health import StoreHealth, store_health
from g4hub_core.dashboard.realtime import RealtimeStatus, realtime_status
from g4hub_core.dashboard.repository import ActivityRepository, StoreStatusRepository
from g4hub_core.dashboard.schemas import Activity, Indicator, Overview, StoreStatus, TrendPoint
from g4hub_core.errors import InvalidInput
from g4hub_core.unit import UnitOfWork

if TYPE_CHECKING:
    from g4hub_core.stores.schemas import StoreRead

    _Store = TypeVar("_Store", bound=StoreRead)

__all__ = ["MAX_ACTIVITY", "DashboardService", "indicator"]

MAX_ACTIVITY = 100


def indicator(connection_status: str, last_sync_status: str | None, syncing: bool) -> Indicator:
    """A store's light: the state of its `StoreHealth` (see `dashboard.health`), from its
    connection status, newest sync's status and whether it syncs."""
    if syncing:
        return "syncing"
    if connection_status == "failed":
        return "error"
    if connection_status != "connected":
        return "untested"
    if last_sync_status == "failed":
        return "warning"
    return "ok"


class DashboardService:
    """Read-only views over the tenant's stores and syncs. Two queries per overview (stores with
    their sync state and real-time status; the activity feed), one per feed or `with_health`,
    whatever the tenant's size."""

    def __init__(self, unit: UnitOfWork, *, public_url: str | None = None) -> None:
        self._unit = unit
        self._public_url = public_url
        self._stores = StoreStatusRepository(unit.session, unit.tenant_id)
        self._activity = ActivityRepository(unit.session, unit.tenant_id)

    async def overview(self, *, recent: int = 10) -> Overview:
        """Counts by connection status and platform, products synced, the latest successful
        sync, each store's status, and the `recent` newest syncs (0 to 100)."""
        _check_limit("recent", recent, minimum=0)
        stores = [
            _store_status(row, self._realtime(row, row["sync_interval_minutes"]))
            for row in await self._stores.statuses()
        ]
        by_status = Counter(store.connection_status for store in stores)
        synced_at = [store.last_sync_at for store in stores if store.last_sync_at is not None]
        activity = await self.recent_activity(limit=recent) if recent else []
        attempts = [(s.health.last_sync_attempt_at, s) for s in stores]
        newest = max(
            ((at, s) for at, s in attempts if at is not None), key=lambda p: p[0], default=None
        )
        newest_store = newest[1] if newest else None
        return Overview(
            healthy_stores=sum(store.health.healthy for store in stores),
            last_sync_attempt_at=newest[0] if newest else None,
            last_sync_result=newest_store.health.last_sync_result if newest_store else None,
            last_sync_store=newest_store.name if newest_store else None,
            total_stores=len(stores),
            connected_stores=by_status["connected"],
            failed_stores=by_status["failed"],
            untested_stores=by_status["untested"],
            stores_by_platform=dict(sorted(Counter(s.platform for s in stores).items())),
            products_synced=sum(store.products_synced for store in stores),
            last_sync_at=_latest(synced_at),
            stores=stores,
            recent_activity=activity,
        )

    async def health(self, store_id: uuid.UUID | None = None) -> dict[uuid.UUID, StoreHealth]:
        """Each store's health (only `store_id`'s when given), by store id; one query."""
        rows = await self._stores.statuses(store_id)
        return {row["id"]: _health(row) for row in rows}

    async def with_health(self, stores: list[_Store]) -> list[_Store]:
        """`stores` with their `health` filled in, in one query for all of them."""
        if not stores:
            return []
        one = stores[0].id if len(stores) == 1 else None
        rows = {row["id"]: row for row in await self._stores.statuses(one)}
        return [
            store.model_copy(
                update={
                    "health": _health(rows[store.id]) if store.id in rows else None,
                    "realtime": self._realtime(rows.get(store.id), store.sync_interval_minutes),
                }
            )
            for store in stores
        ]

    def _realtime(
        self, row: RowMapping | None, sync_interval_minutes: int | None
    ) -> RealtimeStatus:
        """The real-time status from a `statuses` row's endpoint columns (the subscriptions'
        last word)."""
        endpoint = (
            (row["endpoint_status"], row["endpoint_reason"], row["endpoint_checked_at"])
            if row is not None and row["endpoint_status"] is not None
            else None
        )
        return realtime_status(
            endpoint, public_url=self._public_url, sync_interval_minutes=sync_interval_minutes
        )

    async def trend(self, *, limit: int = 30) -> list[TrendPoint]:
        """The tenant's `limit` newest finished syncs (1 to 100), oldest first: the products
        each store had (its own count when the sync began, else what the sync read) and the
        sync's duration."""
        _check_limit("limit", limit, minimum=1)
        points = []
        for row in await self._activity.finished(limit):
            started = row["started_at"] or row["finished_at"]
            points.append(
                TrendPoint(
                    store_id=row["store_id"],
                    store_name=row["store_name"],
                    status=row["status"],
                    finished_at=row["finished_at"],
                    products=row["products_total"] or row["products_fetched"],
                    seconds=max((row["finished_at"] - started).total_seconds(), 0.0),
                )
            )
        return points[::-1]

    async def recent_activity(self, *, limit: int = 20) -> list[Activity]:
        """The tenant's `limit` newest syncs (1 to 100), newest first, whatever their status."""
        _check_limit("limit", limit, minimum=1)
        return [Activity.model_validate(dict(row)) for row in await self._activity.recent(limit)]


def _health(row: RowMapping) -> StoreHealth:
    return store_health(
        connection_status=row["connection_status"],
        last_connection_test=row["last_connection_test"],
        connection_error=row["last_error_message"],
        syncing=bool(row["syncing"]),
        last_sync_result=row["finished_status"],
        last_sync_error=row["finished_error"],
        last_sync_attempt_at=row["finished_at"],
    )


def _store_status(row: RowMapping, realtime: RealtimeStatus) -> StoreStatus:
    health = _health(row)
    return StoreStatus.model_validate(
        {
            **row,
            "syncing": bool(row["syncing"]),
            "indicator": health.state,
            "health": health,
            "realtime": realtime,
        }
    )


def _latest(moments: list[datetime]) -> datetime | None:
    return max(moments) if moments else None


def _check_limit(field: str, value: int, *, minimum: int) -> None:
    if not minimum <= value <= MAX_ACTIVITY:
        raise InvalidInput(
            f"{field} must be between {minimum} and {MAX_ACTIVITY}.",
            code="invalid_limit",
            details={field: f"must be between {minimum} and {MAX_ACTIVITY}"},
        )
