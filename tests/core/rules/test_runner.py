"""The rule runner: a change at the source reaches the target on its own, fast; a plan larger
than one run is written whole by one tick; the concurrent writes keep compare-and-set (a sale at
the target the hub has not seen is a conflict, the others are applied); a run by hand during a
tick of the same rule ends, as the tick does, with each store write once and audited."""

from __future__ import annotations

import asyncio
import time

import pytest

import g4hub_connectors as gc
from g4hub_core.rules import RuleCreate, RuleRun, running
from g4hub_core.writes import ProductChange
from tests.core.rules.conftest import Twins
from tests.core.sync.helpers import rows, sync


async def _pairs(twins: Twins) -> list[tuple[str, str, str]]:
    """(SKU, source product id, target product id) of the simple tracked products both hold."""
    variable = twins.source_store.variable_product_ids() | twins.target_store.variable_product_ids()
    target = {
        row.sku: product_id
        for product_id, row in (await rows(twins.hub, twins.target)).items()
        if product_id not in variable and row.manage_stock and row.sku
    }
    return [
        (row.sku, product_id, target[row.sku])
        for product_id, row in sorted((await rows(twins.hub, twins.source)).items())
        if product_id not in variable and row.manage_stock and row.sku in target
    ]


async def _rule(twins: Twins) -> None:
    async with twins.hub.unit(twins.tenant_id) as unit:
        rule = await unit.rules.create(
            RuleCreate(name="auto", source_store_id=twins.source, target_store_ids=[twins.target])
        )
        await unit.rules.set_enabled(rule.id, True)


async def _stock(twins: Twins, product_ids: list[str]) -> list[int | None]:
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        return [(await shop.get_product(key)).stock_quantity for key in product_ids]


async def test_a_plan_larger_than_a_run_is_written_whole_by_one_tick(
    twins: Twins, monkeypatch: pytest.MonkeyPatch
) -> None:
    await twins.hub.rules.stop()  # the test ticks itself
    pairs = await _pairs(twins)
    assert len(pairs) >= 3
    await _rule(twins)
    assert await twins.hub.rules.tick() == 1  # the initial syncs settled
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        for n, (_, source_id, _) in enumerate(pairs):
            await shop.update_product(source_id, gc.ProductUpdate(stock_quantity=40 + n))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"

    monkeypatch.setattr(running, "MAX_RUN_CHANGES", 2)
    assert await twins.hub.rules.tick() == 1
    assert await _stock(twins, [target for _, _, target in pairs]) == [
        40 + n for n in range(len(pairs))
    ]
    assert await twins.hub.rules.tick() == 0  # the mark moved once the plan was done
    async with twins.hub.unit(twins.tenant_id) as unit:
        (rule,) = await unit.rules.all()
        runs = await unit.rules.runs(rule.id)
    assert sum(run.counts.get("applied", 0) for run in runs) >= len(pairs)


async def test_a_sale_at_the_target_the_hub_has_not_seen_is_a_conflict_the_others_applied(
    twins: Twins,
) -> None:
    await twins.hub.rules.stop()
    pairs = await _pairs(twins)
    await _rule(twins)
    assert await twins.hub.rules.tick() == 1
    sold = pairs[0][2]
    async with gc.create_connector(twins.target_store.credentials()) as shop:  # not synced
        await shop.update_product(sold, gc.ProductUpdate(stock_quantity=1))
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        for _, source_id, _ in pairs:
            await shop.update_product(source_id, gc.ProductUpdate(stock_quantity=60))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"

    assert await twins.hub.rules.tick() == 1
    assert await _stock(twins, [target for _, _, target in pairs]) == [1] + [60] * (len(pairs) - 1)
    async with twins.hub.unit(twins.tenant_id) as unit:
        trail = await unit.audit.page(store_id=twins.target, by_rule=True)
    results = {(entry.product_id, entry.new_value): entry.result for entry in trail.items}
    assert results[(sold, "60")] == "conflict"
    assert [results[(target, "60")] for _, _, target in pairs[1:]] == ["applied"] * (len(pairs) - 1)


async def test_an_edit_of_the_source_through_the_hub_reaches_the_target_on_its_own(
    twins: Twins,
) -> None:
    sku, source_id, target_id = (await _pairs(twins))[0]
    await _rule(twins)
    async with twins.hub.unit(twins.tenant_id) as unit:
        outcome = await unit.writes.update(
            twins.source, source_id, ProductChange(stock_quantity=77)
        )
    assert outcome.status == "applied", sku
    started = time.monotonic()
    while await _stock(twins, [target_id]) != [77]:
        assert time.monotonic() - started < 15, "the target did not follow the source"
        await asyncio.sleep(0.1)


async def test_a_change_run_plans_the_changed_skus_and_switching_on_plans_them_all(
    twins: Twins,
) -> None:
    await twins.hub.rules.stop()
    (_, changed_source, changed_target), (_, _, drifted), *_ = await _pairs(twins)
    await _rule(twins)
    assert await twins.hub.rules.tick() == 1
    before = await _stock(twins, [drifted])
    async with gc.create_connector(twins.target_store.credentials()) as shop:
        await shop.update_product(drifted, gc.ProductUpdate(stock_quantity=3))
    assert (await sync(twins.hub, twins.tenant_id, twins.target)).status == "succeeded"
    async with twins.hub.unit(twins.tenant_id) as unit:
        await unit.writes.update(twins.source, changed_source, ProductChange(stock_quantity=21))

    assert await twins.hub.rules.tick() == 1  # only the SKU changed at the source
    assert await _stock(twins, [changed_target, drifted]) == [21, 3]

    async with twins.hub.unit(twins.tenant_id) as unit:
        (rule,) = await unit.rules.all()
        await unit.rules.set_enabled(rule.id, False)
        await unit.rules.set_enabled(rule.id, True)
    assert await twins.hub.rules.tick() == 1  # switched on again: every SKU
    assert await _stock(twins, [changed_target, drifted]) == [21, *before]


async def _changed_at_source(twins: Twins) -> list[tuple[str, str, str]]:
    """Stop the runner (the test starts the runs itself), give each source product a new stock
    (40, 41, ...), sync the source and add the rule; returns `_pairs`."""
    await twins.hub.rules.stop()
    pairs = await _pairs(twins)
    async with gc.create_connector(twins.source_store.credentials()) as shop:
        for n, (_, source_id, _) in enumerate(pairs):
            await shop.update_product(source_id, gc.ProductUpdate(stock_quantity=40 + n))
    assert (await sync(twins.hub, twins.tenant_id, twins.source)).status == "succeeded"
    await _rule(twins)
    return pairs


async def test_two_overlapping_runs_of_one_rule_write_each_target_product_once(
    twins: Twins,
) -> None:
    pairs = await _changed_at_source(twins)
    # Slow answers, so two runs of the rule (two processes' runners, say) overlap.
    twins.target_store.latency = 0.05

    await asyncio.gather(twins.hub.rules.tick(), twins.hub.rules.tick())

    targets = [target for _, _, target in pairs]
    assert await _stock(twins, targets) == [40 + n for n in range(len(pairs))]
    writes = [
        sum(
            1
            for request in twins.target_store.requests
            if request.method in ("POST", "PUT", "PATCH") and request.path.endswith(f"/{target}")
        )
        for target in targets
    ]
    assert writes == [1] * len(targets)
    async with twins.hub.unit(twins.tenant_id) as unit:
        trail = await unit.audit.page(store_id=twins.target, by_rule=True)
    applied = sorted(entry.product_id for entry in trail.items if entry.result == "applied")
    assert applied == sorted(targets)


async def test_a_run_by_hand_during_a_tick_of_the_same_rule_audits_every_store_write(
    twins: Twins,
) -> None:
    pairs = await _changed_at_source(twins)
    # Slow answers, so "Run now" and the tick write side by side. The tick starts once "Run
    # now" has written its first product: its writers then hold other products' row locks while
    # "Run now" has saved a product (the tenant's change feed's lock, until its transaction ends).
    twins.target_store.latency = 0.05
    asked = len(twins.target_store.requests)

    async def run_now() -> RuleRun:
        async with twins.hub.unit(twins.tenant_id) as unit:
            (rule,) = await unit.rules.all()
            return await unit.rules.run(rule.id, actor="owner@example.com")

    async with asyncio.timeout(120):
        by_hand_run = asyncio.create_task(run_now())
        while not any(
            request.method in ("POST", "PUT", "PATCH")
            for request in twins.target_store.requests[asked:]
        ):
            assert not by_hand_run.done()
            await asyncio.sleep(0.005)
        ran = await twins.hub.rules.tick()
        by_hand = await by_hand_run

    assert ran == 1  # the tick's run ended: none of its writes was cut short
    targets = [target for _, _, target in pairs]
    wanted = [40 + n for n in range(len(pairs))]
    assert await _stock(twins, targets) == wanted
    hub_rows = await rows(twins.hub, twins.target)
    assert [hub_rows[target].stock_quantity for target in targets] == wanted
    async with twins.hub.unit(twins.tenant_id) as unit:
        trail = await unit.audit.page(store_id=twins.target, by_rule=True)
    for target in targets:
        entries = [entry for entry in trail.items if entry.product_id == target]
        # Each store write has its audit entry; the later writer found the value there.
        assert _writes_to(twins, target) == 1
        assert sorted((e.result, e.error_code) for e in entries)[0] == ("applied", None)
        assert [(e.result, e.error_code) for e in entries if e.result != "applied"] in (
            [],
            [("conflict", "write_conflict")],
        )
    assert sorted(
        (str(result["product_id"]), str(result["status"])) for result in by_hand.results
    ) == sorted((entry.product_id, entry.result) for entry in trail.items if entry.actor)


def _writes_to(twins: Twins, product_id: str) -> int:
    return sum(
        1
        for request in twins.target_store.requests
        if request.method in ("POST", "PUT", "PATCH") and request.path.endswith(f"/{product_id}")
    )
