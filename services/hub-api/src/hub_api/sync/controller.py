"""`/api/sync`: the tenant's sync logs (a sync is requested at `POST /api/stores/{id}/sync`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter
from litestar.status_codes import HTTP_404_NOT_FOUND

from g4hub_core import Unit
from g4hub_core.sync.schemas import SyncLogRead
from hub_api.errors import documented_errors
from hub_api.sync.schemas import SyncLogList

__all__ = ["SyncController"]

# The core's own cap on one read of the logs.
MAX_LOGS = 500


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]

    @get("/logs", summary="List sync logs", raises=documented_errors(HTTP_404_NOT_FOUND))
    async def list_logs(
        self,
        unit: NamedDependency[Unit],
        store_id: Annotated[
            uuid.UUID | None, QueryParameter(description="Only this store's syncs.")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LOGS)] = 50,
    ) -> SyncLogList:
        """The tenant's syncs (of one store, when `store_id` is given), newest first. A
        `store_id` the tenant does not have is 404, like every other id."""
        if store_id is None:
            return SyncLogList(items=await unit.sync.logs(limit=limit))
        return SyncLogList(items=await unit.sync.history(store_id, limit=limit))

    @get("/logs/{log_id:uuid}", summary="Read one sync log")
    async def get_log(
        self,
        unit: NamedDependency[Unit],
        log_id: Annotated[uuid.UUID, PathParameter(description="The sync log's id.")],
    ) -> SyncLogRead:
        """One sync: its status and progress (poll this while a sync runs)."""
        return await unit.sync.get(log_id)
