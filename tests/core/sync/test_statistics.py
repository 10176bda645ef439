"""A big sync refreshes PostgreSQL's planner statistics for the catalog as it goes, so reads
during and after it are planned for the rows it wrote, not for the table before it (where
autovacuum is off or has not run yet, a search would walk every row of the store)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core.sync import engine
from tests.core.sync.helpers import HubFactory, add_store, sync


def test_statistics_are_refreshed_as_the_rows_written_double() -> None:
    passes = [n for n in range(0, 9_000, 500) if engine._doubled_past(n, n + 500, 1_000)]
    assert passes == [500, 1_500, 3_500, 7_500]  # past 1,000, 2,000, 4,000 and 8,000


async def test_a_big_sync_leaves_the_planner_knowing_its_rows_and_its_search_index_merged(
    make_hub: HubFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A GIN index also takes new rows into a pending list until autovacuum merges them; a
    # search reads that list whole and the planner, costing it, walks the name index instead
    # (~18 ms instead of ~2 on 20,000 products).
    store = FakeWooCommerceStore(products=120)
    hub = await make_hub(store, sync_batch_size=25)
    if hub.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans without table statistics")
    monkeypatch.setattr(engine, "ANALYZE_FROM", 50)  # 120 products: past 50 and 100, and at the end
    tenant_id, store_id = await add_store(hub, store)

    log = await sync(hub, tenant_id, store_id)

    async with hub.engine.begin() as connection:
        planned = await connection.scalar(
            text("SELECT reltuples FROM pg_class WHERE relname = 'store_products'")
        )
        await connection.execute(text("CREATE EXTENSION IF NOT EXISTS pgstattuple"))
        pending = (
            await connection.execute(
                text(
                    "SELECT pending_pages, pending_tuples"
                    " FROM pgstatginindex('ix_store_products_search_trgm')"
                )
            )
        ).one()
    assert log.products_created == 120
    assert planned == 120  # without: the empty table's 0 (or -1, never analyzed)
    assert tuple(pending) == (0, 0)
