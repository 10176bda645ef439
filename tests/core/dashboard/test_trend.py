"""The overview's chart data: the tenant's finished syncs, oldest first, with the products the
store had and how long each took; running syncs and other tenants' syncs are not in it."""

from __future__ import annotations

from g4hub_core import Hub
from tests.core.dashboard.test_service import add_log, add_store, at
from tests.core.factories import insert_tenant


async def test_the_trend_holds_finished_syncs_oldest_first(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    store = await add_store(hub, tenant_id, "Alpha", "woocommerce")
    await add_log(
        hub,
        tenant_id,
        store,
        "succeeded",
        at(0),
        started_at=at(0),
        finished_at=at(2),
        products_total=40,
        products_fetched=40,
    )
    await add_log(
        hub,
        tenant_id,
        store,
        "failed",
        at(10),
        started_at=at(10),
        finished_at=at(11),
        products_fetched=5,
    )
    await add_log(hub, tenant_id, store, "running", at(20), started_at=at(20))
    stranger = await insert_tenant(hub, "Stranger")
    theirs = await add_store(hub, stranger, "Zulu", "shopify")
    await add_log(hub, stranger, theirs, "succeeded", at(5), started_at=at(5), finished_at=at(6))
    async with hub.unit(tenant_id) as unit:
        points = await unit.dashboard.trend(limit=30)
    assert [(p.status, p.products, p.seconds) for p in points] == [
        ("succeeded", 40, 120.0),
        ("failed", 5, 60.0),
    ]
    assert {p.store_name for p in points} == {"Alpha"}
