"""Tenant isolation over the API and the web pages: another tenant's ids are 404 on every route
that takes an id, exactly as unknown ids, and nothing they try changes the owner's data.

The routes are read from the app itself: a new route with a path parameter (JSON or page) fails
`test_every_route_with_an_id_is_covered` until it has a case here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.stores.helpers import Account, add_store, sign_up
from tests.api.sync.helpers import wait_for_sync
from tests.api.web.helpers import post_form
from tests.api.web.helpers import sign_up as web_sign_up


@dataclass(frozen=True)
class Owned:
    """The first tenant, with a synced store: the ids the second tenant will try."""

    account: Account
    store_id: str
    log_id: str
    product_id: str


# (method, route path as the app declares it) → (URL with the owner's ids, JSON body or None)
Case = tuple[str, dict[str, Any] | None]


def cases(owned: Owned) -> dict[tuple[str, str], Case]:
    store = f"/api/stores/{owned.store_id}"
    return {
        ("GET", "/api/stores/{store_id:uuid}"): (store, None),
        ("PUT", "/api/stores/{store_id:uuid}"): (store, {"name": "Taken over"}),
        ("DELETE", "/api/stores/{store_id:uuid}"): (store, None),
        ("POST", "/api/stores/{store_id:uuid}/test"): (f"{store}/test", None),
        ("POST", "/api/stores/{store_id:uuid}/sync"): (f"{store}/sync", None),
        ("GET", "/api/stores/{store_id:uuid}/products"): (f"{store}/products", None),
        ("GET", "/api/stores/{store_id:uuid}/products/{product_id:str}"): (
            f"{store}/products/{owned.product_id}",
            None,
        ),
        ("GET", "/api/sync/logs/{log_id:uuid}"): (f"/api/sync/logs/{owned.log_id}", None),
        ("PATCH", "/api/stores/{store_id:uuid}/products/{product_id:str}"): (
            f"{store}/products/{owned.product_id}",
            {"price": "1.00"},
        ),
        ("POST", "/api/stores/{store_id:uuid}/products/bulk-update"): (
            f"{store}/products/bulk-update",
            {"items": [{"product_id": owned.product_id, "stock_quantity": 0}]},
        ),
        # Not a job of the owner's (the fixture makes none): tests/api/writes covers theirs.
        ("GET", "/api/write-jobs/{job_id:uuid}"): (f"/api/write-jobs/{owned.log_id}", None),
        ("GET", "/api/rules/{rule_id:uuid}/dry-run"): (f"/api/rules/{owned.log_id}/dry-run", None),
        ("POST", "/api/rules/{rule_id:uuid}/run"): (f"/api/rules/{owned.log_id}/run", None),
        ("PATCH", "/api/rules/{rule_id:uuid}"): (f"/api/rules/{owned.log_id}", {"enabled": True}),
        ("GET", "/api/rules/{rule_id:uuid}"): (f"/api/rules/{owned.log_id}", None),
        ("DELETE", "/api/rules/{rule_id:uuid}"): (f"/api/rules/{owned.log_id}", None),
        ("GET", "/api/rules/{rule_id:uuid}/runs"): (f"/api/rules/{owned.log_id}/runs", None),
        ("GET", "/api/stores/{store_id:uuid}/webhooks"): (f"{store}/webhooks", None),
        ("POST", "/api/stores/{store_id:uuid}/webhooks"): (f"{store}/webhooks", None),
        ("PUT", "/api/stores/{store_id:uuid}/webhooks/secret"): (
            f"{store}/webhooks/secret",
            {"secret": "shpss_taken_over_secret"},
        ),
    }


def web_cases(owned: Owned, woo_url: str) -> dict[tuple[str, str], Case]:
    """The web pages' routes with an id; POST bodies are forms (the `_csrf` is added when sent)."""
    store = f"/stores/{owned.store_id}"
    path = "/stores/{store_id:str}"
    rule = "/automation/rules/{rule_id:str}"
    rule_id = owned.log_id or "00000000-0000-4000-8000-000000000001"
    edit = {"name": "Taken over", "store_url": woo_url, "consumer_key": "ck_" + "1" * 40}
    return {
        ("GET", path): (store, None),
        ("GET", path + "/product"): (f"{store}/product?id={owned.product_id}", None),
        ("GET", path + "/sync-status"): (f"{store}/sync-status", None),
        ("POST", path + "/test"): (f"{store}/test", {}),
        ("POST", path + "/sync"): (f"{store}/sync", {}),
        ("POST", path + "/webhooks/subscribe"): (f"{store}/webhooks/subscribe", {}),
        ("POST", path + "/products/edit"): (
            f"{store}/products/edit",
            {"product_id": owned.product_id, "price": "0.01", "expected_price": "1"},
        ),
        ("POST", path + "/products/bulk"): (
            f"{store}/products/bulk",
            {"select": owned.product_id, "field": "price", "operation": "set", "amount": "1"},
        ),
        # Not a job of the owner's (the fixture makes none): tests/api/web covers theirs.
        ("GET", path + "/jobs/{job_id:str}"): (f"{store}/jobs/{rule_id}", None),
        ("GET", path + "/audit"): (f"{store}/audit", None),
        ("GET", path + "/audit/csv"): (f"{store}/audit/csv", None),
        ("GET", path + "/edit"): (f"{store}/edit", None),
        ("POST", path + "/edit"): (f"{store}/edit", edit),
        ("GET", path + "/delete"): (f"{store}/delete", None),
        ("POST", path + "/delete"): (f"{store}/delete", {}),
        # Not a rule of the owner's (the fixture makes none): tests/api/web covers theirs.
        ("GET", rule): (f"/automation/rules/{rule_id}", None),
        ("POST", rule + "/switch"): (f"/automation/rules/{rule_id}/switch", {"enabled": "on"}),
        ("POST", rule + "/run"): (f"/automation/rules/{rule_id}/run", {}),
        ("GET", rule + "/delete"): (f"/automation/rules/{rule_id}/delete", None),
        ("POST", rule + "/delete"): (f"/automation/rules/{rule_id}/delete", {}),
    }


# Query parameters that name an id get the same treatment.
QUERY_CASES = [
    "/api/sync/logs?store_id={store_id}",
    "/api/catalog/skus?store_id={store_id}",
    "/api/catalog/skus?missing_in={store_id}",
]
WEB_QUERY_CASES = [
    "/skus?store={store_id}",
    "/skus?missing_in={store_id}",
    "/changes?store={store_id}",
    "/changes/csv?store={store_id}",
]

# Path parameters that are not tenant ids: the API's schema pages, our static files, and the
# public webhook endpoints (an unguessable endpoint token and a signature instead of a session;
# tests/api/webhooks covers that a token or signature of another store is refused).
NOT_IDS = ("/schema", "/static/", "/webhooks/")


def routes_with_ids(client: AsyncTestClient[Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in client.app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(NOT_IDS):
            continue
        if not route.path_parameters:
            continue
        for method in route.methods - {"OPTIONS", "HEAD"}:
            found.add((method, route.path))
    return found


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=6)
    with store.serve():
        yield store


@pytest.fixture
async def owned(client: AsyncTestClient[Any], woo: FakeWooCommerceStore) -> Owned:
    account = await sign_up(client, tenant_name="Owner")
    store = await add_store(client, account, woo, name="Owner's shop")
    requested = await client.post(f"/api/stores/{store['id']}/sync", headers=account.headers)
    log = await wait_for_sync(client, account, requested.json()["id"])
    assert log["status"] == "succeeded"
    products = await client.get(f"/api/stores/{store['id']}/products", headers=account.headers)
    product_id = products.json()["items"][0]["platform_product_id"]
    return Owned(account, store["id"], log["id"], product_id)


async def snapshot(client: AsyncTestClient[Any], owned: Owned) -> dict[str, Any]:
    headers = owned.account.headers
    store = (await client.get(f"/api/stores/{owned.store_id}", headers=headers)).json()
    products = await client.get(f"/api/stores/{owned.store_id}/products", headers=headers)
    logs = await client.get("/api/sync/logs", headers=headers)
    return {"store": store, "products": products.json(), "logs": logs.json()}


async def test_every_route_with_an_id_is_covered(
    client: AsyncTestClient[Any], owned: Owned, woo: FakeWooCommerceStore
) -> None:
    assert routes_with_ids(client) == set(cases(owned)) | set(web_cases(owned, woo.url))


async def test_another_tenants_store_pages_are_not_found(
    client: AsyncTestClient[Any], owned: Owned, woo: FakeWooCommerceStore
) -> None:
    before = await snapshot(client, owned)
    asked_before = len(woo.requests)
    intruder = await web_sign_up(client, business="Intruder")  # signed in by cookie
    unknown = Owned(owned.account, "00000000-0000-4000-8000-000000000000", "", "")

    for target in (owned, unknown):
        for (method, _), (url, form) in web_cases(target, woo.url).items():
            if form is None:
                response = await client.request(method, url, follow_redirects=False)
            else:
                response = await post_form(client, url, {"_csrf": intruder.csrf, **form})
            assert response.status_code == 404, (method, url, response.text)
            assert response.headers["content-type"].startswith("text/html")
            assert "Page not found" in response.text
            assert "Owner&#39;s shop" not in response.text

    for template in WEB_QUERY_CASES:
        url = template.format(store_id=owned.store_id)
        assert (await client.get(url)).status_code == 404, url
    stores = await client.get("/stores")
    assert 'data-testid="store-card"' not in stores.text
    assert "Owner&#39;s shop" not in (await client.get("/overview")).text
    assert await snapshot(client, owned) == before
    assert len(woo.requests) == asked_before


async def test_another_tenants_ids_are_not_found_everywhere(
    client: AsyncTestClient[Any], owned: Owned, woo: FakeWooCommerceStore
) -> None:
    before = await snapshot(client, owned)
    asked_before = len(woo.requests)
    intruder = await sign_up(client, tenant_name="Intruder")

    for (method, _), (url, body) in cases(owned).items():
        response = await client.request(method, url, json=body, headers=intruder.headers)
        assert response.status_code == 404, (method, url, response.text)
        error = response.json()["error"]
        assert error["code"] == "not_found", error
        assert set(error) == {"code", "message", "details"}
    for template in QUERY_CASES:
        url = template.format(store_id=owned.store_id)
        response = await client.get(url, headers=intruder.headers)
        assert response.status_code == 404, (url, response.text)

    # The intruder sees nothing of the owner's, and changed nothing.
    assert (await client.get("/api/stores", headers=intruder.headers)).json() == {"items": []}
    assert (await client.get("/api/sync/logs", headers=intruder.headers)).json() == {"items": []}
    recent = await client.get("/api/dashboard/recent-activity", headers=intruder.headers)
    assert recent.json() == {"items": []}
    overview = (await client.get("/api/dashboard/overview", headers=intruder.headers)).json()
    assert (overview["total_stores"], overview["products_synced"]) == (0, 0)
    assert (overview["stores"], overview["recent_activity"]) == ([], [])
    assert await snapshot(client, owned) == before
    assert len(woo.requests) == asked_before  # no test or sync reached the owner's store


async def test_unknown_ids_answer_exactly_as_another_tenants(
    client: AsyncTestClient[Any], owned: Owned
) -> None:
    intruder = await sign_up(client, tenant_name="Intruder")
    unknown = Owned(
        intruder,
        "00000000-0000-4000-8000-000000000000",
        "00000000-0000-4000-8000-000000000001",
        owned.product_id,
    )
    for (method, _), (url, body) in cases(unknown).items():
        mine = await client.request(method, url, json=body, headers=intruder.headers)
        theirs_url = url.replace(unknown.store_id, owned.store_id).replace(
            unknown.log_id, owned.log_id
        )
        theirs = await client.request(method, theirs_url, json=body, headers=intruder.headers)
        assert mine.status_code == theirs.status_code == 404
        assert mine.json()["error"]["code"] == theirs.json()["error"]["code"]
