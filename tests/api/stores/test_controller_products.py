"""`GET /api/stores/{id}/products` and `/products/{product_id}`: pages, search, validation."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.stores.helpers import Account, add_store, names_field
from tests.api.sync.helpers import wait_for_sync


@pytest.fixture
async def store_id(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> str:
    """A store with its 25 products synced."""
    store = await add_store(client, account, woo)
    requested = await client.post(f"/api/stores/{store['id']}/sync", headers=account.headers)
    assert (await wait_for_sync(client, account, requested.json()["id"]))["status"] == "succeeded"
    return str(store["id"])


async def products(
    client: AsyncTestClient[Any], account: Account, store_id: str, **params: Any
) -> Any:
    return await client.get(
        f"/api/stores/{store_id}/products", params=params, headers=account.headers
    )


async def test_products_come_in_pages_by_name(
    client: AsyncTestClient[Any], account: Account, store_id: str
) -> None:
    default = (await products(client, account, store_id)).json()
    assert (default["total"], default["page"], default["per_page"]) == (25, 1, 50)
    names = [p["name"] for p in default["items"]]
    assert names == sorted(names)

    pages = [
        (await products(client, account, store_id, page=page, per_page=10)).json()
        for page in (1, 2, 3, 4)
    ]
    assert [len(p["items"]) for p in pages] == [10, 10, 5, 0]
    assert all(p["total"] == 25 for p in pages[:3])
    ids = [item["platform_product_id"] for p in pages for item in p["items"]]
    assert ids == [item["platform_product_id"] for item in default["items"]]


async def test_search_matches_names_and_skus_ignoring_case(
    client: AsyncTestClient[Any], account: Account, store_id: str
) -> None:
    every = (await products(client, account, store_id)).json()["items"]
    with_sku = next(p for p in every if p["sku"])

    by_sku = (await products(client, account, store_id, q=with_sku["sku"].lower())).json()
    assert with_sku["platform_product_id"] in {p["platform_product_id"] for p in by_sku["items"]}
    by_name = (await products(client, account, store_id, q=with_sku["name"].upper())).json()
    assert with_sku["platform_product_id"] in {p["platform_product_id"] for p in by_name["items"]}
    nothing = (await products(client, account, store_id, q="no such product at all")).json()
    assert (nothing["items"], nothing["total"]) == ([], 0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 0}, "per_page"),
        ({"per_page": 201}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"q": "x" * 201}, "q"),
    ],
)
async def test_paging_and_search_are_validated(
    client: AsyncTestClient[Any],
    account: Account,
    store_id: str,
    params: dict[str, Any],
    field: str,
) -> None:
    response = await products(client, account, store_id, **params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert names_field(response.json()["error"], field)


async def test_the_largest_page_is_allowed(
    client: AsyncTestClient[Any], account: Account, store_id: str
) -> None:
    response = await products(client, account, store_id, per_page=200)
    assert response.status_code == 200
    assert len(response.json()["items"]) == 25


async def test_one_product_is_read_with_its_document(
    client: AsyncTestClient[Any], account: Account, store_id: str
) -> None:
    item = (await products(client, account, store_id)).json()["items"][0]
    url = f"/api/stores/{store_id}/products/{item['platform_product_id']}"

    response = await client.get(url, headers=account.headers)
    assert response.status_code == 200
    assert response.json()["name"] == item["name"]
    assert "raw" in response.json()["data"]

    missing = await client.get(f"/api/stores/{store_id}/products/999999", headers=account.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "product_not_found"
