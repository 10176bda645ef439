"""Price rules: the source's price, marked up or down and rounded, reaches the targets through
the write path; the dry run lists the rounded prices and writes nothing; toggles choose the
fields; each run is recorded with its counts; another tenant sees none of it."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from pydantic import ValidationError

import g4hub_connectors as gc
from g4hub_core.errors import InvalidInput, NotFound
from g4hub_core.rules import RuleCreate
from tests.core.factories import insert_tenant
from tests.core.rules.conftest import Twins
from tests.core.sync.helpers import rows, sync


async def _single(twins: Twins) -> tuple[str, str]:
    """A SKU of a single-variant product in the source store, and the product's id there."""
    variable = twins.source_store.variable_product_ids()
    for product_id, row in sorted((await rows(twins.hub, twins.source)).items()):
        if product_id not in variable and row.sku:
            return row.sku, product_id
    raise AssertionError("no single-variant product")


def _price_rule(twins: Twins, **fields: object) -> RuleCreate:
    return RuleCreate.model_validate(
        {
            "name": "Prices +20%",
            "kind": "price",
            "source_store_id": twins.source,
            "target_store_ids": [twins.target],
            **fields,
        }
    )


async def test_a_price_rule_plans_rounded_prices_writes_nothing_then_a_run_writes_them(
    twins: Twins,
) -> None:
    sku, product_id = await _single(twins)
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(price=Decimal("10.00")))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"

    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            _price_rule(
                twins,
                price_adjustment_type="percent",
                price_adjustment="20",
                price_rounding="end_99",
            )
        )
        plan = await unit.rules.dry_run(rule.id)
    assert plan.changes, "the target's prices differ from the source's plus 20%"
    assert all(c.field == "price" and str(c.new).endswith(".99") for c in plan.changes)
    ours = [c for c in plan.changes if c.sku == sku]
    assert [(c.store_id, c.new) for c in ours] == [(twins.target, Decimal("11.99"))]
    target_id = ours[0].product_id
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        before = await shop.get_product(target_id)
    assert (before.regular_price or before.price) == ours[0].old  # the dry run wrote nothing
    async with twins.hub.unit(twins.tenant_id) as unit:
        assert await unit.rules.runs(rule.id) == []

    async with twins.hub.unit(twins.tenant_id) as unit:
        run = await unit.rules.run(rule.id, actor="owner@example.com")
    # Variable products' variations are planned one by one: every change is written.
    assert {r["status"] for r in run.results} == {"applied"}
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        after = await shop.get_product(target_id)
    assert (after.regular_price or after.price) == Decimal("11.99")
    async with twins.hub.unit(twins.tenant_id) as unit:
        trail = await unit.audit.page(rule_id=rule.id, product_id=target_id)
        runs = await unit.rules.runs(rule.id)
        again = await unit.rules.dry_run(rule.id)
    assert [(e.field, e.result, e.new_value) for e in trail.items] == [
        ("price", "applied", "11.99")
    ]
    applied = sum(r["status"] == "applied" for r in run.results)
    assert [(r.trigger, r.actor, r.counts["applied"], r.counts["changes"]) for r in runs] == [
        ("manual", "owner@example.com", applied, len(run.results))
    ]
    assert again.changes == []


async def test_a_sale_price_only_rule_leaves_the_price_and_a_markdown_stops_at_zero(
    twins: Twins,
) -> None:
    sku, product_id = await _single(twins)
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        await shop.update_product(
            product_id, gc.ProductUpdate(price=Decimal("30.00"), sale_price=Decimal("4.00"))
        )
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            _price_rule(
                twins,
                sync_price=False,
                sync_sale_price=True,
                price_adjustment_type="amount",
                price_adjustment="-5",
            )
        )
        plan = await unit.rules.dry_run(rule.id)
    assert {c.field for c in plan.changes} <= {"sale_price"}
    assert [c.new for c in plan.changes if c.sku == sku] == [Decimal("0.00")]


async def test_an_enabled_price_rule_runs_when_the_source_price_changes(twins: Twins) -> None:
    await twins.hub.rules.stop()  # the test ticks itself
    sku, product_id = await _single(twins)
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(_price_rule(twins, price_adjustment="0"))
        await unit.rules.set_enabled(rule.id, True)
    assert await twins.hub.rules.tick() == 1  # the initial syncs: both catalogs already agree
    async with twins.hub.unit(twins.tenant_id) as unit:
        assert await unit.rules.runs(rule.id) == []  # nothing to do is not a run

    async with gc.create_connector(twins.source_store.credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(price=Decimal("41.60")))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"
    assert await twins.hub.rules.tick() == 1

    target = [row for row in (await rows(twins.hub, twins.target)).values() if row.sku == sku]
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        written = await shop.get_product(target[0].platform_product_id)
    assert (written.regular_price or written.price) == Decimal("41.60")
    async with twins.hub.unit(twins.tenant_id) as unit:
        runs = await unit.rules.runs(rule.id)
    assert [(r.trigger, r.actor) for r in runs] == [("change", None)]


def test_a_price_rule_needs_a_field_and_a_percent_markdown_of_at_most_100() -> None:
    base = {
        "name": "r",
        "kind": "price",
        "source_store_id": uuid.uuid4(),
        "target_store_ids": [uuid.uuid4()],
    }
    with pytest.raises(ValidationError, match="price, the sale price or both"):
        RuleCreate.model_validate({**base, "sync_price": False})
    with pytest.raises(ValidationError, match="between -100 and 1000"):
        RuleCreate.model_validate({**base, "price_adjustment": "-101"})
    with pytest.raises(ValidationError):
        RuleCreate.model_validate({**base, "price_rounding": "0.95"})


async def test_delete_and_runs_are_the_tenants_own(twins: Twins) -> None:
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(_price_rule(twins))
        await unit.rules.run(rule.id)
    other = await insert_tenant(twins.hub)
    async with twins.hub.unit(other) as unit:
        for attempt in (unit.rules.runs, unit.rules.delete, unit.rules.get):
            with pytest.raises(NotFound):
                await attempt(rule.id)
        assert await unit.rules.all() == []
    async with twins.hub.unit(twins.tenant_id) as unit:
        assert len(await unit.rules.runs(rule.id)) == 1
        await unit.rules.delete(rule.id)
    async with twins.hub.unit(twins.tenant_id) as unit:
        assert await unit.rules.all() == []
        with pytest.raises(NotFound):
            await unit.rules.runs(rule.id)


async def test_a_rule_keeps_its_newest_runs(twins: Twins, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("g4hub_core.rules.service.KEEP_RUNS", 2)
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(_price_rule(twins))
    for actor in ("first@example.com", "second@example.com", "third@example.com"):
        async with twins.hub.unit(twins.tenant_id) as unit:
            await unit.rules.run(rule.id, actor=actor)
    async with twins.hub.unit(twins.tenant_id) as unit:
        runs = await unit.rules.runs(rule.id)
    assert [r.actor for r in runs] == ["third@example.com", "second@example.com"]


async def test_a_rule_that_closes_a_loop_is_refused(twins: Twins) -> None:
    """A follows B follows A would run forever, applying the markup (or buffer) each turn."""
    async with twins.hub.unit(twins.tenant_id) as unit:
        await unit.rules.create(_price_rule(twins))
        back = RuleCreate(
            name="back",
            kind="price",
            source_store_id=twins.target,
            target_store_ids=[twins.source],
        )
        with pytest.raises(InvalidInput) as refused:
            await unit.rules.create(back)
        assert refused.value.code == "rule_loop"
        stock_back = RuleCreate(
            name="stock back", source_store_id=twins.target, target_store_ids=[twins.source]
        )
        assert (await unit.rules.create(stock_back)).kind == "inventory"  # another kind: fine
