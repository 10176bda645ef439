"""Rules on products of several variants (WooCommerce variable products here): each variant is
matched by its own SKU and written as that variant (`variant_id`); the dry run lists exactly
what the run then writes, and a run leaves nothing for the next dry run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyStore
from g4hub_core import Hub, HubSettings
from g4hub_core.models import StoreProduct
from g4hub_core.rules import RuleCreate, RulePlan, RuleRun
from tests.core.factories import insert_store, insert_tenant
from tests.core.rules.conftest import Twins
from tests.core.sync.helpers import rows, sync


async def _a_variation(twins: Twins) -> tuple[str, gc.ProductVariant]:
    """A variable product of the source (the same ids at the target, one catalog) and one of
    its tracked variations."""
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        for product_id in sorted(twins.source_store.variable_product_ids()):
            product = await shop.get_product(product_id)
            for variant in product.variants:
                if variant.manage_stock and variant.sku:
                    return product_id, variant
    raise AssertionError("no tracked variation")


def _planned(plan: RulePlan) -> list[tuple[str, str, str | None, str, str | None, str | None]]:
    return [
        (str(c.store_id), c.product_id, c.variant_id, c.field, _text(c.old), _text(c.new))
        for c in plan.changes
    ]


def _written(run: RuleRun) -> list[tuple[str, str, str | None, str, str | None, str | None]]:
    return [
        (
            str(r["store_id"]),
            str(r["product_id"]),
            r.get("variant_id"),  # type: ignore[misc]
            field,
            change["old"],
            change["new"],
        )
        for r in run.results
        for field, change in r["fields"].items()  # type: ignore[attr-defined]
    ]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


async def test_an_inventory_rule_writes_a_variation_matched_by_its_own_sku(twins: Twins) -> None:
    product_id, variant = await _a_variation(twins)
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        await shop.update_product(
            product_id, gc.ProductUpdate(variant_id=variant.id, stock_quantity=20)
        )
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(
                name="Variants",
                source_store_id=twins.source,
                target_store_ids=[twins.target],
                buffer=2,
            )
        )
        plan = await unit.rules.dry_run(rule.id)
    mine = [c for c in plan.changes if c.sku == variant.sku]
    assert [(c.product_id, c.variant_id, c.old, c.new) for c in mine] == [
        (product_id, variant.id, variant.stock_quantity, 18)
    ]
    variable = twins.target_store.variable_product_ids()
    assert all(c.variant_id is not None for c in plan.changes if c.product_id in variable)

    async with twins.hub.unit(twins.tenant_id) as unit:
        run = await unit.rules.run(rule.id)
        again = await unit.rules.dry_run(rule.id)
    assert _written(run) == _planned(plan)
    assert {r["status"] for r in run.results} == {"applied"}
    assert again.changes == []
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        written = await shop.get_product(product_id)
    assert [v.stock_quantity for v in written.variants if v.id == variant.id] == [18]


async def test_a_price_rule_plans_each_variation_and_the_run_writes_exactly_the_plan(
    twins: Twins,
) -> None:
    product_id, variant = await _a_variation(twins)
    async with gc.create_connector(twins.target_store.credentials()) as shop:  # on sale there
        await shop.update_product(
            product_id, gc.ProductUpdate(variant_id=variant.id, sale_price=Decimal("1.00"))
        )
    assert (await sync(twins.hub, twins.tenant_id, twins.target)).status == "succeeded"
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(
                name="Prices +10%",
                kind="price",
                source_store_id=twins.source,
                target_store_ids=[twins.target],
                price_adjustment=Decimal(10),
                price_rounding="end_99",
                sync_sale_price=True,
            )
        )
        plan = await unit.rules.dry_run(rule.id)
    mine = {(c.field, c.old, c.new) for c in plan.changes if c.variant_id == variant.id}
    assert ("sale_price", Decimal("1.00"), None) in mine  # the source's variation is not on sale
    assert any(c.field == "price" and c.variant_id == variant.id for c in plan.changes)
    variable = twins.target_store.variable_product_ids()
    assert all(c.variant_id is not None for c in plan.changes if c.product_id in variable)

    async with twins.hub.unit(twins.tenant_id) as unit:
        run = await unit.rules.run(rule.id)
        again = await unit.rules.dry_run(rule.id)
    assert _written(run) == _planned(plan)
    assert {r["status"] for r in run.results} == {"applied"}
    assert again.changes == []
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        written = await shop.get_product(product_id)
    held = next(v for v in written.variants if v.id == variant.id)
    assert (held.regular_price, held.sale_price) == (
        next(c.new for c in plan.changes if c.variant_id == variant.id and c.field == "price"),
        None,
    )


async def test_a_variable_product_held_without_its_variations_is_not_priced(
    twins: Twins,
) -> None:
    """Synced before the hub stored variations (or with one only): the store would keep its
    own price, so the dry run does not list what the run could not write."""
    product_id, _ = await _a_variation(twins)
    async with twins.hub.unit(twins.tenant_id) as unit:
        for store_id in (twins.source, twins.target):
            row = (await rows(twins.hub, store_id))[product_id]
            held = await unit.session.get(StoreProduct, row.id)
            assert held is not None
            held.data = {**held.data, "variants": []}
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(
                name="Prices -5",
                kind="price",
                source_store_id=twins.source,
                target_store_ids=[twins.target],
                price_adjustment_type="amount",
                price_adjustment=Decimal(-5),
            )
        )
        plan = await unit.rules.dry_run(rule.id)
        run = await unit.rules.run(rule.id)
    assert plan.changes, "the other products are priced"
    assert product_id not in {c.product_id for c in plan.changes}
    assert _written(run) == _planned(plan)
    assert {r["status"] for r in run.results} == {"applied"}


@pytest.fixture
async def shopify_twins(settings: HubSettings) -> AsyncIterator[Twins]:
    """Two fake Shopify stores of one catalog, synced into one tenant."""
    twins = Twins()
    source_store = FakeShopifyStore(products=10, shop_name="Source")
    target_store = FakeShopifyStore(products=10, shop_name="Target")
    with source_store.serve(), target_store.serve():
        async with Hub(settings) as hub:
            twins.hub = hub
            twins.tenant_id = await insert_tenant(hub)
            twins.source = await insert_store(hub, twins.tenant_id, source_store.credentials())
            twins.target = await insert_store(hub, twins.tenant_id, target_store.credentials())
            for store_id in (twins.source, twins.target):
                assert (await sync(hub, twins.tenant_id, store_id)).status == "succeeded"
            twins.source_store, twins.target_store = source_store, target_store
            yield twins


async def test_an_inventory_rule_writes_a_shopify_variant_by_its_sku(
    shopify_twins: Twins,
) -> None:
    twins = shopify_twins
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        product_id = sorted(twins.source_store.variable_product_ids())[0]
        variant = next(
            v for v in (await shop.get_product(product_id)).variants if v.sku and v.manage_stock
        )
        await shop.update_product(
            product_id, gc.ProductUpdate(variant_id=variant.id, stock_quantity=33)
        )
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(
                name="Variants", source_store_id=twins.source, target_store_ids=[twins.target]
            )
        )
        plan = await unit.rules.dry_run(rule.id)
    mine = [c for c in plan.changes if c.sku == variant.sku]
    assert len(mine) == 1
    assert (mine[0].variant_id is not None, mine[0].new) == (True, 33)

    async with twins.hub.unit(twins.tenant_id) as unit:
        run = await unit.rules.run(rule.id)
        again = await unit.rules.dry_run(rule.id)
    assert _written(run) == _planned(plan)
    assert {r["status"] for r in run.results} == {"applied"}
    assert again.changes == []
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        written = await shop.get_product(mine[0].product_id)
    assert [v.stock_quantity for v in written.variants if v.id == mine[0].variant_id] == [33]
