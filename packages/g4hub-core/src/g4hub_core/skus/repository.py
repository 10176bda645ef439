"""Reading one tenant's products by SKU across its stores.

The listing walks the `(tenant_id, sku)` index in SKU order and stops after a page of groups, so
its cost follows the page, not the catalog; filters are `HAVING` conditions on the same walk.
The conflict report aggregates the whole catalog.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.catalog.search import escape_like
from g4hub_core.models import Store, StoreProduct

__all__ = ["SkuRepository"]


def _has_sku() -> ColumnElement[bool]:
    return and_(StoreProduct.sku.is_not(None), StoreProduct.sku != "")


class SkuRepository:
    """One tenant's products by SKU; every statement names the tenant."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _price(self) -> Any:
        # SQLite keeps money as text, where "9.5" and "9.50" differ; the number does not.
        if self.session.get_bind().dialect.name == "sqlite":
            return cast(StoreProduct.price, Float)
        return StoreProduct.price

    def _differs(self) -> ColumnElement[bool]:
        price = self._price()
        return or_(
            func.min(price) != func.max(price),
            func.min(StoreProduct.stock_quantity) != func.max(StoreProduct.stock_quantity),
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
        statement = select(StoreProduct.sku).where(
            StoreProduct.tenant_id == self.tenant_id, _has_sku()
        )
        if after is not None:
            statement = statement.where(StoreProduct.sku > after)
        if q:
            statement = statement.where(
                func.lower(StoreProduct.sku).like(f"%{escape_like(q.lower())}%", escape="\\")
            )
        having: list[ColumnElement[bool]] = []
        if store_id is not None:
            having.append(func.sum(case((StoreProduct.store_id == store_id, 1), else_=0)) > 0)
        if missing_in is not None:
            having.append(func.sum(case((StoreProduct.store_id == missing_in, 1), else_=0)) == 0)
        if differs:
            having.append(self._differs())
        statement = statement.group_by(StoreProduct.sku)
        if having:
            statement = statement.having(and_(*having))
        statement = statement.order_by(StoreProduct.sku).limit(limit)
        return [sku for sku in (await self.session.scalars(statement)).all() if sku is not None]

    async def listings(self, skus: Sequence[str]) -> Sequence[Any]:
        """Every product of the tenant carrying one of `skus`, with its store's name."""
        if not skus:
            return []
        statement = (
            select(
                StoreProduct.sku,
                StoreProduct.store_id,
                Store.name.label("store_name"),
                StoreProduct.platform_product_id,
                StoreProduct.name,
                StoreProduct.price,
                StoreProduct.stock_quantity,
                StoreProduct.manage_stock,
            )
            .join(Store, Store.id == StoreProduct.store_id)
            .where(StoreProduct.tenant_id == self.tenant_id, StoreProduct.sku.in_(list(skus)))
            .order_by(StoreProduct.sku, Store.name, StoreProduct.platform_product_id)
        )
        return (await self.session.execute(statement)).all()

    async def store_ids(self) -> list[uuid.UUID]:
        statement = select(Store.id).where(Store.tenant_id == self.tenant_id).order_by(Store.name)
        return list((await self.session.scalars(statement)).all())

    async def counts(self) -> dict[str, int]:
        """`skus`, `duplicate_skus`, `products_without_sku`, `differing_skus`."""
        mine = StoreProduct.tenant_id == self.tenant_id
        by_sku = (
            select(
                StoreProduct.sku,
                func.count(func.distinct(StoreProduct.store_id)).label("stores"),
                self._differs().label("differs"),
            )
            .where(mine, _has_sku())
            .group_by(StoreProduct.sku)
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
            select(func.count()).where(mine, ~_has_sku()).select_from(StoreProduct)
        )
        return {
            "skus": int(skus or 0),
            "duplicate_skus": int(duplicates or 0),
            "products_without_sku": int(without or 0),
            "differing_skus": int(differing or 0),
        }

    def _duplicates(self) -> Any:
        return (
            select(StoreProduct.store_id, StoreProduct.sku, func.count().label("count"))
            .where(StoreProduct.tenant_id == self.tenant_id, _has_sku())
            .group_by(StoreProduct.store_id, StoreProduct.sku)
            .having(func.count() > 1)
        )

    async def duplicate_samples(self, limit: int) -> Sequence[Any]:
        statement = self._duplicates().order_by(StoreProduct.sku, StoreProduct.store_id)
        return (await self.session.execute(statement.limit(limit))).all()

    async def without_sku_by_store(self) -> Sequence[Any]:
        statement = (
            select(StoreProduct.store_id, func.count().label("count"))
            .where(StoreProduct.tenant_id == self.tenant_id, ~_has_sku())
            .group_by(StoreProduct.store_id)
            .order_by(StoreProduct.store_id)
        )
        return (await self.session.execute(statement)).all()
