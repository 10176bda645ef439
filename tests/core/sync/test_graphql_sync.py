"""Syncing a Shopify store over GraphQL: the rows match the catalog exactly, paged or through a
bulk export, and a store switched from REST keeps its rows (same ids, updated in place)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify_graphql.connector import ShopifyGraphQLConnector
from g4hub_connectors.testing import FakeShopifyStore
from g4hub_connectors.testing.shopify._graphql_bulk import BULK_PATH
from g4hub_core import Hub
from g4hub_core.stores import StoreUpdate
from tests.core.sync.helpers import HubFactory, add_store, rows, store_row, sync

Row = tuple[str | None, str, Decimal | None, int | None, bool]


async def catalog(store: FakeShopifyStore) -> dict[str, Row]:
    """The store's catalog as its own GraphQL API lists it, page by page."""
    async with (
        store.http_client() as client,
        gc.create_connector(store.credentials(api="graphql"), http_client=client) as connector,
    ):
        assert isinstance(connector, ShopifyGraphQLConnector)
        return {
            p.id: (p.sku, p.name, p.price, p.stock_quantity, p.manage_stock)
            async for p in connector.iter_products(bulk=False)
        }


async def synced(hub: Hub, store_id: uuid.UUID) -> dict[str, Row]:
    return {
        i: (r.sku, r.name, r.price, r.stock_quantity, r.manage_stock)
        for i, r in (await rows(hub, store_id)).items()
    }


@pytest.mark.parametrize("bulk", [False, True], ids=["paged", "bulk"])
async def test_a_full_graphql_sync_matches_the_catalog_exactly(
    make_hub: HubFactory, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    store = FakeShopifyStore(products=180)
    if bulk:
        # The hub builds connectors with their defaults: every full listing goes through a
        # bulk export, polled quickly.
        defaults: dict[str, Any] = dict(ShopifyGraphQLConnector.__init__.__kwdefaults__ or {})
        defaults.update(bulk_threshold=1, bulk_poll_interval=0.01)
        monkeypatch.setattr(ShopifyGraphQLConnector.__init__, "__kwdefaults__", defaults)
    hub = await make_hub(store, sync_batch_size=50)
    tenant_id, store_id = await add_store(hub, store, api="graphql")

    log = await sync(hub, tenant_id, store_id, trigger="initial")

    assert (log.status, log.mode, log.error_code) == ("succeeded", "full", None)
    assert (log.products_fetched, log.products_created, log.products_deleted) == (180, 180, 0)
    expected = await catalog(store)
    assert len(expected) == 180
    assert await synced(hub, store_id) == expected
    downloads = [r for r in store.requests if r.path.startswith(BULK_PATH)]
    assert bool(downloads) is bulk
    shop = await store_row(hub, store_id)
    assert (shop.products_count, shop.products_synced) == (180, 180)


async def test_a_store_switched_from_rest_to_graphql_keeps_its_rows(
    make_hub: HubFactory,
) -> None:
    store = FakeShopifyStore(products=120)
    hub = await make_hub(store, sync_batch_size=50)
    tenant_id, store_id = await add_store(hub, store, api="rest")
    first = await sync(hub, tenant_id, store_id)
    assert (first.status, first.products_created) == ("succeeded", 120)
    before = {i: r.id for i, r in (await rows(hub, store_id)).items()}

    async with hub.unit(tenant_id) as unit:
        switched = await unit.stores.update(store_id, StoreUpdate(api="graphql"))
        assert await unit.stores.api_of(store_id) == "graphql"
    assert switched.connection_status == "connected"
    store.requests.clear()
    log = await sync(hub, tenant_id, store_id, mode="full")

    assert log.status == "succeeded"
    assert (log.products_fetched, log.products_created, log.products_deleted) == (120, 0, 0)
    assert all(r.path.endswith("/graphql.json") for r in store.requests if "/admin/" in r.path)
    after = await rows(hub, store_id)
    assert {i: r.id for i, r in after.items()} == before  # same products, same rows
    assert all(r.seen_by_sync_id == log.id for r in after.values())
    assert await synced(hub, store_id) == await catalog(store)
