"""`RuleService`: inventory and price rules, their dry run, and running them through the write
path.

The plan comes from `g4hub_core.rules.planning`. A run writes each target product's (or
variant's) planned fields with one `WriteService.update` (`g4hub_core.rules.running`), expecting
the target's values as planned (a sale or an edit in between is a conflict, never overwritten),
naming the rule in the audit trail, and is recorded (`rule_runs`) with its counts.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete

from g4hub_connectors import BaseConnector
from g4hub_core.errors import InvalidInput, NotFound
from g4hub_core.models import SyncRule, SyncRuleRun
from g4hub_core.repository import TenantRepository
from g4hub_core.rules.planning import RulePlanner
from g4hub_core.rules.running import MAX_RUN_CHANGES, PlannedWrite, planned_writes
from g4hub_core.rules.schemas import (
    RuleCreate,
    RulePlan,
    RuleRead,
    RuleRun,
    RuleRunRead,
)
from g4hub_core.stores.repository import StoreRepository
from g4hub_core.unit import UnitOfWork
from g4hub_core.writes.service import WriteService

__all__ = ["KEEP_RUNS", "MAX_RUN_CHANGES", "RuleRepository", "RuleService"]

KEEP_RUNS = 100
"""Runs kept per rule: the newest; older ones are removed as new ones come (the audit trail
keeps every write)."""


class RuleRepository(TenantRepository[SyncRule]):
    model = SyncRule
    noun = "rule"


class RuleRunRepository(TenantRepository[SyncRuleRun]):
    model = SyncRuleRun
    noun = "rule run"


class RuleService:
    """The tenant's rules. Never commits (the unit does), but for `run`: each of its writes
    commits on its own."""

    def __init__(self, unit: UnitOfWork, *, writes: WriteService) -> None:
        self.unit = unit
        self._writes = writes
        self._rules = RuleRepository(unit.session, unit.tenant_id)
        self._runs = RuleRunRepository(unit.session, unit.tenant_id)
        self._stores = StoreRepository(unit.session, unit.tenant_id)
        self._planner = RulePlanner(unit.session, unit.tenant_id)

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
        webhook or an edit through the hub; its first run plans every SKU, later ones the SKUs
        changed at the source) or off."""
        rule = await self._rules.get_or_raise(rule_id)
        if enabled and not rule.enabled:
            rule.last_change_id = 0  # what changed while it was off: every SKU is planned
        rule.enabled = enabled
        await self.unit.session.flush()
        return RuleRead.model_validate(rule)

    async def dry_run(self, rule_id: uuid.UUID) -> RulePlan:
        """What the rule would change now; writes nothing."""
        rule = await self._rules.get_or_raise(rule_id)
        return RulePlan(rule_id=rule.id, changes=await self._planner.plan(rule))

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
        """Write the plan (at most `MAX_RUN_CHANGES` products or variants), each one's fields
        through the write path in one change, one after another on one connector per target
        store, and record the run (a run on a change at the source that had nothing to do is
        not recorded). Leaves the rule's mark (`last_change_id`): that is the runner's.

        Unlike the other methods, commits the unit: what it held before the run, then each
        write with its row lock, mirror and audit entries, as the runner does; the record
        commits with the unit. (One transaction over the run would hold the tenant's change
        feed from its first write on, while waiting for a product another writer has locked,
        and on SQLite the database's write lock across the run's calls to the stores.) A write
        that raises ends the run: the writes before it stay written and audited, the later ones
        are not tried, and the run is not recorded."""
        planned = await self.planned_writes(rule_id)
        await self.unit.commit()
        results: list[dict[str, object]] = []
        async with contextlib.AsyncExitStack() as opened:
            connectors: dict[uuid.UUID, BaseConnector[Any]] = {}
            for item in planned:
                if item.store_id not in connectors:
                    connectors[item.store_id] = await opened.enter_async_context(
                        await self.open_connector(item.store_id)
                    )
                results.append(
                    await self.write(
                        item, rule_id, actor=actor, connector=connectors[item.store_id]
                    )
                )
                await self.unit.commit()
        return await self.record(rule_id, results, trigger=trigger, actor=actor)

    async def planned_writes(
        self, rule_id: uuid.UUID, *, skus: Sequence[str] | None = None
    ) -> list[PlannedWrite]:
        """The rule's plan (of `skus` only, when given: `RulePlanner.plan`) as writes, one per
        target product or variant (at most `MAX_RUN_CHANGES`); `NotFound` for another
        tenant's rule."""
        rule = await self._rules.get_or_raise(rule_id)
        return planned_writes(await self._planner.plan(rule, skus=skus))

    async def open_connector(self, store_id: uuid.UUID) -> BaseConnector[Any]:
        """A target store's connector, for `write`; the caller closes it."""
        return await self._writes.open_connector(store_id)

    async def write(
        self,
        planned: PlannedWrite,
        rule_id: uuid.UUID,
        *,
        actor: str | None = None,
        connector: BaseConnector[Any] | None = None,
    ) -> dict[str, object]:
        """Write one planned change through the write path, naming the rule in the audit
        trail; the run's entry for it."""
        try:
            outcome = await self._writes.update(
                planned.store_id,
                planned.product_id,
                planned.change(),
                actor=actor,
                rule_id=rule_id,
                connector=connector,
            )
        except (InvalidInput, NotFound) as exc:  # e.g. the product is gone since the plan
            return planned.result("failed", exc.code)
        return planned.result(outcome.status, outcome.error_code)

    async def record(
        self,
        rule_id: uuid.UUID,
        results: list[dict[str, object]],
        *,
        trigger: str,
        actor: str | None = None,
    ) -> RuleRun:
        """Record a run's results (a run on a change at the source with none is not
        recorded); `NotFound` when the rule was removed meanwhile."""
        rule = await self._rules.get_or_raise(rule_id)
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
