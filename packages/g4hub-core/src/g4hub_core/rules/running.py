"""A rule's run as writes: the plan grouped into one write per target product (or variant),
each through the write path, and the run's result entries.

`RuleService.run` (a run by hand) writes them one after another in its unit, committing each.
The rule runner (`rules.jobs`) writes them concurrently, each in its own transaction, on one
connector per target store (`write_concurrently`). Either way a run holds one write per product
or variant, and one product's writes, of this run or another writer, take turns in
`WriteService.update`: its `ProductLocks` turn on SQLite, its product's row lock on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from g4hub_connectors import BaseConnector
from g4hub_core.rules.schemas import PlannedChange
from g4hub_core.writes.schemas import ExpectedValues, ProductChange

__all__ = [
    "MAX_CONCURRENT_WRITES",
    "MAX_RUN_CHANGES",
    "PlannedWrite",
    "Result",
    "WriteOne",
    "planned_writes",
    "write_concurrently",
]

MAX_RUN_CHANGES = 1_000
"""Writes per run: a larger plan is written by the runs that follow."""

MAX_CONCURRENT_WRITES = 8
"""A run's writes in flight at once, whatever its number of target stores: within the database
connection pool's default size and overflow (5 + 10), leaving room for the hub's other work."""

Result = dict[str, object]
WriteOne = Callable[["PlannedWrite", BaseConnector[Any]], Awaitable[Result]]
"""Writes one planned write on the store's open connector, in a transaction of its own."""


@dataclass(frozen=True)
class PlannedWrite:
    """The planned fields of one target product, or of its variant, written as one change."""

    store_id: uuid.UUID
    product_id: str
    variant_id: str | None
    changes: tuple[PlannedChange, ...]

    def change(self) -> ProductChange:
        """The change to write, expecting the values the plan saw (a sale or an edit at the
        target since is a conflict, never overwritten)."""
        return ProductChange(
            variant_id=self.variant_id,
            **{c.field: c.new for c in self.changes},
            expected=ExpectedValues(**{c.field: c.old for c in self.changes}),
        )

    def result(self, status: str, error_code: str | None) -> Result:
        """The run's entry for this write."""
        return {
            "sku": self.changes[0].sku,
            "store_id": str(self.store_id),
            "product_id": self.product_id,
            "variant_id": self.variant_id,
            "fields": {c.field: {"old": _text(c.old), "new": _text(c.new)} for c in self.changes},
            "status": status,
            "error_code": error_code,
        }


def planned_writes(plan: Iterable[PlannedChange]) -> list[PlannedWrite]:
    """One write per target product or variant, in the plan's order, at most
    `MAX_RUN_CHANGES`."""
    grouped: dict[tuple[uuid.UUID, str, str | None], list[PlannedChange]] = {}
    for change in plan:
        key = (change.store_id, change.product_id, change.variant_id)
        if key in grouped:
            grouped[key].append(change)
        elif len(grouped) < MAX_RUN_CHANGES:
            grouped[key] = [change]
    return [
        PlannedWrite(store_id, product_id, variant_id, tuple(changes))
        for (store_id, product_id, variant_id), changes in grouped.items()
    ]


async def write_concurrently(
    planned: Sequence[PlannedWrite],
    connectors: dict[uuid.UUID, BaseConnector[Any]],
    write: WriteOne,
    *,
    per_store: Callable[[BaseConnector[Any]], int],
    at_most: int = MAX_CONCURRENT_WRITES,
) -> list[Result | BaseException]:
    """Write each of `planned` with `write` on its store's connector, at most `per_store(its
    connector)` at a time per store and `at_most` in all (each holds a database connection
    while it runs); the results (or what a write raised) in `planned`'s order."""
    limits = {store: asyncio.Semaphore(per_store(c)) for store, c in connectors.items()}
    overall = asyncio.Semaphore(at_most)

    async def one(item: PlannedWrite) -> Result:
        async with limits[item.store_id], overall:
            return await write(item, connectors[item.store_id])

    return await asyncio.gather(*(one(item) for item in planned), return_exceptions=True)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
