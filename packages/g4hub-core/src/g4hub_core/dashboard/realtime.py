"""A store's real-time status as the store's API answer, the overview and the pages show it:
`live`, `degraded` or `off`, with the reason in the merchant's words.

The status itself is kept on the store's webhook endpoint (`webhooks.subscriptions` writes it
when it subscribes and at each watchdog check); `realtime_status` only adds what a store without
an endpoint says, from the hub's settings and the store's schedule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "NOT_SUBSCRIBED",
    "REALTIME_LABELS",
    "RealtimeState",
    "RealtimeStatus",
    "no_public_url",
    "realtime_status",
]

RealtimeState = Literal["live", "degraded", "off"]

REALTIME_LABELS: dict[str, str] = {"live": "Live", "degraded": "Degraded", "off": "Off"}
"""The words each state is shown with."""

NOT_SUBSCRIBED = (
    "Not subscribed to the store's changes yet: subscribe from the store's page (the hub also "
    "tries at its next check)."
)


def no_public_url(sync_interval_minutes: int | None) -> str:
    """Why a hub without a public address has no real-time updates, and what it does instead."""
    if sync_interval_minutes:
        polling = f"polling: a sync every {sync_interval_minutes} min."
    else:
        polling = "no automatic syncs are scheduled (sync by hand, or set a schedule)."
    return (
        "Real-time updates are off: the hub has no public address (set G4HUB_PUBLIC_URL); "
        + polling
    )


class RealtimeStatus(BaseModel):
    """`live`: the store's subscriptions are all active. `degraded`: some are missing or
    disabled, or the store refused (the `reason` says which). `off`: no subscriptions (the
    `reason` says why). `reason` may also tell what the hub repaired while `live` (a webhook
    the store had disabled, re-enabled at a time). `checked_at`: the hub's last check."""

    model_config = ConfigDict(frozen=True)

    status: RealtimeState
    reason: str | None = None
    checked_at: datetime | None = None


def realtime_status(
    endpoint: tuple[str, str | None, datetime | None] | None,
    *,
    public_url: str | None,
    sync_interval_minutes: int | None,
) -> RealtimeStatus:
    """The status from the store's endpoint `(status, reason, checked_at)`, or `None` when it
    has none."""
    if not public_url:
        checked = endpoint[2] if endpoint is not None else None
        return RealtimeStatus(
            status="off", reason=no_public_url(sync_interval_minutes), checked_at=checked
        )
    if endpoint is None:
        return RealtimeStatus(status="off", reason=NOT_SUBSCRIBED)
    status, reason, checked_at = endpoint
    if status not in REALTIME_LABELS:
        status = "off"
    if status == "off" and reason is None:
        reason = NOT_SUBSCRIBED
    return RealtimeStatus(status=status, reason=reason, checked_at=checked_at)
