"""Reading one tenant's products by SKU across its stores.

A SKU is held by a listing: a product's own SKU when it lists fewer than two variants, and each
variant's SKU when it lists several (Shopify products, WooCommerce variable products: there the
SKU lives on the variant). The two kinds are two branches of one `UNION ALL`, each on its
partial index of migration 0008 (`db.dialects.VARIANT_COUNT`): products by `(tenant_id, sku)`,
products with variants by `tenant_id`, their variants read from the product's JSON.

The listing walks the SKUs in order and stops after a page of groups, so its cost follows the
page (and the tenant's products with variants), not the catalog; filters are `HAVING`
conditions on the same walk. The conflict report aggregates the whole catalog.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.catalog.search import escape_like
from g4hub_core.db.dialects import SQLDialect, dialect_of
from g4hub_core.models import Store, StoreProduct

__all__ = ["SkuRepository", "listing_entries"]


def _has(column: Any) -> ColumnElement[bool]:
    return and_(column.is_not(None), column != "")


def listing_entries(
    sql: SQLDialect,
    tenant_id: uuid.UUID,
    *,
    detail: bool = False,
    where: Callable[[Any], ColumnElement[bool]] | None = None,
    store_ids: Sequence[uuid.UUID] | None = None,
) -> Any:
    """The tenant's listings as a subquery: `sku` ('' or `None` for none), `store_id`, `price`
    (a number), `stock`; with `detail`, also `product_id`, `variant_id` (`None` for a product's
    own SKU), `name`, `variant_title`, `manage_stock`. `where(sku)` builds a condition on a
    branch's SKU column, applied to both; `store_ids` keeps those stores'."""
    count = sql.variant_count(StoreProduct.__tablename__)
    elements = sql.variants(StoreProduct.data).table_valued("value").alias("variant")
    value = elements.c.value
    variant_sku = sql.field(value, "sku")
    price: Any = StoreProduct.price
    variant_price: Any = sql.field(value, "price", "number")
    if not sql.postgresql:
        # SQLite keeps money as text, where "9.5" and "9.50" differ; the number does not.
        price = cast(StoreProduct.price, Float)
        variant_price = cast(variant_price, Float)
    own: list[Any] = [
        StoreProduct.sku.label("sku"),
        StoreProduct.store_id.label("store_id"),
        (StoreProduct.price if detail else price).label("price"),
        StoreProduct.stock_quantity.label("stock"),
    ]
    of_variant: list[Any] = [
        variant_sku.label("sku"),
        StoreProduct.store_id.label("store_id"),
        (sql.field(value, "price", "number") if detail else variant_price).label("price"),
        sql.field(value, "stock_quantity", "integer").label("stock"),
    ]
    if detail:
        own += [
            StoreProduct.platform_product_id.label("product_id"),
            cast(null(), String).label("variant_id"),
            StoreProduct.name.label("name"),
            cast(null(), String).label("variant_title"),
            StoreProduct.manage_stock.label("manage_stock"),
        ]
        of_variant += [
            StoreProduct.platform_product_id.label("product_id"),
            sql.field(value, "id").label("variant_id"),
            StoreProduct.name.label("name"),
            sql.field(value, "title").label("variant_title"),
            func.coalesce(sql.field(value, "manage_stock", "boolean"), literal(False)).label(
                "manage_stock"
            ),
        ]
    mine = StoreProduct.tenant_id == tenant_id
    first = select(*own).where(mine, count < 2)
    second = (
        select(*of_variant).select_from(StoreProduct).join(elements, true()).where(mine, count >= 2)
    )
    if store_ids is not None:
        first = first.where(StoreProduct.store_id.in_(list(store_ids)))
        second = second.where(StoreProduct.store_id.in_(list(store_ids)))
    if where is not None:
        first = first.where(where(StoreProduct.sku))
        second = second.where(where(variant_sku))
    return union_all(first, second).subquery("listing")


class SkuRepository:
    """One tenant's listings by SKU; every statement names the tenant."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self._sql = dialect_of(session)

    def _entries(
        self,
        *,
        detail: bool = False,
        has_sku: bool | None = True,
        after: str | None = None,
        q: str | None = None,
        skus: Sequence[str] | None = None,
    ) -> Any:
        """The listings, each branch filtered on its SKU column the same way (so PostgreSQL
        walks the first branch's index in order)."""

        def conditions(column: Any) -> ColumnElement[bool]:
            found: list[ColumnElement[bool]] = []
            if has_sku is True:
                found.append(_has(column))
            elif has_sku is False:
                found.append(~_has(column) | column.is_(None))
            if after is not None:
                found.append(column > after)
            if q:
                found.append(func.lower(column).like(f"%{escape_like(q.lower())}%", escape="\\"))
            if skus is not None:
                found.append(column.in_(list(skus)))
            return and_(true(), *found)

        return listing_entries(self._sql, self.tenant_id, detail=detail, where=conditions)

    @staticmethod
    def _differs(entries: Any) -> ColumnElement[bool]:
        return or_(
            func.min(entries.c.price) != func.max(entries.c.price),
            func.min(entries.c.stock) != func.max(entries.c.stock),
        )

    async def page(
        self,
        *,
        after: str | None,
        limit: int,
        q: str | None = None,
        store_id: uuid.UUID | None = None,
        missing_in: uuid.UUID | None = None,
        differs: bool = False,
    ) -> list[str]:
        """SKUs after `after`, in order, matching the filters: containing `q` (any case),
        held by `store_id`, not held by `missing_in` (but by another store), stores disagreeing
        on price or stock."""
        entries = self._entries(after=after, q=q)
        having: list[ColumnElement[bool]] = []
        if store_id is not None:
            having.append(func.sum(case((entries.c.store_id == store_id, 1), else_=0)) > 0)
        if missing_in is not None:
            having.append(func.sum(case((entries.c.store_id == missing_in, 1), else_=0)) == 0)
        if differs:
            having.append(self._differs(entries))
        statement: Select[Any] = select(entries.c.sku).group_by(entries.c.sku)
        if having:
            statement = statement.having(and_(*having))
        statement = statement.order_by(entries.c.sku).limit(limit)
        return [sku for sku in (await self.session.scalars(statement)).all() if sku is not None]

    async def listings(self, skus: Sequence[str]) -> Sequence[Any]:
        """Every listing of the tenant carrying one of `skus`, with its store's name."""
        if not skus:
            return []
        entries = self._entries(detail=True, skus=skus)
        statement = (
            select(
                entries.c.sku,
                entries.c.store_id,
                Store.name.label("store_name"),
                entries.c.product_id.label("platform_product_id"),
                entries.c.variant_id,
                entries.c.name,
                entries.c.variant_title,
                entries.c.price,
                entries.c.stock.label("stock_quantity"),
                entries.c.manage_stock,
            )
            .join(Store, Store.id == entries.c.store_id)
            .order_by(entries.c.sku, Store.name, entries.c.product_id, entries.c.variant_id)
        )
        return (await self.session.execute(statement)).all()

    async def store_ids(self) -> list[uuid.UUID]:
        statement = select(Store.id).where(Store.tenant_id == self.tenant_id).order_by(Store.name)
        return list((await self.session.scalars(statement)).all())

    async def counts(self) -> dict[str, int]:
        """`skus`, `duplicate_skus`, `products_without_sku`, `differing_skus`."""
        entries = self._entries()
        by_sku = (
            select(
                entries.c.sku,
                func.count(func.distinct(entries.c.store_id)).label("stores"),
                self._differs(entries).label("differs"),
            )
            .group_by(entries.c.sku)
            .subquery()
        )
        skus, differing = (
            await self.session.execute(
                select(
                    func.count(),
                    func.coalesce(
                        func.sum(case((and_(by_sku.c.stores > 1, by_sku.c.differs), 1), else_=0)),
                        0,
                    ),
                ).select_from(by_sku)
            )
        ).one()
        duplicates = await self.session.scalar(
            select(func.count()).select_from(self._duplicates().subquery())
        )
        without = await self.session.scalar(
            select(func.count()).select_from(self._entries(has_sku=False))
        )
        return {
            "skus": int(skus or 0),
            "duplicate_skus": int(duplicates or 0),
            "products_without_sku": int(without or 0),
            "differing_skus": int(differing or 0),
        }

    def _duplicates(self) -> Any:
        entries = self._entries()
        return (
            select(entries.c.store_id, entries.c.sku, func.count().label("count"))
            .group_by(entries.c.store_id, entries.c.sku)
            .having(func.count() > 1)
        )

    async def duplicate_samples(self, limit: int) -> Sequence[Any]:
        duplicates = self._duplicates().subquery()
        statement = (
            select(duplicates).order_by(duplicates.c.sku, duplicates.c.store_id).limit(limit)
        )
        return (await self.session.execute(statement)).all()

    async def without_sku_by_store(self) -> Sequence[Any]:
        entries = self._entries(has_sku=False)
        statement = (
            select(entries.c.store_id, func.count().label("count"))
            .group_by(entries.c.store_id)
            .order_by(entries.c.store_id)
        )
        return (await self.session.execute(statement)).all()
