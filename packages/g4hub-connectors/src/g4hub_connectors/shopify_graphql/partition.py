"""Partitioned bulk export: a large catalog split into product id ranges, one bulk query each, run
side by side up to the shop's limit, each range's result streamed as soon as it is ready.

From API 2026-01 an app may run up to five bulk queries at a time per shop (one before): Shopify
suggests splitting large exports into parallel jobs (changelog "Faster bulk operations",
2025-12-15). The ranges come from two cheap reads: the first and last product ids, then the
product counts below sixteen evenly spaced ids (sixteen `productsCount` in one query); the
boundaries are placed between those counts so that each range holds about as many products.
The first range has no lower bound and the last none above, and the ranges do not overlap: each
product, one created during the export included, is in exactly one of them.

Batches from every range pass through one small queue, so memory holds a few batches per range
whatever the catalog's size. A range that fails ends the listing with its error, naming the
range; the other ranges' operations still running are cancelled on Shopify (their slots are the
shop's), and what was listed never reads as a complete catalog. Every limit here belongs to one
connector, that is one store: another store's export never waits on this one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from g4hub_connectors.errors import ConnectorError, UnexpectedResponseError
from g4hub_connectors.shopify_graphql.bulk import (
    bulk_products_query,
    cancel_bulk_operation,
    run_bulk_query,
    stream_products,
)
from g4hub_connectors.shopify_graphql.client import GraphQLClient
from g4hub_connectors.shopify_graphql.payloads import BulkOperationPayload

__all__ = [
    "CONCURRENT_BULK_QUERIES",
    "ExportPart",
    "bulk_query_slots",
    "export_parts",
    "plan_parts",
]

logger = logging.getLogger("g4hub_connectors.shopify_graphql.partition")

CONCURRENT_BULK_QUERIES = 5
"""Bulk queries an app may run at once per shop from API 2026-01 (shopify.dev, "Perform bulk
operations with the GraphQL Admin API"); before 2026-01, one."""
CUTS = 16
"""Product counts read to place the ranges' boundaries (the aliases of `product_id_cuts`)."""
_PRODUCT_GID = "gid://shopify/Product/"
_DONE = object()


def bulk_query_slots(version: str) -> int:
    """How many bulk queries may run at once on a shop for requests at API `version`."""
    return CONCURRENT_BULK_QUERIES if version == "unstable" or version >= "2026-01" else 1


@dataclass(frozen=True)
class ExportPart:
    """Range `number` of `of`: the products matching `search` with `lower <= id < upper` (`None`:
    no bound), about `expected` of them (an estimate, for pacing the polls)."""

    number: int
    of: int
    lower: int | None
    upper: int | None
    search: str | None
    expected: int

    @property
    def query(self) -> str | None:
        """The range in Shopify's search syntax, joined to `search` by AND."""
        terms = [self.search] if self.search else []
        if self.lower is not None:
            terms.append(f"id:>={self.lower}")
        if self.upper is not None:
            terms.append(f"id:<{self.upper}")
        return " AND ".join(terms) or None

    def __str__(self) -> str:
        below = "" if self.upper is None else f" below {self.upper}"
        above = "" if self.lower is None else f" from {self.lower}"
        return f"part {self.number} of {self.of} (product ids{above}{below or ' up'})"


async def plan_parts(
    client: GraphQLClient, search: str | None, *, products: int, parts: int
) -> list[ExportPart]:
    """At most `parts` ranges covering every product matching `search` (about `products`)."""
    whole = [ExportPart(1, 1, None, None, search, products)]
    if parts <= 1 or products < parts:
        return whole
    bounds = await _id_bounds(client, search)
    if bounds is None or bounds[1] - bounds[0] < CUTS:
        return whole
    first, last = bounds
    span = last + 1 - first
    cuts = [first + span * k // CUTS for k in range(1, CUTS + 1)]
    counts = await _counts_below(client, search, cuts)
    if counts[-1] == 0:
        return whole
    edges: list[int | None] = [None, *_boundaries(first, cuts, counts, parts), None]
    total = len(edges) - 1
    return [
        ExportPart(n + 1, total, edges[n], edges[n + 1], search, counts[-1] // total)
        for n in range(total)
    ]


async def _id_bounds(client: GraphQLClient, search: str | None) -> tuple[int, int] | None:
    """The first and last product ids matching `search`; `None` when none does."""
    data = await client.execute("product_id_bounds", {"query": search}, estimate=6)
    ids = []
    for end in ("first", "last"):
        nodes = (data.get(end) or {}).get("nodes") or []
        if not nodes:
            return None
        gid = str(nodes[0].get("id") or "")
        number = gid.removeprefix(_PRODUCT_GID)
        if not gid.startswith(_PRODUCT_GID) or not number.isdigit():
            raise UnexpectedResponseError(
                f"a product id that is not a product GID ({gid[:40]!r})", platform="shopify"
            )
        ids.append(int(number))
    return ids[0], ids[1]


async def _counts_below(client: GraphQLClient, search: str | None, cuts: list[int]) -> list[int]:
    """How many products matching `search` have an id below each of `cuts`."""
    prefix = f"{search} AND " if search else ""
    variables = {f"below{k}": f"{prefix}id:<{cut}" for k, cut in enumerate(cuts)}
    data = await client.execute("product_id_cuts", variables, estimate=CUTS)
    counts = []
    for k in range(len(cuts)):
        count = (data.get(f"below{k}") or {}).get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise UnexpectedResponseError(
                f"productsCount without a count ({count!r:.20})", platform="shopify"
            )
        counts.append(count)
    return counts


def _boundaries(first: int, cuts: list[int], counts: list[int], parts: int) -> list[int]:
    """Ids splitting the products into `parts` ranges of about equal size: the product counts
    below `cuts` (none below `first`) interpolated linearly between the cuts, in whole numbers
    (ids exceed a float's exact range)."""
    xs, ys = [first, *cuts], [0, *counts]
    total = counts[-1]
    found: list[int] = []
    for j in range(1, parts):
        # The first cut whose count reaches j / parts of the products (scaled by `parts`).
        goal = total * j
        k = next((i for i in range(1, len(ys)) if ys[i] * parts >= goal), len(ys) - 1)
        x0, x1, y0, y1 = xs[k - 1], xs[k], ys[k - 1], ys[k]
        step = (x1 - x0) * (goal - y0 * parts) // ((y1 - y0) * parts) if y1 > y0 else x1 - x0
        boundary = x0 + max(step, 1)
        if first < boundary <= cuts[-1] and (not found or boundary > found[-1]):
            found.append(boundary)
    return found


async def export_parts(
    client: GraphQLClient,
    parts: list[ExportPart],
    *,
    slots: int,
    poll_interval: float,
) -> AsyncIterator[list[dict[str, Any]]]:
    """The products of every part, in batches as each part's file streams in (parts interleave),
    with at most `slots` bulk operations of this export running at once."""
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=2 * slots)
    gate = asyncio.Semaphore(slots)
    running: dict[int, str] = {}
    """Operations started and not yet ended, by part: cancelled if the export stops early."""
    tasks = [
        asyncio.create_task(_export_part(client, part, queue, gate, running, poll_interval))
        for part in parts
    ]
    finished = 0
    try:
        while finished < len(tasks):
            item = await queue.get()
            if item is _DONE:
                finished += 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
    finally:
        await _stop(tasks, queue)
        for operation_id in running.values():
            with contextlib.suppress(ConnectorError):
                await cancel_bulk_operation(client, operation_id)


async def _stop(tasks: list[asyncio.Task[None]], queue: asyncio.Queue[Any]) -> None:
    """Cancel the parts' tasks and wait for them to end. A cancellation can be lost (a wait
    that ends as it arrives, `asyncio.wait_for` in Python 3.11), and a task that missed it may
    then wait for room in the queue nobody reads any more: so the queue is emptied and the
    cancellation repeated until every task has ended."""
    pending = set(tasks)
    while pending:
        for task in pending:
            task.cancel()
        while not queue.empty():
            queue.get_nowait()
        _, pending = await asyncio.wait(pending, timeout=0.05)


async def _export_part(
    client: GraphQLClient,
    part: ExportPart,
    queue: asyncio.Queue[Any],
    gate: asyncio.Semaphore,
    running: dict[int, str],
    poll_interval: float,
) -> None:
    """Run one part's bulk query (holding one of the export's slots while it runs on Shopify),
    then put its batches on `queue`, then `_DONE`; or its error."""
    try:
        async with gate:
            operation = await run_bulk_query(
                client,
                bulk_products_query(part.query),
                poll_interval=poll_interval,
                expected_roots=part.expected or None,
                on_start=lambda operation_id: running.__setitem__(part.number, operation_id),
            )
            running.pop(part.number, None)
        logger.debug("bulk export %s: %s objects", part, operation.objectCount)
        await _stream_part(client, part, operation, queue)
    except Exception as exc:  # handed to the listing, which raises it
        running.pop(part.number, None)
        if part.of > 1 and isinstance(exc, ConnectorError):
            exc.detail = f"bulk export {part}: {exc.detail}"
            exc.args = (exc.detail,)
        await queue.put(exc)
        return
    await queue.put(_DONE)


async def _stream_part(
    client: GraphQLClient,
    part: ExportPart,
    operation: BulkOperationPayload,
    queue: asyncio.Queue[Any],
) -> None:
    objects = int(operation.objectCount or 0)
    if operation.url is None:
        # Shopify gives no file for zero objects; believe that only if the store agrees.
        data = await client.execute("products_count", {"query": part.query}, estimate=1)
        count = (data.get("productsCount") or {}).get("count")
        if objects or count:
            raise UnexpectedResponseError(
                f"bulk operation {operation.id} completed without a file, but the store "
                f"counts {count} products",
                platform="shopify",
            )
        return
    async for batch in stream_products(client, operation.url, expected_objects=objects):
        await queue.put(batch)
