"""Rule planning: what a rule would change, computed from the hub's rows.

Per SKU of the source store (not excluded):

- inventory: each target product with that SKU should hold `max(source stock - buffer, 0)`;
- price: each target product with that SKU should hold the source's price (and/or sale price),
  adjusted and rounded (`g4hub_core.rules.pricing`); a source not on sale ends the target's
  sale. Products of several variants are left out (a price per variant is not planned).

The dry run shows the plan; a run (`RuleService.run`) writes it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_connectors import Product
from g4hub_core.errors import InvalidInput
from g4hub_core.models import StoreProduct, SyncRule
from g4hub_core.rules.pricing import Adjustment, Rounding, adjusted_price
from g4hub_core.rules.schemas import PlannedChange
from g4hub_core.writes.service import target_values

__all__ = ["RulePlanner"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return bool(a == b)


class RulePlanner:
    """Plans a tenant's rules from the hub's rows; reads only."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self._session = session
        self._tenant_id = tenant_id

    async def plan(self, rule: SyncRule) -> list[PlannedChange]:
        if rule.kind == "price":
            return await self._price_plan(rule)
        return await self._inventory_plan(rule)

    async def _inventory_plan(self, rule: SyncRule) -> list[PlannedChange]:
        excluded = set(rule.excluded_skus)
        mine = StoreProduct.tenant_id == self._tenant_id
        source: dict[str, int] = {}
        rows = await self._session.execute(
            select(StoreProduct.sku, StoreProduct.stock_quantity).where(
                mine,
                StoreProduct.store_id == rule.source_store_id,
                StoreProduct.sku.is_not(None),
                StoreProduct.manage_stock.is_(True),
            )
        )
        for sku, stock in rows:
            if sku and sku not in excluded and stock is not None:
                source[sku] = source.get(sku, 0) + stock
        targets = [uuid.UUID(str(store)) for store in rule.target_store_ids]
        found = await self._session.execute(
            select(
                StoreProduct.store_id,
                StoreProduct.platform_product_id,
                StoreProduct.sku,
                StoreProduct.stock_quantity,
            )
            .where(
                mine,
                StoreProduct.store_id.in_(targets),
                StoreProduct.sku.is_not(None),
                StoreProduct.manage_stock.is_(True),
            )
            .order_by(StoreProduct.sku, StoreProduct.store_id, StoreProduct.platform_product_id)
        )
        per_sku: dict[str, list[PlannedChange]] = defaultdict(list)
        for store_id, product_id, sku, stock in found:
            if sku not in source:
                continue
            new = max(source[sku] - rule.buffer, 0)
            if stock != new:
                per_sku[sku].append(
                    PlannedChange(
                        sku=sku, store_id=store_id, product_id=product_id, old=stock, new=new
                    )
                )
        return [change for sku in sorted(per_sku) for change in per_sku[sku]]

    async def _price_rows(
        self, store_ids: list[uuid.UUID]
    ) -> list[tuple[uuid.UUID, str, str, dict[str, Any]]]:
        """(store, product id, SKU, its writable values) of the stores' single-variant products
        with a SKU, in SKU, store and product order."""
        found = await self._session.execute(
            select(
                StoreProduct.store_id,
                StoreProduct.platform_product_id,
                StoreProduct.sku,
                StoreProduct.data,
            )
            .where(
                StoreProduct.tenant_id == self._tenant_id,
                StoreProduct.store_id.in_(store_ids),
                StoreProduct.sku.is_not(None),
            )
            .order_by(StoreProduct.sku, StoreProduct.store_id, StoreProduct.platform_product_id)
        )
        rows: list[tuple[uuid.UUID, str, str, dict[str, Any]]] = []
        for store_id, product_id, sku, data in found:
            if not sku:
                continue
            try:
                values = target_values(Product.model_validate(data), None)
            except InvalidInput:  # several variants: no single price to keep
                continue
            rows.append((store_id, product_id, sku, values))
        return rows

    async def _price_plan(self, rule: SyncRule) -> list[PlannedChange]:
        excluded = set(rule.excluded_skus)
        source: dict[str, dict[str, Any]] = {}
        for _, _, sku, values in await self._price_rows([rule.source_store_id]):
            if sku not in excluded:
                source.setdefault(sku, values)  # a duplicate SKU: the first product's price
        fields = [
            name
            for name, on in (("price", rule.sync_price), ("sale_price", rule.sync_sale_price))
            if on
        ]
        kind = cast(Adjustment, rule.price_adjustment_type)
        rounding = cast(Rounding, rule.price_rounding)
        targets = [uuid.UUID(str(store)) for store in rule.target_store_ids]
        planned: list[PlannedChange] = []
        for store_id, product_id, sku, values in await self._price_rows(targets):
            if sku not in source:
                continue
            for name in fields:
                given = source[sku][name]
                if given is None and name == "price":
                    continue  # a source without a price sets nothing
                new = (
                    None
                    if given is None
                    else adjusted_price(Decimal(given), kind, rule.price_adjustment, rounding)
                )
                old = values[name]
                if not _same(old, new):
                    planned.append(
                        PlannedChange(
                            sku=sku,
                            store_id=store_id,
                            product_id=product_id,
                            field=name,
                            old=old,
                            new=new,
                        )
                    )
        return planned
