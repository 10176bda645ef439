"""`GET /api/changes`: every product created, updated or deleted in the tenant's stores (by a sync
or a webhook), oldest first, resumable from an opaque cursor.

    GET /api/changes?limit=500                  -> {items, next_cursor, has_more}
    GET /api/changes?cursor=<next_cursor>       -> what happened since

Nothing is pruned: a cursor kept for a month still resumes where it stopped.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from g4hub_core import Unit
from g4hub_core.changes import ChangePage
from g4hub_core.changes.service import MAX_PAGE

__all__ = ["ChangeController"]


class ChangeController(Controller):
    path = "/api/changes"
    tags = ["changes"]

    @get("/", summary="Follow product changes")
    async def changes(
        self,
        unit: NamedDependency[Unit],
        cursor: Annotated[
            str | None,
            QueryParameter(max_length=200, description="`next_cursor` of the previous page."),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 100,
        store_id: Annotated[
            uuid.UUID | None, QueryParameter(description="Only this store's changes.")
        ] = None,
    ) -> ChangePage:
        """Changes after `cursor` (from the beginning without one), oldest first. A cursor this
        feed did not give out is 422 `invalid_cursor`."""
        return await unit.changes.page(cursor, limit=limit, store_id=store_id)
