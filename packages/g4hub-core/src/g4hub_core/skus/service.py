"""`SkuService`: the tenant's catalog keyed by SKU across its stores, and the conflict report."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from decimal import Decimal

from g4hub_core.errors import InvalidInput
from g4hub_core.skus.repository import SkuRepository
from g4hub_core.skus.schemas import ConflictReport, SkuListing, SkuPage, SkuRow, SkuSample
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.unit import UnitOfWork

__all__ = ["MAX_SKU_PAGE", "SkuService"]

MAX_SKU_PAGE = 200
_SAMPLES = 20


def _disagree(values: list[Decimal | int | None]) -> bool:
    present = {value for value in values if value is not None}
    return len(present) > 1


class SkuService:
    """Products with a SKU, grouped by it, across the tenant's stores (products without one are
    counted in the report). Another tenant's store in a filter is `NotFound`."""

    def __init__(self, unit: UnitOfWork) -> None:
        self._skus = SkuRepository(unit.session, unit.tenant_id)
        self._stores = StoreRepository(unit.session, unit.tenant_id)

    async def page(
        self,
        *,
        cursor: str | None = None,
        limit: int = 20,
        q: str | None = None,
        store_id: uuid.UUID | None = None,
        missing_in: uuid.UUID | None = None,
        differs: bool = False,
    ) -> SkuPage:
        """SKUs in order after `cursor`, each with every store's product side by side. Filters:
        `q` (part of the SKU, any case), `store_id` (held by that store), `missing_in` (held
        elsewhere, not there), `differs` (stores disagree on price or stock)."""
        if not 1 <= limit <= MAX_SKU_PAGE:
            raise InvalidInput(
                f"limit must be between 1 and {MAX_SKU_PAGE}.",
                code="invalid_paging",
                details={"limit": f"between 1 and {MAX_SKU_PAGE}"},
            )
        for given in (store_id, missing_in):
            if given is not None:
                await self._stores.get_or_raise(given)
        query = (q or "").replace("\x00", "").strip() or None
        skus = await self._skus.page(
            after=cursor,
            limit=limit,
            q=query,
            store_id=store_id,
            missing_in=missing_in,
            differs=differs,
        )
        grouped: dict[str, list[SkuListing]] = defaultdict(list)
        for row in await self._skus.listings(skus):
            # Validated: pydantic's validation (compiled) costs about half of `model_construct`
            # (Python), and a page holds thousands (100 stores side by side).
            grouped[row.sku].append(
                SkuListing(
                    store_id=row.store_id,
                    store_name=row.store_name,
                    platform_product_id=row.platform_product_id,
                    name=row.name,
                    price=row.price,  # Money: the product's column type
                    stock_quantity=None if row.stock_quantity is None else int(row.stock_quantity),
                    manage_stock=bool(row.manage_stock),
                    variant_id=row.variant_id,
                    variant_title=row.variant_title,
                )
            )
        stores = await self._skus.store_ids()
        items = []
        for sku in skus:
            listings = grouped.get(sku, [])
            held = Counter(listing.store_id for listing in listings)
            items.append(
                SkuRow.model_construct(
                    sku=sku,
                    listings=listings,
                    differs=_disagree([item.price for item in listings])
                    or _disagree([item.stock_quantity for item in listings]),
                    missing_in=[store for store in stores if store not in held],
                    duplicated_in=sorted(store for store, count in held.items() if count > 1),
                )
            )
        return SkuPage(items=items, next_cursor=skus[-1] if len(skus) == limit else None)

    async def conflicts(self) -> ConflictReport:
        """Counts over the tenant's whole catalog, with examples (see `ConflictReport`)."""
        counts = await self._skus.counts()
        return ConflictReport(
            **counts,
            duplicates=[
                SkuSample(store_id=row.store_id, sku=row.sku, count=row.count)
                for row in await self._skus.duplicate_samples(_SAMPLES)
            ],
            without_sku_by_store=[
                SkuSample(store_id=row.store_id, sku=None, count=row.count)
                for row in await self._skus.without_sku_by_store()
            ],
        )
