"""`/overview`: the tenant's numbers, stores, recent syncs and their trend. (`/automation` is
`web/automation.py`.)"""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from g4hub_core import Unit
from hub_api.web.rendering import page

__all__ = ["OverviewController"]


class OverviewController(Controller):
    include_in_schema = False

    @get("/overview")
    async def overview(self, unit: NamedDependency[Unit]) -> Template:
        overview = await unit.dashboard.overview(recent=10)
        # While a store syncs the page refreshes every two seconds and the counts are moving:
        # the report (a pass over the whole catalog) waits until the syncs are over.
        syncing = any(store.syncing for store in overview.stores)
        return page(
            "overview.html",
            overview=overview,
            trend=await unit.dashboard.trend(limit=30),
            sku_report=None if syncing else await unit.skus.conflicts(),
        )
