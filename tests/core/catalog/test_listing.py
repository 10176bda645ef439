"""Sorting and filtering a store's catalog: by price, stock and name either way, by product
status and stock status; no value last; odd choices refused by name."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from g4hub_core import Hub, InvalidInput
from g4hub_core.models import StoreProduct
from tests.core.catalog.test_service import shop


async def listed(hub: Hub, **options: object) -> list[str]:
    tenant_id, store_id = await shop(hub)
    async with hub.unit(tenant_id) as unit:
        await unit.session.execute(
            update(StoreProduct)
            .where(StoreProduct.name == "Poster")
            .values(price=None, status="draft", stock_status="outofstock", manage_stock=False)
        )
        await unit.session.execute(
            update(StoreProduct)
            .where(StoreProduct.name == "Cap Navy")
            .values(stock_status="onbackorder")
        )
    async with hub.unit(tenant_id) as unit:
        page = await unit.catalog.list_products(store_id, per_page=50, **options)  # type: ignore[arg-type]
    return [item.name for item in page.items]


async def test_price_high_to_low_puts_products_without_a_price_last(hub: Hub) -> None:
    names = await listed(hub, sort="-price")
    assert names[0] == "Cap Navy"
    assert names[-1] == "Poster"
    assert (await listed(hub, sort="price"))[-1] == "Poster"


async def test_filters_by_status_and_stock(hub: Hub) -> None:
    assert await listed(hub, status="draft") == ["Poster"]
    assert await listed(hub, stock_status="onbackorder") == ["Cap Navy"]
    assert "Poster" not in await listed(hub, status="active", stock_status="instock")


async def test_name_descending(hub: Hub) -> None:
    names = await listed(hub, sort="-name")
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize(
    "options", [{"sort": "sku; drop"}, {"status": "gone"}, {"stock_status": "plenty"}]
)
async def test_an_unknown_choice_is_refused(hub: Hub, options: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        await listed(hub, **options)
    assert refused.value.code == "invalid_listing"
