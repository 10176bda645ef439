"""One SKU across stores: side by side, filtered by store, by "missing in", by "differs"; and
the conflict report's counts."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from g4hub_core import Hub
from g4hub_core.errors import NotFound
from g4hub_core.models import SkuVariant, StoreProduct
from g4hub_core.skus import stock_listings
from tests.core.factories import CREDENTIALS, insert_store, insert_tenant


def _product(
    store_id: uuid.UUID, pid: str, sku: str | None, price: str, stock: int
) -> StoreProduct:
    return StoreProduct(
        store_id=store_id,
        platform_product_id=pid,
        sku=sku,
        name=f"Product {pid}",
        price=Decimal(price),
        stock_quantity=stock,
        manage_stock=True,
    )


async def _three_stores(hub: Hub) -> tuple[uuid.UUID, list[uuid.UUID]]:
    tenant_id = await insert_tenant(hub)
    stores = [
        await insert_store(
            hub, tenant_id, {**CREDENTIALS, "store_url": f"https://{name}.example"}, name=name
        )
        for name in ("A", "B", "C")
    ]
    a, b, c = stores
    async with hub.unit(tenant_id) as unit:
        for row in [
            _product(a, "1", "MUG", "9.50", 4),
            _product(b, "1", "MUG", "9.5", 4),  # equal: same price written differently
            _product(c, "1", "MUG", "9.50", 4),
            _product(a, "2", "TEE", "20.00", 3),
            _product(b, "2", "TEE", "22.00", 3),  # the price disagrees
            _product(a, "3", "CAP", "5.00", 1),  # only in A
            _product(b, "3", "CAP", "5.00", 1),
            _product(b, "4", "CAP", "5.00", 1),  # CAP twice in B
            _product(c, "5", None, "1.00", 1),
            _product(c, "6", "", "1.00", 1),
        ]:
            row.tenant_id = tenant_id
            unit.session.add(row)
    return tenant_id, stores


async def test_each_sku_shows_every_stores_product_side_by_side(hub: Hub) -> None:
    tenant_id, (_a, b, c) = await _three_stores(hub)
    async with hub.unit(tenant_id) as unit:
        page = await unit.skus.page()
    assert [row.sku for row in page.items] == ["CAP", "MUG", "TEE"]
    cap, mug, tee = page.items
    assert [listing.store_name for listing in mug.listings] == ["A", "B", "C"]
    assert (mug.differs, mug.missing_in) == (False, [])
    assert (tee.differs, tee.missing_in) == (True, [c])
    assert (cap.duplicated_in, cap.missing_in) == ([b], [c])
    assert page.next_cursor is None


async def test_filters_by_store_missing_in_differs_and_query(hub: Hub) -> None:
    tenant_id, (_a, _b, c) = await _three_stores(hub)
    async with hub.unit(tenant_id) as unit:
        missing = await unit.skus.page(missing_in=c)
        differing = await unit.skus.page(differs=True)
        in_c = await unit.skus.page(store_id=c)
        searched = await unit.skus.page(q="ug")
        first = await unit.skus.page(limit=2)
        rest = await unit.skus.page(limit=2, cursor=first.next_cursor)
    assert [row.sku for row in missing.items] == ["CAP", "TEE"]
    assert [row.sku for row in differing.items] == ["TEE"]
    assert [row.sku for row in in_c.items] == ["MUG"]
    assert [row.sku for row in searched.items] == ["MUG"]
    assert [row.sku for row in first.items + rest.items] == ["CAP", "MUG", "TEE"]


async def test_the_conflict_report_counts(hub: Hub) -> None:
    tenant_id, (_a, b, c) = await _three_stores(hub)
    async with hub.unit(tenant_id) as unit:
        report = await unit.skus.conflicts()
    assert (
        report.skus,
        report.duplicate_skus,
        report.products_without_sku,
        report.differing_skus,
    ) == (3, 1, 2, 1)
    assert [(d.store_id, d.sku, d.count) for d in report.duplicates] == [(b, "CAP", 2)]
    assert [(s.store_id, s.count) for s in report.without_sku_by_store] == [(c, 2)]


async def test_another_tenants_skus_and_stores_are_invisible(hub: Hub) -> None:
    _tenant_id, (a, _, _) = await _three_stores(hub)
    other = await insert_tenant(hub, "Other")
    async with hub.unit(other) as unit:
        assert (await unit.skus.page()).items == []
        assert (await unit.skus.conflicts()).skus == 0
        with pytest.raises(NotFound):
            await unit.skus.page(store_id=a)


def _variant(vid: str, sku: str | None, price: str, stock: int) -> dict[str, object]:
    return {
        "id": vid,
        "sku": sku,
        "price": price,
        "stock_quantity": stock,
        "manage_stock": True,
        "title": f"Size {vid}",
    }


async def _variant_stores(hub: Hub) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """Store A sells a shirt of three variants (SKUs on the variants, the product's own SKU
    being its first variant's, as Shopify gives it); store B sells each size as a product."""
    tenant_id = await insert_tenant(hub)
    stores = [
        await insert_store(
            hub, tenant_id, {**CREDENTIALS, "store_url": f"https://{name}.example"}, name=name
        )
        for name in ("A", "B")
    ]
    a, b = stores
    shirt = _product(a, "10", "SHIRT-S", "20.00", 3)
    shirt.data = {
        "variants": [
            _variant("101", "SHIRT-S", "20.00", 3),
            _variant("102", "SHIRT-M", "20.00", 5),
            _variant("103", None, "20.00", 1),
        ]
    }
    single = _product(a, "11", "MUG", "9.50", 4)  # one variant: keyed by the product's SKU
    single.data = {"variants": [_variant("111", "MUG", "9.50", 4)]}
    async with hub.unit(tenant_id) as unit:
        for row in [
            shirt,
            single,
            _product(b, "1", "SHIRT-S", "20", 3),
            _product(b, "2", "SHIRT-M", "20.00", 6),  # stock disagrees with A's variant
            _product(b, "3", "MUG", "9.50", 4),
        ]:
            row.tenant_id = tenant_id
            unit.session.add(row)
    return tenant_id, stores


async def test_a_product_with_variants_is_listed_by_each_variants_sku(hub: Hub) -> None:
    tenant_id, (a, b) = await _variant_stores(hub)
    async with hub.unit(tenant_id) as unit:
        page = await unit.skus.page()
        differing = await unit.skus.page(differs=True)
        missing = await unit.skus.page(missing_in=a)
        searched = await unit.skus.page(q="shirt-m")
        report = await unit.skus.conflicts()
    assert [row.sku for row in page.items] == ["MUG", "SHIRT-M", "SHIRT-S"]
    mug, medium, small = page.items
    assert [(x.store_id, x.variant_id) for x in mug.listings] == [(a, None), (b, None)]
    assert [
        (x.store_id, x.platform_product_id, x.variant_id, x.variant_title, x.stock_quantity)
        for x in medium.listings
    ] == [(a, "10", "102", "Size 102", 5), (b, "2", None, None, 6)]
    assert medium.listings[0].price == Decimal("20.00")
    assert medium.listings[0].manage_stock is True
    assert (medium.differs, small.differs, small.duplicated_in) == (True, False, [])
    assert [row.sku for row in differing.items] == ["SHIRT-M"]
    assert missing.items == []
    assert [row.sku for row in searched.items] == ["SHIRT-M"]
    # The variant without a SKU is counted; the product's own SKU (its first variant's) is not
    # a listing of its own, so SHIRT-S is not a duplicate in A.
    assert (
        report.skus,
        report.duplicate_skus,
        report.products_without_sku,
        report.differing_skus,
    ) == (3, 0, 1, 1)
    assert [(s.store_id, s.count) for s in report.without_sku_by_store] == [(a, 1)]


async def test_a_products_variants_follow_its_changes_and_removal(hub: Hub) -> None:
    tenant_id, (a, _b) = await _variant_stores(hub)
    async with hub.unit(tenant_id) as unit:
        shirt = (
            await unit.session.scalars(
                select(StoreProduct).where(
                    StoreProduct.store_id == a, StoreProduct.platform_product_id == "10"
                )
            )
        ).one()
        # A sync brings the shirt down to one variant: its own SKU lists it again.
        shirt.data = {"variants": [_variant("101", "SHIRT-S", "20.00", 3)]}
    async with hub.unit(tenant_id) as unit:
        page = await unit.skus.page()
    assert [row.sku for row in page.items] == ["MUG", "SHIRT-M", "SHIRT-S"]
    assert (page.items[2].listings[0].store_id, page.items[2].listings[0].variant_id) == (a, None)
    assert a in page.items[1].missing_in

    async with hub.unit(tenant_id) as unit:
        shirt = (
            await unit.session.scalars(
                select(StoreProduct).where(
                    StoreProduct.store_id == a, StoreProduct.platform_product_id == "10"
                )
            )
        ).one()
        shirt.data = {
            "variants": [
                _variant("101", "SHIRT-S", "20.00", 3),
                _variant("104", "SHIRT-L", "21", 2),
            ]
        }
    async with hub.unit(tenant_id) as unit:
        assert [row.sku for row in (await unit.skus.page(store_id=a)).items] == [
            "MUG",
            "SHIRT-L",
            "SHIRT-S",
        ]
        await unit.session.delete(shirt)
    async with hub.unit(tenant_id) as unit:
        assert [row.sku for row in (await unit.skus.page(store_id=a)).items] == ["MUG"]
        assert (await unit.session.scalar(select(func.count()).select_from(SkuVariant))) == 0


async def test_stock_listings_match_variants_by_their_own_skus(hub: Hub) -> None:
    tenant_id, (a, b) = await _variant_stores(hub)
    async with hub.unit(tenant_id) as unit:
        found = await stock_listings(unit.session, tenant_id, [a, b])
        only_b = await stock_listings(unit.session, tenant_id, [b])
    assert [(r.sku, r.store_id, r.product_id, r.variant_id, r.stock) for r in found] == sorted(
        [
            ("MUG", a, "11", None, 4),
            ("MUG", b, "3", None, 4),
            ("SHIRT-M", a, "10", "102", 5),
            ("SHIRT-M", b, "2", None, 6),
            ("SHIRT-S", a, "10", "101", 3),
            ("SHIRT-S", b, "1", None, 3),
        ],
        key=lambda r: (r[0], str(r[1]), r[2], r[3] or ""),
    )
    assert {r.store_id for r in only_b} == {b}


async def test_a_filtered_page_walks_on_until_it_is_full(hub: Hub) -> None:
    tenant_id = await insert_tenant(hub)
    a, b = [
        await insert_store(
            hub, tenant_id, {**CREDENTIALS, "store_url": f"https://{name}.example"}, name=name
        )
        for name in ("A", "B")
    ]
    async with hub.unit(tenant_id) as unit:
        for n in range(40):
            sku = f"S{n:03d}"
            rows = [_product(a, str(n), sku, "1.00", 1)]
            if n != 33:  # S033 is missing in B
                rows.append(_product(b, str(n), sku, "2.00" if n in (31, 38) else "1.00", 1))
            for row in rows:
                row.tenant_id = tenant_id
                unit.session.add(row)
    async with hub.unit(tenant_id) as unit:
        differing = await unit.skus.page(limit=1, differs=True)
        rest = await unit.skus.page(limit=1, differs=True, cursor=differing.next_cursor)
        missing = await unit.skus.page(limit=1, missing_in=b)
        every = await unit.skus.page(limit=39, store_id=b)
    assert [row.sku for row in differing.items + rest.items] == ["S031", "S038"]
    assert [row.sku for row in missing.items] == ["S033"]
    assert len(every.items) == 39
    assert "S033" not in {row.sku for row in every.items}
