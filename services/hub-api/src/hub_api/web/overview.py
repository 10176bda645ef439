"""`/overview` (the tenant's numbers, stores and recent syncs), and the placeholders
`/automation` and `/settings`."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from g4hub_core import Unit
from hub_api.web.rendering import page
from hub_api.web.session import Viewer

__all__ = ["OverviewController"]


class OverviewController(Controller):
    include_in_schema = False

    @get("/overview")
    async def overview(self, unit: NamedDependency[Unit]) -> Template:
        return page("overview.html", overview=await unit.dashboard.overview(recent=10))

    @get("/automation")
    async def automation(self, viewer: NamedDependency[Viewer]) -> Template:
        return page("automation.html")

    @get("/settings")
    async def settings(self, viewer: NamedDependency[Viewer]) -> Template:
        return page("settings.html")
