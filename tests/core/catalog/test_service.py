"""Reading a store's synced products: paging, search, one product, and tenant isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub, InvalidInput, NotFound
from g4hub_core.models import StoreProduct
from tests.core.factories import insert_store, insert_tenant

SYNCED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

# (name, sku): mixed case, and the LIKE wildcards `%` and `_` as plain characters.
NAMED = [
    ("Blue Mug", "MUG-001"),
    ("red mug", "MUG-002"),
    ("Green Tee 100% Cotton", "TEE-100"),
    ("Green Tee 100 Percent Linen", "TEE-101"),
    ("Cap_Navy", "CAP-NAVY"),
    ("Cap Navy", "CAP_GREY"),
    ("Poster", None),
]


def product(
    tenant_id: uuid.UUID, store_id: uuid.UUID, index: int, name: str, sku: str | None
) -> StoreProduct:
    return StoreProduct(
        tenant_id=tenant_id,
        store_id=store_id,
        platform_product_id=str(1000 + index),
        sku=sku,
        name=name,
        price=Decimal("9.50") + index,
        currency="EUR",
        stock_quantity=index,
        manage_stock=True,
        data={"id": str(1000 + index), "name": name, "raw": {"id": 1000 + index}},
        content_hash=f"{index:032x}",
        last_updated=SYNCED_AT,
    )


async def add_products(
    hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID, named: list[tuple[str, str | None]]
) -> None:
    async with hub.unit(tenant_id) as unit:
        for index, (name, sku) in enumerate(named):
            unit.session.add(product(tenant_id, store_id, index, name, sku))


async def shop(
    hub: Hub, named: list[tuple[str, str | None]] = NAMED
) -> tuple[uuid.UUID, uuid.UUID]:
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, FakeWooCommerceStore().credentials())
    await add_products(hub, tenant_id, store_id, named)
    # Another store of the same tenant with the same names: searches stay within one store.
    other = await insert_store(hub, tenant_id, FakeShopifyStore().credentials(), name="Other")
    await add_products(hub, tenant_id, other, named)
    return tenant_id, store_id


async def names(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID, q: str) -> list[str]:
    async with hub.unit(tenant_id) as unit:
        found = await unit.catalog.list_products(store_id, q=q)
    assert found.total == len(found.items)
    return [item.name for item in found.items]


async def test_pages_are_ordered_by_name_then_id_and_count_every_product(hub: Hub) -> None:
    many = [(f"Product {i % 40:02d}", f"SKU-{i:03d}") for i in range(120)]
    tenant_id, store_id = await shop(hub, many)
    async with hub.unit(tenant_id) as unit:
        pages = [
            await unit.catalog.list_products(store_id, page=page, per_page=50)
            for page in (1, 2, 3, 4)
        ]
    assert [len(p.items) for p in pages] == [50, 50, 20, 0]
    assert {(p.total, p.per_page) for p in pages} == {(120, 50)}
    assert [p.page for p in pages] == [1, 2, 3, 4]
    listed = [item for p in pages for item in p.items]
    # Names repeat three times each; within a name, the order is the insertion (id) order.
    expected = sorted(range(120), key=lambda i: (many[i][0], i))
    assert [item.platform_product_id for item in listed] == [str(1000 + i) for i in expected]


async def test_a_store_without_products_has_an_empty_first_page(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub, [])
    async with hub.unit(tenant_id) as unit:
        empty = await unit.catalog.list_products(store_id)
    assert (empty.items, empty.total, empty.page, empty.per_page) == ([], 0, 1, 50)


async def test_a_product_reads_back_with_its_columns(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub)
    async with hub.unit(tenant_id) as unit:
        first = (await unit.catalog.list_products(store_id, per_page=1)).items[0]
    assert first.name == "Blue Mug"
    assert first.sku == "MUG-001"
    assert first.price == Decimal("9.50")
    assert first.currency == "EUR"
    assert first.stock_quantity == 0
    assert first.manage_stock is True
    assert first.last_updated == SYNCED_AT
    assert first.source_updated_at is None


async def test_search_matches_name_or_sku_ignoring_case(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub)
    assert await names(hub, tenant_id, store_id, "MUG") == ["Blue Mug", "red mug"]
    # Sets where the order of names would depend on the database's collation.
    assert set(await names(hub, tenant_id, store_id, "tee-10")) == {
        "Green Tee 100 Percent Linen",
        "Green Tee 100% Cotton",
    }
    assert await names(hub, tenant_id, store_id, "  poster ") == ["Poster"]
    assert await names(hub, tenant_id, store_id, "nothing like it") == []


async def test_search_treats_wildcards_literally(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub)
    assert await names(hub, tenant_id, store_id, "100%") == ["Green Tee 100% Cotton"]
    assert await names(hub, tenant_id, store_id, "%") == ["Green Tee 100% Cotton"]
    # "Cap_Navy" by its name, "Cap Navy" by its SKU CAP_GREY; "CAP-NAVY" has no underscore.
    assert set(await names(hub, tenant_id, store_id, "_")) == {"Cap Navy", "Cap_Navy"}
    assert await names(hub, tenant_id, store_id, "p_n") == ["Cap_Navy"]
    assert await names(hub, tenant_id, store_id, "\\") == []


async def test_search_counts_only_matches_and_pages_them(hub: Hub) -> None:
    many = [(f"Mug {i:03d}" if i % 3 == 0 else f"Plate {i:03d}", None) for i in range(90)]
    tenant_id, store_id = await shop(hub, many)
    async with hub.unit(tenant_id) as unit:
        second = await unit.catalog.list_products(store_id, page=2, per_page=20, q="mug")
    assert second.total == 30
    assert [item.name for item in second.items] == [f"Mug {i:03d}" for i in range(60, 90, 3)]


@pytest.mark.parametrize(
    ("page", "per_page", "field"),
    [(1, 0, "per_page"), (1, 201, "per_page"), (0, 50, "page"), (-1, 50, "page")],
)
async def test_paging_out_of_bounds_is_refused(
    hub: Hub, page: int, per_page: int, field: str
) -> None:
    tenant_id, store_id = await shop(hub, [])
    async with hub.unit(tenant_id) as unit:
        with pytest.raises(InvalidInput) as raised:
            await unit.catalog.list_products(store_id, page=page, per_page=per_page)
    assert raised.value.code == "invalid_paging"
    assert field in raised.value.details


async def test_per_page_bounds_are_inclusive(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub)
    async with hub.unit(tenant_id) as unit:
        assert len((await unit.catalog.list_products(store_id, per_page=1)).items) == 1
        assert len((await unit.catalog.list_products(store_id, per_page=200)).items) == len(NAMED)


async def test_an_overlong_search_is_refused(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub, [])
    async with hub.unit(tenant_id) as unit:
        with pytest.raises(InvalidInput):
            await unit.catalog.list_products(store_id, q="x" * 201)


async def test_get_product_gives_the_full_document(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub)
    async with hub.unit(tenant_id) as unit:
        detail = await unit.catalog.get_product(store_id, "1002")
        with pytest.raises(NotFound) as raised:
            await unit.catalog.get_product(store_id, "999999")
    assert detail.name == "Green Tee 100% Cotton"
    assert detail.data == {"id": "1002", "name": "Green Tee 100% Cotton", "raw": {"id": 1002}}
    assert raised.value.code == "product_not_found"


async def test_an_unknown_store_is_not_found(hub: Hub) -> None:
    tenant_id, _ = await shop(hub, [])
    async with hub.unit(tenant_id) as unit:
        with pytest.raises(NotFound):
            await unit.catalog.list_products(uuid.uuid4())
        with pytest.raises(NotFound):
            await unit.catalog.get_product(uuid.uuid4(), "1000")


async def test_another_tenants_store_does_not_exist(hub: Hub) -> None:
    _, store_id = await shop(hub)
    stranger = await insert_tenant(hub, "Stranger")
    async with hub.unit(stranger) as unit:
        with pytest.raises(NotFound) as listing:
            await unit.catalog.list_products(store_id)
        with pytest.raises(NotFound) as reading:
            await unit.catalog.get_product(store_id, "1000")
    # The same answer as for a store that never existed: nothing tells the stranger it does.
    assert listing.value.code == reading.value.code == "not_found"
    assert listing.value.message == f"No store with id {store_id}."
