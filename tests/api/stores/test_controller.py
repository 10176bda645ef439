"""`/api/stores`: adding, reading, changing, testing and removing stores over HTTP; status codes,
validation in the one error shape, and no credential in any answer."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.api.stores.helpers import Account, add_store, assert_no_secret, names_field

STORE_FIELDS = {
    "id",
    "name",
    "platform",
    "store_url",
    "api_version",
    "connection_status",
    "last_connection_test",
    "store_info",
    "products_count",
    "last_sync_at",
    "credentials_hint",
}
NIL = "00000000-0000-4000-8000-000000000000"


def error_of(response: Any) -> dict[str, Any]:
    assert set(response.json()) == {"error"}, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    return error


async def test_a_store_is_added_listed_and_read_without_its_credentials(
    client: AsyncTestClient[Any],
    account: Account,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
) -> None:
    added = await client.post(
        "/api/stores", json={"name": "Outlet", **woo.credentials()}, headers=account.headers
    )
    assert added.status_code == 201
    store = added.json()
    assert set(store) >= STORE_FIELDS
    assert (store["platform"], store["connection_status"]) == ("woocommerce", "connected")
    assert (store["products_count"], store["api_version"]) == (25, "wc/v3")
    assert store["credentials_hint"].startswith("ck_…")
    other = await add_store(client, account, shop, name="Boutique")

    listed = await client.get("/api/stores", headers=account.headers)
    assert listed.status_code == 200
    assert [s["name"] for s in listed.json()["items"]] == ["Boutique", "Outlet"]
    read = await client.get(f"/api/stores/{store['id']}", headers=account.headers)
    assert read.json() == store
    texts = [added.text, listed.text, read.text, str(other)]
    assert_no_secret(texts, woo.credentials(), shop.credentials())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "woocommerce", "store_url": "https://a.example"}, "name"),
        ({"name": "S", "store_url": "https://a.example"}, "platform"),
        ({"name": "S", "platform": "woocommerce"}, "store_url"),
        ({"name": "", "platform": "woocommerce", "store_url": "https://a.example"}, "name"),
        ({"name": "S", "platform": "woocommerce", "store_url": "https://a.example", "x": 1}, "x"),
    ],
)
async def test_a_store_with_fields_missing_or_unknown_is_invalid_input(
    client: AsyncTestClient[Any], account: Account, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/stores", json=body, headers=account.headers)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert names_field(error, field), error


async def test_a_missing_secret_is_invalid_input_and_never_echoed(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    credentials = woo.credentials()
    del credentials["consumer_secret"]
    response = await client.post(
        "/api/stores", json={"name": "S", **credentials}, headers=account.headers
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_store_settings"
    assert "consumer_secret" in response.text
    assert_no_secret([response.text], woo.credentials())


@pytest.mark.parametrize("where", ["query", "body"])
async def test_force_saves_a_store_that_fails_its_test(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore, where: str
) -> None:
    body = {"name": "S", **woo.wrong_credentials()}
    if where == "body":
        response = await client.post(
            "/api/stores", json={**body, "force": True}, headers=account.headers
        )
    else:
        response = await client.post("/api/stores?force=true", json=body, headers=account.headers)

    assert response.status_code == 201, response.text
    assert response.json()["connection_status"] == "failed"
    assert response.json()["last_error_code"] == "invalid_credentials"


async def test_sync_on_add_queues_the_initial_sync(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo, sync=True)
    assert "sync" not in store  # the answer is the store

    logs = await client.get(f"/api/sync/logs?store_id={store['id']}", headers=account.headers)
    assert [log["trigger"] for log in logs.json()["items"]] == ["initial"]


async def test_sync_on_add_is_skipped_for_a_store_saved_failing(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo, **woo.wrong_credentials(), force=True, sync=True)
    logs = await client.get(f"/api/sync/logs?store_id={store['id']}", headers=account.headers)
    assert logs.json() == {"items": []}


async def test_the_same_store_twice_is_a_conflict(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    await add_store(client, account, woo)
    again = await client.post(
        "/api/stores", json={"name": "Again", **woo.credentials()}, headers=account.headers
    )
    assert again.status_code == 409
    assert error_of(again)["code"] == "store_exists"


async def test_a_store_is_renamed_and_its_settings_are_tested_before_they_change(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    url = f"/api/stores/{store['id']}"

    renamed = await client.put(url, json={"name": "Renamed"}, headers=account.headers)
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Renamed"

    wrong = woo.wrong_credentials()
    keys = {"consumer_key": wrong["consumer_key"], "consumer_secret": wrong["consumer_secret"]}
    refused = await client.put(url, json=keys, headers=account.headers)
    assert refused.status_code == 422
    assert error_of(refused)["code"] == "invalid_credentials"
    unchanged = (await client.get(url, headers=account.headers)).json()
    assert (unchanged["connection_status"], unchanged["credentials_hint"]) == (
        "connected",
        store["credentials_hint"],
    )

    forced = await client.put(f"{url}?force=true", json=keys, headers=account.headers)
    assert forced.status_code == 200
    assert forced.json()["connection_status"] == "failed"
    assert forced.json()["credentials_hint"] != store["credentials_hint"]
    assert_no_secret([renamed.text, refused.text, forced.text], woo.credentials(), wrong)


async def test_a_store_cannot_change_platform(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    response = await client.put(
        f"/api/stores/{store['id']}", json={"platform": "shopify"}, headers=account.headers
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "platform_immutable"


async def test_a_deleted_store_is_gone(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    url = f"/api/stores/{store['id']}"

    deleted = await client.delete(url, headers=account.headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await client.get(url, headers=account.headers)).status_code == 404
    assert (await client.delete(url, headers=account.headers)).status_code == 404
    assert (await client.get("/api/stores", headers=account.headers)).json() == {"items": []}


async def test_testing_a_saved_store_records_the_outcome(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    url = f"/api/stores/{store['id']}/test"
    keys = dict(woo.keys)

    woo.keys.clear()
    failed = await client.post(url, headers=account.headers)
    assert failed.status_code == 200
    assert failed.json()["connection_status"] == "failed"
    assert failed.json()["last_error_code"] == "invalid_credentials"
    assert failed.json()["last_connection_test"] >= store["last_connection_test"]

    woo.keys.update(keys)
    passed = await client.post(url, headers=account.headers)
    assert passed.json()["connection_status"] == "connected"
    assert (passed.json()["last_error_code"], passed.json()["last_error_message"]) == (None, None)


async def test_checking_credentials_saves_nothing(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    response = await client.post(
        "/api/stores/test-connection", json=shop.credentials(), headers=account.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert {"success", "store_name", "products_count", "warnings", "error"} <= set(body)
    assert (body["success"], body["store_name"], body["products_count"]) == (
        True,
        shop.shop_name,
        10,
    )
    assert (body["warnings"], body["error"]) == ([], None)
    assert (await client.get("/api/stores", headers=account.headers)).json() == {"items": []}
    assert_no_secret([response.text], shop.credentials())


async def test_checking_credentials_refuses_malformed_input(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    both = shop.credentials(client_id="app", client_secret="shpss_" + "1" * 32)
    named = {"name": "Not here", **shop.credentials()}
    for body, code in ((both, "invalid_store_settings"), (named, "invalid_input")):
        response = await client.post(
            "/api/stores/test-connection", json=body, headers=account.headers
        )
        assert response.status_code == 422, response.text
        assert error_of(response)["code"] == code
    assert shop.requests == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/stores/{id}"),
        ("PUT", "/api/stores/{id}"),
        ("DELETE", "/api/stores/{id}"),
        ("POST", "/api/stores/{id}/test"),
        ("POST", "/api/stores/{id}/sync"),
        ("GET", "/api/stores/{id}/products"),
        ("GET", "/api/stores/{id}/products/1"),
    ],
)
@pytest.mark.parametrize("store_id", ["not-a-uuid", "123", NIL])
async def test_a_bad_or_unknown_store_id_is_not_found(
    client: AsyncTestClient[Any], account: Account, method: str, path: str, store_id: str
) -> None:
    body = {"name": "X"} if method == "PUT" else None
    response = await client.request(
        method, path.format(id=store_id), json=body, headers=account.headers
    )
    assert response.status_code == 404, response.text
    assert error_of(response)["code"] == "not_found"


async def test_every_stores_route_needs_a_signed_in_user(client: AsyncTestClient[Any]) -> None:
    for method, path in [
        ("GET", "/api/stores"),
        ("POST", "/api/stores"),
        ("POST", "/api/stores/test-connection"),
        ("GET", f"/api/stores/{NIL}"),
        ("POST", f"/api/stores/{NIL}/sync"),
        ("GET", f"/api/stores/{NIL}/products"),
    ]:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert error_of(response)["code"]
