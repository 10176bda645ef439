"""create_connector: mappings or typed configs in, the platform's connector out; a third platform
plugs in through the `g4hub.connectors` entry point group without editing the factory."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import httpx
import pytest

import g4hub_connectors as gc
from g4hub_connectors import registry

KEY = "ck_" + "a1" * 20
SECRET = "cs_" + "b2" * 20

PLUGIN = """
from typing import ClassVar, Literal
import g4hub_connectors as gc
from g4hub_connectors.models import StoreInfo


class AcmeConfig(gc.ConnectorConfig):
    platform: Literal["acme"] = "acme"
    api_version: str = "v1"
    token: str


class AcmeConnector(gc.BaseConnector[AcmeConfig]):
    platform: ClassVar[str] = "acme"
    config_class = AcmeConfig

    async def aclose(self): ...
    async def get_store_info(self):
        return StoreInfo(platform="acme", name="Acme", url=self.config.store_url, api_version="v1")
    async def count_products(self): return 3
    async def get_products(self, cursor=None, limit=100): raise NotImplementedError
    def iter_products(self, *, updated_since=None, include_variants=False):
        raise NotImplementedError
    async def get_product(self, product_id, *, include_variants=True): raise NotImplementedError
    async def update_product(self, product_id, update): raise NotImplementedError
"""


def test_mapping_builds_the_platform_connector() -> None:
    connector = gc.create_connector(
        {
            "platform": "WooCommerce",
            "store_url": "shop.example/",
            "consumer_key": KEY,
            "consumer_secret": SECRET,
        }
    )
    assert connector.platform == "woocommerce"
    assert connector.config.store_url == "https://shop.example"
    assert isinstance(connector, gc.Connector)


def test_typed_config_builds_the_platform_connector() -> None:
    config = gc.ShopifyConfig(store_url="mystore", access_token="shpat_" + "0" * 32)
    connector = gc.create_connector(config, http_client=httpx.AsyncClient())
    assert connector.platform == "shopify"
    assert connector.config is config


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({}, "platform: is required"),
        ({"platform": "magento", "store_url": "x.example"}, "unknown platform 'magento'"),
        (
            {"platform": "woocommerce", "store_url": "shop.example", "consumer_key": KEY},
            "consumer_secret: Field required",
        ),
        (
            {
                "platform": "woocommerce",
                "store_url": "shop.example",
                "consumer_key": KEY,
                "consumer_secret": SECRET,
                "colour": "red",
            },
            "colour: Extra inputs are not permitted",
        ),
    ],
)
def test_invalid_configs_say_what_is_wrong(config: dict[str, str], says: str) -> None:
    with pytest.raises(gc.InvalidConfigError) as caught:
        gc.create_connector(config)
    assert says in str(caught.value)
    assert caught.value.code == "invalid_config"
    assert isinstance(caught.value, ValueError)


def test_invalid_store_url_comes_through_as_such() -> None:
    with pytest.raises(gc.InvalidStoreURLError):
        gc.create_connector(
            {"platform": "shopify", "store_url": "shop.example.com", "access_token": "shpat_x"}
        )


def test_a_third_platform_plugs_in_through_an_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acme_connector.py").write_text(textwrap.dedent(PLUGIN))
    dist = tmp_path / "acme_connector-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-connector\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[g4hub.connectors]\nacme = acme_connector:AcmeConnector\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_loaded_entry_points", False)
    monkeypatch.setattr(registry, "_registry", dict(registry._registry))
    monkeypatch.setattr(registry, "_descriptors", dict(registry._descriptors))
    try:
        assert "acme" in gc.available_platforms()
        connector = gc.create_connector(
            {"platform": "acme", "store_url": "https://acme.example", "token": "t"}
        )
        assert type(connector).__name__ == "AcmeConnector"
        # Without a descriptor of its own, one is made from its config's fields.
        described = gc.get_descriptor("acme")
        assert (described.label, described.field_names) == ("Acme", ("token",))
    finally:
        sys.modules.pop("acme_connector", None)


def test_register_replaces_a_platform_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registry", dict(registry._registry))

    from g4hub_connectors.woocommerce import WooCommerceConnector

    class LoudWoo(WooCommerceConnector):
        pass

    gc.register("woocommerce", LoudWoo)
    connector = gc.create_connector(
        {
            "platform": "woocommerce",
            "store_url": "shop.example",
            "consumer_key": KEY,
            "consumer_secret": SECRET,
        }
    )
    assert type(connector) is LoudWoo


def test_a_second_api_of_a_platform_is_its_own_connector() -> None:
    token = "shpat_" + "0" * 32
    rest = gc.create_connector({"platform": "shopify", "store_url": "m", "access_token": token})
    graphql = gc.create_connector(
        {"platform": "shopify", "store_url": "m", "access_token": token, "api": "graphql"}
    )
    typed = gc.create_connector(gc.ShopifyConfig(store_url="m", access_token=token, api="graphql"))
    assert type(rest).__name__ == "ShopifyConnector"
    assert type(graphql) is type(typed) is registry._registry["shopify.graphql"]
    assert "shopify.graphql" not in gc.available_platforms()
    assert [d.platform for d in gc.descriptors()][:2] == ["woocommerce", "shopify"]


def test_an_api_without_its_own_connector_is_the_platforms() -> None:
    token = "shpat_" + "0" * 32
    connector = gc.create_connector(
        {"platform": "shopify", "store_url": "m", "access_token": token, "api": "rest"}
    )
    assert type(connector).__name__ == "ShopifyConnector"  # no "shopify.rest" is registered


def test_each_platform_folder_exports_its_descriptor() -> None:
    from g4hub_connectors.shopify.descriptor import DESCRIPTOR as SHOPIFY
    from g4hub_connectors.woocommerce.descriptor import DESCRIPTOR as WOOCOMMERCE

    assert gc.get_descriptor("woocommerce") is WOOCOMMERCE
    assert gc.get_descriptor("shopify") is SHOPIFY
    assert WOOCOMMERCE.label == "WooCommerce"
    assert WOOCOMMERCE.secret_fields == ("consumer_key", "consumer_secret")
    assert SHOPIFY.apis == ("rest", "graphql")
    assert [s.fields for s in SHOPIFY.sets] == [("client_id", "client_secret"), ("access_token",)]
    assert not SHOPIFY.field("client_id").secret
    with pytest.raises(gc.InvalidConfigError):
        gc.get_descriptor("magento")
