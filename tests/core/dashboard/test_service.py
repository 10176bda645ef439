"""The overview and the activity feed: counts, per-store indicators, order, limits, and tenant
isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub, InvalidInput
from g4hub_core.dashboard.service import indicator
from g4hub_core.models import Store, StoreProduct, SyncLog
from tests.core.factories import insert_store, insert_tenant

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def add_store(
    hub: Hub,
    tenant_id: uuid.UUID,
    name: str,
    platform: str,
    *,
    connection_status: str = "connected",
    products_synced: int = 0,
    last_sync_at: datetime | None = None,
) -> uuid.UUID:
    fake = FakeWooCommerceStore() if platform == "woocommerce" else FakeShopifyStore()
    domain = "example" if platform == "woocommerce" else "myshopify.com"
    url = f"https://{name.lower()}-{uuid.uuid4().hex[:6]}.{domain}"
    store_id = await insert_store(hub, tenant_id, fake.credentials(store_url=url), name=name)
    async with hub.unit(tenant_id) as unit:
        await unit.session.execute(
            update(Store)
            .where(Store.id == store_id)
            .values(
                connection_status=connection_status,
                products_synced=products_synced,
                products_count=products_synced + 1,
                last_sync_at=last_sync_at,
            )
        )
    return store_id


async def add_log(
    hub: Hub,
    tenant_id: uuid.UUID,
    store_id: uuid.UUID,
    status: str,
    created: datetime,
    **values: object,
) -> uuid.UUID:
    log_id = uuid.uuid4()
    async with hub.unit(tenant_id) as unit:
        unit.session.add(
            SyncLog(
                id=log_id,
                tenant_id=tenant_id,
                store_id=store_id,
                trigger="manual",
                status=status,
                created_at=created,
                **values,
            )
        )
    return log_id


class Shop:
    """A tenant with one store in each state the dashboard tells apart."""

    def __init__(self, tenant_id: uuid.UUID, stores: dict[str, uuid.UUID]) -> None:
        self.tenant_id = tenant_id
        self.stores = stores


async def shop(hub: Hub) -> Shop:
    tenant_id = await insert_tenant(hub)
    ok = await add_store(
        hub, tenant_id, "Alpha", "woocommerce", products_synced=3, last_sync_at=at(5)
    )
    warning = await add_store(
        hub, tenant_id, "Bravo", "shopify", products_synced=5, last_sync_at=at(20)
    )
    error = await add_store(hub, tenant_id, "Charlie", "woocommerce", connection_status="failed")
    untested = await add_store(hub, tenant_id, "Delta", "shopify", connection_status="untested")
    syncing = await add_store(
        hub, tenant_id, "Echo", "woocommerce", products_synced=7, last_sync_at=at(10)
    )
    await add_log(hub, tenant_id, ok, "failed", at(1), error_code="timeout")
    await add_log(hub, tenant_id, ok, "succeeded", at(4), products_created=3)
    await add_log(hub, tenant_id, warning, "succeeded", at(19), products_created=5)
    await add_log(
        hub, tenant_id, warning, "failed", at(30), error_code="rate_limited", error_message="Slow"
    )
    await add_log(hub, tenant_id, error, "failed", at(2), error_code="invalid_credentials")
    await add_log(hub, tenant_id, syncing, "succeeded", at(9), products_created=7)
    await add_log(hub, tenant_id, syncing, "running", at(40), products_total=8, products_fetched=3)
    # Rows the hub holds do not drive the overview's product count: the stores' column does.
    async with hub.unit(tenant_id) as unit:
        for index in range(2):
            unit.session.add(
                StoreProduct(
                    tenant_id=tenant_id,
                    store_id=ok,
                    platform_product_id=str(index),
                    name=f"P{index}",
                    content_hash="",
                )
            )
    return Shop(
        tenant_id,
        {"ok": ok, "warning": warning, "error": error, "untested": untested, "syncing": syncing},
    )


async def test_overview_counts_the_tenants_stores(hub: Hub) -> None:
    shop_ = await shop(hub)
    async with hub.unit(shop_.tenant_id) as unit:
        overview = await unit.dashboard.overview()
    assert overview.total_stores == 5
    assert overview.connected_stores == 3
    assert overview.failed_stores == 1
    assert overview.untested_stores == 1
    assert overview.stores_by_platform == {"shopify": 2, "woocommerce": 3}
    assert overview.products_synced == 3 + 5 + 7
    assert overview.last_sync_at == at(20)


async def test_each_store_has_its_state_and_indicator(hub: Hub) -> None:
    shop_ = await shop(hub)
    async with hub.unit(shop_.tenant_id) as unit:
        overview = await unit.dashboard.overview()
    by_id = {store.id: store for store in overview.stores}
    assert [store.name for store in overview.stores] == [
        "Alpha",
        "Bravo",
        "Charlie",
        "Delta",
        "Echo",
    ]
    states = {
        kind: (by_id[id_].indicator, by_id[id_].last_sync_status, by_id[id_].syncing)
        for kind, id_ in shop_.stores.items()
    }
    assert states == {
        "ok": ("ok", "succeeded", False),
        "warning": ("warning", "failed", False),
        "error": ("error", "failed", False),
        "untested": ("untested", None, False),
        "syncing": ("syncing", "running", True),
    }
    alpha = by_id[shop_.stores["ok"]]
    assert (alpha.platform, alpha.connection_status) == ("woocommerce", "connected")
    assert (alpha.products_synced, alpha.products_count, alpha.last_sync_at) == (3, 4, at(5))
    assert alpha.store_url.startswith("https://alpha-")


async def test_a_queued_sync_counts_as_syncing(hub: Hub) -> None:
    shop_ = await shop(hub)
    await add_log(hub, shop_.tenant_id, shop_.stores["warning"], "queued", at(50))
    async with hub.unit(shop_.tenant_id) as unit:
        overview = await unit.dashboard.overview()
    bravo = next(store for store in overview.stores if store.name == "Bravo")
    assert (bravo.indicator, bravo.last_sync_status, bravo.syncing) == ("syncing", "queued", True)


@pytest.mark.parametrize(
    ("connection", "last_sync", "syncing", "expected"),
    [
        ("connected", None, False, "ok"),
        ("connected", "succeeded", False, "ok"),
        ("connected", "failed", False, "warning"),
        ("connected", "running", True, "syncing"),
        ("failed", "failed", False, "error"),
        ("failed", "queued", True, "syncing"),
        ("untested", None, False, "untested"),
        ("untested", "failed", False, "untested"),
    ],
)
def test_indicator_rules(
    connection: str, last_sync: str | None, syncing: bool, expected: str
) -> None:
    assert indicator(connection, last_sync, syncing) == expected


async def test_overview_includes_the_newest_activity(hub: Hub) -> None:
    shop_ = await shop(hub)
    async with hub.unit(shop_.tenant_id) as unit:
        overview = await unit.dashboard.overview(recent=3)
        none = await unit.dashboard.overview(recent=0)
    assert [(a.store_name, a.status) for a in overview.recent_activity] == [
        ("Echo", "running"),
        ("Bravo", "failed"),
        ("Bravo", "succeeded"),
    ]
    assert none.recent_activity == []
    assert none.total_stores == 5


async def test_recent_activity_is_newest_first_and_limited(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    store_id = await add_store(hub, tenant_id, "Alpha", "shopify")
    # Inserted out of order, so the order comes from the query, not from insertion.
    minutes = [(i * 7) % 25 for i in range(25)]
    ids = {m: await add_log(hub, tenant_id, store_id, "succeeded", at(m)) for m in minutes}
    async with hub.unit(tenant_id) as unit:
        activity = await unit.dashboard.recent_activity(limit=20)
        everything = await unit.dashboard.recent_activity(limit=100)
    assert [a.id for a in activity] == [ids[m] for m in range(24, 4, -1)]
    assert [a.created_at for a in everything] == [at(m) for m in range(24, -1, -1)]


async def test_activity_carries_the_sync_and_its_store(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    store_id = await add_store(hub, tenant_id, "Alpha", "shopify")
    log_id = await add_log(
        hub,
        tenant_id,
        store_id,
        "failed",
        at(0),
        mode="incremental",
        products_fetched=10,
        products_created=4,
        products_updated=3,
        products_deleted=2,
        products_total=16,  # the progress is derived: 10 of 16 fetched
        error_code="timeout",
        error_message="The store did not answer.",
        started_at=at(1),
        finished_at=at(2),
    )
    async with hub.unit(tenant_id) as unit:
        (activity,) = await unit.dashboard.recent_activity()
    assert activity.model_dump() == {
        "id": log_id,
        "store_id": store_id,
        "store_name": "Alpha",
        "platform": "shopify",
        "trigger": "manual",
        "mode": "incremental",
        "status": "failed",
        "products_fetched": 10,
        "products_created": 4,
        "products_updated": 3,
        "products_deleted": 2,
        "products_total": 16,
        "progress": 62,
        "error_code": "timeout",
        "error_message": "The store did not answer.",
        "created_at": at(0),
        "started_at": at(1),
        "finished_at": at(2),
    }


@pytest.mark.parametrize("limit", [0, -1, 101])
async def test_activity_limits_out_of_bounds_are_refused(hub: Hub, limit: int) -> None:
    tenant_id = await insert_tenant(hub)
    async with hub.unit(tenant_id) as unit:
        with pytest.raises(InvalidInput):
            await unit.dashboard.recent_activity(limit=limit)
        with pytest.raises(InvalidInput):
            await unit.dashboard.overview(recent=limit if limit else -1)


async def test_an_empty_tenant_has_an_empty_overview(hub: Hub) -> None:
    await shop(hub)
    stranger = await insert_tenant(hub, "Stranger")
    async with hub.unit(stranger) as unit:
        overview = await unit.dashboard.overview()
        activity = await unit.dashboard.recent_activity()
    assert overview.model_dump() == {
        "total_stores": 0,
        "connected_stores": 0,
        "failed_stores": 0,
        "untested_stores": 0,
        "stores_by_platform": {},
        "products_synced": 0,
        "last_sync_at": None,
        "stores": [],
        "healthy_stores": 0,
        "last_sync_attempt_at": None,
        "last_sync_result": None,
        "last_sync_store": None,
        "recent_activity": [],
    }
    assert activity == []


async def test_a_tenant_sees_only_its_own_stores_and_syncs(hub: Hub) -> None:
    first = await shop(hub)
    second = await insert_tenant(hub, "Second")
    own = await add_store(hub, second, "Zulu", "shopify", products_synced=2, last_sync_at=at(1))
    await add_log(hub, second, own, "succeeded", at(0))
    async with hub.unit(second) as unit:
        overview = await unit.dashboard.overview()
    assert [store.id for store in overview.stores] == [own]
    assert (overview.total_stores, overview.products_synced) == (1, 2)
    assert overview.last_sync_at == at(1)
    assert [a.store_id for a in overview.recent_activity] == [own]
    async with hub.unit(first.tenant_id) as unit:
        theirs = await unit.dashboard.overview(recent=100)
    assert own not in {store.id for store in theirs.stores}
    assert own not in {a.store_id for a in theirs.recent_activity}
