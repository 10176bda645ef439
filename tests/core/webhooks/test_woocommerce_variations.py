"""A WooCommerce variable product's variations in the hub's row, as the SKU view and the rules
read them: after a full sync, after an incremental sync that sees only a variation's change,
and after webhook deliveries that carry the variations as ids only or one variation alone,
with no sync."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.models import StoreProduct
from tests.core.sync.helpers import HubFactory, add_store, rows, sync
from tests.core.webhooks.helpers import PUBLIC_URL, delivery_client

NEW_WOOCOMMERCE = "10.4.1"
"""Serves `GET /variations` (10.3+), which incremental syncs ask for variations' changes."""


async def _synced(
    make_hub: HubFactory, **options: Any
) -> tuple[FakeWooCommerceStore, Hub, uuid.UUID, uuid.UUID]:
    store = FakeWooCommerceStore(products=40, wc_version=NEW_WOOCOMMERCE)
    hub = await make_hub(store, public_url=PUBLIC_URL, **options)
    tenant_id, store_id = await add_store(hub, store)
    log = await sync(hub, tenant_id, store_id, trigger="initial")
    assert log.status == "succeeded"
    return store, hub, tenant_id, store_id


def _variable(store: FakeWooCommerceStore) -> tuple[str, list[str]]:
    product_id = sorted(store.variable_product_ids(), key=int)[0]
    return product_id, [str(v) for v in store.webhooks.product_json(product_id)["variations"]]


def _variants(row: Any) -> dict[str, dict[str, Any]]:
    return {variant["id"]: variant for variant in row.data["variants"]}


async def _delivered(hub: Hub, store: FakeWooCommerceStore) -> None:
    async with delivery_client(hub) as client:
        assert set(await store.webhooks.send(client)) <= {200}
    await hub.webhooks.runner.drain()


async def test_a_full_sync_stores_every_variation(make_hub: HubFactory) -> None:
    store, hub, _, store_id = await _synced(make_hub)
    held = await rows(hub, store_id)
    variable = store.variable_product_ids()
    assert variable
    async with gc.create_connector(store.credentials(), http_client=store.http_client()) as shop:
        for product_id in variable:
            expected = await shop.get_product(product_id, include_variants=True)
            assert held[product_id].data["variants"] == [
                v.model_dump(mode="json") for v in expected.variants
            ]
            assert len(expected.variants) >= 2


async def test_an_incremental_sync_picks_up_a_variation_stock_change(
    make_hub: HubFactory,
) -> None:
    store, hub, tenant_id, store_id = await _synced(make_hub, sync_incremental_overlap_seconds=1)
    product_id, variations = _variable(store)
    parent_modified = store.webhooks.product_json(product_id)["date_modified_gmt"]
    store.clock_offset += 600  # a sale ten minutes after the sync
    store.webhooks.edit_variation(product_id, variations[0], manage_stock=True, stock_quantity=3)

    log = await sync(hub, tenant_id, store_id, trigger="scheduled")

    assert (log.mode, log.status) == ("incremental", "succeeded")
    assert (log.products_fetched, log.products_updated) == (1, 1)
    # The parent's own date did not move: only the variations route showed the change.
    assert store.webhooks.product_json(product_id)["date_modified_gmt"] == parent_modified
    assert _variants((await rows(hub, store_id))[product_id])[variations[0]]["stock_quantity"] == 3


async def test_a_variation_webhook_updates_the_row_with_no_sync(make_hub: HubFactory) -> None:
    store, hub, tenant_id, store_id = await _synced(make_hub)
    assert await hub.webhooks.subscribe(tenant_id, store_id) == "live"
    await _delivered(hub, store)  # the pings
    product_id, variations = _variable(store)
    before = (await rows(hub, store_id))[product_id]
    store.clock_offset += 60
    store.webhooks.edit_variation(
        product_id, variations[0], manage_stock=True, stock_quantity=9, regular_price="12.50"
    )

    await _delivered(hub, store)

    after = (await rows(hub, store_id))[product_id]
    changed = _variants(after)[variations[0]]
    assert changed["stock_quantity"] == 9
    assert Decimal(changed["price"]) == Decimal("12.50")
    # The other variations and the product's own fields are as they were.
    assert {k: v for k, v in _variants(after).items() if k != variations[0]} == {
        k: v for k, v in _variants(before).items() if k != variations[0]
    }
    assert (after.name, after.source_updated_at) == (before.name, before.source_updated_at)


async def test_a_parent_webhook_keeps_the_variations_the_hub_holds(make_hub: HubFactory) -> None:
    store, hub, tenant_id, store_id = await _synced(make_hub)
    assert await hub.webhooks.subscribe(tenant_id, store_id) == "live"
    await _delivered(hub, store)
    product_id, variations = _variable(store)
    store.clock_offset += 60
    store.webhooks.edit_variation(product_id, variations[1], manage_stock=True, stock_quantity=4)
    store.clock_offset += 60
    # The parent's delivery lists its variations as ids only; in the same batch as the
    # variation's own delivery, and alone after it.
    store.webhooks.edit(product_id, name="Renamed parent")
    await _delivered(hub, store)
    store.clock_offset += 60
    store.webhooks.edit(product_id, name="Renamed again")
    await _delivered(hub, store)

    row = (await rows(hub, store_id))[product_id]
    assert row.name == "Renamed again"
    assert list(_variants(row)) == variations
    assert _variants(row)[variations[1]]["stock_quantity"] == 4
    skus = {v["sku"] for v in row.data["variants"]}
    assert None not in skus


async def test_a_variation_of_a_product_the_hub_lacks_changes_nothing(
    make_hub: HubFactory,
) -> None:
    store, hub, tenant_id, store_id = await _synced(make_hub)
    assert await hub.webhooks.subscribe(tenant_id, store_id) == "live"
    await _delivered(hub, store)
    product_id, variations = _variable(store)
    async with hub.unit(tenant_id) as unit:
        await unit.session.execute(
            delete(StoreProduct).where(StoreProduct.platform_product_id == product_id)
        )
    store.clock_offset += 60
    store.webhooks.edit_variation(product_id, variations[0], manage_stock=True, stock_quantity=2)

    await _delivered(hub, store)

    held = await rows(hub, store_id)
    assert product_id not in held
    assert variations[0] not in held
