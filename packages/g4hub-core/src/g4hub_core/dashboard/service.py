"""The dashboard's data: the state of all of a tenant's stores, and its recent syncs."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import RowMapping

from g4hub_core.dashboard.repository import ActivityRepository, StoreStatusRepository
from g4hub_core.dashboard.schemas import Activity, Indicator, Overview, StoreStatus
from g4hub_core.errors import InvalidInput

if TYPE_CHECKING:
    from g4hub_core.hub import Unit

__all__ = ["MAX_ACTIVITY", "DashboardService", "indicator"]

MAX_ACTIVITY = 100


def indicator(connection_status: str, last_sync_status: str | None, syncing: bool) -> Indicator:
    """A store's light; see `dashboard.schemas.Indicator` for the order the rules apply in."""
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
    their sync state; the activity feed), one per feed, whatever the tenant's size."""

    def __init__(self, unit: Unit) -> None:
        self._stores = StoreStatusRepository(unit.session, unit.tenant_id)
        self._activity = ActivityRepository(unit.session, unit.tenant_id)

    async def overview(self, *, recent: int = 10) -> Overview:
        """Counts by connection status and platform, products synced, the latest successful
        sync, each store's status, and the `recent` newest syncs (0 to 100)."""
        _check_limit("recent", recent, minimum=0)
        stores = [_store_status(row) for row in await self._stores.statuses()]
        by_status = Counter(store.connection_status for store in stores)
        synced_at = [store.last_sync_at for store in stores if store.last_sync_at is not None]
        activity = await self.recent_activity(limit=recent) if recent else []
        return Overview(
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

    async def recent_activity(self, *, limit: int = 20) -> list[Activity]:
        """The tenant's `limit` newest syncs (1 to 100), newest first, whatever their status."""
        _check_limit("limit", limit, minimum=1)
        return [Activity.model_validate(dict(row)) for row in await self._activity.recent(limit)]


def _store_status(row: RowMapping) -> StoreStatus:
    syncing = bool(row["syncing"])
    return StoreStatus.model_validate(
        {
            **row,
            "syncing": syncing,
            "indicator": indicator(row["connection_status"], row["last_sync_status"], syncing),
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
