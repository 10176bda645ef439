"""The fake WooCommerce store itself, spoken to with plain httpx: it must answer as WooCommerce
does (PLATFORMS.md), or the connector's tests prove nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.testing._catalog import make_product
from g4hub_connectors.testing.woocommerce import _catalog as _woocommerce_catalog

API = "https://fake-store.example/wp-json/wc/v3"


@pytest.fixture
def store() -> FakeWooCommerceStore:
    return FakeWooCommerceStore(products=250)


async def get(
    store: FakeWooCommerceStore, url: str, *, auth: Any = "basic", **kwargs: Any
) -> httpx.Response:
    if auth == "basic":
        auth = (store.consumer_key, store.consumer_secret)
    async with store.http_client() as http:
        return await http.get(url, auth=auth, **kwargs)


# -- auth ----------------------------------------------------------------------------------------


async def test_basic_and_query_auth_over_https(store: FakeWooCommerceStore) -> None:
    assert (await get(store, f"{API}/products")).status_code == 200
    params = {"consumer_key": store.consumer_key, "consumer_secret": store.consumer_secret}
    assert (await get(store, f"{API}/products", auth=None, params=params)).status_code == 200
    assert store.auth_log == ["basic", "query"]


async def test_unknown_key_is_a_guest(store: FakeWooCommerceStore) -> None:
    response = await get(store, f"{API}/products", auth=("ck_nobody", "cs_nothing"))
    assert response.status_code == 401
    assert response.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }


async def test_wrong_secret(store: FakeWooCommerceStore) -> None:
    response = await get(store, f"{API}/products", auth=(store.consumer_key, "cs_wrong"))
    assert response.status_code == 401
    assert response.json()["code"] == "woocommerce_rest_authentication_error"
    assert response.json()["message"] == "Consumer secret is invalid."


async def test_basic_auth_is_ignored_over_http() -> None:
    store = FakeWooCommerceStore(products=3, url="http://fake-store.example")
    response = await get(store, "http://fake-store.example/wp-json/wc/v3/products")
    assert response.status_code == 401
    assert response.json()["code"] == "woocommerce_rest_cannot_view"


async def test_stripped_header_makes_basic_auth_a_guest() -> None:
    store = FakeWooCommerceStore(products=3, strip_authorization_header=True)
    assert (await get(store, f"{API}/products")).status_code == 401
    params = {"consumer_key": store.consumer_key, "consumer_secret": store.consumer_secret}
    assert (await get(store, f"{API}/products", auth=None, params=params)).status_code == 200


async def test_read_only_keys_cannot_write() -> None:
    store = FakeWooCommerceStore(products=3, read_only=True)
    async with store.http_client() as http:
        response = await http.put(
            f"{API}/products/10",
            json={"regular_price": "1.00"},
            auth=(store.consumer_key, store.consumer_secret),
        )
    assert response.status_code == 401
    assert response.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "The API key provided does not have write permissions.",
        "data": {"status": 401},
    }


async def test_a_logged_in_user_without_the_capability_gets_403() -> None:
    store = FakeWooCommerceStore(products=3, user_role="customer")
    response = await get(store, f"{API}/products")
    assert response.status_code == 403
    assert response.json()["code"] == "woocommerce_rest_cannot_view"


async def test_missing_oauth_parameters() -> None:
    store = FakeWooCommerceStore(products=3, url="http://fake-store.example")
    response = await get(
        store, "http://fake-store.example/wp-json/wc/v3/products", auth=None,
        params={"oauth_consumer_key": store.consumer_key},
    )  # fmt: skip
    assert response.status_code == 401
    assert response.json()["code"] == "woocommerce_rest_authentication_missing_parameter"
    assert "oauth_timestamp" in response.json()["message"]


# -- collections ---------------------------------------------------------------------------------


async def test_pagination_headers_and_links(store: FakeWooCommerceStore) -> None:
    response = await get(store, f"{API}/products", params={"per_page": 100, "page": 2})
    assert response.headers["X-WP-Total"] == "250"
    assert response.headers["X-WP-TotalPages"] == "3"
    links = response.headers["Link"]
    assert 'page=1>; rel="prev"' in links
    assert 'page=3>; rel="next"' in links
    assert len(response.json()) == 100


async def test_default_page_is_ten_newest_first(store: FakeWooCommerceStore) -> None:
    body = (await get(store, f"{API}/products")).json()
    assert [p["id"] for p in body] == list(range(259, 249, -1))


async def test_page_past_the_end_is_empty(store: FakeWooCommerceStore) -> None:
    response = await get(store, f"{API}/products", params={"per_page": 100, "page": 9})
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-WP-Total"] == "250"


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": "x"}, "page"),
        ({"order": "up"}, "order"),
        ({"status": "gone"}, "status"),
        ({"modified_after": "yesterday"}, "modified_after"),
    ],
)
async def test_invalid_parameters(
    store: FakeWooCommerceStore, params: dict[str, Any], bad: str
) -> None:
    response = await get(store, f"{API}/products", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["message"] == f"Invalid parameter(s): {bad}"
    assert list(body["data"]["params"]) == [bad]


async def test_filters(store: FakeWooCommerceStore) -> None:
    drafts = (
        await get(store, f"{API}/products", params={"status": "draft", "per_page": 100})
    ).json()
    assert drafts
    assert {p["status"] for p in drafts} == {"draft"}
    since = datetime(2024, 6, 1, tzinfo=UTC)
    params = {"modified_after": "2024-06-01T00:00:00", "dates_are_gmt": "true", "per_page": 100}
    response = await get(store, f"{API}/products", params=params)
    assert int(response.headers["X-WP-Total"]) == len(store.ids_updated_since(since))
    # Without dates_are_gmt the date is the site's wall clock (UTC+2): two hours fewer products.
    local = await get(store, f"{API}/products", params={**params, "dates_are_gmt": "false"})
    assert int(local.headers["X-WP-Total"]) >= int(response.headers["X-WP-Total"])


async def test_products_look_like_wc_v3(store: FakeWooCommerceStore) -> None:
    products = (await get(store, f"{API}/products", params={"per_page": 100})).json()
    keys = {
        "id", "name", "slug", "permalink", "date_created", "date_created_gmt", "date_modified",
        "date_modified_gmt", "type", "status", "featured", "catalog_visibility", "description",
        "short_description", "sku", "price", "regular_price", "sale_price", "on_sale",
        "purchasable", "total_sales", "virtual", "downloadable", "tax_status", "manage_stock",
        "stock_quantity", "stock_status", "backorders", "weight", "dimensions", "categories",
        "tags", "images", "attributes", "variations", "meta_data", "_links",
    }  # fmt: skip
    for product in products:
        assert keys <= set(product)
        assert isinstance(product["price"], str)
    assert any("yoast_head" in p for p in products)  # plugin-injected keys
    sizes = [len(httpx.Response(200, json=p).content) for p in products]
    assert 2500 <= sum(sizes) / len(sizes) <= 4500
    assert any(p["sku"] == "" for p in products)
    assert any(p["type"] == "variable" and p["variations"] for p in products)


async def test_variations_endpoint(store: FakeWooCommerceStore) -> None:
    product_id = sorted(store.variable_product_ids())[0]
    response = await get(store, f"{API}/products/{product_id}/variations", params={"per_page": 1})
    record = store.catalog.get(int(product_id) - 10)
    assert response.headers["X-WP-Total"] == str(len(record.variation_ids))
    [variation] = response.json()
    assert variation["parent_id"] == int(product_id)
    assert variation["id"] in record.variation_ids
    assert variation["id"] not in {int(i) for i in store.product_ids()}


async def test_missing_products(store: FakeWooCommerceStore) -> None:
    response = await get(store, f"{API}/products/99999")
    assert response.status_code == 404
    assert response.json()["code"] == "woocommerce_rest_product_invalid_id"
    async with store.http_client() as http:
        put = await http.put(
            f"{API}/products/99999", json={}, auth=(store.consumer_key, store.consumer_secret)
        )
    assert put.status_code == 400  # update_item() says 400 for an unknown id
    assert (await get(store, f"{API}/nothing")).json()["code"] == "rest_no_route"


async def test_updates_validate_like_the_rest_schema(store: FakeWooCommerceStore) -> None:
    async with store.http_client() as http:
        response = await http.put(
            f"{API}/products/11",
            json={"regular_price": 9.5},
            auth=(store.consumer_key, store.consumer_secret),
        )
    assert response.status_code == 400
    assert response.json()["data"]["params"] == {
        "regular_price": "regular_price is not of type string."
    }


async def test_batches_over_100_items_are_refused(store: FakeWooCommerceStore) -> None:
    async with store.http_client() as http:
        response = await http.post(
            f"{API}/products/batch",
            json={"update": [{"id": 10 + i, "stock_quantity": 1} for i in range(101)]},
            auth=(store.consumer_key, store.consumer_secret),
        )
    assert response.status_code == 413
    assert response.json()["code"] == "woocommerce_rest_request_entity_too_large"


async def test_system_status_honours_fields(store: FakeWooCommerceStore) -> None:
    full = (await get(store, f"{API}/system_status")).json()
    assert {"environment", "database", "active_plugins", "settings"} <= set(full)
    cut = (
        await get(store, f"{API}/system_status", params={"_fields": "environment,settings"})
    ).json()
    assert set(cut) == {"environment", "settings"}
    assert cut["settings"]["currency"] == "EUR"


async def test_wordpress_index(store: FakeWooCommerceStore) -> None:
    body = (await get(store, "https://fake-store.example/wp-json/", auth=None)).json()
    assert body["name"] == "Fake WooCommerce Store"
    assert "wc/v3" in body["namespaces"]
    bare = FakeWooCommerceStore(products=1, installed=False)
    body = (await get(bare, "https://fake-store.example/wp-json/", auth=None)).json()
    assert not [ns for ns in body["namespaces"] if ns.startswith("wc")]


async def test_plain_permalinks() -> None:
    store = FakeWooCommerceStore(products=3, pretty_permalinks=False)
    pretty = await get(store, f"{API}/products")
    assert pretty.status_code == 404
    assert pretty.headers["content-type"].startswith("text/html")
    index = await get(store, "https://fake-store.example/index.php", params={"rest_route": "/"})
    assert index.status_code == 200
    assert "wc/v3" in index.json()["namespaces"]


@pytest.mark.parametrize("pretty", [True, False])
@pytest.mark.parametrize(
    "base", ["https://fake-store.example/", "https://fake-store.example/index.php"]
)
async def test_keys_are_not_read_on_rest_route(pretty: bool, base: str) -> None:
    # As on WooCommerce 9.2: API keys are authenticated only for request URIs under
    # wp-json/wc/, so valid keys on ?rest_route= leave the request a guest's.
    store = FakeWooCommerceStore(products=3, pretty_permalinks=pretty)
    keys = {"consumer_key": store.consumer_key, "consumer_secret": store.consumer_secret}
    for auth, params in (("basic", {}), (None, keys)):
        routed = await get(
            store, base, auth=auth, params={"rest_route": "/wc/v3/products", **params}
        )
        assert routed.status_code == 401
        assert routed.json()["code"] == "woocommerce_rest_cannot_view"
    assert store.auth_log == [None, None]


async def test_store_currency_needs_manage_woocommerce() -> None:
    store = FakeWooCommerceStore(products=1, currency="JPY")
    body = (await get(store, f"{API}/data/currencies/current")).json()
    assert (body["code"], body["symbol"]) == ("JPY", "&yen;")
    editor = FakeWooCommerceStore(products=1, user_role="product_editor")
    refused = await get(editor, f"{API}/data/currencies/current")
    assert refused.status_code == 403
    assert refused.json()["code"] == "woocommerce_rest_cannot_view"


async def test_wordpress_encodes_json_like_php(store: FakeWooCommerceStore) -> None:
    response = await get(store, f"{API}/products/10")
    assert b"https:\\/\\/" in response.content
    assert response.content.isascii()


@pytest.fixture
def generated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Indexes of the products the fake store generates, in order."""
    calls: list[int] = []

    def counting(index: int, *, seed: int = 1) -> Any:
        calls.append(index)
        return make_product(index, seed=seed)

    monkeypatch.setattr(_woocommerce_catalog, "make_product", counting)
    return calls


def test_a_big_catalog_costs_nothing_until_read(generated: list[int]) -> None:
    store = FakeWooCommerceStore(products=100_000)
    assert len(store.product_ids()) == 100_000
    assert generated == []


async def test_a_page_of_a_big_catalog_generates_only_that_page(generated: list[int]) -> None:
    store = FakeWooCommerceStore(products=100_000)
    response = await get(store, f"{API}/products", params={"per_page": 100, "page": 777})
    assert response.headers["X-WP-TotalPages"] == "1000"
    assert response.json()[0]["id"] == 100_000 + 10 - 1 - 776 * 100  # newest first by default
    assert len(set(generated)) == 100


def test_credentials_shape(store: FakeWooCommerceStore) -> None:
    creds = store.credentials(timeout=5)
    assert creds["platform"] == "woocommerce"
    assert creds["store_url"] == store.url
    assert creds["consumer_key"].startswith("ck_")
    assert len(creds["consumer_key"]) == 43
    assert creds["consumer_secret"].startswith("cs_")
    assert creds["api_version"] == "wc/v3"
    assert creds["timeout"] == 5
    wrong = store.wrong_credentials()
    assert wrong["consumer_key"] != creds["consumer_key"]
