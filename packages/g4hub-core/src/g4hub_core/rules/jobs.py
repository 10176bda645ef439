"""Running enabled rules when their source store changes.

The trigger is the change feed: every product created, updated or deleted by a sync, a webhook
or an edit through the hub is a `product_changes` row of its store. `RuleRunner` looks every
`poll_interval` seconds for enabled rules whose source store has changes past the rule's
`last_change_id`, runs each (its plan, through the write path) and moves the mark. One runner
runs rules one after another, so two runs of one rule never overlap in a process, and each
write locks its product's row, so the hub's writes to one product take turns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

from sqlalchemy import func, select

from g4hub_core.models import ProductChange, SyncRule
from g4hub_core.rules.service import RuleService
from g4hub_core.unit import UnitFactory, UnitOfWork

__all__ = ["RuleRunner"]

logger = logging.getLogger("g4hub_core.rules")


class RuleRunner:
    def __init__(
        self,
        work: UnitFactory,
        service: Callable[[UnitOfWork], RuleService],
        *,
        poll_interval: float = 5.0,
    ) -> None:
        self._work = work
        self._service = service
        self._poll_interval = poll_interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="rules")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def tick(self) -> int:
        """Run every enabled rule whose source changed since its last run; returns how many
        ran."""
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
        for rule_id, tenant_id, change_id in due:
            await self._run(rule_id, tenant_id, int(change_id))
        return len(due)

    async def _run(self, rule_id: uuid.UUID, tenant_id: uuid.UUID, change_id: int) -> None:
        try:
            async with self._work(tenant_id) as work:
                await self._service(work).run(rule_id, trigger="change")
                rule = await work.session.get(SyncRule, rule_id)
                if rule is not None:
                    rule.last_change_id = change_id
        except Exception:
            logger.warning("rule %s failed; retrying later", rule_id, exc_info=True)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._poll_interval)
            try:
                await self.tick()
            except Exception:
                logger.warning("running rules failed; retrying", exc_info=True)
