"""`RuleService`: inventory and price rules, their dry run, and running them through the write
path.

A plan is computed from the hub's rows, per SKU of the source store (not excluded):

- inventory: each target product with that SKU should hold `max(source stock - buffer, 0)`;
- price: each target product with that SKU should hold the source's price (and/or sale price),
  adjusted and rounded (`g4hub_core.rules.pricing`); a source not on sale ends the target's
  sale. Products of several variants are left out (a price per variant is not planned).

A run writes each target product's planned fields with one `WriteService.update`, expecting the
target's values as planned (a sale or an edit in between is a conflict, never overwritten),
naming the rule in the audit trail, and is recorded (`rule_runs`) with its counts.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import delete, select

from g4hub_connectors import Product
from g4hub_core.errors import InvalidInput, NotFound
from g4hub_core.models import StoreProduct, SyncRule, SyncRuleRun
from g4hub_core.repository import TenantRepository
from g4hub_core.rules.pricing import Adjustment, Rounding, adjusted_price
from g4hub_core.rules.schemas import (
    PlannedChange,
    RuleCreate,
    RulePlan,
    RuleRead,
    RuleRun,
    RuleRunRead,
)
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.unit import UnitOfWork
from g4hub_core.writes.schemas import ExpectedValues, ProductChange
from g4hub_core.writes.service import WriteService, target_values

__all__ = ["KEEP_RUNS", "MAX_RUN_CHANGES", "RuleRepository", "RuleService"]

MAX_RUN_CHANGES = 1_000
KEEP_RUNS = 100
"""Runs kept per rule: the newest; older ones are removed as new ones come (the audit trail
keeps every write)."""
PRICE_FIELDS = ("price", "sale_price")


class RuleRepository(TenantRepository[SyncRule]):
    model = SyncRule
    noun = "rule"


class RuleRunRepository(TenantRepository[SyncRuleRun]):
    model = SyncRuleRun
    noun = "rule run"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return bool(a == b)


class RuleService:
    """The tenant's rules. Never commits: the unit does."""

    def __init__(self, unit: UnitOfWork, *, writes: WriteService) -> None:
        self.unit = unit
        self._writes = writes
        self._rules = RuleRepository(unit.session, unit.tenant_id)
        self._runs = RuleRunRepository(unit.session, unit.tenant_id)
        self._stores = StoreRepository(unit.session, unit.tenant_id)

    async def create(self, data: RuleCreate) -> RuleRead:
        """Save a rule; `NotFound` for a store not the tenant's, `InvalidInput` when the source
        is among the targets."""
        if data.source_store_id in data.target_store_ids:
            raise InvalidInput(
                "The source store cannot also be a target.",
                code="invalid_rule",
                details={"target_store_ids": "must not contain the source store"},
            )
        for store_id in (data.source_store_id, *data.target_store_ids):
            await self._stores.get_or_raise(store_id)
        await self._refuse_a_cycle(data)
        rule = self._rules.add(
            SyncRule(
                id=uuid.uuid4(),
                name=data.name,
                kind=data.kind,
                source_store_id=data.source_store_id,
                target_store_ids=[str(store) for store in dict.fromkeys(data.target_store_ids)],
                buffer=data.buffer,
                excluded_skus=list(data.excluded_skus),
                enabled=data.enabled,
                price_adjustment_type=data.price_adjustment_type,
                price_adjustment=data.price_adjustment,
                price_rounding=data.price_rounding,
                sync_price=data.sync_price,
                sync_sale_price=data.sync_sale_price,
            )
        )
        await self.unit.session.flush()
        return RuleRead.model_validate(rule)

    async def _refuse_a_cycle(self, data: RuleCreate) -> None:
        """`InvalidInput` when the new rule would close a loop of rules of its kind (A follows
        B follows A): each run would start the next one, and a buffer or a markup would apply
        again on every turn."""
        follows: dict[str, set[str]] = defaultdict(set)
        existing = await self.unit.session.execute(
            self._rules.statement()
            .with_only_columns(SyncRule.source_store_id, SyncRule.target_store_ids)
            .where(SyncRule.kind == data.kind)
        )
        for source, targets in existing:
            for target in targets:
                follows[str(source)].add(str(target))
        start = str(data.source_store_id)
        seen: set[str] = set()
        todo = [str(target) for target in data.target_store_ids]
        while todo:
            store = todo.pop()
            if store == start:
                raise InvalidInput(
                    "This rule would close a loop: its source already follows one of its "
                    "targets through another rule of the same kind.",
                    code="rule_loop",
                    details={"target_store_ids": "a target already leads back to the source"},
                )
            if store not in seen:
                seen.add(store)
                todo.extend(follows[store])

    async def all(self) -> list[RuleRead]:
        rows = (
            await self.unit.session.scalars(
                self._rules.statement().order_by(SyncRule.created_at, SyncRule.id)
            )
        ).all()
        return [RuleRead.model_validate(row) for row in rows]

    async def get(self, rule_id: uuid.UUID) -> RuleRead:
        return RuleRead.model_validate(await self._rules.get_or_raise(rule_id))

    async def delete(self, rule_id: uuid.UUID) -> None:
        """Remove the rule and its runs (its audit entries stay: the trail outlives it)."""
        rule = await self._rules.get_or_raise(rule_id)
        await self.unit.session.execute(
            delete(SyncRuleRun).where(
                SyncRuleRun.tenant_id == self.unit.tenant_id, SyncRuleRun.rule_id == rule.id
            )
        )
        await self._rules.delete(rule)
        await self.unit.session.flush()

    async def set_enabled(self, rule_id: uuid.UUID, enabled: bool) -> RuleRead:
        """Switch the rule on (it then runs whenever its source store changes: a sync, a
        webhook or an edit through the hub) or off."""
        rule = await self._rules.get_or_raise(rule_id)
        rule.enabled = enabled
        await self.unit.session.flush()
        return RuleRead.model_validate(rule)

    async def dry_run(self, rule_id: uuid.UUID) -> RulePlan:
        """What the rule would change now; writes nothing."""
        rule = await self._rules.get_or_raise(rule_id)
        return RulePlan(rule_id=rule.id, changes=await self._plan(rule))

    async def runs(self, rule_id: uuid.UUID, *, limit: int = 20) -> list[RuleRunRead]:
        """The rule's latest runs, newest first."""
        rule = await self._rules.get_or_raise(rule_id)
        rows = (
            await self.unit.session.scalars(
                self._runs.statement()
                .where(SyncRuleRun.rule_id == rule.id)
                .order_by(SyncRuleRun.created_at.desc(), SyncRuleRun.id)
                .limit(limit)
            )
        ).all()
        return [RuleRunRead.model_validate(row) for row in rows]

    async def run(
        self, rule_id: uuid.UUID, *, actor: str | None = None, trigger: str = "manual"
    ) -> RuleRun:
        """Write the plan (at most `MAX_RUN_CHANGES` products), each product's fields through
        the write path in one change, and record the run (a run on a change at the source that
        had nothing to do is not recorded)."""
        rule = await self._rules.get_or_raise(rule_id)
        per_product: dict[tuple[uuid.UUID, str], list[PlannedChange]] = defaultdict(list)
        for change in await self._plan(rule):
            key = (change.store_id, change.product_id)
            if key in per_product or len(per_product) < MAX_RUN_CHANGES:
                per_product[key].append(change)
        results: list[dict[str, object]] = []
        for (store_id, product_id), changes in per_product.items():
            entry: dict[str, object] = {
                "sku": changes[0].sku,
                "store_id": str(store_id),
                "product_id": product_id,
                "fields": {c.field: {"old": _text(c.old), "new": _text(c.new)} for c in changes},
            }
            try:
                outcome = await self._writes.update(
                    store_id,
                    product_id,
                    ProductChange(
                        **{c.field: c.new for c in changes},
                        expected=ExpectedValues(**{c.field: c.old for c in changes}),
                    ),
                    actor=actor,
                    rule_id=rule.id,
                )
            except (InvalidInput, NotFound) as exc:  # e.g. a product of several variants
                results.append({**entry, "status": "failed", "error_code": exc.code})
                continue
            results.append({**entry, "status": outcome.status, "error_code": outcome.error_code})
        if results or trigger == "manual":
            counts = Counter(str(result["status"]) for result in results)
            self._runs.add(
                SyncRuleRun(
                    id=uuid.uuid4(),
                    rule_id=rule.id,
                    trigger=trigger,
                    actor=actor,
                    counts={"changes": len(results), **counts},
                    results=results,
                )
            )
            await self.unit.session.flush()
            await self._prune_runs(rule.id)
        return RuleRun(rule_id=rule.id, results=results)

    async def _prune_runs(self, rule_id: uuid.UUID) -> None:
        older = (
            self._runs.statement()
            .with_only_columns(SyncRuleRun.id)
            .where(SyncRuleRun.rule_id == rule_id)
            .order_by(SyncRuleRun.created_at.desc(), SyncRuleRun.id)
            .offset(KEEP_RUNS)
        )
        stale = list((await self.unit.session.scalars(older)).all())
        if stale:
            await self.unit.session.execute(
                delete(SyncRuleRun).where(
                    SyncRuleRun.tenant_id == self.unit.tenant_id, SyncRuleRun.id.in_(stale)
                )
            )

    async def _plan(self, rule: SyncRule) -> list[PlannedChange]:
        if rule.kind == "price":
            return await self._price_plan(rule)
        return await self._inventory_plan(rule)

    async def _inventory_plan(self, rule: SyncRule) -> list[PlannedChange]:
        excluded = set(rule.excluded_skus)
        mine = StoreProduct.tenant_id == self.unit.tenant_id
        source: dict[str, int] = {}
        rows = await self.unit.session.execute(
            select(StoreProduct.sku, StoreProduct.stock_quantity).where(
                mine,
                StoreProduct.store_id == rule.source_store_id,
                StoreProduct.sku.is_not(None),
                StoreProduct.manage_stock.is_(True),
            )
        )
        for sku, stock in rows:
            if sku and sku not in excluded and stock is not None:
                source[sku] = source.get(sku, 0) + stock
        targets = [uuid.UUID(str(store)) for store in rule.target_store_ids]
        found = await self.unit.session.execute(
            select(
                StoreProduct.store_id,
                StoreProduct.platform_product_id,
                StoreProduct.sku,
                StoreProduct.stock_quantity,
            )
            .where(
                mine,
                StoreProduct.store_id.in_(targets),
                StoreProduct.sku.is_not(None),
                StoreProduct.manage_stock.is_(True),
            )
            .order_by(StoreProduct.sku, StoreProduct.store_id, StoreProduct.platform_product_id)
        )
        per_sku: dict[str, list[PlannedChange]] = defaultdict(list)
        for store_id, product_id, sku, stock in found:
            if sku not in source:
                continue
            new = max(source[sku] - rule.buffer, 0)
            if stock != new:
                per_sku[sku].append(
                    PlannedChange(
                        sku=sku, store_id=store_id, product_id=product_id, old=stock, new=new
                    )
                )
        return [change for sku in sorted(per_sku) for change in per_sku[sku]]

    async def _price_rows(
        self, store_ids: list[uuid.UUID]
    ) -> list[tuple[uuid.UUID, str, str, dict[str, Any]]]:
        """(store, product id, SKU, its writable values) of the stores' single-variant products
        with a SKU, in SKU, store and product order."""
        found = await self.unit.session.execute(
            select(
                StoreProduct.store_id,
                StoreProduct.platform_product_id,
                StoreProduct.sku,
                StoreProduct.data,
            )
            .where(
                StoreProduct.tenant_id == self.unit.tenant_id,
                StoreProduct.store_id.in_(store_ids),
                StoreProduct.sku.is_not(None),
            )
            .order_by(StoreProduct.sku, StoreProduct.store_id, StoreProduct.platform_product_id)
        )
        rows: list[tuple[uuid.UUID, str, str, dict[str, Any]]] = []
        for store_id, product_id, sku, data in found:
            if not sku:
                continue
            try:
                values = target_values(Product.model_validate(data), None)
            except InvalidInput:  # several variants: no single price to keep
                continue
            rows.append((store_id, product_id, sku, values))
        return rows

    async def _price_plan(self, rule: SyncRule) -> list[PlannedChange]:
        excluded = set(rule.excluded_skus)
        source: dict[str, dict[str, Any]] = {}
        for _, _, sku, values in await self._price_rows([rule.source_store_id]):
            if sku not in excluded:
                source.setdefault(sku, values)  # a duplicate SKU: the first product's price
        fields = [
            name
            for name, on in (("price", rule.sync_price), ("sale_price", rule.sync_sale_price))
            if on
        ]
        kind = cast(Adjustment, rule.price_adjustment_type)
        rounding = cast(Rounding, rule.price_rounding)
        targets = [uuid.UUID(str(store)) for store in rule.target_store_ids]
        planned: list[PlannedChange] = []
        for store_id, product_id, sku, values in await self._price_rows(targets):
            if sku not in source:
                continue
            for name in fields:
                given = source[sku][name]
                if given is None and name == "price":
                    continue  # a source without a price sets nothing
                new = (
                    None
                    if given is None
                    else adjusted_price(Decimal(given), kind, rule.price_adjustment, rounding)
                )
                old = values[name]
                if not _same(old, new):
                    planned.append(
                        PlannedChange(
                            sku=sku,
                            store_id=store_id,
                            product_id=product_id,
                            field=name,
                            old=old,
                            new=new,
                        )
                    )
        return planned


def _text(value: object) -> str | None:
    return None if value is None else str(value)
