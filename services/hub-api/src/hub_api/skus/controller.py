"""One SKU across stores.

GET /api/catalog/skus?differs=&missing_in=&store_id=&q=&cursor=&limit=   -> {items, next_cursor}
GET /api/catalog/skus/conflicts                                          -> the counts
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from g4hub_core import Unit
from g4hub_core.skus import MAX_SKU_PAGE, ConflictReport, SkuPage
from hub_api.errors import documented_errors

__all__ = ["SkuController"]


class SkuController(Controller):
    path = "/api/catalog/skus"
    tags = ["catalog"]

    @get("/", summary="Products side by side by SKU", raises=documented_errors(404))
    async def skus(
        self,
        unit: NamedDependency[Unit],
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        store_id: Annotated[
            uuid.UUID | None, QueryParameter(description="Only SKUs this store holds.")
        ] = None,
        missing_in: Annotated[
            uuid.UUID | None,
            QueryParameter(description="Only SKUs other stores hold and this one does not."),
        ] = None,
        differs: Annotated[
            bool, QueryParameter(description="Only SKUs whose stores disagree on price or stock.")
        ] = False,
        cursor: Annotated[str | None, QueryParameter(max_length=300)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_SKU_PAGE)] = 20,
    ) -> SkuPage:
        """SKUs in order, each with every store's product (price, stock) side by side, whether
        the stores disagree, the stores missing it and those holding it twice. `next_cursor`
        continues. A store of another tenant in a filter is 404."""
        return await unit.skus.page(
            cursor=cursor,
            limit=limit,
            q=q,
            store_id=store_id,
            missing_in=missing_in,
            differs=differs,
        )

    @get("/conflicts", summary="SKU conflicts across stores")
    async def conflicts(self, unit: NamedDependency[Unit]) -> ConflictReport:
        """Counts over the whole catalog: SKUs, duplicate SKUs inside one store, products with
        no SKU, SKUs whose price or stock disagree across stores; with examples."""
        return await unit.skus.conflicts()
