"""Running enabled rules when their source store changes.

The trigger is the change feed: every product created, updated or deleted by a sync, a webhook
or an edit through the hub is a `product_changes` row of its store. `RuleRunner` looks every
`poll_interval` seconds (half a second: one indexed query, and it sees the changes of every
process sharing the database), and at once after a look that ran rules, for enabled rules
whose source store has changes past the rule's `last_change_id`, runs each and moves the mark.

A run plans the SKUs of the source's products changed since the mark (every SKU on the rule's
first run after it is switched on, or past `_INCREMENTAL_PRODUCTS` changed products; a target
left apart by a conflict is planned again on its SKU's next change at the source, or by a run by
hand) in one transaction, then writes its plan concurrently: one connector per target store, at
most the store's `max_concurrency` writes at a time (its connector paces requests within the
platform's rate limit) and `running.MAX_CONCURRENT_WRITES` in all, each write in a transaction
of its own (its row lock, mirror and audit entries commit with it, so a long run never holds the
tenant's change feed). One runner runs rules one after another, so two runs of one rule never
overlap in a process; a run holds one write per product or variant, and the hub's writes to one
product take turns in `WriteService.update` (its `ProductLocks` turn on SQLite, its product's row
lock on PostgreSQL), whoever runs them: another process's runner, a run by hand (which commits
each write too, `RuleService.run`), an edit. The mark moves once the run is recorded; a run cut
short (the hub stopped, a write raised) leaves it, and the next tick plans again from the rows.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_connectors import BaseConnector
from g4hub_core.db.dialects import dialect_of
from g4hub_core.jobs_loop import Loops
from g4hub_core.models import ProductChange, StoreProduct, SyncRule
from g4hub_core.rules import running
from g4hub_core.rules.running import PlannedWrite, Result, write_concurrently
from g4hub_core.rules.service import RuleService
from g4hub_core.unit import UnitFactory, UnitOfWork

__all__ = ["RuleRunner"]

logger = logging.getLogger("g4hub_core.rules")

_INCREMENTAL_PRODUCTS = 1_000
"""Changed source products up to which a run plans only their SKUs; past it, every SKU (one
pass over the catalog then costs less than matching a long list)."""


class RuleRunner:
    def __init__(
        self,
        work: UnitFactory,
        service: Callable[[UnitOfWork], RuleService],
        *,
        poll_interval: float = 0.5,
    ) -> None:
        self._work = work
        self._service = service
        self._poll_interval = poll_interval
        self._loops = Loops()

    async def start(self) -> None:
        self._loops.start("rules", self._loop())

    async def stop(self) -> None:
        await self._loops.stop()

    async def tick(self) -> int:
        """Run every enabled rule whose source changed since its last run; returns how many
        ran to their end (a run that failed is logged and tried again at the next tick)."""
        async with self._work(None) as work:
            newest = (
                select(func.max(ProductChange.id))
                .where(
                    ProductChange.tenant_id == SyncRule.tenant_id,
                    ProductChange.store_id == SyncRule.source_store_id,
                )
                .scalar_subquery()
            )
            due = (
                await work.session.execute(
                    select(SyncRule.id, SyncRule.tenant_id, newest).where(
                        SyncRule.enabled.is_(True), newest > SyncRule.last_change_id
                    )
                )
            ).all()
        ran = 0
        for rule_id, tenant_id, change_id in due:
            try:
                await self._run(rule_id, tenant_id, int(change_id))
            except Exception:
                logger.warning("rule %s failed; retrying later", rule_id, exc_info=True)
            else:
                ran += 1
        return ran

    async def _run(self, rule_id: uuid.UUID, tenant_id: uuid.UUID, change_id: int) -> None:
        """Run the rule as of change `change_id` of its source (read before its plan), then
        move its mark. A full run (`running.MAX_RUN_CHANGES`) that applied something is followed by
        another at once; what a run could not apply waits for the source's next change."""
        more = True
        while more:
            async with self._work(tenant_id) as work:
                skus = await _changed_skus(work.session, rule_id, change_id)
                planned = await self._service(work).planned_writes(rule_id, skus=skus)
                one_at_a_time = not dialect_of(work.session).postgresql
            results = await self._write(tenant_id, rule_id, planned, one_at_a_time)
            more = len(planned) >= running.MAX_RUN_CHANGES and any(
                result["status"] == "applied" for result in results
            )
            async with self._work(tenant_id) as work:
                await self._service(work).record(rule_id, results, trigger="change")
                rule = await work.session.get(SyncRule, rule_id)
                if rule is not None and not more:
                    rule.last_change_id = max(rule.last_change_id, change_id)

    async def _write(
        self,
        tenant_id: uuid.UUID,
        rule_id: uuid.UUID,
        planned: Sequence[PlannedWrite],
        one_at_a_time: bool,
    ) -> list[Result]:
        """Write `planned`, each in its own transaction (SQLite, one writer: one at a time);
        raises what a write raised once the others are done."""
        async with contextlib.AsyncExitStack() as opened:
            connectors: dict[uuid.UUID, BaseConnector[Any]] = {}
            for store_id in dict.fromkeys(item.store_id for item in planned):
                async with self._work(tenant_id) as work:
                    connector = await self._service(work).open_connector(store_id)
                connectors[store_id] = await opened.enter_async_context(connector)

            async def write(item: PlannedWrite, connector: BaseConnector[Any]) -> Result:
                async with self._work(tenant_id) as work:
                    return await self._service(work).write(item, rule_id, connector=connector)

            done = await write_concurrently(
                planned,
                connectors,
                write,
                per_store=lambda c: 1 if one_at_a_time else c.config.max_concurrency,
            )
        results: list[Result] = []
        for item in done:
            if isinstance(item, BaseException):
                raise item
            results.append(item)
        return results

    async def _loop(self) -> None:
        """Tick, and again at once after a tick that ran something (the source changed
        meanwhile, most likely); else wait `poll_interval`."""
        while not self._loops.stopping:
            ran = 0
            try:
                ran = await self.tick()
            except Exception:
                logger.warning("running rules failed; retrying", exc_info=True)
            if not ran and not await self._loops.pause(self._poll_interval):
                return


async def _changed_skus(
    session: AsyncSession, rule_id: uuid.UUID, change_id: int
) -> list[str] | None:
    """The SKUs (products' own and their variants') of the source's products changed after
    the rule's mark up to `change_id`; `None` (plan every SKU) for a rule without a mark (its
    first run since it was switched on) or past `_INCREMENTAL_PRODUCTS` products."""
    rule = await session.get(SyncRule, rule_id)
    if rule is None or rule.last_change_id == 0:
        return None
    changed = (
        await session.scalars(
            select(ProductChange.platform_product_id)
            .where(
                ProductChange.tenant_id == rule.tenant_id,
                ProductChange.store_id == rule.source_store_id,
                ProductChange.id > rule.last_change_id,
                ProductChange.id <= change_id,
            )
            .distinct()
            .limit(_INCREMENTAL_PRODUCTS + 1)
        )
    ).all()
    if len(changed) > _INCREMENTAL_PRODUCTS:
        return None
    skus: set[str] = set()
    for chunk in _chunks(list(changed), 500):
        found = await session.execute(
            select(StoreProduct.sku, StoreProduct.data).where(
                StoreProduct.tenant_id == rule.tenant_id,
                StoreProduct.store_id == rule.source_store_id,
                StoreProduct.platform_product_id.in_(chunk),
            )
        )
        for sku, data in found:
            skus.update(_skus_of(sku, data))
    return sorted(skus)


def _skus_of(sku: str | None, data: dict[str, Any]) -> set[str]:
    """A product row's own SKU and its variants' (the row's `data`, a `Product`)."""
    found = {sku} if sku else set()
    for variant in data.get("variants") or []:
        if isinstance(variant, dict) and variant.get("sku"):
            found.add(str(variant["sku"]))
    return found


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
