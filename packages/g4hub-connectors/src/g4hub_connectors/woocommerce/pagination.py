"""Cursors and bounded concurrency for WooCommerce's page-numbered collections."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

from g4hub_connectors.errors import InvalidRequestError

__all__ = [
    "MAX_PER_PAGE",
    "decode_cursor",
    "encode_cursor",
    "gather_or_cancel",
    "in_order",
    "page_plan",
]

T = TypeVar("T")

MAX_PER_PAGE = 100
"""WooCommerce refuses `per_page` above 100 (`rest_invalid_param`)."""


def page_plan(total: int | None, total_pages: int | None, per_page: int) -> int | None:
    """How many pages a collection has, as far as its headers can be trusted: `X-WP-TotalPages`
    never beyond the pages `X-WP-Total` fills at `per_page` (a proxy claiming 10^8 pages over
    230 products plans 3), nor below 1. `None` when neither header came."""
    by_total = None if total is None else max(1, -(-total // per_page))
    if total_pages is None:
        return by_total
    pages = max(1, total_pages)
    return pages if by_total is None else min(pages, by_total)


def encode_cursor(page: int, per_page: int) -> str:
    """An opaque cursor for `page` of a listing `per_page` long (urlsafe base64 of JSON)."""
    data = json.dumps({"page": page, "per_page": per_page}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """`(page, per_page)` from a cursor made by `encode_cursor`; `InvalidRequestError` otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        page, per_page = data["page"], data["per_page"]
    except (ValueError, TypeError, KeyError, UnicodeEncodeError, binascii.Error):
        data = page = per_page = None
    if not (
        isinstance(page, int)
        and isinstance(per_page, int)
        and page >= 1
        and 1 <= per_page <= MAX_PER_PAGE
    ):
        raise InvalidRequestError(
            "the cursor was not made by this connector",
            platform="woocommerce",
            user_message="The page cursor is not valid. Start the listing again without a cursor.",
        )
    return page, per_page


async def gather_or_cancel(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Run all at once; results in order. The first failure cancels the rest and is raised as is
    (not wrapped in an ExceptionGroup, so callers catch `ConnectorError`s as usual)."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return [await task for task in tasks]
    finally:
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def in_order(
    jobs: Iterator[Callable[[], Awaitable[T]]], window: int
) -> AsyncGenerator[T, None]:
    """Run `jobs` with at most `window` running at once, yielding results in job order.

    At most `window` results wait in memory, whatever the number of jobs; leaving the loop early
    or a failure cancels the jobs still running.
    """
    running: deque[asyncio.Task[T]] = deque()
    try:
        for job in jobs:
            running.append(asyncio.ensure_future(job()))
            if len(running) >= window:
                break
        while running:
            result = await running.popleft()
            next_job = next(jobs, None)
            if next_job is not None:
                running.append(asyncio.ensure_future(next_job()))
            yield result
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
