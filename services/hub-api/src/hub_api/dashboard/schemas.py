"""Response bodies of the dashboard routes: the core's `Overview` and `Activity`, and the list
envelope."""

from __future__ import annotations

from pydantic import BaseModel

from g4hub_core.dashboard.schemas import Activity

__all__ = ["ActivityList"]


class ActivityList(BaseModel):
    """`GET /api/dashboard/recent-activity`: the newest syncs, newest first."""

    items: list[Activity]
