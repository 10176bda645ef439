"""What the dashboard shows: the state of all of a tenant's stores and their recent syncs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Activity", "Indicator", "Overview", "StoreStatus"]

Indicator = Literal["ok", "syncing", "warning", "error", "untested"]
"""A store's light on the dashboard, first that applies: `syncing` (a sync is queued or running),
`error` (the connection test failed), `untested` (never tested), `warning` (connected, but its
newest sync failed), `ok`."""


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
    progress: int
    error_code: str | None
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


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
    recent_activity: list[Activity]
