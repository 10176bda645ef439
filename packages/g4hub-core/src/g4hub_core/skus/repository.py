"""Reading one tenant's products by SKU across its stores.

A SKU is held by a listing: a product's own SKU when it lists fewer than two variants, and each
variant's SKU when it lists several (Shopify products, WooCommerce variable products: there the
SKU lives on the variant). The two kinds are two branches of one `UNION ALL`, each walked by
its `(tenant_id, sku)` index (migration 0008): products with fewer than two variants
(`db.dialects.VARIANT_COUNT`, a partial index) and `sku_variants` (the variants of the others,
kept by the database's triggers).

The listing walks the SKUs in order and stops after a page of groups, so its cost follows the
page, not the catalog. The conflict report aggregates the whole catalog.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
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
from g4hub_core.models import SkuVariant, Store, StoreProduct

__all__ = ["SkuRepository", "listing_entries", "stock_listings"]


_MAX_CHUNK = 10_000
"""SKUs one statement of the page walk reads at most."""


def _has(column: Any) -> ColumnElement[bool]:
    return and_(column.is_not(None), column != "")


def listing_entries(
    sql: SQLDialect,
    tenant_id: uuid.UUID,
    *,
    detail: bool = False,
    where: Callable[[Any], ColumnElement[bool]] | None = None,
    store_ids: Sequence[uuid.UUID] | None = None,
    products: bool = True,
    variants: bool = True,
) -> Any:
    """The tenant's listings as a subquery: `sku` ('' or `None` for none), `store_id`, `price`
    (a number), `stock`; with `detail`, also `product_id`, `variant_id` (`None` for a product's
    own SKU), `name`, `variant_title`, `manage_stock`. `where(sku)` builds a condition on a
    branch's SKU column, applied to both; `store_ids` keeps those stores'. `products=False`
    leaves out products' own SKUs, `variants=False` the variants'."""
    count = sql.variant_count(StoreProduct.__tablename__)
    price: Any = StoreProduct.price
    variant_price: Any = SkuVariant.price
    if not sql.postgresql and not detail:
        # SQLite keeps money as text, where "9.5" and "9.50" differ; the number does not.
        price = cast(StoreProduct.price, Float)
        variant_price = cast(SkuVariant.price, Float)
    own: list[Any] = [
        StoreProduct.sku.label("sku"),
        StoreProduct.store_id.label("store_id"),
        price.label("price"),
        StoreProduct.stock_quantity.label("stock"),
    ]
    of_variant: list[Any] = [
        SkuVariant.sku.label("sku"),
        SkuVariant.store_id.label("store_id"),
        variant_price.label("price"),
        SkuVariant.stock_quantity.label("stock"),
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
            SkuVariant.variant_id.label("variant_id"),
            StoreProduct.name.label("name"),
            SkuVariant.title.label("variant_title"),
            SkuVariant.manage_stock.label("manage_stock"),
        ]
    first = select(*own).where(StoreProduct.tenant_id == tenant_id, count < 2)
    second = select(*of_variant).where(SkuVariant.tenant_id == tenant_id)
    if detail:
        second = second.join(StoreProduct, StoreProduct.id == SkuVariant.product_row_id)
    if store_ids is not None:
        first = first.where(StoreProduct.store_id.in_(list(store_ids)))
        second = second.where(SkuVariant.store_id.in_(list(store_ids)))
    if where is not None:
        first = first.where(where(StoreProduct.sku))
        second = second.where(where(SkuVariant.sku))
    if not products:
        return second.subquery("listing")
    if not variants:
        return first.subquery("listing")
    return union_all(first, second).subquery("listing")


class SkuRepository:
    """One tenant's listings by SKU; every statement names the tenant."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self._sql = dialect_of(session)

    @staticmethod
    def _conditions(
        *,
        has_sku: bool | None = True,
        after: str | None = None,
        until: str | None = None,
        q: str | None = None,
        skus: Sequence[str] | None = None,
    ) -> Callable[[Any], ColumnElement[bool]]:
        def conditions(column: Any) -> ColumnElement[bool]:
            found: list[ColumnElement[bool]] = []
            if has_sku is True:
                found.append(_has(column))
            elif has_sku is False:
                found.append(~_has(column) | column.is_(None))
            if after is not None:
                found.append(column > after)
            if until is not None:
                found.append(column <= until)
            if q:
                found.append(func.lower(column).like(f"%{escape_like(q.lower())}%", escape="\\"))
            if skus is not None:
                found.append(column.in_(list(skus)))
            return and_(true(), *found)

        return conditions

    def _entries(
        self,
        *,
        detail: bool = False,
        has_sku: bool | None = True,
        after: str | None = None,
        q: str | None = None,
        skus: Sequence[str] | None = None,
    ) -> Any:
        """The listings, each branch filtered on its SKU column the same way."""
        conditions = self._conditions(has_sku=has_sku, after=after, q=q, skus=skus)
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
        on price or stock.

        Two walks merged here rather than one `GROUP BY` over the union, whose groups
        PostgreSQL's planner cannot count (it hashes the whole catalog): products' own SKUs
        along their index, the filters applied to them there (and every SKU a variant also
        holds kept, to be judged with its variants here), a page's worth at a time (twice as
        many each time the variants leave the page short); and the variants' SKUs in the same
        range, until a page of SKUs passes the filters."""
        chunk = limit
        page: list[str] = []
        cursor = after
        while len(page) < limit:
            groups = await self._groups(
                cursor, None, chunk, q, store_id, missing_in, differs=differs
            )
            last = groups[-1].sku if len(groups) == chunk else None
            # The variants' SKUs up to the chunk's last SKU (all the rest, at the end).
            variants = {
                group.sku: group
                for group in await self._groups(
                    cursor, last, None, q, store_id, missing_in, variants=True
                )
            }
            found = {group.sku: group for group in groups}
            for sku in sorted(found.keys() | variants.keys()):
                if self._passes(found.get(sku), variants.get(sku), store_id, missing_in, differs):
                    page.append(sku)
                    if len(page) == limit:
                        break
            if last is None:
                break
            cursor = last
            chunk = min(chunk * 2, _MAX_CHUNK)
        return page

    @staticmethod
    def _passes(
        *groups: Any,
    ) -> bool:
        *found, store_id, missing_in, differs = groups
        stores: set[Any] = set()
        prices: set[Any] = set()
        stocks: set[Any] = set()
        for group in found:
            if group is None:
                continue
            if group.held:
                stores.add(store_id)
            if group.missing:
                stores.add(missing_in)
            prices |= {group.min_price, group.max_price} - {None}
            stocks |= {group.min_stock, group.max_stock} - {None}
        if store_id is not None and store_id not in stores:
            return False
        if missing_in is not None and missing_in in stores:
            return False
        return not differs or len(prices) > 1 or len(stocks) > 1

    async def _groups(
        self,
        after: str | None,
        until: str | None,
        limit: int | None,
        q: str | None,
        store_id: uuid.UUID | None,
        missing_in: uuid.UUID | None,
        *,
        variants: bool = False,
        differs: bool = False,
    ) -> Sequence[Any]:
        """The next `limit` (or all) SKUs after `after` (up to `until`) of products' own SKUs,
        or of variants, in order, each with its lowest and highest price and stock, whether
        `store_id` holds it and whether `missing_in` does. Products' SKUs are those passing the
        filters (`store_id`, `missing_in`, `differs`) among products, and any a variant holds
        too (the caller judges those with the variants)."""
        entries = listing_entries(
            self._sql,
            self.tenant_id,
            where=self._conditions(after=after, until=until, q=q),
            products=not variants,
            variants=variants,
        )

        def holds(store: uuid.UUID | None) -> Any:
            if store is None:
                return literal(0)
            return func.max(case((entries.c.store_id == store, 1), else_=0))

        statement = (
            select(
                entries.c.sku,
                func.min(entries.c.price).label("min_price"),
                func.max(entries.c.price).label("max_price"),
                func.min(entries.c.stock).label("min_stock"),
                func.max(entries.c.stock).label("max_stock"),
                holds(store_id).label("held"),
                holds(missing_in).label("missing"),
            )
            .group_by(entries.c.sku)
            .order_by(entries.c.sku)
        )
        having: list[ColumnElement[bool]] = []
        if store_id is not None:
            having.append(holds(store_id) == 1)
        if missing_in is not None:
            having.append(holds(missing_in) == 0)
        if differs:
            having.append(self._differs(entries))
        if having and not variants:
            shared = select(SkuVariant.sku).where(
                SkuVariant.tenant_id == self.tenant_id,
                self._conditions(after=after, until=until, q=q)(SkuVariant.sku),
            )
            statement = statement.having(or_(and_(*having), entries.c.sku.in_(shared)))
        if limit is not None:
            statement = statement.limit(limit)
        return (await self.session.execute(statement)).all()

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


async def stock_listings(
    session: AsyncSession, tenant_id: uuid.UUID, store_ids: Sequence[uuid.UUID]
) -> Sequence[Any]:
    """The listings with a SKU and managed stock of the tenant's `store_ids`, for matching
    stock by SKU across stores (inventory rules): rows of `sku`, `store_id`, `product_id`,
    `variant_id` (give it to the write, `None` for a product's own SKU), `stock`, in SKU,
    store, product and variant order. A product with several variants is matched by each
    variant's SKU, never by its own."""
    sql = dialect_of(session)
    entries = listing_entries(
        sql, tenant_id, detail=True, store_ids=store_ids, where=SkuRepository._conditions()
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
