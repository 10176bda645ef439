"""`GET /api/catalog/skus` over HTTP with two fake stores of one catalog: side by side, and an
edit through the hub makes the SKU "differ"; another tenant sees none of it, nor the writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.api.stores.helpers import sign_up
from tests.api.sync.helpers import add_synced_store


@pytest.fixture
def twins() -> Iterator[tuple[FakeWooCommerceStore, FakeWooCommerceStore]]:
    first, second = FakeWooCommerceStore(products=8), FakeWooCommerceStore(products=8)
    with first.serve(), second.serve():
        yield first, second


async def test_skus_side_by_side_and_an_edit_makes_one_differ(
    client: AsyncTestClient[Any], twins: tuple[FakeWooCommerceStore, FakeWooCommerceStore]
) -> None:
    account = await sign_up(client)
    first = await add_synced_store(client, account, twins[0], "First")
    second = await add_synced_store(client, account, twins[1], "Second")

    page = (await client.get("/api/catalog/skus", headers=account.headers)).json()
    assert page["items"], page
    assert all(not item["differs"] for item in page["items"])
    sku = next(item for item in page["items"] if len(item["listings"]) == 2)
    assert [listing["store_name"] for listing in sku["listings"]] == ["First", "Second"]
    target = sku["listings"][0]
    assert (
        await client.get("/api/catalog/skus", params={"differs": "true"}, headers=account.headers)
    ).json()["items"] == []

    edited = await client.patch(
        f"/api/stores/{first}/products/{target['platform_product_id']}",
        json={"price": "123.45"},
        headers=account.headers,
    )
    assert edited.status_code == 200, edited.text
    differing = await client.get(
        "/api/catalog/skus", params={"differs": "true"}, headers=account.headers
    )
    assert [item["sku"] for item in differing.json()["items"]] == [sku["sku"]]
    report = (await client.get("/api/catalog/skus/conflicts", headers=account.headers)).json()
    assert report["differing_skus"] == 1

    intruder = await sign_up(client, tenant_name="Intruder")
    assert (await client.get("/api/catalog/skus", headers=intruder.headers)).json()["items"] == []
    assert (await client.get("/api/audit", headers=intruder.headers)).json()["items"] == []
    theirs = await client.get("/api/audit", params={"store_id": second}, headers=intruder.headers)
    assert theirs.json()["items"] == []
    mine = await client.get("/api/audit", params={"store_id": first}, headers=account.headers)
    assert [entry["new_value"] for entry in mine.json()["items"]] == ["123.45"]


async def test_a_shopify_product_of_several_variants_is_listed_by_each_variant(
    client: AsyncTestClient[Any],
) -> None:
    shop = FakeShopifyStore(products=12)
    with shop.serve():
        account = await sign_up(client)
        store = await add_synced_store(client, account, shop, "Shop")
        page = (
            await client.get("/api/catalog/skus", params={"limit": 200}, headers=account.headers)
        ).json()
    listings = [listing for item in page["items"] for listing in item["listings"]]
    assert all("variant_id" in listing for listing in listings)
    of_variants = [listing for listing in listings if listing["variant_id"] is not None]
    assert of_variants, "the fake's catalog has products of several variants"
    several = {listing["platform_product_id"] for listing in of_variants}
    assert several <= shop.variable_product_ids()
    # Each variant of such a product is its own listing, under its own SKU.
    product = sorted(several)[0]
    skus = {
        item["sku"]
        for item in page["items"]
        for listing in item["listings"]
        if listing["platform_product_id"] == product
    }
    assert len(skus) == len([x for x in of_variants if x["platform_product_id"] == product]) > 1
    assert all(listing["store_id"] == store for listing in listings)
