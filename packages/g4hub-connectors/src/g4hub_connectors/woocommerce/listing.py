"""Walking a WooCommerce collection: every item exactly once, whatever order the store answers in,
in a number of requests bounded by what it really holds, whatever its paging headers claim.

Stores do not keep to `orderby=id`: sort plugins force their own order and page caches serve
overlapping pages, so items are told apart by id in a set (a few MB at 100,000 products) rather
than by position. Page 1's `X-WP-Total` / `X-WP-TotalPages` plan the other pages (see
`page_plan`), which are fetched in a window of concurrent requests; the first empty page ends the
walk, and one that comes before the planned end means the headers lied.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import aclosing
from functools import partial
from typing import Protocol, TypeVar

from g4hub_connectors.errors import UnexpectedResponseError
from g4hub_connectors.woocommerce.pagination import in_order, page_plan

__all__ = ["Page", "each_once"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
PLATFORM = "woocommerce"


class Page(Protocol[T_co]):
    """One page as fetched: its items, the page size asked for, and the paging headers."""

    @property
    def items(self) -> Sequence[T_co]: ...

    @property
    def per_page(self) -> int: ...

    @property
    def total(self) -> int | None: ...

    @property
    def total_pages(self) -> int | None: ...


async def each_once(
    fetch: Callable[[int], Awaitable[Page[T]]],
    first: Page[T],
    *,
    key: Callable[[T], Hashable],
    window: int,
    what: str,
) -> AsyncIterator[T]:
    """Every item of the collection whose page 1 is `first`, once each (by `key`), in the order
    the pages came. `fetch(n)` gets page n; at most `window` pages are in flight or waiting.

    Raises `UnexpectedResponseError` when a page before the planned last one is empty (headers
    that announce more than the store lists), or when a later page brings nothing new (a cache
    that ignores `page` would otherwise pass for a complete listing, or be read forever).
    """
    seen: set[Hashable] = set()

    def fresh(page: Page[T], number: int) -> list[T]:
        new = []
        for item in page.items:
            item_key = key(item)
            if item_key not in seen:
                seen.add(item_key)
                new.append(item)
        if page.items and not new:
            raise _repeating(what, number)
        return new

    for item in fresh(first, 1):
        yield item
    per_page = first.per_page
    plan = page_plan(first.total, first.total_pages, per_page)
    if plan is None:
        # No paging headers (a cache or proxy stripped them): one page after another until a
        # short one.
        page, number = first, 1
        while len(page.items) >= per_page:
            number += 1
            page = await fetch(number)
            for item in fresh(page, number):
                yield item
        return
    jobs = (partial(fetch, number) for number in range(2, plan + 1))
    async with aclosing(in_order(jobs, window)) as pages:
        number = 1
        async for page in pages:
            number += 1
            if not page.items:
                if number < plan:
                    raise _overstated(what, first, plan, number)
                # The last page emptied while listing: products were deleted meanwhile.
                return
            for item in fresh(page, number):
                yield item


def _overstated(what: str, first: Page[object], plan: int, number: int) -> UnexpectedResponseError:
    headers = f"X-WP-Total {first.total}, X-WP-TotalPages {first.total_pages}"
    return UnexpectedResponseError(
        f"page {number} of {what} was empty, but the paging headers ({headers}, "
        f"{first.per_page} per page) announced {plan} pages",
        platform=PLATFORM,
        user_message=(
            f"Your WooCommerce store's paging headers announce more {what} than it lists: page "
            f"{number} came back empty where {plan} pages were announced ({headers}). A cache, "
            "proxy or plugin in front of the API may be rewriting them. The listing was stopped "
            "so that nothing is taken for deleted."
        ),
    )


def _repeating(what: str, number: int) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        f"page {number} of {what} held only {what} already listed on earlier pages",
        platform=PLATFORM,
        user_message=(
            f"Your WooCommerce store answered page {number} of its {what} with only {what} "
            "already listed on earlier pages. A cache in front of the API may ignore the page "
            "parameter; exclude /wp-json/ from it. The listing was stopped so that nothing is "
            "taken for deleted."
        ),
    )
