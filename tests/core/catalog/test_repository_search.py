"""Catalog search ignores case and accents on both databases, from a folded column the writes
keep, which PostgreSQL answers from its trigram index."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from g4hub_connectors import Product
from g4hub_core import Hub
from g4hub_core.catalog import ProductRepository
from g4hub_core.catalog.ingest import IngestBatch
from g4hub_core.catalog.repository import LISTING_COLUMNS
from g4hub_core.catalog.search import matches
from g4hub_core.db.base import utcnow
from g4hub_core.db.migrate import upgrade
from g4hub_core.folding import fold, search_text
from g4hub_core.models import StoreProduct
from tests.core.catalog.test_service import names, shop
from tests.core.db.test_migrate import _typed, empty_engine

__all__ = ["empty_engine"]  # the fixture, shared with the migration tests

FULLWIDTH = "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 Tee"
ACCENTED = [
    ("Café Crème", "CAFE-01"),
    ("CAFÉ NOIR", "ÉTÉ-2"),
    ("Große Straße Mug", "MUG-SS"),
    (FULLWIDTH, None),
    ("Plain Cup", "CUP-1"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cafe", ["Café Crème", "CAFÉ NOIR"]),
        ("CAFÉ", ["Café Crème", "CAFÉ NOIR"]),
        ("creme", ["Café Crème"]),
        ("strasse", ["Große Straße Mug"]),
        ("ete-2", ["CAFÉ NOIR"]),
        ("fullwidth", [FULLWIDTH]),
    ],
)
async def test_search_ignores_case_and_accents(hub: Hub, query: str, expected: list[str]) -> None:
    tenant_id, store_id = await shop(hub, ACCENTED)
    assert sorted(await names(hub, tenant_id, store_id, query)) == sorted(expected)


def test_the_ingest_writes_the_folded_name_and_sku() -> None:
    product = Product(id="7", name="Crème Brûlée", sku="CB-É", platform="woocommerce")
    batch = IngestBatch.prepare(
        [product], tenant_id=uuid.uuid4(), store_id=uuid.uuid4(), sync_id=uuid.uuid4()
    )
    assert batch.rows["7"]["search_text"] == "creme brulee\ncb-e"
    assert search_text("Crème Brûlée", "CB-É") == "creme brulee\ncb-e"
    assert fold("ÆSIR ǅ ﬁ") == "æsir dz fi"


async def test_postgresql_answers_search_from_the_trigram_index(hub: Hub) -> None:
    if hub.engine.dialect.name != "postgresql":
        pytest.skip("SQLite scans one store's rows")
    tenant_id, _ = await shop(hub, ACCENTED)
    # The condition alone: with a store's few rows the planner rightly starts from the store's
    # index; what matters is that the condition can use the trigram index at all.
    statement = select(StoreProduct.id).where(matches("crème"))
    compiled = statement.compile(dialect=hub.engine.dialect, compile_kwargs={"literal_binds": True})
    async with hub.unit(tenant_id) as unit:
        await unit.session.execute(text("SET LOCAL enable_seqscan = off"))
        connection = await unit.session.connection()
        plan = "\n".join(row[0] for row in await connection.exec_driver_sql(f"EXPLAIN {compiled}"))
    assert "ix_store_products_search_trgm" in plan


async def test_the_migration_folds_the_products_already_synced(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine, "0003")
    tenant, store = uuid.uuid4(), uuid.uuid4()
    async with empty_engine.begin() as conn:
        await conn.execute(
            _typed("INSERT INTO tenants (id, name, created_at) VALUES (:id, 'A', :now)"),
            {"id": tenant, "now": utcnow()},
        )
        await conn.execute(
            _typed(
                "INSERT INTO stores (id, tenant_id, platform, name, store_url, api_version, "
                "api_credentials, credentials_hint, connection_status, store_info, "
                "products_count, products_synced, created_at, updated_at) VALUES (:id, "
                ":tenant, 'woocommerce', 'S', 'https://s', 'wc/v3', 'x', '', 'connected', '{}', "
                "0, 0, :now, :now)"
            ),
            {"id": store, "tenant": tenant, "now": utcnow()},
        )
        await conn.execute(
            _typed(
                "INSERT INTO store_products (tenant_id, store_id, platform_product_id, sku, "
                "name, manage_stock, stock_status, status, data, content_hash, last_updated) "
                "VALUES (:tenant, :store, '1', 'ÉTÉ-1', 'Café Crème', false, 'instock', "
                "'active', '{}', '', :now)"
            ),
            {"tenant": tenant, "store": store, "now": utcnow()},
        )
    await upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        folded = (await conn.execute(text("SELECT search_text FROM store_products"))).scalar_one()
    assert folded == "cafe creme\nete-1"


async def test_a_page_leaves_each_product_document_unread(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub, ACCENTED)
    async with hub.unit(tenant_id) as unit:
        found = await ProductRepository(unit.session, tenant_id).page(
            store_id, offset=0, limit=10, query="cafe"
        )
        rows = found.rows
        assert rows
        # Plain rows of the listing's columns (and the search's count): the document is not
        # even selected.
        columns = {c.key for c in LISTING_COLUMNS} | {"total"}
        assert all(set(row.keys()) == columns for row in rows)
        listed = await unit.catalog.list_products(store_id, q="cafe")
    assert [item.name for item in listed.items] == sorted(row["name"] for row in rows)


async def test_sqlite_counts_matches_from_an_index_without_reading_rows(hub: Hub) -> None:
    if hub.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL answers from the trigram index")
    tenant_id, store_id = await shop(hub, ACCENTED)
    async with hub.unit(tenant_id) as unit:
        repository = ProductRepository(unit.session, tenant_id)
        statement = repository._matching(store_id, "cafe").with_only_columns(func.count())
        compiled = statement.compile(
            dialect=hub.engine.dialect, compile_kwargs={"literal_binds": True}
        )
        connection = await unit.session.connection()
        plan = " ".join(
            str(row[-1])
            for row in await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        )
    assert "COVERING INDEX ix_store_products_store_id_search" in plan


async def test_sqlite_picks_a_search_pages_matches_from_the_index_before_reading_rows(
    hub: Hub,
) -> None:
    """A rare word must not read every row of the store: on SQLite each folded text sits behind
    its row's JSON, so walking the name index and testing rows read the whole table."""
    if hub.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL answers from the trigram index")
    tenant_id, store_id = await shop(hub, ACCENTED)
    async with hub.unit(tenant_id) as unit:
        repository = ProductRepository(unit.session, tenant_id)
        statement = repository.page_statement(store_id, offset=0, limit=50, query="zolty")
        compiled = statement.compile(
            dialect=hub.engine.dialect, compile_kwargs={"literal_binds": True}
        )
        connection = await unit.session.connection()
        plan = " ".join(
            str(row[-1])
            for row in await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        )
        found = await repository.page(store_id, offset=0, limit=2, query="cafe")
        assert found.total == 2  # counted by the page's own statement
    assert "COVERING INDEX ix_store_products_store_id_search" in plan
    assert [row.name for row in found.rows] == ["CAFÉ NOIR", "Café Crème"]  # by name, bytewise
