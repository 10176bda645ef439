"""Store URLs are validated and normalized before any request is sent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from g4hub_connectors import InvalidStoreURLError
from g4hub_connectors._urls import normalize_shopify_url, normalize_woocommerce_url


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("shop.example", "https://shop.example"),
        ("https://shop.example/", "https://shop.example"),
        ("  HTTPS://Shop.Example  ", "https://shop.example"),
        ("http://shop.example:8080", "http://shop.example:8080"),
        ("https://example.com/shop", "https://example.com/shop"),
        ("https://example.com/shop/", "https://example.com/shop"),
        (
            "https://example.com/shop/wp-admin/edit.php?post_type=product",
            "https://example.com/shop",
        ),
        ("https://example.com/wp-json/wc/v3/products", "https://example.com"),
        ("https://example.com/?foo=bar#top", "https://example.com"),
        ("https://café.example", "https://xn--caf-dma.example"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
        ("http://localhost:8081/wp", "http://localhost:8081/wp"),
    ],
)
def test_woocommerce_urls_normalize(given_url: str, expected: str) -> None:
    assert normalize_woocommerce_url(given_url) == expected


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("mystore", "https://mystore.myshopify.com"),
        ("mystore.myshopify.com", "https://mystore.myshopify.com"),
        ("https://MyStore.myshopify.com/", "https://mystore.myshopify.com"),
        ("http://mystore.myshopify.com", "https://mystore.myshopify.com"),
        ("https://mystore.myshopify.com/admin/products/123", "https://mystore.myshopify.com"),
        ("https://admin.shopify.com/store/mystore/products?x=1", "https://mystore.myshopify.com"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
    ],
)
def test_shopify_urls_normalize(given_url: str, expected: str) -> None:
    assert normalize_shopify_url(given_url) == expected


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("", "enter your store's address"),
        ("   ", "enter your store's address"),
        ("ftp://shop.example", "https://"),
        ("https://admin:hunter2@shop.example", "without a user name or password"),
        ("https://shop", "not a valid host name"),
        ("https://sh op.example", "not a valid host name"),
        ("https://-bad-.example", "not a valid host name"),
        ("https://shop.example:99999", "not a valid web address"),
    ],
)
def test_bad_woocommerce_urls_say_what_to_fix(bad: str, says: str) -> None:
    with pytest.raises(InvalidStoreURLError) as caught:
        normalize_woocommerce_url(bad)
    assert caught.value.code == "invalid_store_url"
    assert says in caught.value.user_message
    assert "hunter2" not in str(caught.value) + caught.value.user_message


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("shop.example.com", "myshopify.com address"),
        ("https://admin.shopify.com/", "like https://mystore.myshopify.com"),
        ("https://_bad.myshopify.com", "not a valid host name"),
    ],
)
def test_bad_shopify_urls_say_what_to_fix(bad: str, says: str) -> None:
    with pytest.raises(InvalidStoreURLError) as caught:
        normalize_shopify_url(bad)
    assert says in caught.value.user_message


@given(st.text(max_size=60))
def test_any_text_normalizes_or_raises_invalid_store_url(text: str) -> None:
    for normalize in (normalize_woocommerce_url, normalize_shopify_url):
        try:
            url = normalize(text)
        except InvalidStoreURLError:
            continue
        assert url.startswith(("http://", "https://"))
        assert not url.endswith("/")
        assert normalize(url) == url  # idempotent
