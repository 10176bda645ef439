"""`RuleService`: inventory rules, their dry run, and running them through the write path.

A plan is computed from the hub's rows: for every SKU of the source store (not excluded), each
target product with that SKU should hold `max(source stock - buffer, 0)`. A run writes each
planned change with `WriteService.update`, expecting the target's stock as planned (a sale in
between is a conflict, never overwritten) and naming the rule in the audit trail.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select

from g4hub_core.errors import InvalidInput, NotFound
from g4hub_core.models import StoreProduct, SyncRule
from g4hub_core.repository import TenantRepository
from g4hub_core.rules.schemas import PlannedChange, RuleCreate, RulePlan, RuleRead, RuleRun
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.unit import UnitOfWork
from g4hub_core.writes.schemas import ExpectedValues, ProductChange
from g4hub_core.writes.service import WriteService

__all__ = ["MAX_RUN_CHANGES", "RuleRepository", "RuleService"]

MAX_RUN_CHANGES = 1_000


class RuleRepository(TenantRepository[SyncRule]):
    model = SyncRule
    noun = "rule"


class RuleService:
    """The tenant's inventory rules. Never commits: the unit does."""

    def __init__(self, unit: UnitOfWork, *, writes: WriteService) -> None:
        self.unit = unit
        self._writes = writes
        self._rules = RuleRepository(unit.session, unit.tenant_id)
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
        rule = self._rules.add(
            SyncRule(
                id=uuid.uuid4(),
                name=data.name,
                kind="inventory",
                source_store_id=data.source_store_id,
                target_store_ids=[str(store) for store in data.target_store_ids],
                buffer=data.buffer,
                excluded_skus=list(data.excluded_skus),
                enabled=data.enabled,
            )
        )
        await self.unit.session.flush()
        return RuleRead.model_validate(rule)

    async def all(self) -> list[RuleRead]:
        rows = (await self.unit.session.scalars(self._rules.statement())).all()
        return [RuleRead.model_validate(row) for row in rows]

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

    async def run(self, rule_id: uuid.UUID, *, actor: str | None = None) -> RuleRun:
        """Write the plan (at most `MAX_RUN_CHANGES` changes), each through the write path."""
        rule = await self._rules.get_or_raise(rule_id)
        results: list[dict[str, object]] = []
        for change in (await self._plan(rule))[:MAX_RUN_CHANGES]:
            entry: dict[str, object] = {
                "sku": change.sku,
                "store_id": str(change.store_id),
                "product_id": change.product_id,
            }
            try:
                outcome = await self._writes.update(
                    change.store_id,
                    change.product_id,
                    ProductChange(
                        stock_quantity=change.new,
                        expected=ExpectedValues(stock_quantity=change.old),
                    ),
                    actor=actor,
                    rule_id=rule.id,
                )
            except (InvalidInput, NotFound) as exc:  # e.g. a product of several variants
                results.append({**entry, "status": "failed", "error_code": exc.code})
                continue
            results.append({**entry, "status": outcome.status, "error_code": outcome.error_code})
        return RuleRun(rule_id=rule.id, results=results)

    async def _plan(self, rule: SyncRule) -> list[PlannedChange]:
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
