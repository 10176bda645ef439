"""Typed configs: secrets masked, URLs normalized, one way to authenticate on Shopify."""

from __future__ import annotations

import pydantic
import pytest

import g4hub_connectors as gc

KEY = "ck_" + "a1" * 20
SECRET = "cs_" + "b2" * 20
TOKEN = "shpat_" + "c3" * 16


def test_woocommerce_config_masks_secrets() -> None:
    config = gc.WooCommerceConfig(
        store_url="shop.example", consumer_key=KEY, consumer_secret=SECRET
    )
    for text in (repr(config), str(config), config.model_dump_json()):
        assert KEY not in text
        assert SECRET not in text
    assert config.credentials_hint() == "ck_…a1a1"
    assert config.store_url == "https://shop.example"
    assert config.api_version == "wc/v3"
    assert config.timeout == 30


def test_shopify_config_defaults_to_a_current_api_version() -> None:
    config = gc.ShopifyConfig(store_url="mystore", access_token=TOKEN)
    assert config.api_version == gc.DEFAULT_SHOPIFY_API_VERSION
    assert config.api_version >= "2025-10"
    assert config.store_url == "https://mystore.myshopify.com"
    assert TOKEN not in repr(config)
    assert config.credentials_hint() == "shpat_…c3c3"


def test_shopify_needs_exactly_one_way_to_authenticate() -> None:
    with pytest.raises(pydantic.ValidationError, match="either access_token"):
        gc.ShopifyConfig(store_url="mystore")
    with pytest.raises(pydantic.ValidationError, match="either access_token"):
        gc.ShopifyConfig(
            store_url="mystore", access_token=TOKEN, client_id="id", client_secret="secret"
        )
    config = gc.ShopifyConfig(store_url="mystore", client_id="id", client_secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(config)


@pytest.mark.parametrize("version", ["2023-1", "v3", "latest"])
def test_malformed_shopify_versions_are_refused(version: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="look like"):
        gc.ShopifyConfig(store_url="mystore", access_token=TOKEN, api_version=version)


def test_blank_keys_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="must not be empty"):
        gc.WooCommerceConfig(store_url="shop.example", consumer_key="  ", consumer_secret=SECRET)


def test_a_bad_url_raises_invalid_store_url_before_anything_is_sent() -> None:
    with pytest.raises(gc.InvalidStoreURLError):
        gc.WooCommerceConfig(store_url="ftp://shop", consumer_key=KEY, consumer_secret=SECRET)
