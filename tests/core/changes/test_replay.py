"""A program that follows the feed replays a whole day of changes from the cursor it kept the
day before, in the order they happened, each once, however it pages; and changes older than a
peer's retention window (30/60 days) are still there for a program starting from scratch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core.changes import repository
from g4hub_core.changes.repository import ChangeEntry, ChangeKind, record_changes
from tests.core.sync.helpers import HubFactory, add_store

DAY = datetime(2026, 11, 2, tzinfo=UTC)


async def test_a_day_of_changes_replays_from_yesterdays_cursor(
    make_hub: HubFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FakeWooCommerceStore(products=3)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)
    clock = [DAY - timedelta(days=90)]
    monkeypatch.setattr(repository, "utcnow", lambda: clock[0])

    async def change(product: str, kind: ChangeKind, source: str) -> None:
        async with hub.unit(tenant_id) as unit:
            entry = ChangeEntry(product, kind, clock[0])
            await record_changes(unit.session, tenant_id, store_id, [entry], source=source)

    # Ninety days ago, long before any retention window: the catalog's first sync.
    for n in range(20):
        await change(f"p{n}", "created", "sync")
    async with hub.unit(tenant_id) as unit:
        kept = (await unit.changes.page(None, limit=1000)).next_cursor  # the day before

    # The day: a change every five minutes (webhooks, a sync at noon, a hub edit, deletions).
    happened: list[tuple[str, str, str]] = []
    for step in range(24 * 12):
        clock[0] = DAY + timedelta(minutes=5 * step)
        kind: ChangeKind = "deleted" if step % 97 == 96 else "updated"
        source = "sync" if step == 144 else "edit" if step % 50 == 49 else "webhook"
        product = f"p{step % 20}"
        await change(product, kind, source)
        happened.append((product, kind, source))

    replayed: list[tuple[str, str, str]] = []
    moments: list[datetime] = []
    cursor = kept
    async with hub.unit(tenant_id) as unit:
        while True:
            page = await unit.changes.page(cursor, limit=37, store_id=store_id)
            replayed += [(c.platform_product_id, c.kind, c.source) for c in page.items]
            moments += [c.changed_at for c in page.items]
            cursor = page.next_cursor
            if not page.has_more:
                break
        from_scratch = await unit.changes.page(None, limit=1000)
        other = await unit.changes.page(kept, store_id=uuid.uuid4())
    assert replayed == happened  # the whole day, in order, each change once
    assert moments == sorted(moments)
    assert moments[0] == DAY
    assert moments[-1] == DAY + timedelta(hours=23, minutes=55)
    assert len(from_scratch.items) == 20 + 24 * 12  # nothing pruned after 90 days
    assert from_scratch.items[0].changed_at == DAY - timedelta(days=90)
    assert other.items == []
