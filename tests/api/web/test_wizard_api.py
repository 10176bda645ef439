"""Choosing Shopify's API in the dashboard: the wizard offers GraphQL first and checked, REST
beside it; the edit page shows a store's API and switches it, keeping the store's products."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.models import Store
from tests.api.web.helpers import (
    WebUser,
    add_store,
    field_value,
    post_form,
    store_id_of,
    wait_for_sync,
)

_RADIO = r'<input type="radio" id="api-[a-z]+" name="api" value="([a-z]+)"'


def _offered(page: str) -> list[str]:
    return re.findall(_RADIO, page)


def _checked(page: str) -> list[str]:
    return re.findall(_RADIO + " checked", page)


async def _api_of(client: AsyncTestClient[Any], store_id: str) -> str | None:
    hub: Hub = client.app.state.hub
    async with hub.unit() as unit:
        tenant_id = (await unit.session.get_one(Store, uuid.UUID(store_id))).tenant_id
    async with hub.unit(tenant_id) as unit:
        return await unit.stores.api_of(uuid.UUID(store_id))


def _form(user: WebUser, shop: FakeShopifyStore, **extra: str) -> dict[str, str]:
    return {
        "_csrf": user.csrf,
        "platform": "shopify",
        "store_url": shop.url,
        "access_token": shop.access_token,
        **extra,
    }


async def _add(
    client: AsyncTestClient[Any], user: WebUser, shop: FakeShopifyStore, **extra: str
) -> httpx.Response:
    """Steps 3 and 4 of the wizard with these form fields; the last answer."""
    tested = await post_form(client, "/stores/new/test", _form(user, shop, **extra))
    if tested.status_code != 200:
        return tested
    draft = field_value(tested.text, "draft")
    data = {"_csrf": user.csrf, "draft": draft, "name": "Harbour", "sync": "now", "schedule": ""}
    return await post_form(client, "/stores/new/save", data)


async def _products(client: AsyncTestClient[Any], store_id: str) -> set[str]:
    body = (await client.get(f"/api/stores/{store_id}/products?per_page=100")).json()
    return {item["platform_product_id"] for item in body["items"]}


async def test_the_wizard_offers_graphql_checked_and_rest_beside_it(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    shopify = await client.get("/stores/new/credentials", params={"platform": "shopify"})
    woo = await client.get("/stores/new/credentials", params={"platform": "woocommerce"})

    assert _offered(shopify.text) == ["graphql", "rest"]
    assert _checked(shopify.text) == ["graphql"]
    assert "GraphQL Admin API (recommended)" in shopify.text
    assert "REST Admin API (legacy)" in shopify.text
    assert _offered(woo.text) == []  # one API: nothing to choose


async def test_a_store_added_with_graphql_syncs_its_products(
    client: AsyncTestClient[Any], user: WebUser, shop: FakeShopifyStore
) -> None:
    saved = await _add(client, user, shop, api="graphql")

    assert saved.status_code == 303, saved.text
    store_id = store_id_of(saved.headers["location"])
    assert await _api_of(client, store_id) == "graphql"
    await wait_for_sync(client, store_id)
    assert await _products(client, store_id) == set(shop.product_ids())
    assert any(r.path.endswith("/graphql.json") for r in shop.requests)


async def test_rest_can_still_be_chosen(
    client: AsyncTestClient[Any], user: WebUser, shop: FakeShopifyStore
) -> None:
    saved = await _add(client, user, shop, api="rest")

    assert saved.status_code == 303, saved.text
    assert await _api_of(client, store_id_of(saved.headers["location"])) == "rest"
    assert not any(r.path.endswith("/graphql.json") for r in shop.requests)


async def test_an_unknown_api_is_shown_on_the_form(
    client: AsyncTestClient[Any], user: WebUser, shop: FakeShopifyStore
) -> None:
    refused = await _add(client, user, shop, api="soap")

    assert refused.status_code == 422
    assert "Choose GraphQL Admin API (recommended) or REST Admin API (legacy)." in refused.text
    assert shop.access_token not in refused.text


async def test_the_edit_page_switches_a_rest_store_to_graphql_keeping_its_products(
    client: AsyncTestClient[Any], user: WebUser, shop: FakeShopifyStore
) -> None:
    saved = await _add(client, user, shop, api="rest")
    store_id = store_id_of(saved.headers["location"])
    await wait_for_sync(client, store_id)
    before = await _products(client, store_id)
    edit = await client.get(f"/stores/{store_id}/edit")
    assert _checked(edit.text) == ["rest"]

    data = {"_csrf": user.csrf, "name": "Harbour", "store_url": shop.url, "schedule": ""}
    renamed = await post_form(client, f"/stores/{store_id}/edit", {**data, "api": "rest"})
    assert renamed.status_code == 303, renamed.text
    assert not any(r.path.endswith("/graphql.json") for r in shop.requests)
    switched = await post_form(client, f"/stores/{store_id}/edit", {**data, "api": "graphql"})

    assert switched.status_code == 303, switched.text
    assert await _api_of(client, store_id) == "graphql"
    assert _checked((await client.get(f"/stores/{store_id}/edit")).text) == ["graphql"]
    started = await client.post(f"/stores/{store_id}/sync", data={"_csrf": user.csrf})
    assert started.status_code in (200, 303), started.text
    await wait_for_sync(client, store_id)
    logs = (await client.get(f"/api/sync/logs?store_id={store_id}")).json()["items"]
    assert (logs[0]["status"], logs[0]["products_created"]) == ("succeeded", 0)
    assert await _products(client, store_id) == before == set(shop.product_ids())


async def test_a_woocommerce_edit_page_has_no_api_choice(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, sync="later")
    assert _offered((await client.get(f"/stores/{store_id}/edit")).text) == []
