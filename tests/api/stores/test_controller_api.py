"""`api` on Shopify stores over the API: GraphQL for a new store unless REST is asked for, and a
store switched from REST to GraphQL with `PUT` keeps its products (same ids, updated in place)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore
from g4hub_core import Hub
from tests.api.stores.helpers import Account, add_store
from tests.api.sync.helpers import wait_for_sync


async def _api_of(client: AsyncTestClient[Any], account: Account, store_id: str) -> str | None:
    hub: Hub = client.app.state.hub
    async with hub.unit(account.tenant_id) as unit:
        return await unit.stores.api_of(uuid.UUID(store_id))


async def _sync(client: AsyncTestClient[Any], account: Account, store_id: str) -> dict[str, Any]:
    response = await client.post(f"/api/stores/{store_id}/sync", headers=account.headers)
    assert response.status_code == 202, response.text
    return await wait_for_sync(client, account, response.json()["id"])


async def _products(client: AsyncTestClient[Any], account: Account, store_id: str) -> set[str]:
    url = f"/api/stores/{store_id}/products?per_page=100"
    body = (await client.get(url, headers=account.headers)).json()
    return {item["platform_product_id"] for item in body["items"]}


def _graphql_requests(shop: FakeShopifyStore) -> int:
    return sum(1 for r in shop.requests if r.path.endswith("/graphql.json"))


async def test_a_new_shopify_store_defaults_to_graphql(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    store = await add_store(client, account, shop)

    assert await _api_of(client, account, store["id"]) == "graphql"
    log = await _sync(client, account, store["id"])
    assert (log["status"], log["products_created"]) == ("succeeded", 10)
    assert await _products(client, account, store["id"]) == set(shop.product_ids())


async def test_an_unknown_api_is_refused(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    response = await client.post(
        "/api/stores",
        json={"name": "Shop", **shop.credentials(api="soap")},
        headers=account.headers,
    )

    assert response.status_code == 422
    assert "graphql" in response.text


async def test_a_store_switched_from_rest_to_graphql_keeps_its_products(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    store = await add_store(client, account, shop, api="rest")
    assert await _api_of(client, account, store["id"]) == "rest"
    first = await _sync(client, account, store["id"])
    assert (first["status"], first["products_created"]) == ("succeeded", 10)
    before = await _products(client, account, store["id"])
    assert _graphql_requests(shop) == 0

    switched = await client.put(
        f"/api/stores/{store['id']}", json={"api": "graphql"}, headers=account.headers
    )

    assert switched.status_code == 200, switched.text
    assert switched.json()["connection_status"] == "connected"
    assert await _api_of(client, account, store["id"]) == "graphql"
    log = await _sync(client, account, store["id"])
    assert log["status"] == "succeeded"
    assert (log["products_created"], log["products_deleted"]) == (0, 0)
    assert await _products(client, account, store["id"]) == before == set(shop.product_ids())
    assert _graphql_requests(shop) > 0
