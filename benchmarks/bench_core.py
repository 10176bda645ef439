"""Core benchmarks: the dashboard's latency at scale, and the sync's ingest rate.

Run with `nox -s bench` (or `uv run python benchmarks/bench_core.py [--quick]`). Needs the
machine's PostgreSQL (`G4HUB_BENCH_POSTGRES_URL`, default postgresql://postgres@127.0.0.1:5432/
postgres); each part works in a scratch database it creates and drops. Prints figures; asserts
nothing (targets are judged by reading them, not by timed tests).

Targets (issue 3):
- the overview of a tenant with 100 stores and 1,000,000 products, on PostgreSQL: < 50 ms;
- a sync from a fake store at 0 ms latency (products of about 3 KB of JSON) reaches >= 70 % of
  the rate of a bare SQLAlchemy Core batched upsert of the same rows, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

# The sibling script (its folder is on sys.path when run as a script).
from _core_seed import seed
from bench_connectors import served
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

import g4hub_connectors as gc
from g4hub_core import Hub, HubSettings
from g4hub_core.models import Store, StoreProduct, Tenant
from g4hub_core.stores.connection import connector_config, seal_settings
from g4hub_core.vault import generate_key

ADMIN_URL = os.environ.get(
    "G4HUB_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
KEY = generate_key("bench").encoded()


# -- scratch databases ---------------------------------------------------------------------------


def _admin_dsn() -> str:
    return make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def scratch_postgres(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its plain `postgresql://` URL), dropped afterwards."""
    name = f"g4hub_bench_{purpose}_{os.getpid()}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(_admin_dsn()).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def migrated_hub(
    database_url: str, data_dir: Path, *, runners: bool = True
) -> AsyncIterator[Hub]:
    """A migrated, started hub; `runners=False`: without the background runners, as the web
    processes of `g4hub serve` run (their polls would share the timed requests' event loop)."""
    settings = HubSettings(
        database_url=database_url,
        data_dir=data_dir,
        secret_keys=KEY,
        allow_private_store_hosts=True,
        job_queue="embedded",  # `timed_sync` waits on the in-process runner
    )
    hub = Hub(settings, runners=runners)
    await hub.upgrade()
    async with hub:
        yield hub


class StatementCounter:
    """Counts the SQL statements an engine sends (to show a query count stays fixed)."""

    def __init__(self, hub: Hub) -> None:
        self.count = 0
        event.listen(hub.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"best {ordered[0] * 1000:7.2f}  median {statistics.median(ordered) * 1000:7.2f}  "
        f"p95 {p95 * 1000:7.2f} ms"
    )


# -- a. the dashboard at scale --------------------------------------------------------------------


async def sample(run: Callable[[], Awaitable[object]], runs: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        await run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - started)
    return samples


async def bench_dashboard(stores: int, per_store: int, runs: int, explain: bool) -> None:
    print(f"\n## Dashboard on PostgreSQL: {stores} stores x {per_store:,} products, 20 logs each")
    tenant = uuid.uuid4()
    neighbours = [(uuid.uuid4(), 25, max(per_store // 5, 1)) for _ in range(4)]
    with scratch_postgres("dashboard") as dsn, tempfile.TemporaryDirectory() as tmp:
        async with migrated_hub(dsn, Path(tmp)) as hub:
            seconds = seed(dsn, [(tenant, stores, per_store), *neighbours], logs=20)
            with psycopg.connect(dsn) as conn:
                (rows,) = conn.execute("SELECT count(*) FROM store_products").fetchone() or (0,)
                (size,) = conn.execute(
                    "SELECT pg_size_pretty(pg_total_relation_size('store_products'))"
                ).fetchone() or ("?",)
            print(f"seeded {rows:,} products in all tenants ({size}) in {seconds:.0f} s")
            async with hub.unit(tenant) as unit:
                store_id = (await unit.dashboard.overview(recent=0)).stores[41].id

            async def overview() -> object:
                async with hub.unit(tenant) as unit:
                    return await unit.dashboard.overview()

            async def page_one() -> object:
                async with hub.unit(tenant) as unit:
                    return await unit.catalog.list_products(store_id)

            async def search() -> object:
                async with hub.unit(tenant) as unit:
                    return await unit.catalog.list_products(store_id, q="oak lamp")

            async def activity() -> object:
                async with hub.unit(tenant) as unit:
                    return await unit.dashboard.recent_activity(limit=20)

            counter = StatementCounter(hub)
            result: Any = await overview()
            print(
                f"overview: {result.total_stores} stores, {result.products_synced:,} products "
                f"synced, {sum(s.syncing for s in result.stores)} syncing, "
                f"{counter.count} SQL statements"
            )
            print(f"{runs} runs each, after 5 warm-up runs; each run is one unit of work")
            for label, run in [
                ("overview()", overview),
                ("recent_activity(limit=20)", activity),
                ("list_products page 1", page_one),
                ("list_products q='oak lamp'", search),
            ]:
                print(f"{label:<28} {summary(await sample(run, runs))}")
            if explain:
                await show_plans(hub, tenant)


async def show_plans(hub: Hub, tenant: uuid.UUID) -> None:
    """EXPLAIN ANALYZE of each statement the overview sends."""
    statements: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(hub.engine.sync_engine, "before_cursor_execute", keep)
    async with hub.unit(tenant) as unit:
        await unit.dashboard.overview()
    event.remove(hub.engine.sync_engine, "before_cursor_execute", keep)
    async with hub.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor = await driver.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}", parameters)
            print("\n".join(row[0] for row in await cursor.fetchall()), end="\n\n")


# -- b. ingest rate -------------------------------------------------------------------------------


async def new_store(hub: Hub, creds: dict[str, Any]) -> tuple[uuid.UUID, uuid.UUID]:
    """A tenant of its own with one store pointing at the fake store (no connection test)."""
    config = connector_config(creds)
    tenant_id, store_id = uuid.uuid4(), uuid.uuid4()
    async with hub.unit() as unit:
        unit.session.add(Tenant(id=tenant_id, name="Bench"))
        await unit.session.flush()
        unit.session.add(
            Store(
                id=store_id,
                tenant_id=tenant_id,
                platform=config.platform,
                name="Bench store",
                store_url=config.store_url,
                api_version=config.api_version,
                api_credentials=seal_settings(
                    config, vault=hub.vault, tenant_id=tenant_id, store_id=store_id
                ),
                connection_status="connected",
            )
        )
    return tenant_id, store_id


async def timed_sync(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID) -> tuple[float, Any]:
    """Request a full sync and wait for the runner to finish it: the real path."""
    runner: Any = hub.jobs
    started = time.perf_counter()
    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id, trigger="manual", mode="full")
    await runner.wait_idle()
    seconds = time.perf_counter() - started
    async with hub.unit(tenant_id) as unit:
        done = await unit.sync.get(log.id)
    return seconds, done


def bare_rows(products: list[gc.Product], tenant_id: uuid.UUID, store_id: uuid.UUID) -> list[Any]:
    moment = datetime.now(UTC)
    return [
        {
            "tenant_id": tenant_id,
            "store_id": store_id,
            "platform_product_id": p.id,
            "sku": p.sku,
            "name": p.name,
            "price": p.price,
            "currency": p.currency,
            "stock_quantity": p.stock_quantity,
            "manage_stock": p.manage_stock,
            "stock_status": p.stock_status,
            "status": p.status,
            "image_url": p.images[0] if p.images else None,
            "data": p.model_dump(mode="json"),
            "content_hash": "0" * 32,
            "source_updated_at": p.updated_at,
            "last_updated": moment,
        }
        for p in products
    ]


async def bare_upsert(hub: Hub, rows: list[dict[str, Any]], batch: int) -> float:
    """`INSERT ... VALUES (batch) ON CONFLICT DO UPDATE` on the Core table (no ORM step), one
    transaction per batch."""
    insert = postgresql.insert if hub.engine.dialect.name == "postgresql" else sqlite.insert
    keys = ("store_id", "platform_product_id")
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        statement = insert(StoreProduct.metadata.tables["store_products"]).values(
            rows[start : start + batch]
        )
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={k: statement.excluded[k] for k in rows[0] if k not in (*keys, "tenant_id")},
        )
        async with hub.engine.begin() as conn:
            await conn.execute(statement)
    return time.perf_counter() - started


async def bench_ingest_on(
    label: str, database_url: str, creds: dict[str, Any], products: list[gc.Product], runs: int
) -> None:
    n = len(products)
    with tempfile.TemporaryDirectory() as tmp:
        async with migrated_hub(database_url, Path(tmp)) as hub:
            batch = hub.settings.sync_batch_size
            sync_rates, bare_rates, statements = [], [], 0
            first: tuple[uuid.UUID, uuid.UUID] | None = None
            for _ in range(runs):
                tenant_id, store_id = await new_store(hub, creds)
                first = first or (tenant_id, store_id)
                counter = StatementCounter(hub)
                seconds, log = await timed_sync(hub, tenant_id, store_id)
                statements = counter.count
                if log.status != "succeeded" or log.products_created != n:
                    print(f"{label}: sync ended {log.status} ({log.error_code}): not counted")
                    continue
                sync_rates.append(n / seconds)
                bare_tenant, bare_store = await new_store(hub, creds)
                rows = bare_rows(products, bare_tenant, bare_store)
                bare_rates.append(n / await bare_upsert(hub, rows, batch))
            if not sync_rates:
                return
            assert first is not None
            seconds, log = await timed_sync(hub, *first)
            best_sync, best_bare = max(sync_rates), max(bare_rates)
            print(
                f"{label:<11} {n:>7,} {best_sync:>10,.0f} {statistics.median(sync_rates):>10,.0f}"
                f" {best_bare:>10,.0f} {statistics.median(bare_rates):>10,.0f}"
                f" {best_sync / best_bare:>7.0%} {n / seconds:>11,.0f} {statements:>6}"
            )


async def fetch_all(creds: dict[str, Any]) -> list[gc.Product]:
    async with gc.create_connector(creds) as connector:
        return [product async for product in connector.iter_products()]


async def bench_ingest(products: int, runs: int) -> None:
    print(f"\n## Ingest: a full sync of {products:,} WooCommerce products at 0 ms latency")
    print(
        "The fake store runs in a child process on a loopback port. 'sync' is the real path "
        "(SyncService.request, then the embedded runner's SyncEngine: fetch, map, upsert, "
        "log); 'bare' is SQLAlchemy Core `insert(store_products).values(batch).on_conflict_do_"
        "update(...)` of the same products, already fetched and turned into rows (fetching and "
        "row building excluded), one transaction per batch of the sync's size, into a fresh "
        f"store. Best and median of {runs} runs, products/s; 'ratio' is best sync / best bare; "
        "'re-sync' is a second full sync of the unchanged catalog; 'stmts' the SQL statements "
        "of one sync."
    )
    try:
        from g4hub_core.sync import engine as _engine  # noqa: F401
        from g4hub_core.sync import service as _service  # noqa: F401
    except ImportError:
        print("g4hub_core.sync.engine is not there yet: skipped")
        return
    with served("woocommerce", products, 0) as creds:
        catalog = await fetch_all(creds)
        size = sum(len(p.model_dump_json()) for p in catalog) / len(catalog)
        print(f"{len(catalog):,} products fetched once, {size:,.0f} bytes of JSON each on average")
        header = ("database", "products", "sync best", "median", "bare best", "median")
        print(
            f"{header[0]:<11} {header[1]:>7} {header[2]:>10} {header[3]:>10} {header[4]:>10}"
            f" {header[5]:>10} {'ratio':>7} {'re-sync':>11} {'stmts':>6}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            await bench_ingest_on("SQLite", url, creds, catalog, runs)
        with scratch_postgres("ingest") as dsn:
            await bench_ingest_on("PostgreSQL", dsn, creds, catalog, runs)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--explain", action="store_true", help="print the overview's plans")
    parser.add_argument("--only", choices=["dashboard", "ingest"], help="run one part")
    args = parser.parse_args()
    print(f"# g4hub-core benchmarks ({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    with psycopg.connect(_admin_dsn()) as conn:
        version = conn.execute("SHOW server_version").fetchone()
    print(f"PostgreSQL {version[0] if version else '?'}")
    if args.only != "ingest":
        if args.quick:
            await bench_dashboard(100, 1_000, runs=20, explain=args.explain)
        else:
            await bench_dashboard(100, 10_000, runs=50, explain=args.explain)
    if args.only != "dashboard":
        await bench_ingest(2_000 if args.quick else 10_000, runs=2 if args.quick else 3)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main())
