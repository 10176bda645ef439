"""The SKU summaries the database keeps (migration 0010) equal a recount from the listings after
any sequence of inserts, upserts, edits and deletions, alone and (PostgreSQL) concurrent; the
conflict report and the filtered pages read from them agree with that recount."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, Table, delete, select

from g4hub_core import Hub
from g4hub_core.db import utcnow
from g4hub_core.db.dialects import dialect_of
from g4hub_core.models import SkuStoreListing, SkuSummary, SkuVariant, Store, StoreProduct
from tests.core.factories import CREDENTIALS, insert_store, insert_tenant

# The products' columns but their row id, as the catalog's writer upserts them.
_WRITE = Table(
    "store_products",
    MetaData(),
    *(Column(c.name, c.type) for c in StoreProduct.__table__.columns if c.name != "id"),
)
_SKUS = ["A-1", "A-2", "B-1", "B-2", "C-1", "", None]


@dataclass
class _Recount:
    """Per (tenant, sku): listings, stores, prices, stocks; per (tenant, sku, store): listings."""

    listings: dict[tuple[uuid.UUID, str], int] = field(default_factory=lambda: defaultdict(int))
    stores: dict[tuple[uuid.UUID, str], set[uuid.UUID]] = field(
        default_factory=lambda: defaultdict(set)
    )
    prices: dict[tuple[uuid.UUID, str], set[Decimal]] = field(
        default_factory=lambda: defaultdict(set)
    )
    stocks: dict[tuple[uuid.UUID, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    per_store: dict[tuple[uuid.UUID, str, uuid.UUID], int] = field(
        default_factory=lambda: defaultdict(int)
    )

    def add(
        self, tenant: uuid.UUID, sku: str | None, store: uuid.UUID, price: Any, stock: Any
    ) -> None:
        key = (tenant, sku or "")
        self.listings[key] += 1
        self.stores[key].add(store)
        if price is not None:
            self.prices[key].add(Decimal(str(price)).normalize())
        if stock is not None:
            self.stocks[key].add(int(stock))
        self.per_store[(tenant, sku or "", store)] += 1

    def summaries(self) -> dict[tuple[uuid.UUID, str], tuple[int, int, bool]]:
        return {
            key: (
                count,
                len(self.stores[key]),
                len(self.prices[key]) > 1 or len(self.stocks[key]) > 1,
            )
            for key, count in self.listings.items()
        }


async def _recount(hub: Hub) -> _Recount:
    """The listings counted from the products and variants themselves."""
    recount = _Recount()
    async with hub.unit() as unit:
        for product in await unit.session.scalars(select(StoreProduct)):
            if len((product.data or {}).get("variants") or []) < 2:
                recount.add(
                    product.tenant_id,
                    product.sku,
                    product.store_id,
                    product.price,
                    product.stock_quantity,
                )
        for variant in await unit.session.scalars(select(SkuVariant)):
            recount.add(
                variant.tenant_id,
                variant.sku,
                variant.store_id,
                variant.price,
                variant.stock_quantity,
            )
    return recount


async def _kept(hub: Hub) -> tuple[dict[Any, tuple[int, int, bool]], dict[Any, int]]:
    async with hub.unit() as unit:
        summaries = {
            (row.tenant_id, row.sku): (row.listings, row.stores, row.differs)
            for row in await unit.session.scalars(select(SkuSummary))
            if row.listings > 0
        }
        per_store = {
            (row.tenant_id, row.sku, row.store_id): row.listings
            for row in await unit.session.scalars(select(SkuStoreListing))
        }
    return summaries, per_store


async def _assert_exact(hub: Hub) -> None:
    recount = await _recount(hub)
    summaries, per_store = await _kept(hub)
    assert summaries == recount.summaries()
    assert per_store == dict(recount.per_store)


def _variants(rng: random.Random, pid: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{pid}-{n}",
            "sku": rng.choice(_SKUS),
            "price": rng.choice(["5", "5.00", "6.50"]),
            "stock_quantity": rng.randint(0, 2),
            "manage_stock": True,
            "title": f"Size {n}",
        }
        for n in range(rng.choice([0, 1, 2, 3]))
    ]


def _row(rng: random.Random, tenant: uuid.UUID, store: uuid.UUID, pid: str) -> dict[str, Any]:
    """A product as the sync writes it: a SKU (or none), a price, a stock, maybe variants."""
    variants = _variants(rng, pid)
    return {
        "tenant_id": tenant,
        "store_id": store,
        "platform_product_id": pid,
        "sku": rng.choice(_SKUS),
        "name": f"Product {pid}",
        "price": Decimal(rng.choice(["5", "5.00", "6.50"])),
        "stock_quantity": rng.randint(0, 2),
        "manage_stock": True,
        "data": {"variants": variants} if variants else {},
    }


async def _tenants(hub: Hub) -> list[tuple[uuid.UUID, list[uuid.UUID]]]:
    found = []
    for tenant_name in ("Acme", "Other"):
        tenant = await insert_tenant(hub, tenant_name)
        stores = [
            await insert_store(
                hub,
                tenant,
                {**CREDENTIALS, "store_url": f"https://{tenant_name}-{name}.example"},
                name=name,
            )
            for name in ("S1", "S2", "S3")
        ]
        found.append((tenant, stores))
    return found


async def _step(hub: Hub, rng: random.Random, tenant: uuid.UUID, stores: list[uuid.UUID]) -> None:
    """One random change of the kinds the hub makes: a sync's upsert of a batch, an edit of one
    product's SKU, price, stock or variants, a deletion."""
    store = rng.choice(stores)
    async with hub.unit(tenant) as unit:
        kind = rng.choice(["upsert", "upsert", "edit", "edit", "delete"])
        if kind == "upsert":
            rows = [_row(rng, tenant, store, str(rng.randint(1, 12))) for _ in range(6)]
            unique = list({row["platform_product_id"]: row for row in rows}.values())
            await dialect_of(unit.session).upsert(
                unit.session,
                _WRITE,
                [_columns(row) for row in unique],
                key=["store_id", "platform_product_id"],
                update=["sku", "price", "stock_quantity", "data"],
                where=lambda excluded: excluded.store_id == store,
                method="values",
            )
            return
        products = list(
            await unit.session.scalars(select(StoreProduct).where(StoreProduct.store_id == store))
        )
        if not products:
            return
        product = rng.choice(products)
        if kind == "delete":
            await unit.session.delete(product)
            return
        field_name = rng.choice(["sku", "price", "stock_quantity", "data"])
        changed = _row(rng, tenant, store, product.platform_product_id)
        setattr(product, field_name, changed[field_name])


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    """`row` with every other column of `store_products` a Core upsert must give."""
    return {
        **row,
        "search_text": row["name"].lower(),
        "currency": "EUR",
        "stock_status": "instock",
        "status": "active",
        "image_url": None,
        "content_hash": "",
        "source_updated_at": None,
        "seen_by_sync_id": None,
        "last_updated": utcnow(),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_summaries_equal_a_recount_after_random_changes(hub: Hub, seed: int) -> None:
    rng = random.Random(seed)
    tenants = await _tenants(hub)
    for _ in range(40):
        tenant, stores = rng.choice(tenants)
        await _step(hub, rng, tenant, stores)
    await _assert_exact(hub)
    # A store removed with its products (the cascade) leaves the others' counts exact.
    tenant, stores = tenants[0]
    async with hub.unit(tenant) as unit:
        await unit.session.execute(delete(Store).where(Store.id == stores[0]))
    await _assert_exact(hub)


async def test_the_report_and_filters_agree_with_a_recount(hub: Hub) -> None:
    rng = random.Random(7)
    tenants = await _tenants(hub)
    for _ in range(30):
        tenant, stores = rng.choice(tenants)
        await _step(hub, rng, tenant, stores)
    recount = await _recount(hub)
    tenant, stores = tenants[0]
    mine = {sku: kept for (owner, sku), kept in recount.summaries().items() if owner == tenant}
    skus = sorted(sku for sku in mine if sku)
    async with hub.unit(tenant) as unit:
        report = await unit.skus.conflicts()
        differing = await unit.skus.page(differs=True, limit=200)
        held = await unit.skus.page(store_id=stores[1], limit=200)
        missing = await unit.skus.page(missing_in=stores[1], limit=200)
    assert report.skus == len(skus)
    assert report.differing_skus == sum(1 for sku in skus if mine[sku][1] > 1 and mine[sku][2])
    assert report.products_without_sku == mine.get("", (0, 0, False))[0]
    assert report.duplicate_skus == sum(
        1
        for (owner, sku, _store), count in recount.per_store.items()
        if owner == tenant and sku and count > 1
    )
    assert [row.sku for row in differing.items] == [sku for sku in skus if mine[sku][2]]
    in_store = {
        sku for (owner, sku, store) in recount.per_store if owner == tenant and store == stores[1]
    }
    assert [row.sku for row in held.items] == [sku for sku in skus if sku in in_store]
    assert [row.sku for row in missing.items] == [sku for sku in skus if sku not in in_store]


async def test_concurrent_writers_of_one_sku_leave_it_exact(hub: Hub) -> None:
    """Writers in each store (a sync, webhooks, edits) changing the same SKUs at once: on
    PostgreSQL each counts at its commit, after the others' commits; SQLite takes one writer at
    a time."""
    if hub.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    (tenant, stores), _other = await _tenants(hub)

    async def writer(store: uuid.UUID) -> None:
        rng = random.Random(str(store))
        for _ in range(15):
            await _step(hub, rng, tenant, [store])

    await asyncio.gather(*(writer(store) for store in stores))
    await _assert_exact(hub)


async def test_writers_waiting_on_one_sku_count_after_each_others_commit(hub: Hub) -> None:
    """Two stores' prices of one SKU changed at once, both commits held back until a third
    transaction lets the SKU go: each counts after the other's commit, so the SKU ends equal
    in both stores, as it is (a count made before the wait would leave it differing)."""
    if hub.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    (tenant, stores), _other = await _tenants(hub)
    async with hub.unit(tenant) as unit:
        for store in stores[:2]:
            unit.session.add(
                StoreProduct(
                    tenant_id=tenant,
                    store_id=store,
                    platform_product_id="1",
                    sku="MUG",
                    name="Mug",
                    price=Decimal("1.00"),
                    stock_quantity=1,
                )
            )

    async def reprice(store: uuid.UUID) -> None:
        async with hub.unit(tenant) as unit:
            product = (
                await unit.session.scalars(
                    select(StoreProduct).where(StoreProduct.store_id == store)
                )
            ).one()
            product.price = Decimal("2.00")

    async with hub.engine.connect() as holder:
        await holder.execute(select(SkuSummary).where(SkuSummary.sku == "MUG").with_for_update())
        writers = [asyncio.create_task(reprice(store)) for store in stores[:2]]
        done, _pending = await asyncio.wait(writers, timeout=0.5)
        assert done == set()  # both wait at their commit for the SKU
        await holder.rollback()
    await asyncio.gather(*writers)
    async with hub.unit(tenant) as unit:
        mug = await unit.session.get(SkuSummary, (tenant, "MUG"))
    assert mug is not None
    assert (mug.listings, mug.stores, mug.differs) == (2, 2, False)
    await _assert_exact(hub)
