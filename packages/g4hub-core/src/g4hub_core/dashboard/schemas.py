"""What the dashboard shows: the state of all of a tenant's stores and their recent syncs."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, computed_field

from g4hub_core.dashboard.health import HealthState, StoreHealth
from g4hub_core.dashboard.realtime import RealtimeStatus
from g4hub_core.sync.schemas import sync_progress

__all__ = ["Activity", "Indicator", "Overview", "StoreStatus", "TrendPoint"]

Indicator = HealthState
"""A store's light on the dashboard: its `StoreHealth.state`."""


class StoreStatus(BaseModel):
    """One store's line on the overview."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    name: str
    platform: str
    store_url: str
    connection_status: str
    products_count: int
    """The store's own count at its last connection test or sync."""
    products_synced: int
    """Products the hub holds for the store."""
    last_sync_at: datetime | None
    """When the last successful sync finished."""
    last_sync_status: str | None
    """The status of the store's newest sync, whatever its outcome; `None` if never synced."""
    syncing: bool
    indicator: Indicator
    health: StoreHealth
    """The store's one verdict (state, reason, time, last sync attempt and result)."""
    sync_interval_minutes: int | None = None
    """Minutes between scheduled syncs; `None`: no schedule."""
    next_sync_at: datetime | None = None
    realtime: RealtimeStatus | None = None
    """Real-time updates (webhooks): live, degraded or off, with the reason."""


class Activity(BaseModel):
    """One sync, as the activity feed shows it."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    """The sync log's id."""
    store_id: uuid.UUID
    store_name: str
    platform: str
    trigger: str
    mode: str
    status: str
    products_fetched: int
    products_created: int
    products_updated: int
    products_deleted: int
    products_total: int | None = None
    """The store's own count when the sync began."""
    error_code: str | None
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def progress(self) -> int:
        """Percent done (see `sync.schemas.sync_progress`)."""
        return sync_progress(self.status, self.products_fetched, self.products_total)


class Overview(BaseModel):
    """What the dashboard's front page shows for one tenant (`GET /api/dashboard/overview`)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    total_stores: int
    connected_stores: int
    failed_stores: int
    untested_stores: int
    stores_by_platform: dict[str, int]
    products_synced: int
    """The products the hub holds over all the tenant's stores."""
    last_sync_at: datetime | None
    """The latest successful sync of any store."""
    stores: list[StoreStatus]
    healthy_stores: int = 0
    """Stores connected whose newest finished sync did not fail (`StoreHealth.healthy`)."""
    last_sync_attempt_at: datetime | None = None
    """When the newest finished sync of any store ended, whatever its result."""
    last_sync_result: str | None = None
    """`succeeded` or `failed`: how that sync ended."""
    last_sync_store: str | None = None
    """The name of that sync's store."""
    recent_activity: list[Activity]


class TrendPoint(BaseModel):
    """One finished sync on the overview's chart: when it ended, the products the store had,
    how long it took."""

    model_config = ConfigDict(frozen=True)

    store_id: uuid.UUID
    store_name: str
    status: str
    finished_at: datetime
    products: int
    seconds: float
