"""`POST /api/stores/{id}/sync`: 202 with the queued sync's log, 409 while one runs."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore, Request, Response
from tests.api.stores.helpers import Account, add_store, names_field
from tests.api.sync.helpers import insert_running_sync, wait_for_sync

LOG_FIELDS = {"id", "store_id", "trigger", "mode", "status", "progress", "created_at"}


async def test_a_sync_is_accepted_with_its_log(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)

    response = await client.post(f"/api/stores/{store['id']}/sync", headers=account.headers)

    assert response.status_code == 202
    log = response.json()
    assert set(log) >= LOG_FIELDS
    assert (log["store_id"], log["trigger"], log["mode"]) == (store["id"], "manual", "full")
    assert log["status"] in ("queued", "running")
    finished = await wait_for_sync(client, account, log["id"])
    assert (finished["status"], finished["products_created"]) == ("succeeded", 25)


async def test_a_second_sync_while_one_runs_is_a_conflict(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    running = await insert_running_sync(client, account, store["id"])

    response = await client.post(f"/api/stores/{store['id']}/sync", headers=account.headers)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "sync_already_running"
    assert error["details"]["sync"]["id"] == str(running)
    assert error["details"]["sync"]["status"] == "running"
    logs = await client.get(f"/api/sync/logs?store_id={store['id']}", headers=account.headers)
    assert [log["id"] for log in logs.json()["items"]] == [str(running)]


class HeldStore(FakeWooCommerceStore):
    """A store whose product listings wait until the test releases them (the store runs in
    its server's thread, hence a thread-safe event)."""

    def __init__(self) -> None:
        super().__init__(products=5)
        self.holding = False
        self.released = threading.Event()

    async def handle(self, request: Request) -> Response:
        if self.holding and "/products" in request.path:
            # Bounded, so a failing test cannot hang its store forever.
            await asyncio.to_thread(self.released.wait, 30)
        return await super().handle(request)


async def test_a_sync_right_after_another_is_a_conflict_until_it_ends(
    client: AsyncTestClient[Any], account: Account
) -> None:
    held = HeldStore()
    with held.serve():
        store = await add_store(client, account, held)
        url = f"/api/stores/{store['id']}/sync"
        held.holding = True
        try:
            first = await client.post(url, headers=account.headers)
            second = await client.post(url, headers=account.headers)
        finally:
            held.released.set()
        finished = await wait_for_sync(client, account, first.json()["id"])
        third = await client.post(url, headers=account.headers)
        await wait_for_sync(client, account, third.json()["id"])

    assert first.status_code == 202
    assert second.status_code == 409
    assert second.json()["error"]["details"]["sync"]["id"] == first.json()["id"]
    assert finished["status"] == "succeeded"
    assert third.status_code == 202


async def test_the_sync_mode_is_chosen_by_the_query(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    url = f"/api/stores/{store['id']}/sync"
    first = await client.post(f"{url}?mode=incremental", headers=account.headers)
    # Nothing to be incremental to yet: the first sync lists everything.
    assert first.json()["mode"] == "full"
    await wait_for_sync(client, account, first.json()["id"])

    second = await client.post(f"{url}?mode=incremental", headers=account.headers)
    assert second.json()["mode"] == "incremental"
    await wait_for_sync(client, account, second.json()["id"])

    bad = await client.post(f"{url}?mode=everything", headers=account.headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_input"
    assert names_field(bad.json()["error"], "mode")
