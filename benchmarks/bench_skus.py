"""The cross-store SKU view's latency on PostgreSQL: 100 stores x 10,000 products of one tenant
(the same 10,000 SKUs in every store), beside neighbour tenants, through `unit.skus`.

    uv run python benchmarks/bench_skus.py [--stores 100] [--products 10000] [--runs 30]
        [--quick] [--explain]

Target (issue 15): a page of the SKU view < 100 ms. Prints best, median and p95 of: the first
page, a page deep in the catalog (by cursor), `differs` (1 % of SKUs made to disagree),
`missing_in` (1 % of SKUs removed from one store), `q`, `store_id`, and the whole-catalog
conflict report (counts read from the summaries of migration 0010); then what the summaries'
triggers cost a writer (1,000 prices of one store in one statement, with and without
triggers), and the load average. 1 % of the products (in every store) list three variants each
(SKUs on the variants, as on Shopify), so pages also read the variant branch. `--explain`
prints each query's plan (EXPLAIN ANALYZE). Works in a scratch database it creates and drops;
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from _core_seed import seed
from bench_core import migrated_hub, sample, scratch_postgres, summary
from sqlalchemy import event

from g4hub_core import Hub


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="10 stores x 1,000 products")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args()
    if args.quick:
        args.stores, args.products, args.runs = 10, 1_000, 10
    tenant = uuid.uuid4()
    neighbours = [(uuid.uuid4(), 10, max(args.products // 5, 1)) for _ in range(2)]
    print(f"## SKU view on PostgreSQL: {args.stores} stores x {args.products:,} products")
    with scratch_postgres("skus") as dsn, tempfile.TemporaryDirectory() as tmp:
        async with migrated_hub(dsn, Path(tmp), runners=False) as hub:
            seconds = seed(dsn, [(tenant, args.stores, args.products), *neighbours], logs=1)
            with psycopg.connect(dsn) as conn:
                stores = [
                    row[0]
                    for row in conn.execute(
                        "SELECT id FROM stores WHERE tenant_id = %s ORDER BY name", (tenant,)
                    )
                ]
                # 1 % of SKUs disagree on price in one store; 1 % are missing from another.
                conn.execute(
                    "UPDATE store_products SET price = price + 1 WHERE store_id = %s "
                    "AND right(sku, 2) = '07'",
                    (stores[3],),
                )
                conn.execute(
                    "DELETE FROM store_products WHERE store_id = %s AND right(sku, 2) = '13'",
                    (stores[7],),
                )
                # 1 % of products (in every store) list three variants, SKUs on the variants.
                conn.execute(
                    "UPDATE store_products SET data = data || jsonb_build_object('variants', "
                    "(SELECT jsonb_agg(jsonb_build_object('id', platform_product_id || '-' || v, "
                    "'sku', sku || '-V' || v, 'price', (price + v)::text, 'stock_quantity', v, "
                    "'manage_stock', true, 'title', 'Size ' || v)) "
                    "FROM generate_series(1, 3) AS v)) "
                    "WHERE tenant_id = %s AND right(sku, 2) = '50'",
                    (tenant,),
                )
                conn.commit()
                (rows,) = conn.execute("SELECT count(*) FROM store_products").fetchone() or (0,)
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE store_products, sku_variants")
                # Write the seed's ~1 GB out now: a checkpoint flushing it during the samples
                # would time the seeding, not the view.
                conn.execute("CHECKPOINT")
            print(f"seeded {rows:,} products in all tenants in {seconds:.0f} s")

            deep = f"SKU-{args.products // 2:06d}"
            cases = {
                "first page (20 SKUs)": {},
                "deep page (cursor)": {"cursor": deep},
                "differs": {"differs": True},
                "missing_in": {"missing_in": stores[7]},
                "q=00042": {"q": "00042"},
                "store_id": {"store_id": stores[len(stores) // 2]},
            }
            for label, options in cases.items():

                async def run(options: dict[str, object] = options) -> object:
                    async with hub.unit(tenant) as unit:
                        return await unit.skus.page(**options)  # type: ignore[arg-type]

                page = await run()
                found = len(page.items)  # type: ignore[attr-defined]
                print(f"{label:24} {summary(await sample(run, args.runs))}  ({found} SKUs)")
                if args.explain:
                    await explain(hub, tenant, options)

            async def report() -> object:
                async with hub.unit(tenant) as unit:
                    return await unit.skus.conflicts()

            counts = await report()
            print(f"{'conflict report':24} {summary(await sample(report, 5, warmup=1))}")
            print(f"  {counts!r}"[:300])
            write_cost(dsn, stores[len(stores) // 2])
            print(f"load average {os.getloadavg()}")


def write_cost(dsn: str, store: uuid.UUID) -> None:
    """What keeping the summaries costs a writer: 1,000 prices of one store changed in one
    statement (as a sync batch), committed, with the triggers and without any (replica role)."""
    statement = (
        "UPDATE store_products SET price = price + 0.01 WHERE store_id = %s AND sku <= 'SKU-001000'"
    )
    with psycopg.connect(dsn) as conn:
        for role in ("origin", "replica"):
            conn.execute(f"SET session_replication_role = {role}")
            samples = []
            for _ in range(5):
                started = time.perf_counter()
                conn.execute(statement, (store,))
                conn.commit()
                samples.append(time.perf_counter() - started)
            label = "triggers on" if role == "origin" else "no triggers"
            print(f"{'1,000 prices, ' + label:24} {summary(samples)}")


async def explain(hub: Hub, tenant: uuid.UUID, options: dict[str, Any]) -> None:
    """Print the plan of each statement one page sends (EXPLAIN ANALYZE, buffers)."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "store_products" in statement:
            statements.append((statement, parameters))

    event.listen(hub.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with hub.unit(tenant) as unit:
            await unit.skus.page(**options)
    finally:
        event.remove(hub.engine.sync_engine, "before_cursor_execute", seen)
    for statement, parameters in statements:
        async with hub.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection
            cursor = await driver.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            for (line,) in await cursor.fetchall():
                print("    " + line)


if __name__ == "__main__":
    asyncio.run(main())
