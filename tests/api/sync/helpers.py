"""Waiting for a sync over the API, and holding a store in a sync that never ends."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_core import Hub
from g4hub_core.models import SyncLog
from tests.api.stores.helpers import Account, add_store

__all__ = ["insert_running_sync", "wait_for_sync"]

FINISHED = ("succeeded", "failed")


async def wait_for_sync(
    client: AsyncTestClient[Any], account: Account, log_id: str, *, deadline: float = 60.0
) -> dict[str, Any]:
    """Poll `GET /api/sync/logs/{id}` until the sync has finished; returns its log. `deadline`
    only stops a hung test; it asserts nothing about speed."""
    give_up = time.monotonic() + deadline
    while True:
        response = await client.get(f"/api/sync/logs/{log_id}", headers=account.headers)
        assert response.status_code == 200, response.text
        log: dict[str, Any] = response.json()
        if log["status"] in FINISHED:
            return log
        assert time.monotonic() < give_up, f"sync still {log['status']} after {deadline} s"
        await asyncio.sleep(0.05)


async def insert_running_sync(
    client: AsyncTestClient[Any], account: Account, store_id: str
) -> uuid.UUID:
    """Record a running sync of the store straight in the database, without a job: the store
    stays busy for as long as the test needs, with no race against a real sync finishing."""
    hub: Hub = client.app.state.hub
    log_id = uuid.uuid4()
    async with hub.unit(account.tenant_id) as unit:
        unit.session.add(
            SyncLog(
                id=log_id,
                tenant_id=account.tenant_id,
                store_id=uuid.UUID(store_id),
                trigger="manual",
                mode="full",
                status="running",
            )
        )
    return log_id


async def add_synced_store(
    client: AsyncTestClient[Any], account: Account, store: Any, name: str
) -> str:
    """Add `store` for `account` and wait for its first sync to succeed; the store's id."""
    added = await add_store(client, account, store, name=name)
    requested = await client.post(f"/api/stores/{added['id']}/sync", headers=account.headers)
    assert (await wait_for_sync(client, account, requested.json()["id"]))["status"] == "succeeded"
    return str(added["id"])
