"""`/api/dashboard` (placeholder: routes are added by the dashboard work)."""

from __future__ import annotations

from litestar import Controller


class DashboardController(Controller):
    path = "/api/dashboard"
    tags = ["dashboard"]
