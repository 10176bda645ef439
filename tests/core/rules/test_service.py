"""Inventory rules: a stock change in the source store reaches the target minus its buffer; the
dry run lists it and writes nothing; a sale at the target in between is a conflict, not an
oversell; the audit trail names the rule; a run by hand cut short by an error keeps the audit
of the writes it made."""

from __future__ import annotations

from typing import Any

import pytest

import g4hub_connectors as gc
from g4hub_core.errors import InvalidInput
from g4hub_core.rules import RuleCreate
from g4hub_core.writes import WriteOutcome, WriteService
from tests.core.rules.conftest import Twins
from tests.core.sync.helpers import rows, sync


async def _tracked(twins: Twins) -> tuple[str, str, int]:
    """A SKU tracked in both stores: its product id there and the source's stock."""
    variable = twins.source_store.variable_product_ids()
    source = await rows(twins.hub, twins.source)
    for product_id, row in sorted(source.items()):
        if product_id not in variable and row.manage_stock and row.sku and row.stock_quantity:
            return row.sku, product_id, row.stock_quantity
    raise AssertionError("no tracked product")


async def test_a_dry_run_lists_the_change_and_a_run_writes_it_minus_the_buffer(
    twins: Twins,
) -> None:
    sku, product_id, _ = await _tracked(twins)
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=30))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"

    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(
                name="Keep equal",
                source_store_id=twins.source,
                target_store_ids=[twins.target],
                buffer=2,
            )
        )
        plan = await unit.rules.dry_run(rule.id)
    planned = [c for c in plan.changes if c.sku == sku]
    assert [(c.store_id, c.new) for c in planned] == [(twins.target, 28)]
    target_id = planned[0].product_id
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        assert (await shop.get_product(target_id)).stock_quantity == planned[0].old  # untouched

    async with twins.hub.unit(twins.tenant_id) as unit:
        run = await unit.rules.run(rule.id)
    ours = [r for r in run.results if r["sku"] == sku]
    assert [r["status"] for r in ours] == ["applied"]
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        assert (await shop.get_product(target_id)).stock_quantity == 28
    async with twins.hub.unit(twins.tenant_id) as unit:
        trail = await unit.audit.page(rule_id=rule.id, product_id=target_id)
        again = await unit.rules.dry_run(rule.id)
    assert [(e.result, e.new_value) for e in trail.items] == [("applied", "28")]
    assert [c for c in again.changes if c.sku == sku] == []


async def test_a_sale_at_the_target_in_between_is_a_conflict_not_an_oversell(
    twins: Twins,
) -> None:
    sku, product_id, _ = await _tracked(twins)
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=1))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(name="r", source_store_id=twins.source, target_store_ids=[twins.target])
        )
        plan = await unit.rules.dry_run(rule.id)
    change = next(c for c in plan.changes if c.sku == sku)
    async with gc.create_connector(twins.target_store.credentials()) as shop:  # the last one sold
        await shop.update_product(change.product_id, gc.ProductUpdate(stock_quantity=0))
    async with twins.hub.unit(twins.tenant_id) as unit:
        run = await unit.rules.run(rule.id)
    assert [r["status"] for r in run.results if r["sku"] == sku] == ["conflict"]
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        assert (await shop.get_product(change.product_id)).stock_quantity == 0


async def test_the_source_cannot_be_a_target(twins: Twins) -> None:
    async with twins.hub.unit(twins.tenant_id) as unit:
        with pytest.raises(InvalidInput):
            await unit.rules.create(
                RuleCreate(name="r", source_store_id=twins.source, target_store_ids=[twins.source])
            )


async def test_an_enabled_rule_runs_when_a_sync_changes_the_source(twins: Twins) -> None:
    await twins.hub.rules.stop()  # the test ticks itself
    sku, product_id, _ = await _tracked(twins)
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(name="auto", source_store_id=twins.source, target_store_ids=[twins.target])
        )
    assert await twins.hub.rules.tick() == 0  # switched off: nothing runs
    async with twins.hub.unit(twins.tenant_id) as unit:
        await unit.rules.set_enabled(rule.id, True)
    assert await twins.hub.rules.tick() == 1  # the initial syncs are changes of the source
    assert await twins.hub.rules.tick() == 0  # nothing new since

    async with gc.create_connector(twins.source_store.credentials()) as shop:  # a sale
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=17))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"
    assert await twins.hub.rules.tick() == 1

    target = [row for row in (await rows(twins.hub, twins.target)).values() if row.sku == sku]
    assert [row.stock_quantity for row in target] == [17]
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        assert (await shop.get_product(target[0].platform_product_id)).stock_quantity == 17


async def test_a_run_by_hand_cut_short_keeps_the_audit_of_what_it_wrote(
    twins: Twins, monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = twins.source_store.variable_product_ids()
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        for product_id, row in sorted((await rows(twins.hub, twins.source)).items()):
            if product_id not in variable and row.manage_stock:
                await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=50))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(name="r", source_store_id=twins.source, target_store_ids=[twins.target])
        )
        planned = await unit.rules.planned_writes(rule.id)
    assert len(planned) >= 2
    first = planned[0]
    asked = len(twins.target_store.requests)
    update = WriteService.update
    calls = 0

    async def second_raises(self: WriteService, *args: Any, **kwargs: Any) -> WriteOutcome:
        nonlocal calls
        calls += 1
        if calls == 2:  # the database is gone, say
            raise RuntimeError("lost the connection")
        return await update(self, *args, **kwargs)

    monkeypatch.setattr(WriteService, "update", second_raises)

    with pytest.raises(RuntimeError):
        async with twins.hub.unit(twins.tenant_id) as unit:
            await unit.rules.run(rule.id, actor="owner@example.com")

    written = [
        request
        for request in twins.target_store.requests[asked:]
        if request.method in ("POST", "PUT", "PATCH")
    ]
    assert len(written) == 1  # the first write only: the later ones were not tried
    async with twins.hub.unit(twins.tenant_id) as unit:
        trail = await unit.audit.page(rule_id=rule.id)
        runs = await unit.rules.runs(rule.id)
    assert [(e.product_id, e.variant_id, e.field, e.result) for e in trail.items] == [
        (first.product_id, first.variant_id, change.field, "applied") for change in first.changes
    ]
    assert runs == []  # a run cut short is not recorded
