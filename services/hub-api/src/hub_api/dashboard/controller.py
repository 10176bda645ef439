"""`/api/dashboard`: the state of all of the tenant's stores, and its recent syncs."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from g4hub_core import Unit
from g4hub_core.dashboard.schemas import Overview
from g4hub_core.dashboard.service import MAX_ACTIVITY
from hub_api.dashboard.schemas import ActivityList

__all__ = ["DashboardController"]


class DashboardController(Controller):
    path = "/api/dashboard"
    tags = ["dashboard"]

    @get("/overview", summary="The dashboard's overview")
    async def overview(
        self,
        unit: NamedDependency[Unit],
        recent: Annotated[
            int,
            QueryParameter(ge=0, le=MAX_ACTIVITY, description="Newest syncs in `recent_activity`."),
        ] = 10,
    ) -> Overview:
        """Store counts (by connection status and platform), products synced, the latest
        successful sync, each store's status light, and the newest syncs."""
        return await unit.dashboard.overview(recent=recent)

    @get("/recent-activity", summary="The newest syncs")
    async def recent_activity(
        self,
        unit: NamedDependency[Unit],
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_ACTIVITY)] = 20,
    ) -> ActivityList:
        """The tenant's newest syncs, whatever their outcome, newest first."""
        return ActivityList(items=await unit.dashboard.recent_activity(limit=limit))
