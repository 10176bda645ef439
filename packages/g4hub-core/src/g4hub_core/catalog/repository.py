"""Reading a tenant's synced products."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, func

from g4hub_core.catalog.search import escape_like, matches
from g4hub_core.models import StoreProduct
from g4hub_core.repository import TenantRepository

__all__ = ["LISTING_COLUMNS", "ProductRepository", "escape_like"]

LISTING_COLUMNS = (
    StoreProduct.platform_product_id,
    StoreProduct.sku,
    StoreProduct.name,
    StoreProduct.price,
    StoreProduct.currency,
    StoreProduct.stock_quantity,
    StoreProduct.manage_stock,
    StoreProduct.stock_status,
    StoreProduct.status,
    StoreProduct.image_url,
    StoreProduct.last_updated,
    StoreProduct.source_updated_at,
)
"""The columns of a listing's rows (`catalog.schemas.ProductRead`)."""


class ProductRepository(TenantRepository[StoreProduct]):
    """The tenant's products. Every query names the store too, so it walks one store's rows of
    the `(store_id, name)` / `(store_id, sku)` indexes, whatever the size of the whole table."""

    model = StoreProduct
    noun = "product"

    def _matching(self, store_id: uuid.UUID, query: str | None) -> Select[StoreProduct]:
        statement = self.statement().where(StoreProduct.store_id == store_id)
        if query:
            statement = statement.where(matches(query))
        return statement

    async def page(
        self,
        store_id: uuid.UUID,
        *,
        offset: int,
        limit: int,
        query: str | None = None,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
    ) -> Sequence[RowMapping]:
        """The `LISTING_COLUMNS` of the store's products whose name or SKU contains `query` (any
        case or accents, see `catalog.search`) and that meet `where`, in `order_by` (default: by
        name), then by id. Plain rows, not ORM objects: a page is read, never changed, and
        building and tracking 50 objects cost more than its query (`by_platform_id` gives the
        product with its document)."""
        statement = self.page_statement(
            store_id, offset=offset, limit=limit, query=query, where=where, order_by=order_by
        )
        return (await self.session.execute(statement)).mappings().all()

    def page_statement(
        self,
        store_id: uuid.UUID,
        *,
        offset: int,
        limit: int,
        query: str | None = None,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
    ) -> Select[*tuple[Any, ...]]:
        """`page`'s query."""
        return (
            self._matching(store_id, None)
            # A page shows columns only; each product's document is kilobytes of JSON to decode.
            .with_only_columns(*LISTING_COLUMNS)
            .where(*self._search(store_id, query))
            .where(*where)
            .order_by(*(order_by or (StoreProduct.name,)), StoreProduct.id)
            .offset(offset)
            .limit(limit)
        )

    def _search(self, store_id: uuid.UUID, query: str | None) -> list[ColumnElement[bool]]:
        if not query:
            return []
        if self.session.get_bind().dialect.name != "sqlite":
            return [matches(query)]  # PostgreSQL: from the trigram index
        # SQLite picks a search's matches first, from the `(store_id, tenant_id, search_text,
        # name)` index alone, and reads only those rows: walking the store's rows in name order
        # and testing each one's folded text reads the whole table for a rare word, that text
        # sitting behind the row's kilobytes of JSON (~10x slower). (PostgreSQL's planner makes
        # a nested loop of this that runs for minutes.)
        matching = self._matching(store_id, query).with_only_columns(StoreProduct.id)
        return [StoreProduct.id.in_(matching)]

    async def count(
        self,
        store_id: uuid.UUID,
        *,
        query: str | None = None,
        where: Sequence[ColumnElement[bool]] = (),
    ) -> int:
        statement = self._matching(store_id, query).where(*where).with_only_columns(func.count())
        return int(await self.session.scalar(statement) or 0)

    async def by_platform_id(
        self, store_id: uuid.UUID, platform_product_id: str
    ) -> StoreProduct | None:
        statement = self.statement().where(
            StoreProduct.store_id == store_id,
            StoreProduct.platform_product_id == platform_product_id,
        )
        return (await self.session.scalars(statement)).one_or_none()
