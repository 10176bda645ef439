"""The fake Shopify store answers as Shopify's REST Admin API does (PLATFORMS.md, Shopify)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from g4hub_connectors import DEFAULT_SHOPIFY_API_VERSION
from g4hub_connectors.shopify.versions import SUPPORTED_API_VERSIONS
from g4hub_connectors.testing import FakeShopifyStore, SeedProduct
from g4hub_connectors.testing.shopify import _catalog as catalog_module

from .conftest import FakeClock

V = DEFAULT_SHOPIFY_API_VERSION


class Admin:
    """Raw HTTP access to a fake store, with its token."""

    def __init__(self, store: FakeShopifyStore, http: httpx.AsyncClient) -> None:
        self.store = store
        self.http = http

    async def get(self, path: str, version: str = V, **params: Any) -> httpx.Response:
        return await self.http.get(
            f"{self.store.url}/admin/api/{version}/{path}",
            params=params,
            headers={"X-Shopify-Access-Token": self.store.access_token},
        )

    async def send(self, method: str, path: str, body: Any) -> httpx.Response:
        return await self.http.request(
            method,
            f"{self.store.url}/admin/api/{V}/{path}",
            json=body,
            headers={"X-Shopify-Access-Token": self.store.access_token},
        )


@pytest.fixture
def store() -> FakeShopifyStore:
    return FakeShopifyStore(products=30)


@pytest.fixture
async def admin(store: FakeShopifyStore) -> AsyncIterator[Admin]:
    async with store.http_client() as http:
        yield Admin(store, http)


# -- products.json --------------------------------------------------------------------------------


async def test_products_are_realistic_rest_json(admin: Admin) -> None:
    answer = await admin.get("products.json", limit=250)
    products = json.loads(answer.content)["products"]
    assert len(products) == 30
    first = products[0]
    for key in (
        "id",
        "title",
        "body_html",
        "vendor",
        "product_type",
        "created_at",
        "handle",
        "updated_at",
        "published_at",
        "template_suffix",
        "published_scope",
        "tags",
        "status",
        "admin_graphql_api_id",
        "variants",
        "options",
        "images",
        "image",
    ):
        assert key in first
    for key in (
        "id",
        "product_id",
        "title",
        "price",
        "sku",
        "position",
        "inventory_policy",
        "compare_at_price",
        "option1",
        "option2",
        "option3",
        "created_at",
        "updated_at",
        "taxable",
        "barcode",
        "grams",
        "weight",
        "weight_unit",
        "inventory_item_id",
        "inventory_quantity",
        "old_inventory_quantity",
        "requires_shipping",
        "admin_graphql_api_id",
        "inventory_management",
        "fulfillment_service",
        "image_id",
    ):
        assert key in first["variants"][0]
    assert all(p["id"] > 2**53 and p["variants"][0]["id"] > 2**53 for p in products)
    assert all(isinstance(v["price"], str) for p in products for v in p["variants"])
    assert 2_000 < len(answer.content) / 30 < 4_000  # about 3 KB a product
    single = [p for p in products if len(p["variants"]) == 1]
    assert single[0]["variants"][0]["title"] == "Default Title"
    assert first["created_at"].endswith("-05:00")  # the shop's offset, as Shopify writes it


async def test_link_headers_walk_forward_and_back(admin: Admin) -> None:
    first = await admin.get("products.json", limit=10)
    assert first.links.keys() == {"next"}
    second = await admin.http.get(
        first.links["next"]["url"], headers={"X-Shopify-Access-Token": admin.store.access_token}
    )
    assert second.links.keys() == {"next", "previous"}
    back = await admin.http.get(
        second.links["previous"]["url"],
        headers={"X-Shopify-Access-Token": admin.store.access_token},
    )
    ids = [[p["id"] for p in r.json()["products"]] for r in (first, second, back)]
    assert ids[0] == ids[2]
    assert ids[1][0] > ids[0][-1]
    url = httpx.URL(first.links["next"]["url"])
    assert sorted(url.params) == ["limit", "page_info"]


async def test_page_info_keeps_the_first_pages_filters(
    admin: Admin, store: FakeShopifyStore
) -> None:
    first = await admin.get("products.json", limit=3, status="draft,archived")
    walked = [p["id"] for p in first.json()["products"]]
    link = first.links.get("next")
    while link:
        page = await admin.http.get(
            link["url"], headers={"X-Shopify-Access-Token": store.access_token}
        )
        walked += [p["id"] for p in page.json()["products"]]
        link = page.links.get("next")
    expected = [
        int(i) for n, i in enumerate(store.product_ids()) if store.catalog.meta(n)[2] != "active"
    ]
    assert walked == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "2"}, "page"),
        ({"limit": "251"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"page_info": "garbage"}, "page_info"),
        ({"status": "sold"}, "status"),
        ({"updated_at_min": "yesterday"}, "updated_at_min"),
    ],
)
async def test_bad_listing_parameters_are_400s(
    admin: Admin, params: dict[str, str], field: str
) -> None:
    answer = await admin.get("products.json", **params)
    assert answer.status_code == 400
    assert field in answer.json()["errors"]


async def test_filters_beside_page_info_are_refused(admin: Admin) -> None:
    first = await admin.get("products.json", limit=5)
    page_info = httpx.URL(first.links["next"]["url"]).params["page_info"]
    answer = await admin.get("products.json", limit=5, page_info=page_info, status="active")
    assert answer.status_code == 400
    assert answer.json()["errors"]["status"].startswith(
        "status cannot be passed when page_info is present."
    )
    fields = await admin.get("products.json", limit=5, page_info=page_info, fields="id,title")
    assert fields.status_code == 200
    assert set(fields.json()["products"][0]) == {"id", "title"}


async def test_filters_and_count(admin: Admin, store: FakeShopifyStore) -> None:
    ids = store.product_ids()
    chosen = await admin.get("products.json", ids=f"{ids[3]},{ids[1]},123")
    assert [str(p["id"]) for p in chosen.json()["products"]] == [ids[1], ids[3]]
    after = await admin.get("products.json", since_id=ids[27])
    assert [str(p["id"]) for p in after.json()["products"]] == ids[28:]
    since = datetime(2024, 6, 1, tzinfo=UTC)
    changed = await admin.get("products/count.json", updated_at_min=since.isoformat())
    assert changed.json() == {"count": len(store.ids_updated_since(since))}
    assert (await admin.get("products/count.json")).json() == {"count": 30}
    store.delete_product(ids[0])
    assert (await admin.get("products/count.json")).json() == {"count": 29}
    gone = await admin.get(f"products/{ids[0]}.json")
    assert (gone.status_code, gone.json()) == (404, {"errors": "Not Found"})


async def test_a_large_catalog_is_served_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[int] = []
    real = catalog_module.make_product

    def counting(index: int, *, seed: int = 1) -> SeedProduct:
        rendered.append(index)
        return real(index, seed=seed)

    monkeypatch.setattr(catalog_module, "make_product", counting)
    store = FakeShopifyStore(products=100_000)
    async with store.http_client() as http:
        admin = Admin(store, http)
        count = await admin.get("products/count.json")
        last = await admin.get(f"products/{store.product_ids()[-1]}.json")
        page = await admin.get("products.json", limit=250, since_id=store.product_ids()[-300])
    assert count.json() == {"count": 100_000}
    assert last.status_code == 200
    assert len(page.json()["products"]) == 250
    # Only what was asked for was generated: the last product, and one page (plus its cursor).
    assert len(set(rendered)) <= 252
    assert min(rendered) >= 100_000 - 300


# -- auth, scopes, versions -----------------------------------------------------------------------


async def test_unknown_tokens_get_shopifys_401(store: FakeShopifyStore) -> None:
    async with store.http_client() as http:
        for headers in ({}, {"X-Shopify-Access-Token": "shpat_nope"}):
            answer = await http.get(f"{store.url}/admin/api/{V}/shop.json", headers=headers)
            assert answer.status_code == 401
            assert answer.json() == {
                "errors": "[API] Invalid API key or access token "
                "(unrecognized login or wrong password)"
            }


async def test_scopes_are_enforced_per_endpoint() -> None:
    store = FakeShopifyStore(products=3, scopes={"write_products"})
    async with store.http_client() as http:
        admin = Admin(store, http)
        assert (await admin.get("products.json")).status_code == 200  # write implies read
        assert (await admin.get("shop.json")).status_code == 200
        denied = await admin.send(
            "POST",
            "inventory_levels/set.json",
            {"location_id": 1, "inventory_item_id": 1, "available": 1},
        )
    assert denied.status_code == 403
    assert denied.json() == {
        "errors": "[API] This action requires merchant approval for write_inventory scope."
    }


async def test_versions_served_fall_forward_or_404(admin: Admin, store: FakeShopifyStore) -> None:
    assert store.versions.stable == SUPPORTED_API_VERSIONS
    assert store.versions.stable[-1] == V
    current = await admin.get("shop.json")
    assert current.headers["X-Shopify-API-Version"] == V
    assert "X-Shopify-API-Deprecated-Reason" not in current.headers
    old = await admin.get("shop.json", version="2023-10")
    assert old.status_code == 200
    assert old.headers["X-Shopify-API-Version"] == store.versions.stable[0]
    assert old.headers["X-Shopify-API-Deprecated-Reason"]
    for never in ("2099-01", "2026-05", "latest"):
        answer = await admin.get("shop.json", version=never)
        assert (answer.status_code, answer.json()) == (404, {"errors": "Not Found"})
    unstable = await admin.get("shop.json", version="unstable")
    assert unstable.headers["X-Shopify-API-Version"] == "unstable"


async def test_every_answer_reports_the_bucket(admin: Admin) -> None:
    answers = [await admin.get("shop.json") for _ in range(3)]
    used = [int(a.headers["X-Shopify-Shop-Api-Call-Limit"].split("/")[0]) for a in answers]
    assert used[0] >= 1
    assert used == sorted(used)
    assert answers[0].headers["X-Shopify-Shop-Api-Call-Limit"].endswith("/400")  # plus


@pytest.mark.parametrize(("plan", "size", "leak"), [("standard", 40, 2), ("advanced", 80, 4)])
async def test_plans_set_the_bucket(plan: str, size: int, leak: int) -> None:
    clock = FakeClock()
    store = FakeShopifyStore(products=1, plan=plan, clock=clock)
    async with store.http_client() as http:
        admin = Admin(store, http)
        answers = [await admin.get("shop.json") for _ in range(size + 1)]
        clock.advance(1.0)
        leaked = await admin.get("shop.json")
    assert answers[-1].status_code == 429
    assert answers[-2].headers["X-Shopify-Shop-Api-Call-Limit"] == f"{size}/{size}"
    assert f"Exceeded {leak} calls per second" in answers[-1].json()["errors"]
    assert leaked.headers["X-Shopify-Shop-Api-Call-Limit"] == f"{size - leak + 1}/{size}"


# -- writes ---------------------------------------------------------------------------------------


async def test_variant_writes_validate_like_shopify(admin: Admin, store: FakeShopifyStore) -> None:
    variant = (await admin.get(f"products/{store.product_ids()[0]}.json")).json()["product"][
        "variants"
    ][0]
    bad = await admin.send("PUT", f"variants/{variant['id']}.json", {"variant": {"price": "x"}})
    assert (bad.status_code, bad.json()) == (422, {"errors": {"price": ["is not a number"]}})
    missing = await admin.send("PUT", f"variants/{variant['id']}.json", {"price": "1"})
    assert missing.status_code == 400
    good = await admin.send(
        "PUT", f"variants/{variant['id']}.json", {"variant": {"id": variant["id"], "price": 4.5}}
    )
    assert good.json()["variant"]["price"] == "4.50"


async def test_inventory_writes(admin: Admin, store: FakeShopifyStore) -> None:
    variant = (await admin.get(f"products/{store.product_ids()[0]}.json")).json()["product"][
        "variants"
    ][0]
    item = variant["inventory_item_id"]
    off = await admin.send(
        "PUT", f"inventory_items/{item}.json", {"inventory_item": {"id": item, "tracked": False}}
    )
    assert off.json()["inventory_item"]["tracked"] is False
    location = (await admin.get("shop.json")).json()["shop"]["primary_location_id"]
    refused = await admin.send(
        "POST",
        "inventory_levels/set.json",
        {"location_id": location, "inventory_item_id": item, "available": 3},
    )
    assert refused.status_code == 422
    await admin.send(
        "PUT", f"inventory_items/{item}.json", {"inventory_item": {"id": item, "tracked": True}}
    )
    level = await admin.send(
        "POST",
        "inventory_levels/set.json",
        {"location_id": location, "inventory_item_id": item, "available": 3},
    )
    assert level.json()["inventory_level"]["available"] == 3
    unknown = await admin.send(
        "POST",
        "inventory_levels/set.json",
        {"location_id": 1, "inventory_item_id": item, "available": 3},
    )
    assert unknown.status_code == 404
    locations = (await admin.get("locations.json")).json()["locations"]
    assert location in [loc["id"] for loc in locations]
    after = (await admin.get(f"products/{store.product_ids()[0]}.json")).json()["product"]
    assert after["variants"][0]["inventory_quantity"] == 3
    assert after["variants"][0]["inventory_management"] == "shopify"


# -- the FakeStore contract -----------------------------------------------------------------------


def test_credentials(store: FakeShopifyStore) -> None:
    creds = store.credentials(timeout=5)
    assert creds["platform"] == "shopify"
    assert creds["store_url"] == "https://fake-store.myshopify.com"
    assert creds["access_token"].startswith("shpat_")
    assert creds["api_version"] == V
    assert creds["timeout"] == 5
    client = store.client_credentials()
    assert "access_token" not in client
    assert client["client_secret"].startswith("shpss_")
    assert store.wrong_credentials()["access_token"] != store.access_token


def test_catalog_views(store: FakeShopifyStore) -> None:
    ids = store.product_ids()
    assert len(ids) == len(set(ids)) == 30
    assert all(int(i) > 2**53 for i in ids)
    assert store.variable_product_ids() < set(ids)
    with pytest.raises(KeyError):
        store.delete_product("1")
