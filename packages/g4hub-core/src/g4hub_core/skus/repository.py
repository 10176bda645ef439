"""Reading one tenant's products by SKU across its stores.

A SKU is held by a listing: a product's own SKU when it lists fewer than two variants, and each
variant's SKU when it lists several (Shopify products, WooCommerce variable products: there the
SKU lives on the variant). The two kinds are two branches of one `UNION ALL`, each walked by
its `(tenant_id, sku)` index (migration 0008): products with fewer than two variants
(`db.dialects.VARIANT_COUNT`, a partial index) and `sku_variants` (the variants of the others,
kept by the database's triggers).

Which SKUs a page shows, and the conflict report's counts, are read from the summaries the
database keeps from those listings (migration 0010): `sku_summaries` (per SKU: listings, stores,
whether they differ) and `sku_store_listings` (per SKU and store holding it). A page walks them
in SKU order and stops after `limit`; its listings are then read for those SKUs only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    func,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.catalog.search import escape_like
from g4hub_core.db.dialects import SQLDialect, dialect_of
from g4hub_core.models import SkuStoreListing, SkuSummary, SkuVariant, Store, StoreProduct

__all__ = ["SkuRepository", "listing_entries", "stock_listings"]


def _has(column: Any) -> ColumnElement[bool]:
    return and_(column.is_not(None), column != "")


def listing_entries(
    sql: SQLDialect,
    tenant_id: uuid.UUID,
    *,
    where: Callable[[Any], ColumnElement[bool]] | None = None,
    store_ids: Sequence[uuid.UUID] | None = None,
) -> Any:
    """The tenant's listings as a subquery: `sku` ('' or `None` for none), `store_id`, `price`,
    `stock`, `product_id`, `variant_id` (`None` for a product's own SKU), `name`,
    `variant_title`, `manage_stock`. `where(sku)` builds a condition on a branch's SKU column,
    applied to both; `store_ids` keeps those stores'."""
    count = sql.variant_count(StoreProduct.__tablename__)
    first = select(
        StoreProduct.sku.label("sku"),
        StoreProduct.store_id.label("store_id"),
        StoreProduct.price.label("price"),
        StoreProduct.stock_quantity.label("stock"),
        StoreProduct.platform_product_id.label("product_id"),
        cast(null(), String).label("variant_id"),
        StoreProduct.name.label("name"),
        cast(null(), String).label("variant_title"),
        StoreProduct.manage_stock.label("manage_stock"),
    ).where(StoreProduct.tenant_id == tenant_id, count < 2)
    second = (
        select(
            SkuVariant.sku.label("sku"),
            SkuVariant.store_id.label("store_id"),
            SkuVariant.price.label("price"),
            SkuVariant.stock_quantity.label("stock"),
            StoreProduct.platform_product_id.label("product_id"),
            SkuVariant.variant_id.label("variant_id"),
            StoreProduct.name.label("name"),
            SkuVariant.title.label("variant_title"),
            SkuVariant.manage_stock.label("manage_stock"),
        )
        .join(StoreProduct, StoreProduct.id == SkuVariant.product_row_id)
        .where(SkuVariant.tenant_id == tenant_id)
    )
    if store_ids is not None:
        first = first.where(StoreProduct.store_id.in_(list(store_ids)))
        second = second.where(SkuVariant.store_id.in_(list(store_ids)))
    if where is not None:
        first = first.where(where(StoreProduct.sku))
        second = second.where(where(SkuVariant.sku))
    return union_all(first, second).subquery("listing")


class SkuRepository:
    """One tenant's listings by SKU; every statement names the tenant."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self._sql = dialect_of(session)

    @staticmethod
    def _conditions(*, skus: Sequence[str] | None = None) -> Callable[[Any], ColumnElement[bool]]:
        """Listings with a SKU (one of `skus`, if given)."""

        def conditions(column: Any) -> ColumnElement[bool]:
            found = [_has(column)]
            if skus is not None:
                found.append(column.in_(list(skus)))
            return and_(*found)

        return conditions

    async def _rows(self, statement: Any) -> Sequence[Any]:
        """`statement`'s rows, run on the session's connection: plain rows, without the ORM's
        loading (a page's listings are thousands of rows: 100 stores side by side)."""
        connection = await self.session.connection()
        return (await connection.execute(statement)).all()

    def _summaries(self) -> Any:
        """The tenant's SKUs held by any listing (summaries stay at zero once a SKU is gone)."""
        return select(SkuSummary.sku).where(
            SkuSummary.tenant_id == self.tenant_id, SkuSummary.listings > 0, SkuSummary.sku != ""
        )

    def _held_by(self, store_id: uuid.UUID) -> Any:
        return select(SkuStoreListing.sku).where(
            SkuStoreListing.tenant_id == self.tenant_id,
            SkuStoreListing.store_id == store_id,
            SkuStoreListing.sku == SkuSummary.sku,
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
        on price or stock. One walk of the tenant's summaries (`differs` along its partial
        index; `store_id` along the store's own SKUs), stopping after `limit`."""
        statement = self._summaries()
        # The walk's key: the store's own SKUs when held by one, so its index gives the order.
        key: Any = SkuSummary.sku
        if store_id is not None:
            key = SkuStoreListing.sku
            statement = statement.join(
                SkuStoreListing,
                and_(
                    SkuStoreListing.tenant_id == self.tenant_id,
                    SkuStoreListing.store_id == store_id,
                    SkuStoreListing.sku == SkuSummary.sku,
                ),
            )
        statement = statement.order_by(key).limit(limit)
        if after is not None:
            statement = statement.where(key > after)
        if q:
            pattern = f"%{escape_like(q.lower())}%"
            statement = statement.where(func.lower(SkuSummary.sku).like(pattern, escape="\\"))
        if missing_in is not None:
            statement = statement.where(~self._held_by(missing_in).exists())
        if differs:
            statement = statement.where(SkuSummary.differs.is_(True))
        return list((await self.session.scalars(statement)).all())

    async def listings(self, skus: Sequence[str]) -> Sequence[Any]:
        """Every listing of the tenant carrying one of `skus`, with its store's name."""
        if not skus:
            return []
        conditions = self._conditions(skus=skus)
        entries = listing_entries(self._sql, self.tenant_id, where=conditions)
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
        return await self._rows(statement)

    async def store_ids(self) -> list[uuid.UUID]:
        statement = select(Store.id).where(Store.tenant_id == self.tenant_id).order_by(Store.name)
        return list((await self.session.scalars(statement)).all())

    async def counts(self) -> dict[str, int]:
        """`skus`, `duplicate_skus`, `products_without_sku`, `differing_skus`, from the
        summaries (a count along an index each)."""
        summaries = self._summaries().subquery()
        differing = self._summaries().where(SkuSummary.differs.is_(True), SkuSummary.stores > 1)
        without = select(SkuSummary.listings).where(
            SkuSummary.tenant_id == self.tenant_id, SkuSummary.sku == ""
        )
        statement = select(
            select(func.count()).select_from(summaries).scalar_subquery(),
            select(func.count()).select_from(self._duplicates().subquery()).scalar_subquery(),
            without.scalar_subquery(),
            select(func.count()).select_from(differing.subquery()).scalar_subquery(),
        )
        skus, duplicates, products_without_sku, differing_skus = (
            await self.session.execute(statement)
        ).one()
        return {
            "skus": int(skus or 0),
            "duplicate_skus": int(duplicates or 0),
            "products_without_sku": int(products_without_sku or 0),
            "differing_skus": int(differing_skus or 0),
        }

    def _duplicates(self) -> Any:
        """Stores holding a SKU more than once (along the partial index of such rows)."""
        return select(
            SkuStoreListing.store_id, SkuStoreListing.sku, SkuStoreListing.listings.label("count")
        ).where(
            SkuStoreListing.tenant_id == self.tenant_id,
            SkuStoreListing.listings > 1,
            SkuStoreListing.sku != "",
        )

    async def duplicate_samples(self, limit: int) -> Sequence[Any]:
        statement = (
            self._duplicates().order_by(SkuStoreListing.sku, SkuStoreListing.store_id).limit(limit)
        )
        return await self._rows(statement)

    async def without_sku_by_store(self) -> Sequence[Any]:
        statement = (
            select(SkuStoreListing.store_id, SkuStoreListing.listings.label("count"))
            .where(SkuStoreListing.tenant_id == self.tenant_id, SkuStoreListing.sku == "")
            .order_by(SkuStoreListing.store_id)
        )
        return await self._rows(statement)


async def stock_listings(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    store_ids: Sequence[uuid.UUID],
    *,
    skus: Sequence[str] | None = None,
) -> Sequence[Any]:
    """The listings with a SKU and managed stock of the tenant's `store_ids`, for matching
    stock by SKU across stores (inventory rules): rows of `sku`, `store_id`, `product_id`,
    `variant_id` (give it to the write, `None` for a product's own SKU), `stock`, in SKU,
    store, product and variant order. A product with several variants is matched by each
    variant's SKU, never by its own. `skus`: only listings of these SKUs."""
    sql = dialect_of(session)
    entries = listing_entries(
        sql, tenant_id, store_ids=store_ids, where=SkuRepository._conditions(skus=skus)
    )
    statement = (
        select(
            entries.c.sku,
            entries.c.store_id,
            entries.c.product_id,
            entries.c.variant_id,
            entries.c.stock,
        )
        .where(entries.c.manage_stock.is_(True))
        .order_by(entries.c.sku, entries.c.store_id, entries.c.product_id, entries.c.variant_id)
    )
    return (await session.execute(statement)).all()
