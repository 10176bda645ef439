"""`/api/stores` (placeholder: routes are added by the stores work)."""

from __future__ import annotations

from litestar import Controller


class StoreController(Controller):
    path = "/api/stores"
    tags = ["stores"]
