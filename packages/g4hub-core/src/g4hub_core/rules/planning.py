"""Rule planning: what a rule would change, computed from the hub's rows.

A SKU is held by a listing, as the SKU view matches them (`g4hub_core.skus`): a product's own
SKU when it has fewer than two variants, else each variant's (Shopify products of several
variants, WooCommerce variable products). A planned change names its variant (`variant_id`),
and the run writes that variant. Per SKU of the source store (not excluded):

- inventory: each target listing with that SKU should hold `max(source stock - buffer, 0)`;
- price: each target listing with that SKU should hold the source's regular price (and/or sale
  price), adjusted and rounded (`g4hub_core.rules.pricing`); a source not on sale ends the
  target's sale. Old values are the ones the write path compares (`target_values`), so the
  dry run lists exactly what a run writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_connectors import Product
from g4hub_core.db.dialects import dialect_of
from g4hub_core.models import StoreProduct, SyncRule
from g4hub_core.rules.pricing import Adjustment, Rounding, adjusted_price
from g4hub_core.rules.schemas import PlannedChange
from g4hub_core.skus import stock_listings
from g4hub_core.writes.service import target_values

__all__ = ["RulePlanner"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return bool(a == b)


@dataclass(frozen=True)
class _PriceListing:
    """A product (or one variant of a product of several) by its SKU, with its writable values
    as the write path compares them (`target_values`)."""

    sku: str
    store_id: uuid.UUID
    product_id: str
    variant_id: str | None
    values: dict[str, Any]

    @property
    def order(self) -> tuple[str, str, str, str]:
        return (self.sku, str(self.store_id), self.product_id, self.variant_id or "")


class RulePlanner:
    """Plans a tenant's rules from the hub's rows; reads only."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self._session = session
        self._tenant_id = tenant_id

    async def plan(
        self, rule: SyncRule, *, skus: Sequence[str] | None = None
    ) -> list[PlannedChange]:
        """The rule's plan; `skus`: of these SKUs only (inventory rules; a price rule plans
        every SKU)."""
        if rule.kind == "price":
            return await self._price_plan(rule)
        return await self._inventory_plan(rule, skus)

    async def _inventory_plan(
        self, rule: SyncRule, skus: Sequence[str] | None
    ) -> list[PlannedChange]:
        """Each target listing (a product, or a variant of a product of several) holding a SKU
        of the source should hold the source's stock of that SKU (summed over the source's
        listings of it) minus the buffer, never below 0."""
        excluded = set(rule.excluded_skus)
        source: dict[str, int] = {}
        for sku, _, _, _, stock in await stock_listings(
            self._session, self._tenant_id, [rule.source_store_id], skus=skus
        ):
            if sku not in excluded and stock is not None:
                source[sku] = source.get(sku, 0) + stock
        planned: list[PlannedChange] = []
        for sku, store_id, product_id, variant_id, stock in await stock_listings(
            self._session, self._tenant_id, _targets(rule), skus=skus
        ):
            if sku not in source:
                continue
            new = max(source[sku] - rule.buffer, 0)
            if stock != new:
                planned.append(
                    PlannedChange(
                        sku=sku,
                        store_id=store_id,
                        product_id=product_id,
                        variant_id=variant_id,
                        old=stock,
                        new=new,
                    )
                )
        return planned

    async def _price_listings(self, store_ids: list[uuid.UUID]) -> list[_PriceListing]:
        """The stores' listings with a SKU and their writable values, in SKU, store, product
        and variant order: a product's own SKU when it has fewer than two variants, else each
        variant's (as `g4hub_core.skus` matches them). A WooCommerce variable product held
        without its variations has none: the store would ignore a price written to it."""
        variant_count = dialect_of(self._session).variant_count(StoreProduct.__tablename__)
        found = await self._session.execute(
            select(
                StoreProduct.store_id, StoreProduct.platform_product_id, StoreProduct.data
            ).where(
                StoreProduct.tenant_id == self._tenant_id,
                StoreProduct.store_id.in_(store_ids),
                or_(and_(StoreProduct.sku.is_not(None), StoreProduct.sku != ""), variant_count > 1),
            )
        )
        listings: list[_PriceListing] = []
        for store_id, product_id, data in found:
            product = Product.model_validate(data)
            if len(product.variants) > 1:
                listings.extend(
                    _PriceListing(
                        variant.sku,
                        store_id,
                        product_id,
                        variant.id,
                        target_values(product, variant.id),
                    )
                    for variant in product.variants
                    if variant.sku
                )
            elif product.sku and not _prices_on_variations(product):
                listings.append(
                    _PriceListing(
                        product.sku, store_id, product_id, None, target_values(product, None)
                    )
                )
        listings.sort(key=lambda found: found.order)
        return listings

    async def _price_plan(self, rule: SyncRule) -> list[PlannedChange]:
        excluded = set(rule.excluded_skus)
        source: dict[str, dict[str, Any]] = {}
        for listing in await self._price_listings([rule.source_store_id]):
            if listing.sku not in excluded:
                # a duplicate SKU: the first listing's price
                source.setdefault(listing.sku, listing.values)
        fields = [
            name
            for name, on in (("price", rule.sync_price), ("sale_price", rule.sync_sale_price))
            if on
        ]
        kind = cast(Adjustment, rule.price_adjustment_type)
        rounding = cast(Rounding, rule.price_rounding)
        planned: list[PlannedChange] = []
        for listing in await self._price_listings(_targets(rule)):
            if listing.sku not in source:
                continue
            for name in fields:
                given = source[listing.sku][name]
                if given is None and name == "price":
                    continue  # a source without a price sets nothing
                new = (
                    None
                    if given is None
                    else adjusted_price(Decimal(given), kind, rule.price_adjustment, rounding)
                )
                old = listing.values[name]
                if not _same(old, new):
                    planned.append(
                        PlannedChange(
                            sku=listing.sku,
                            store_id=listing.store_id,
                            product_id=listing.product_id,
                            variant_id=listing.variant_id,
                            field=name,
                            old=old,
                            new=new,
                        )
                    )
        return planned


def _prices_on_variations(product: Product) -> bool:
    """A WooCommerce variable product the hub holds fewer than two variations of: its prices
    are its variations' (the store keeps its own unchanged), so it has no price to plan."""
    return product.raw.get("type") == "variable"


def _targets(rule: SyncRule) -> list[uuid.UUID]:
    return [uuid.UUID(str(store)) for store in rule.target_store_ids]
