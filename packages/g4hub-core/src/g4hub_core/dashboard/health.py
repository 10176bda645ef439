"""A store's health: one verdict from its connection test and its newest sync, with the reason
and the time, so no page or API answer says "Connected" beside "Last sync failed".

Every reader (the overview, the stores list, a store's page, `GET /api/stores`) takes its
`StoreHealth` from `store_health`; none derives its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["HEALTH_LABELS", "HealthState", "StoreHealth", "store_health"]

HealthState = Literal["ok", "syncing", "warning", "error", "untested"]
"""First that applies: `syncing` (a sync is queued or running), `error` (the connection test
failed), `untested` (never tested), `warning` (connected, but its newest sync failed), `ok`."""

HEALTH_LABELS: dict[str, str] = {
    "ok": "Connected",
    "syncing": "Syncing",
    "warning": "Last sync failed",
    "error": "Connection failed",
    "untested": "Untested",
}
"""The words each state is shown with; a page never shows a state by colour alone."""


class StoreHealth(BaseModel):
    """One store's health as every page and the API show it.

    `reason` is the sentence for the merchant when something is wrong (the connector's message),
    `None` when healthy; `since` is when the deciding fact happened (the failed sync's end, the
    failed test; for a healthy store its newest finished sync or test)."""

    model_config = ConfigDict(frozen=True)

    state: HealthState
    label: str
    reason: str | None
    since: datetime | None
    healthy: bool
    """Connected, and its newest finished sync (if any) did not fail; a running sync changes
    nothing until it ends."""
    last_sync_attempt_at: datetime | None
    """When the newest finished sync ended, whatever its outcome (`None`: none has ended)."""
    last_sync_result: Literal["succeeded", "failed"] | None
    """How that sync ended."""
    last_sync_error: str | None
    """Why it failed, for the merchant; `None` unless it failed."""


def store_health(
    *,
    connection_status: str,
    last_connection_test: datetime | None,
    connection_error: str | None,
    syncing: bool,
    last_sync_result: str | None,
    last_sync_error: str | None,
    last_sync_attempt_at: datetime | None,
) -> StoreHealth:
    """The verdict for one store. `last_sync_*` describe its newest finished sync (succeeded or
    failed); `syncing` says whether one is queued or running now."""
    sync_failed = last_sync_result == "failed"
    healthy = connection_status == "connected" and not sync_failed
    state: HealthState
    reason: str | None = None
    since = last_connection_test
    if syncing:
        state = "syncing"
    elif connection_status == "failed":
        state = "error"
        reason = connection_error or "The store refused the connection."
    elif connection_status != "connected":
        state = "untested"
        reason = "The connection has not been tested yet."
    elif sync_failed:
        state = "warning"
        reason = last_sync_error or "The sync stopped before the end."
        since = last_sync_attempt_at
    else:
        state = "ok"
        since = _latest(last_sync_attempt_at, last_connection_test)
    result: Literal["succeeded", "failed"] | None = (
        "failed" if sync_failed else "succeeded" if last_sync_result == "succeeded" else None
    )
    return StoreHealth(
        state=state,
        label=HEALTH_LABELS[state],
        reason=reason,
        since=since,
        healthy=healthy,
        last_sync_attempt_at=last_sync_attempt_at,
        last_sync_result=result,
        last_sync_error=(last_sync_error or "The sync stopped before the end.")
        if sync_failed
        else None,
    )


def _latest(*moments: datetime | None) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None
