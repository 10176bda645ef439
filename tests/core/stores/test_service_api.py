"""Which Shopify API a store uses: GraphQL for new stores, sealed with the store so it never
changes silently; stores saved before the hub named one stay on REST."""

from __future__ import annotations

import json
import uuid

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.models import Store
from g4hub_core.stores import StoreUpdate
from g4hub_core.stores.connection import connector_config, open_settings
from g4hub_core.vault.vault import store_context
from tests.core.stores.helpers import create


def _graphql_requests(shop: FakeShopifyStore) -> int:
    return sum(1 for r in shop.requests if r.path.endswith("/graphql.json"))


async def _sealed(hub: Hub, store_id: uuid.UUID) -> dict[str, object]:
    async with hub.unit() as unit:
        return open_settings(await unit.session.get_one(Store, store_id), vault=hub.vault)


async def _api_of(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID) -> str | None:
    async with hub.unit(tenant_id) as unit:
        return await unit.stores.api_of(store_id)


async def test_a_new_shopify_store_uses_graphql_and_seals_it(
    hub: Hub, tenant_id: uuid.UUID, shopify: FakeShopifyStore
) -> None:
    store = await create(hub, tenant_id, shopify.credentials())

    assert store.connection_status == "connected"
    assert _graphql_requests(shopify) > 0  # the connection test already spoke GraphQL
    assert (await _sealed(hub, store.id))["api"] == "graphql"
    assert await _api_of(hub, tenant_id, store.id) == "graphql"


async def test_rest_chosen_for_a_new_store_stays_rest(
    hub: Hub, tenant_id: uuid.UUID, shopify: FakeShopifyStore
) -> None:
    store = await create(hub, tenant_id, shopify.credentials(api="rest"))

    assert _graphql_requests(shopify) == 0
    assert (await _sealed(hub, store.id))["api"] == "rest"


async def test_a_platform_with_one_api_gets_none(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())

    assert "api" not in await _sealed(hub, store.id)
    assert await _api_of(hub, tenant_id, store.id) is None


async def _legacy_store(hub: Hub, tenant_id: uuid.UUID, shop: FakeShopifyStore) -> uuid.UUID:
    """A Shopify store as saved before the hub named an API: its sealed settings have none."""
    config = connector_config(shop.credentials(api="rest"))
    store_id = uuid.uuid4()
    sealed = json.dumps({"access_token": shop.access_token}).encode()
    async with hub.unit(tenant_id) as unit:
        unit.session.add(
            Store(
                id=store_id,
                tenant_id=tenant_id,
                platform="shopify",
                name="Old shop",
                store_url=config.store_url,
                api_version=config.api_version,
                api_credentials=hub.vault.seal(sealed, context=store_context(tenant_id, store_id)),
                credentials_hint=config.credentials_hint(),
                connection_status="connected",
            )
        )
    return store_id


async def test_a_store_saved_without_an_api_keeps_working_on_rest(
    hub: Hub, tenant_id: uuid.UUID, shopify: FakeShopifyStore
) -> None:
    store_id = await _legacy_store(hub, tenant_id, shopify)

    assert await _api_of(hub, tenant_id, store_id) == "rest"
    async with hub.unit(tenant_id) as unit:
        tested = await unit.stores.test(store_id)
        await unit.stores.update(store_id, StoreUpdate(api_version="2026-07"))
    assert tested.connection_status == "connected"
    assert _graphql_requests(shopify) == 0
    # Re-sealed by the change: the API it used is now named, so no default can move it.
    assert (await _sealed(hub, store_id))["api"] == "rest"


async def test_a_store_switched_to_graphql_is_tested_and_sealed(
    hub: Hub, tenant_id: uuid.UUID, shopify: FakeShopifyStore
) -> None:
    store_id = await _legacy_store(hub, tenant_id, shopify)

    async with hub.unit(tenant_id) as unit:
        switched = await unit.stores.update(store_id, StoreUpdate(api="graphql"))

    assert switched.connection_status == "connected"
    assert _graphql_requests(shopify) > 0
    settings = await _sealed(hub, store_id)
    assert (settings["api"], settings["access_token"]) == ("graphql", shopify.access_token)
