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
        # The SKU counts come from summaries the database keeps at each write (a few ms): shown
        # while stores sync too, as they stand at each of the page's refreshes.
        return page(
            "overview.html",
            overview=await unit.dashboard.overview(recent=10),
            trend=await unit.dashboard.trend(limit=30),
            sku_report=await unit.skus.conflicts(),
        )
