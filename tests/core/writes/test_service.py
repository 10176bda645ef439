"""`WriteService.update`: a change written through the connector, verified, mirrored in the
hub's row through the ingest path, audited; and refused as a conflict, never written blindly,
when the store's value is not the one expected."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core.errors import InvalidInput, NotFound
from g4hub_core.models import ProductChange as ChangeRow
from g4hub_core.writes import ExpectedValues, ProductChange
from g4hub_core.writes.service import target_values
from tests.core.sync.helpers import rows
from tests.core.writes.conftest import Synced


async def test_a_price_and_stock_edit_reaches_the_store_the_row_the_feed_and_the_audit(
    synced: Synced,
) -> None:
    before = await synced.at_store()
    async with synced.hub.unit(synced.tenant_id) as unit:
        outcome = await unit.writes.update(
            synced.store_id,
            synced.product_id,
            ProductChange(price=Decimal("19.99"), stock_quantity=7),
            actor="owner@example.com",
        )
    assert outcome.status == "applied", outcome
    assert outcome.current["price"] == Decimal("19.99")
    assert outcome.fields["stock_quantity"].old == before.stock_quantity
    after = await synced.at_store()
    assert (after.regular_price, after.stock_quantity) == (Decimal("19.99"), 7)
    row = (await rows(synced.hub, synced.store_id))[synced.product_id]
    assert (row.price, row.stock_quantity) == (after.price, 7)
    assert outcome.etag == row.content_hash
    async with synced.hub.unit(synced.tenant_id) as unit:
        feed = (
            await unit.session.scalars(select(ChangeRow).where(ChangeRow.source == "edit"))
        ).all()
        trail = await unit.audit.page(store_id=synced.store_id, product_id=synced.product_id)
    assert [change.platform_product_id for change in feed] == [synced.product_id]
    assert {(e.field, e.old_value, e.new_value, e.result, e.actor) for e in trail.items} == {
        ("price", str(before.regular_price), "19.99", "applied", "owner@example.com"),
        ("stock_quantity", str(before.stock_quantity), "7", "applied", "owner@example.com"),
    }


async def test_a_sale_at_the_store_in_between_is_a_conflict_and_nothing_is_written(
    synced: Synced,
) -> None:
    held = (await rows(synced.hub, synced.store_id))[synced.product_id].stock_quantity
    assert held is not None
    async with synced.outside() as shop:  # a customer buys one, unseen by the hub
        await shop.update_product(synced.product_id, gc.ProductUpdate(stock_quantity=held - 1))

    async with synced.hub.unit(synced.tenant_id) as unit:
        outcome = await unit.writes.update(
            synced.store_id, synced.product_id, ProductChange(stock_quantity=held + 10)
        )
    assert (outcome.status, outcome.error_code) == ("conflict", "write_conflict")
    assert outcome.current["stock_quantity"] == held - 1
    assert (await synced.at_store()).stock_quantity == held - 1
    # The row now says what the store holds, so the caller can decide again on fresh values.
    row = (await rows(synced.hub, synced.store_id))[synced.product_id]
    assert row.stock_quantity == held - 1
    async with synced.hub.unit(synced.tenant_id) as unit:
        trail = await unit.audit.page(product_id=synced.product_id)
    assert [(e.result, e.old_value, e.new_value) for e in trail.items] == [
        ("conflict", str(held - 1), str(held + 10))
    ]


async def test_an_explicit_expectation_is_compared_instead_of_the_row(synced: Synced) -> None:
    held = (await synced.at_store()).stock_quantity
    assert held is not None
    async with synced.hub.unit(synced.tenant_id) as unit:
        wrong = await unit.writes.update(
            synced.store_id,
            synced.product_id,
            ProductChange(stock_quantity=3, expected=ExpectedValues(stock_quantity=held + 5)),
        )
        right = await unit.writes.update(
            synced.store_id,
            synced.product_id,
            ProductChange(stock_quantity=3, expected=ExpectedValues(stock_quantity=held)),
        )
    assert (wrong.status, right.status) == ("conflict", "applied")
    assert (await synced.at_store()).stock_quantity == 3


async def test_a_stale_etag_is_refused_before_the_store_is_asked(synced: Synced) -> None:
    async with synced.hub.unit(synced.tenant_id) as unit:
        first = await unit.writes.update(
            synced.store_id, synced.product_id, ProductChange(price=Decimal("11.00"))
        )
        stale = await unit.writes.update(
            synced.store_id,
            synced.product_id,
            ProductChange(price=Decimal("12.00"), if_match="not-the-etag"),
        )
        fresh = await unit.writes.update(
            synced.store_id,
            synced.product_id,
            ProductChange(price=Decimal("13.00"), if_match=f'"{first.etag}"'),
        )
    assert (stale.status, stale.error_code) == ("conflict", "stale_etag")
    assert fresh.status == "applied"
    assert (await synced.at_store()).regular_price == Decimal("13.00")


@pytest.mark.parametrize(
    "fake_store", [FakeWooCommerceStore(products=12, ignored_update_fields=["regular_price"])]
)
async def test_a_value_the_store_does_not_apply_leaves_the_row_as_the_store_has_it(
    synced: Synced,
) -> None:
    before = await synced.at_store()
    async with synced.hub.unit(synced.tenant_id) as unit:
        outcome = await unit.writes.update(
            synced.store_id, synced.product_id, ProductChange(price=Decimal("99.00"))
        )
    assert (outcome.status, outcome.error_code) == ("not_applied", "write_not_applied")
    assert outcome.message
    assert "price" in outcome.message
    row = (await rows(synced.hub, synced.store_id))[synced.product_id]
    assert row.price == before.price


async def test_unknown_products_variants_and_stores_are_not_found(synced: Synced) -> None:
    async with synced.hub.unit(synced.tenant_id) as unit:
        with pytest.raises(NotFound):
            await unit.writes.update(synced.store_id, "999999", ProductChange(stock_quantity=1))
        with pytest.raises(NotFound):
            await unit.writes.update(
                synced.store_id,
                synced.product_id,
                ProductChange(stock_quantity=1, variant_id="424242"),
            )


def test_a_product_of_several_variants_needs_the_variant() -> None:
    product = gc.Product(
        id="1",
        name="Tee",
        platform="shopify",
        variants=[
            gc.ProductVariant(id="a", price=Decimal("5"), stock_quantity=2, manage_stock=True),
            gc.ProductVariant(id="b", price=Decimal("6"), stock_quantity=0, manage_stock=True),
        ],
    )
    with pytest.raises(InvalidInput):
        target_values(product, None)
    assert target_values(product, "b")["stock_quantity"] == 0
    with pytest.raises(NotFound):
        target_values(product, "c")
