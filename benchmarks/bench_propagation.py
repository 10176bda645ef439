"""Stock propagation: 3 fake stores over loopback HTTP (a WooCommerce source, a WooCommerce
and a Shopify target; the same 10,000 SKUs), an inventory rule source -> both targets, and
1,000 stock changes at the source made through the hub (one bulk job). Measures the time until
every target holds each change's new quantity, from the source write's audit entry to the
later of the two targets' verified writes (each is re-read from the store before it is
recorded), as the hub runs on its own (its rule runner polling the change feed), the fakes'
rate limits applied (Shopify's leaky bucket). Then reads both targets' catalogs back over HTTP
to check every changed SKU holds its new quantity.

    uv run python benchmarks/bench_propagation.py [--skus 10000] [--changes 1000] [--quick]

Prints p50/p95/max per change and the total. Works in a scratch PostgreSQL database it creates
and drops; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench_core import migrated_hub, scratch_postgres
from sqlalchemy import func, select

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.models import StoreProduct, SyncLog, WriteAudit
from g4hub_core.rules import RuleCreate
from g4hub_core.stores.schemas import StoreCreate
from g4hub_core.writes import BulkItem

PASSWORD = "bench-propagation-Passphrase-2026"  # noqa: S105 - a scratch database's account


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def synced(hub: Hub, tenant: uuid.UUID, store_ids: list[uuid.UUID]) -> float:
    started = time.perf_counter()
    logs = []
    for store_id in store_ids:
        async with hub.unit(tenant) as unit:
            logs.append((await unit.sync.request(store_id, trigger="manual", mode="full")).id)
    while True:
        async with hub.unit(tenant) as unit:
            statuses = (
                await unit.session.scalars(select(SyncLog.status).where(SyncLog.id.in_(logs)))
            ).all()
        if all(status not in ("queued", "running") for status in statuses):
            if set(statuses) != {"succeeded"}:
                raise SystemExit(f"a sync did not succeed: {statuses}")
            return time.perf_counter() - started
        await asyncio.sleep(0.2)


async def stock_at(settings: dict[str, Any], client: Any) -> dict[str, int | None]:
    """Every SKU's stock as the store answers it (products' own SKUs)."""
    found: dict[str, int | None] = {}
    async with gc.create_connector(settings, http_client=client) as connector:
        async for product in connector.iter_products():
            if product.sku and len(product.variants) < 2:
                found[product.sku] = product.stock_quantity
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--timeout", type=float, default=1_800.0)
    parser.add_argument("--quick", action="store_true", help="500 SKUs, 100 changes")
    args = parser.parse_args()
    if args.quick:
        args.skus, args.changes = 500, 100
    print(
        f"## Stock propagation: 3 stores x {args.skus:,} SKUs, {args.changes:,} changes at the "
        f"source, an inventory rule to 2 targets (load {_load()})"
    )
    fakes: list[Any] = [
        FakeWooCommerceStore(products=args.skus, seed=1, url="http://127.0.0.1"),
        FakeWooCommerceStore(products=args.skus, seed=1, url="http://127.0.0.1"),
        FakeShopifyStore(products=args.skus, seed=1),
    ]
    with contextlib.ExitStack() as served:
        for fake in fakes:
            served.enter_context(fake.serve())
        with scratch_postgres("propagation") as dsn, tempfile.TemporaryDirectory() as tmp:
            async with migrated_hub(dsn, Path(tmp)) as hub:
                await run(hub, fakes, args)


async def run(hub: Hub, fakes: list[Any], args: argparse.Namespace) -> None:
    async with hub.unit() as unit:
        account = await unit.accounts.register(
            email="owner@bench.example", password=PASSWORD, tenant_name="Bench"
        )
    tenant = account.tenant.id
    store_ids = []
    for name, fake in zip(("Source", "Target W", "Target S"), fakes, strict=True):
        async with hub.unit(tenant) as unit:
            created = await unit.stores.create(StoreCreate(name=name, **fake.credentials()))
        store_ids.append(created.id)
    source, *targets = store_ids
    print(f"3 stores synced in {await synced(hub, tenant, store_ids):.1f} s")

    # SKUs all three hold as simple products with managed stock.
    async with hub.unit(tenant) as unit:
        rows = (
            await unit.session.execute(
                select(
                    StoreProduct.sku, StoreProduct.store_id, StoreProduct.platform_product_id
                ).where(
                    StoreProduct.tenant_id == tenant,
                    StoreProduct.manage_stock.is_(True),
                    StoreProduct.stock_quantity.is_not(None),
                    StoreProduct.sku.is_not(None),
                    StoreProduct.sku != "",
                )
            )
        ).all()
    held: dict[str, dict[uuid.UUID, str]] = {}
    for sku, store_id, product_id in rows:
        held.setdefault(sku, {})[store_id] = product_id
    common = sorted(sku for sku, stores in held.items() if len(stores) == 3)
    chosen = common[: args.changes]
    print(f"{len(common):,} SKUs in all three stores; changing {len(chosen):,} of them")

    async with hub.unit(tenant) as unit:
        rule = await unit.rules.create(
            RuleCreate(
                name="Stock from the source",
                source_store_id=source,
                target_store_ids=list(targets),
                enabled=False,
            )
        )
        # The initial syncs are changes of the source too: let the first run settle them.
        await unit.rules.set_enabled(rule.id, True)
    await hub.rules.tick()

    items = [
        BulkItem(product_id=held[sku][source], stock_quantity=500 + n)
        for n, sku in enumerate(chosen)
    ]
    by_product = {held[sku][source]: sku for sku in chosen}
    started = time.perf_counter()
    async with hub.unit(tenant) as unit:
        job = await unit.bulk_writes.request(source, items, actor="bench")
    deadline = started + args.timeout
    landed = 0
    while time.perf_counter() < deadline:
        async with hub.unit(tenant) as unit:
            landed = int(
                await unit.session.scalar(
                    select(func.count()).where(
                        WriteAudit.tenant_id == tenant,
                        WriteAudit.rule_id == rule.id,
                        WriteAudit.result == "applied",
                        WriteAudit.field == "stock_quantity",
                        WriteAudit.created_at
                        >= select(func.min(WriteAudit.created_at))
                        .where(WriteAudit.job_id == job.id)
                        .scalar_subquery(),
                    )
                )
                or 0
            )
        if landed >= 2 * len(chosen):
            break
        await asyncio.sleep(0.5)
    total = time.perf_counter() - started

    async with hub.unit(tenant) as unit:
        entries = (
            await unit.session.execute(
                select(
                    WriteAudit.store_id,
                    WriteAudit.product_id,
                    WriteAudit.rule_id,
                    WriteAudit.job_id,
                    WriteAudit.result,
                    WriteAudit.created_at,
                ).where(WriteAudit.tenant_id == tenant, WriteAudit.field == "stock_quantity")
            )
        ).all()
    at_source: dict[str, float] = {}
    at_targets: dict[str, list[float]] = {}
    product_sku = {
        product_id: sku for sku, stores in held.items() for product_id in stores.values()
    }
    conflicts = 0
    for store_id, product_id, rule_id, job_id, result, moment in entries:
        if job_id == job.id and result == "applied":
            at_source[by_product[product_id]] = moment.timestamp()
        elif rule_id == rule.id and store_id in targets:
            if result == "applied":
                at_targets.setdefault(product_sku[product_id], []).append(moment.timestamp())
            elif result == "conflict":
                conflicts += 1
    latencies = sorted(
        max(at_targets[sku]) - at_source[sku]
        for sku in chosen
        if sku in at_source and len(at_targets.get(sku, [])) == 2
    )
    print(
        f"target writes applied {landed:,} of {2 * len(chosen):,}, conflicts {conflicts}, "
        f"in {total:.1f} s total ({len(chosen) / total:.1f} changes/s)"
    )
    if at_source and at_targets:
        source_times = sorted(at_source.values())
        target_times = sorted(t for times in at_targets.values() for t in times)
        print(
            f"  source bulk job: {len(source_times)} writes in "
            f"{source_times[-1] - source_times[0]:.1f} s; rule writes to the targets: "
            f"{len(target_times)} in {target_times[-1] - target_times[0]:.1f} s, the first "
            f"{target_times[0] - source_times[0]:.1f} s after the first source write"
        )
    if latencies:
        print(
            f"per change, source write -> both targets hold it: "
            f"p50 {statistics.median(latencies):.2f} s  p95 {percentile(latencies, 0.95):.2f} s  "
            f"max {latencies[-1]:.2f} s"
        )
    expected = {sku: 500 + n for n, sku in enumerate(chosen)}
    for name, fake in zip(("Target W", "Target S"), fakes[1:], strict=True):
        stock = await stock_at(fake.credentials(), fake.http_client())
        wrong = sum(1 for sku, value in expected.items() if stock.get(sku) != value)
        print(f"{name}: {len(expected) - wrong:,} of {len(expected):,} SKUs hold the new stock")
    print(f"load {_load()}")


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    asyncio.run(main())
