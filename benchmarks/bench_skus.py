"""The cross-store SKU view's latency on PostgreSQL: 100 stores x 10,000 products of one tenant
(the same 10,000 SKUs in every store), beside neighbour tenants, through `unit.skus`.

    uv run python benchmarks/bench_skus.py [--stores 100] [--products 10000] [--runs 30]

Target (issue 15): a page of the SKU view < 100 ms. Prints best, median and p95 of: the first
page, a page deep in the catalog (by cursor), `differs` (1 % of SKUs made to disagree), `missing_in`
(1 % of SKUs removed from one store), `q`, and the whole-catalog conflict report. Works in a
scratch database it creates and drops; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from pathlib import Path

import psycopg
from _core_seed import seed
from bench_core import migrated_hub, sample, scratch_postgres, summary


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    tenant = uuid.uuid4()
    neighbours = [(uuid.uuid4(), 10, max(args.products // 5, 1)) for _ in range(2)]
    print(f"## SKU view on PostgreSQL: {args.stores} stores x {args.products:,} products")
    with scratch_postgres("skus") as dsn, tempfile.TemporaryDirectory() as tmp:
        async with migrated_hub(dsn, Path(tmp)) as hub:
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
                conn.commit()
                (rows,) = conn.execute("SELECT count(*) FROM store_products").fetchone() or (0,)
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE store_products")
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

            async def report() -> object:
                async with hub.unit(tenant) as unit:
                    return await unit.skus.conflicts()

            counts = await report()
            print(f"{'conflict report':24} {summary(await sample(report, 5, warmup=1))}")
            print(f"  {counts!r}"[:300])


if __name__ == "__main__":
    asyncio.run(main())
