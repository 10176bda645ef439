"""Reconciliation finds what no webhook announced: a WooCommerce force delete and a product put
in the trash while deliveries were lost are removed from the hub, each confirmed at the store."""

from __future__ import annotations

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.core.factories import insert_store, insert_tenant
from tests.core.sync.helpers import HubFactory, add_store, rows, store_row, sync
from tests.core.webhooks.helpers import PUBLIC_URL


async def test_woocommerce_deletions_without_webhooks_are_found(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=250)  # three pages of ids
    hub = await make_hub(store, public_url=PUBLIC_URL)
    tenant_id, store_id = await add_store(hub, store)
    assert (await sync(hub, tenant_id, store_id, trigger="initial")).status == "succeeded"
    forced, trashed = store.product_ids()[10], store.product_ids()[240]
    store.delete_product(forced)  # no webhook fires for a force delete
    store.trash_product(trashed)  # as if its delivery were lost

    assert await hub.webhooks.reconcile(tenant_id, store_id) == 2
    assert sorted(await rows(hub, store_id)) == sorted(store.product_ids())
    assert (await store_row(hub, store_id)).products_synced == 248
    async with hub.unit(tenant_id) as unit:
        feed = await unit.changes.page(limit=1000)
    removed = [(c.platform_product_id, c.source) for c in feed.items if c.kind == "deleted"]
    assert sorted(removed) == sorted([(forced, "reconcile"), (trashed, "reconcile")])
    assert await hub.webhooks.reconcile(tenant_id, store_id) == 0


async def test_shopify_deletions_without_webhooks_are_found(make_hub: HubFactory) -> None:
    store = FakeShopifyStore(products=30)
    hub = await make_hub(store, public_url=PUBLIC_URL)
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, store.credentials())
    assert (await sync(hub, tenant_id, store_id, trigger="initial")).status == "succeeded"
    gone = store.product_ids()[3]
    store.delete_product(gone)
    assert await hub.webhooks.reconcile(tenant_id, store_id) == 1
    assert sorted(await rows(hub, store_id)) == sorted(store.product_ids())
