"""`/api/sync` (placeholder: routes are added by the sync work)."""

from __future__ import annotations

from litestar import Controller


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]
