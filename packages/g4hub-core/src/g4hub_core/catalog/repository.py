"""Reading a tenant's synced products."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import attrs
from sqlalchemy import Column, ColumnElement, RowMapping, Select, func, select
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import iterate

from g4hub_core.catalog.search import escape_like, matches
from g4hub_core.models import StoreProduct
from g4hub_core.repository import TenantRepository

__all__ = ["LISTING_COLUMNS", "Page", "ProductRepository", "escape_like"]

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


@attrs.frozen
class Page:
    """A page of `LISTING_COLUMNS` rows, and how many products match in all when the page's
    own query counted them (`None`: not counted)."""

    rows: Sequence[RowMapping]
    total: int | None = None


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
    ) -> Page:
        """The `LISTING_COLUMNS` of the store's products whose name or SKU contains `query` (any
        case or accents, see `catalog.search`) and that meet `where`, in `order_by` (default: by
        name), then by id. Plain rows, not ORM objects: a page is read, never changed, and
        building and tracking 50 objects cost more than its query (`by_platform_id` gives the
        product with its document).

        A search's page counts its matches in the same statement (`Page.total`, unless the page
        is past the end): finding them is most of a search's cost, and a separate count found
        them all again (about 40% of a search request on SQLite at 20,000 products). A listing
        without `query` reads only its page from an index, so it is not counted here."""
        statement = self.page_statement(
            store_id, offset=offset, limit=limit, query=query, where=where, order_by=order_by
        )
        rows = (await self.session.execute(statement)).mappings().all()
        if not query:
            return Page(rows)
        if not rows:
            return Page(rows, 0 if offset == 0 else None)
        return Page(rows, int(rows[0]["total"]))

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
        """`page`'s query: with `query`, its rows carry `total`, the count of all matches."""
        ordering = (*(order_by or (StoreProduct.name,)), StoreProduct.id)
        if not query:
            return (
                self._matching(store_id, None)
                # A page shows columns only; each product's document is kilobytes of JSON.
                .with_only_columns(*LISTING_COLUMNS)
                .where(*where)
                .order_by(*ordering)
                .offset(offset)
                .limit(limit)
            )
        # The matches are found once, with their ids and sort keys only (SQLite from the
        # `(store_id, tenant_id, search_text, name)` index, PostgreSQL from the trigram index),
        # then counted and ordered, and only the page's rows are read. Left to itself, a
        # planner walks the name index testing each row's folded text, reading the whole table
        # for a rare word (the text sits behind the row's kilobytes of JSON): ~18 ms instead of
        # 2 on PostgreSQL at 20,000 products, the window-count form of this too.
        ordering = tuple(
            key.__clause_element__() if isinstance(key, QueryableAttribute) else key
            for key in ordering
        )
        keys: set[Column[Any]] = set()
        for key in ordering:
            keys.update(element for element in iterate(key) if isinstance(element, Column))
        matching = (
            self._matching(store_id, query)
            .with_only_columns(*sorted(keys, key=lambda column: column.name))
            .where(*where)
            .cte("matching")
            .prefix_with("MATERIALIZED")
        )
        in_matches = ClauseAdapter(matching)
        page = (
            select(matching.c.id)
            .order_by(*(in_matches.traverse(key) for key in ordering))
            .offset(offset)
            .limit(limit)
            .subquery("page")
        )
        total = select(func.count()).select_from(matching).scalar_subquery()
        return (
            select(*LISTING_COLUMNS, total.label("total"))
            .join_from(StoreProduct, page, StoreProduct.id == page.c.id)
            .order_by(*ordering)
        )

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
