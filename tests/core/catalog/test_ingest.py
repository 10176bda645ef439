"""The catalog's write path: batched upserts with change counting, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select

from g4hub_connectors import Product
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub, HubSettings, Unit
from g4hub_core.catalog.ingest import CatalogWriter, IngestBatch, IngestMethod, IngestResult
from g4hub_core.models import StoreProduct
from tests.core.factories import insert_store, insert_tenant


def product(index: int, **changes: Any) -> Product:
    fields: dict[str, Any] = {
        "id": str(1000 + index),
        "name": f"Mug {index} ☕",
        "platform": "woocommerce",
        "sku": f"SKU-{index}",
        "price": Decimal("9.95") + index,
        "currency": "EUR",
        "stock_quantity": index,
        "manage_stock": True,
        "stock_status": "instock",
        "status": "active",
        "images": [f"https://img.example/{index}.jpg", "https://img.example/back.jpg"],
        "updated_at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        "raw": {"id": 1000 + index, "name": f"Mug {index} ☕", "meta_data": [{"key": "k"}]},
    }
    return Product(**{**fields, **changes})


class Shelf:
    """A tenant's store and a way to write batches to it."""

    def __init__(self, hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID) -> None:
        self.hub, self.tenant_id, self.store_id = hub, tenant_id, store_id

    async def write(
        self,
        products: list[Product],
        sync_id: uuid.UUID | None = None,
        method: IngestMethod = "auto",
    ) -> IngestResult:
        batch = IngestBatch.prepare(
            products,
            tenant_id=self.tenant_id,
            store_id=self.store_id,
            sync_id=sync_id or uuid.uuid4(),
        )
        async with self.hub.unit(self.tenant_id) as unit:
            return await CatalogWriter(unit.session, self.tenant_id).write(batch, method=method)

    def writer(self, unit: Unit) -> CatalogWriter:
        return CatalogWriter(unit.session, self.tenant_id)

    async def rows(self) -> dict[str, StoreProduct]:
        async with self.hub.unit(self.tenant_id) as unit:
            found = await unit.session.scalars(
                select(StoreProduct).where(StoreProduct.store_id == self.store_id)
            )
            return {row.platform_product_id: row for row in found}


@pytest.fixture
async def hub(settings: HubSettings) -> AsyncIterator[Hub]:
    """A started hub without its runners: `statements` counts every statement on the engine,
    and the runners' polls (bulk writes, rules) would land in the counts at random."""
    async with Hub(settings, runners=False) as started:
        yield started


@pytest.fixture
async def shelf(hub: Hub) -> Shelf:
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, FakeWooCommerceStore().credentials())
    return Shelf(hub, tenant_id, store_id)


@contextmanager
def statements(hub: Hub) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(hub.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(hub.engine.sync_engine, "before_cursor_execute", record)


def methods(hub: Hub) -> list[IngestMethod]:
    return ["values", "copy"] if hub.engine.dialect.name == "postgresql" else ["values"]


async def test_a_first_batch_creates_every_row_with_its_fields(shelf: Shelf) -> None:
    sync_id = uuid.uuid4()
    result = await shelf.write([product(i) for i in range(3)], sync_id)
    assert result == IngestResult(created=3, updated=0, unchanged=0)
    rows = await shelf.rows()
    assert sorted(rows) == ["1000", "1001", "1002"]
    row = rows["1002"]
    assert (row.name, row.sku, row.price, row.currency) == (
        "Mug 2 ☕",
        "SKU-2",
        Decimal("11.95"),
        "EUR",
    )
    assert (row.stock_quantity, row.manage_stock, row.stock_status, row.status) == (
        2,
        True,
        "instock",
        "active",
    )
    assert row.image_url == "https://img.example/2.jpg"
    assert row.source_updated_at == datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert row.seen_by_sync_id == sync_id
    assert row.tenant_id == shelf.tenant_id
    assert len(row.content_hash) == 32
    int(row.content_hash, 16)
    # `data` is the normalized product, the platform's JSON under `raw`.
    assert row.data["raw"] == {"id": 1002, "name": "Mug 2 ☕", "meta_data": [{"key": "k"}]}
    assert Product.model_validate(row.data) == product(2)


async def test_only_changed_products_are_rewritten(shelf: Shelf, hub: Hub) -> None:
    for offset, method in enumerate(methods(hub)):
        base = offset * 100
        await shelf.write([product(base + i) for i in range(5)], method=method)
        before = await shelf.rows()
        second = uuid.uuid4()
        changed = [
            product(base + i, price=Decimal("1.00")) if i in (1, 3) else product(base + i)
            for i in range(5)
        ]
        result = await shelf.write([*changed, product(base + 7)], second, method=method)
        assert result == IngestResult(created=1, updated=2, unchanged=3), method
        after = await shelf.rows()
        one, zero = str(1001 + base), str(1000 + base)
        assert after[one].price == Decimal("1.00")
        assert after[one].content_hash != before[one].content_hash
        assert after[one].last_updated > before[one].last_updated
        # Unchanged rows keep their content and time, and are marked as seen by the new sync.
        assert after[zero].last_updated == before[zero].last_updated
        assert after[zero].content_hash == before[zero].content_hash
        assert {after[str(1000 + base + i)].seen_by_sync_id for i in (0, 1, 2, 3, 4, 7)} == {second}


async def test_two_writes_in_one_transaction_both_land(shelf: Shelf, hub: Hub) -> None:
    # An edit or a webhook batch may write twice before its commit; on PostgreSQL the COPY
    # staging table must not carry the first write's rows into the second.
    for offset, method in enumerate(methods(hub)):
        base = 500 + offset * 100
        async with hub.unit(shelf.tenant_id) as unit:
            writer = shelf.writer(unit)
            for round_ in range(2):
                batch = IngestBatch.prepare(
                    [product(base + i, price=Decimal(f"{round_ + 1}.00")) for i in range(3)],
                    tenant_id=shelf.tenant_id,
                    store_id=shelf.store_id,
                    sync_id=uuid.uuid4(),
                )
                await writer.write(batch, method=method)
        rows = await shelf.rows()
        assert {rows[str(1000 + base + i)].price for i in range(3)} == {Decimal("2.00")}, method


async def test_a_batch_with_the_same_product_twice_keeps_the_last(shelf: Shelf) -> None:
    # PostgreSQL refuses to upsert one key twice in a statement: the batch is de-duplicated.
    batch = [product(1), product(2), product(1, name="Renamed"), product(3)]
    result = await shelf.write(batch)
    assert result == IngestResult(created=3, updated=0, unchanged=0)
    assert (await shelf.rows())["1001"].name == "Renamed"
    prepared = IngestBatch.prepare(
        batch, tenant_id=shelf.tenant_id, store_id=shelf.store_id, sync_id=uuid.uuid4()
    )
    assert prepared.received == 4
    assert list(prepared.rows) == ["1002", "1001", "1003"]


async def test_a_batch_costs_the_same_few_statements_whatever_its_size(
    shelf: Shelf, hub: Hub
) -> None:
    for method in methods(hub):
        counts = []
        for size in (5, 300):
            products = [product(size * 1000 + i, raw={"method": method}) for i in range(size)]
            with statements(hub) as seen:
                await shelf.write(products, method=method)
            counts.append(len(seen))
            with statements(hub) as seen:  # the same again: unchanged, only marked as seen
                assert (await shelf.write(products, method=method)).unchanged == size
            counts.append(len(seen))
        # Hashes read, rows written (COPY adds emptying its staging table), and the change feed:
        # a lock (PostgreSQL) and one insert.
        assert counts[0] == counts[2] <= (6 if method == "copy" else 5), (method, counts)
        assert counts[1] == counts[3] == 2, (method, counts)  # hashes read, rows marked


async def test_batches_past_the_parameter_limit_are_split(shelf: Shelf) -> None:
    # 2,500 rows of 17 columns are more parameters than one SQLite statement may carry.
    products = [product(i, raw={}) for i in range(2500)]
    assert (await shelf.write(products, method="values")).created == 2500
    async with shelf.hub.unit(shelf.tenant_id) as unit:
        assert await shelf.writer(unit).count(shelf.store_id) == 2500


async def test_nul_characters_are_dropped_rather_than_failing_the_batch(shelf: Shelf) -> None:
    await shelf.write([product(1, name="Mu\x00g", raw={"note": "a\x00b"})])
    row = (await shelf.rows())["1001"]
    assert row.name == "Mug"
    assert row.data["raw"] == {"note": "ab"}


async def test_remove_unseen_deletes_what_the_sync_did_not_see(shelf: Shelf) -> None:
    await shelf.write([product(i) for i in range(6)])
    sync_id = uuid.uuid4()
    await shelf.write([product(i) for i in (0, 2, 4)], sync_id)
    async with shelf.hub.unit(shelf.tenant_id) as unit:
        removed = await shelf.writer(unit).remove_unseen(shelf.store_id, sync_id)
        assert await shelf.writer(unit).count(shelf.store_id) == 3
    assert removed == 3
    assert sorted(await shelf.rows()) == ["1000", "1002", "1004"]


async def test_another_stores_rows_are_left_alone(shelf: Shelf, hub: Hub) -> None:
    other_store = await insert_store(
        hub,
        shelf.tenant_id,
        FakeWooCommerceStore(url="https://other.example").credentials(),
        name="Other",
    )
    other = Shelf(hub, shelf.tenant_id, other_store)
    await other.write([product(i) for i in range(4)])
    sync_id = uuid.uuid4()
    assert (await shelf.write([product(i) for i in range(4)], sync_id)).created == 4
    async with hub.unit(shelf.tenant_id) as unit:
        await shelf.writer(unit).remove_unseen(shelf.store_id, sync_id)
    assert len(await other.rows()) == 4


async def test_stored_json_is_the_products_own(shelf: Shelf) -> None:
    item = product(5, price=None, images=[], updated_at=None, raw={"x": [1, "ü", None]})
    await shelf.write([item])
    row = (await shelf.rows())["1005"]
    assert (row.price, row.image_url, row.source_updated_at) == (None, None, None)
    assert row.data == json.loads(item.model_dump_json())


async def test_a_writer_of_another_tenant_changes_nothing_of_the_store(
    shelf: Shelf, hub: Hub
) -> None:
    await shelf.write([product(i) for i in range(3)])
    before = {key: row.content_hash for key, row in (await shelf.rows()).items()}
    intruder = await insert_tenant(hub)
    forged = IngestBatch.prepare(
        [product(i, name="Taken") for i in range(5)],
        tenant_id=intruder,
        store_id=shelf.store_id,
        sync_id=uuid.uuid4(),
    )
    async with hub.unit(intruder) as unit:
        writer = CatalogWriter(unit.session, intruder)
        for method in methods(hub):
            await writer.write(forged, method=method)  # the shared keys update nothing
        assert await writer.count(shelf.store_id) == 2  # only the two rows it inserted
        assert await writer.remove_unseen(shelf.store_id, uuid.uuid4()) == 2
        with pytest.raises(ValueError, match="own tenant"):
            await CatalogWriter(unit.session, shelf.tenant_id).write(forged)
    rows = await shelf.rows()
    assert {key: row.content_hash for key, row in rows.items() if key in before} == before
    assert {row.name for key, row in rows.items() if key in before} == {
        "Mug 0 ☕",
        "Mug 1 ☕",
        "Mug 2 ☕",
    }
