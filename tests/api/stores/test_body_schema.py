"""The published schema of store bodies says what the server accepts: one branch per registered
platform (a union discriminated by `platform`, built from the descriptors), only that platform's
credential fields; the server refuses exactly what the schema refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema_rs
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import HubSettings
from g4hub_core.vault import generate_key
from hub_api.app import create_app
from hub_api.settings import ApiSettings
from tests.api.stores.helpers import Account
from tests.connectors.contract.acme.plugin import acme_installed


def _schema(path: str = "/api/stores/test-connection") -> dict[str, Any]:
    app = create_app(
        HubSettings(
            data_dir=Path("unused"),
            database_url="sqlite:///:memory:",
            secret_keys=generate_key("schema").encoded(),
        ),
        ApiSettings(jwt_secret="body-schema-" + "x" * 32),
    )
    operation = app.openapi_schema.to_schema()["paths"][path]["post"]
    schema: dict[str, Any] = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema


def test_the_schema_is_a_union_by_platform() -> None:
    schema = _schema()
    assert schema["discriminator"] == {"propertyName": "platform"}
    branches = {b["properties"]["platform"]["const"]: b for b in schema["oneOf"]}
    assert set(branches) == {"woocommerce", "shopify"}
    assert "access_token" not in branches["woocommerce"]["properties"]
    assert "consumer_key" not in branches["shopify"]["properties"]
    assert branches["woocommerce"]["additionalProperties"] is False
    assert {"consumer_key", "consumer_secret"} <= set(branches["woocommerce"]["required"])
    assert set(branches["shopify"]["properties"]) >= {"access_token", "client_id", "client_secret"}


def test_a_platform_installed_later_joins_the_schema() -> None:
    with acme_installed():
        consts = {b["properties"]["platform"]["const"] for b in _schema()["oneOf"]}
    assert consts == {"woocommerce", "shopify", "acme"}


def _bodies(woo: FakeWooCommerceStore, shop: FakeShopifyStore) -> list[dict[str, Any]]:
    good_woo, good_shop = woo.credentials(), shop.credentials()
    return [
        good_woo,
        good_shop,
        {**good_woo, "platform": ""},
        {**good_woo, "platform": "WooCommerce"},
        {**good_woo, "platform": "magento"},
        {**good_woo, "access_token": good_shop["access_token"]},
        {**good_shop, "consumer_key": good_woo["consumer_key"]},
        {**good_woo, "password": "hunter2"},
        {**good_woo, "api": "graphql"},
        {**good_shop, "api": "graphql"},
        {**good_woo, "consumer_key": 12},
        {k: v for k, v in good_woo.items() if k != "consumer_secret"},
    ]


async def test_the_server_refuses_exactly_what_the_schema_refuses(
    client: AsyncTestClient[Any],
    account: Account,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
) -> None:
    validator = jsonschema_rs.Draft202012Validator(_schema())
    disagreements = []
    for body in _bodies(woo, shop):
        schema_ok = validator.is_valid(body)
        answer = await client.post(
            "/api/stores/test-connection", json=body, headers=account.headers
        )
        server_ok = answer.status_code == 200
        if schema_ok != server_ok:
            shown = {k: v for k, v in body.items() if k in ("platform", "api")}
            disagreements.append((sorted(body), shown, schema_ok, answer.status_code))
    assert disagreements == []


async def test_mixed_platform_fields_name_the_stray_field(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    body = {**woo.credentials(), "access_token": "shpat_" + "1" * 32}
    refused = await client.post("/api/stores", json={"name": "M", **body}, headers=account.headers)
    assert refused.status_code == 422
    assert "access_token" in refused.json()["error"]["details"]
    assert "shpat_" + "1" * 32 not in refused.text
