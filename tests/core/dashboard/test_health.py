"""A store's health: one verdict from its connection and its newest finished sync, with the
reason and the time, the same in the overview and in every store read through the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from g4hub_core import Hub
from g4hub_core.dashboard.health import store_health
from tests.core.dashboard.test_service import add_log, add_store, at
from tests.core.factories import insert_tenant

T = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def verdict(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "connection_status": "connected",
        "last_connection_test": T,
        "connection_error": None,
        "syncing": False,
        "last_sync_result": "succeeded",
        "last_sync_error": None,
        "last_sync_attempt_at": T,
    }
    values.update(changes)
    health = store_health(**values)  # type: ignore[arg-type]
    return {"state": health.state, "label": health.label, "healthy": health.healthy}


@pytest.mark.parametrize(
    ("changes", "state", "label", "healthy"),
    [
        ({}, "ok", "Connected", True),
        ({"last_sync_result": None, "last_sync_attempt_at": None}, "ok", "Connected", True),
        ({"last_sync_result": "failed"}, "warning", "Last sync failed", False),
        ({"connection_status": "failed"}, "error", "Connection failed", False),
        ({"connection_status": "untested"}, "untested", "Untested", False),
        ({"syncing": True}, "syncing", "Syncing", True),
        ({"syncing": True, "last_sync_result": "failed"}, "syncing", "Syncing", False),
    ],
)
def test_one_verdict_per_state(
    changes: dict[str, object], state: str, label: str, healthy: bool
) -> None:
    assert verdict(**changes) == {"state": state, "label": label, "healthy": healthy}


def test_a_failed_sync_says_why_and_when() -> None:
    health = store_health(
        connection_status="connected",
        last_connection_test=at(0),
        connection_error=None,
        syncing=False,
        last_sync_result="failed",
        last_sync_error="The store took too long to answer.",
        last_sync_attempt_at=at(9),
    )
    assert health.label != "Connected"
    assert (health.reason, health.since, health.last_sync_attempt_at) == (
        "The store took too long to answer.",
        at(9),
        at(9),
    )


async def test_a_store_whose_last_sync_failed_is_not_counted_healthy(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    good = await add_store(hub, tenant_id, "Good", "woocommerce", last_sync_at=at(1))
    bad = await add_store(hub, tenant_id, "Bad", "shopify", last_sync_at=at(1))
    await add_log(hub, tenant_id, good, "succeeded", at(0), finished_at=at(1))
    await add_log(hub, tenant_id, bad, "succeeded", at(0), finished_at=at(1))
    await add_log(
        hub, tenant_id, bad, "failed", at(5), finished_at=at(6), error_message="Too slow."
    )
    async with hub.unit(tenant_id) as unit:
        overview = await unit.dashboard.overview()
        health = await unit.dashboard.health(bad)
        stores = await unit.dashboard.with_health(await unit.stores.list())
    assert (overview.connected_stores, overview.healthy_stores) == (2, 1)
    assert (overview.last_sync_attempt_at, overview.last_sync_result) == (at(6), "failed")
    assert overview.last_sync_store == "Bad"
    verdict = health[bad]
    assert (verdict.state, verdict.reason, verdict.since) == ("warning", "Too slow.", at(6))
    assert (verdict.last_sync_attempt_at, verdict.last_sync_result) == (at(6), "failed")
    by_name = {store.name: store.health for store in stores}
    assert by_name["Bad"] == verdict
    assert by_name["Good"] is not None
    assert by_name["Good"].healthy
    assert by_name["Good"].last_sync_attempt_at == at(1)


async def test_a_running_sync_does_not_hide_the_last_result(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    store = await add_store(hub, tenant_id, "Busy", "woocommerce")
    await add_log(hub, tenant_id, store, "failed", at(0), finished_at=at(2), error_message="No.")
    await add_log(hub, tenant_id, store, "running", at(3))
    async with hub.unit(tenant_id) as unit:
        verdict = (await unit.dashboard.health(store))[store]
    assert (verdict.state, verdict.healthy) == ("syncing", False)
    assert (verdict.last_sync_result, verdict.last_sync_error) == ("failed", "No.")
