"""`/api/sync/logs`: the tenant's syncs, newest first, one store's or all; one log by id."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.stores.helpers import Account, add_store, names_field
from tests.api.sync.helpers import insert_running_sync, wait_for_sync

NIL = "00000000-0000-4000-8000-000000000000"


async def sync(client: AsyncTestClient[Any], account: Account, store_id: str) -> dict[str, Any]:
    response = await client.post(f"/api/stores/{store_id}/sync", headers=account.headers)
    assert response.status_code == 202, response.text
    return await wait_for_sync(client, account, response.json()["id"])


async def test_no_syncs_yet_is_an_empty_list(
    client: AsyncTestClient[Any], account: Account
) -> None:
    response = await client.get("/api/sync/logs", headers=account.headers)
    assert (response.status_code, response.json()) == (200, {"items": []})


async def test_logs_come_newest_first_for_all_stores_or_one(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    first_store = await add_store(client, account, woo, name="One")
    other = FakeWooCommerceStore(products=3, seed=2)
    with other.serve():
        second_store = await add_store(client, account, other, name="Two")
        oldest = await sync(client, account, first_store["id"])
        middle = await sync(client, account, second_store["id"])
        newest = await sync(client, account, first_store["id"])

    every = (await client.get("/api/sync/logs", headers=account.headers)).json()["items"]
    assert [log["id"] for log in every] == [newest["id"], middle["id"], oldest["id"]]
    one = await client.get(
        "/api/sync/logs", params={"store_id": first_store["id"]}, headers=account.headers
    )
    assert [log["id"] for log in one.json()["items"]] == [newest["id"], oldest["id"]]
    limited = await client.get("/api/sync/logs?limit=1", headers=account.headers)
    assert [log["id"] for log in limited.json()["items"]] == [newest["id"]]


async def test_one_log_is_read_by_id_while_it_runs(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    log_id = await insert_running_sync(client, account, store["id"])

    response = await client.get(f"/api/sync/logs/{log_id}", headers=account.headers)

    assert response.status_code == 200
    log = response.json()
    assert (log["id"], log["store_id"], log["status"]) == (str(log_id), store["id"], "running")
    assert {"progress", "products_fetched", "error_code", "error_message"} <= set(log)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=many", "limit"),
        ("store_id=7", "store_id"),
    ],
)
async def test_the_list_validates_its_query(
    client: AsyncTestClient[Any], account: Account, query: str, field: str
) -> None:
    response = await client.get(f"/api/sync/logs?{query}", headers=account.headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert names_field(response.json()["error"], field)


async def test_an_unknown_store_or_log_is_not_found(
    client: AsyncTestClient[Any], account: Account
) -> None:
    for url in (f"/api/sync/logs?store_id={NIL}", f"/api/sync/logs/{NIL}", "/api/sync/logs/x"):
        response = await client.get(url, headers=account.headers)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


async def test_the_logs_need_a_signed_in_user(client: AsyncTestClient[Any]) -> None:
    for url in ("/api/sync/logs", f"/api/sync/logs/{NIL}"):
        assert (await client.get(url)).status_code == 401
