"""OAuth 1.0a over plain HTTP: the connector's oauthlib signatures verify in the fake store's
rewrite of WooCommerce's PHP check, and what WooCommerce rejects is rejected."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oauthlib import oauth1

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.testing.woocommerce._oauth import (
    oauth_parameters,
    php_get,
    signature_matches,
    wc_oauth_signature,
)
from g4hub_connectors.woocommerce.auth import OAuth1QueryAuth

from .conftest import connect, wc_requests

KEY = "ck_" + "a1" * 20
SECRET = "cs_" + "b2" * 20


def sign(
    url: str,
    params: list[tuple[str, str]] | None = None,
    key: str = KEY,
    secret: str = SECRET,
    **kwargs: Any,
) -> httpx.URL:
    """The URL the connector's OAuth auth sends for a GET of `url` with `params`."""
    request = httpx.Request("GET", url, params=params)
    flow = OAuth1QueryAuth(key, secret, **kwargs).auth_flow(request)
    return next(flow).url


def verifies(url: httpx.URL, home: str, secret: str = SECRET) -> bool:
    """Whether WooCommerce (as the fake store rewrites it) accepts the signed URL."""
    parts = urlsplit(str(url))
    params = oauth_parameters(php_get(parse_qsl(parts.query, keep_blank_values=True)), None)
    assert isinstance(params, dict)
    expected = wc_oauth_signature("GET", home, parts.path, params, secret)
    return expected is not None and signature_matches(expected, params.get("oauth_signature"))


# Names WooCommerce and oauthlib read alike: PHP turns "." and " " into "_" and "[" into arrays,
# array_merge renumbers numeric names, and WooCommerce sorts raw names where RFC 5849 sorts the
# encoded ones, so names outside RFC 3986's unreserved characters sort differently.
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_~-]{0,11}", fullmatch=True).filter(
    lambda name: not name.startswith("oauth_")
)
values = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=150, deadline=None)
@given(
    params=st.dictionaries(names, values, max_size=6),
    home=st.sampled_from(
        ["http://fake-store.example", "http://127.0.0.1:8123", "http://example.com/shop"]
    ),
    route=st.sampled_from(["/wp-json/wc/v3/products", "/wp-json/wc/v3/products/12/variations"]),
    method=st.sampled_from([oauth1.SIGNATURE_HMAC_SHA256, oauth1.SIGNATURE_HMAC_SHA1]),
)
def test_connector_signatures_verify_like_woocommerce(
    params: dict[str, str], home: str, route: str, method: str
) -> None:
    url = sign(home + route, list(params.items()), signature_method=method)
    assert verifies(url, home)
    assert not verifies(url, home, secret=SECRET + "x")


@settings(max_examples=50, deadline=None)
@given(params=st.dictionaries(names, values, max_size=4))
def test_plain_permalink_routes_verify_through_index_php(params: dict[str, str]) -> None:
    query = [("rest_route", "/wc/v3/products"), *params.items()]
    assert verifies(sign("http://example.com/shop/index.php", query), "http://example.com/shop")


def test_site_root_does_not_verify_because_woocommerce_drops_the_slash() -> None:
    # WooCommerce signs home_url() + path below the install: "http://example.com" for "/", where
    # RFC 5849 (and oauthlib) say "http://example.com/". Hence index.php?rest_route= over HTTP.
    url = sign("http://example.com/", [("rest_route", "/wc/v3/products")])
    assert not verifies(url, "http://example.com")


def test_known_answer() -> None:
    """The string WooCommerce signs, written out by hand for one request."""
    params = {
        "oauth_consumer_key": KEY,
        "oauth_nonce": "abc",
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": "1700000000",
        "per_page": "1",
        "q": "Café & Crème",
    }
    base = (
        "GET&http%3A%2F%2Fexample.com%2Fwp-json%2Fwc%2Fv3%2Fproducts&"
        f"oauth_consumer_key%3D{KEY}%26oauth_nonce%3Dabc%26oauth_signature_method%3DHMAC-SHA256"
        "%26oauth_timestamp%3D1700000000%26per_page%3D1%26q%3DCaf%25C3%25A9%2520%2526%2520Cr%25C3%25A8me"
    )
    digest = hmac.new(f"{SECRET}&".encode(), base.encode(), hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    assert (
        wc_oauth_signature("GET", "http://example.com", "/wp-json/wc/v3/products", params, SECRET)
        == expected
    )


def test_php_get_semantics() -> None:
    assert php_get([("a.b", "1"), ("c d", "2"), ("e", "1"), ("e", "2")]) == {
        "a_b": "1",
        "c_d": "2",
        "e": "2",  # the last one wins
    }
    assert php_get([("f[]", "x"), ("f[]", "y"), ("g[k]", "v"), ("h[", "z")]) == {
        "f": {"0": "x", "1": "y"},
        "g": {"k": "v"},
        "h_": "z",
    }


def test_unknown_signature_methods_are_refused() -> None:
    params = {"oauth_signature_method": "PLAINTEXT", "oauth_consumer_key": KEY}
    assert (
        wc_oauth_signature("GET", "http://x.example", "/wp-json/wc/v3/products", params, SECRET)
        is None
    )


# -- against the fake store ----------------------------------------------------------------------


@pytest.fixture
def store() -> FakeWooCommerceStore:
    return FakeWooCommerceStore(products=30, url="http://fake-store.example")


async def test_http_stores_are_read_with_oauth(store: FakeWooCommerceStore) -> None:
    async with connect(store) as connector:
        result = await connector.test_connection()
        ids = [p.id async for p in connector.iter_products(include_variants=True)]
    assert result.success, result.error_message
    assert result.warnings == []
    assert sorted(ids) == sorted(store.product_ids())
    assert set(store.auth_log) == {"oauth"}
    for request in wc_requests(store):
        names = {k for k, _ in request.query}
        assert {"oauth_signature", "oauth_nonce", "oauth_timestamp"} <= names
        assert "consumer_secret" not in names
        assert "authorization" not in request.headers  # Basic is ignored over HTTP anyway


async def test_oauth_writes_are_signed_too(store: FakeWooCommerceStore) -> None:
    product_id = store.product_ids()[0]
    async with connect(store) as connector:
        updated = await connector.update_product(
            product_id, gc.ProductUpdate(stock_quantity=3, manage_stock=True)
        )
    assert updated.stock_quantity == 3


async def test_wrong_secret_is_refused(store: FakeWooCommerceStore) -> None:
    async with connect(store, consumer_secret="cs_" + "0" * 40) as connector:
        with pytest.raises(gc.AuthenticationError) as caught:
            await connector.count_products()
    assert caught.value.platform_code == "woocommerce_rest_authentication_error"
    assert "signature does not match" in caught.value.detail


async def test_unknown_key_is_refused(store: FakeWooCommerceStore) -> None:
    async with gc.create_connector(store.wrong_credentials(), http_client=store.http_client()) as c:
        with pytest.raises(gc.AuthenticationError) as caught:
            await c.count_products()
    assert "Consumer key is invalid" in caught.value.detail


async def test_tampered_signature_is_refused(store: FakeWooCommerceStore) -> None:
    url = sign(
        f"{store.url}/wp-json/wc/v3/products",
        [("per_page", "1")],
        store.consumer_key,
        store.consumer_secret,
    )
    tampered = url.copy_set_param("per_page", "2")  # the signature covered per_page=1
    async with store.http_client() as http:
        assert (await http.get(url)).status_code == 200
        response = await http.get(tampered)
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature - provided signature does not match."


async def test_a_reused_nonce_is_refused(store: FakeWooCommerceStore) -> None:
    url = sign(
        f"{store.url}/wp-json/wc/v3/products", None, store.consumer_key, store.consumer_secret
    )
    async with store.http_client() as http:
        first, replay = await http.get(url), await http.get(url)
    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."


@pytest.mark.parametrize("skew", [16 * 60, -16 * 60])
async def test_stale_or_future_timestamps_are_refused(
    store: FakeWooCommerceStore, skew: int
) -> None:
    store.clock_offset = skew  # the store's clock is 16 minutes off ours
    async with connect(store) as connector:
        with pytest.raises(gc.AuthenticationError) as caught:
            await connector.count_products()
    assert "Invalid timestamp" in caught.value.detail


async def test_a_small_clock_difference_is_fine(store: FakeWooCommerceStore) -> None:
    store.clock_offset = 14 * 60
    async with connect(store) as connector:
        assert await connector.count_products() == 30


async def test_retries_sign_again_with_a_fresh_nonce(store: FakeWooCommerceStore) -> None:
    store.inject("status", status=503, times=1, path="/wc/v3/products")
    async with connect(store) as connector:
        assert await connector.count_products() == 30
    nonces = [dict(r.query)["oauth_nonce"] for r in wc_requests(store, "products")]
    assert len(nonces) == 2
    assert len(set(nonces)) == 2
    assert all(len(dict(r.query).get("oauth_signature", "")) > 20 for r in wc_requests(store))
