"""What plugins, caches and proxies in front of real WooCommerce stores do to its answers, for the
fake store to reproduce: listing orders forced by sort plugins, overlapping cached pages, paging
headers rewritten, updates whose fields a plugin silently drops."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

__all__ = ["ListingOrder", "forced_order", "page_slice", "rewrite_headers", "without_ignored"]

T = TypeVar("T")

ListingOrder = Literal["requested", "shuffled", "descending"]


def forced_order(indexes: list[int], order: ListingOrder, seed: int) -> list[int]:
    """The listing as a sort plugin orders it, whatever `orderby` / `order` asked. "shuffled" is
    a fixed permutation (the same on every request, as a saved custom order is)."""
    if order == "requested":
        return indexes
    if order == "descending":
        return sorted(indexes, reverse=True)
    shuffled = sorted(indexes)
    random.Random(seed).shuffle(shuffled)
    return shuffled


def page_slice(items: Sequence[T], page: int, per_page: int, overlap: int) -> Sequence[T]:
    """Page `page` of `items`; with `overlap`, a page after the first also repeats the last
    `overlap` items of the page before (a cache that stitched pages from a shifted copy)."""
    start = (page - 1) * per_page
    if page > 1:
        start = max(0, start - overlap)
    return items[start : page * per_page]


def rewrite_headers(
    headers: list[tuple[str, str]], overrides: Mapping[str, str | None]
) -> list[tuple[str, str]]:
    """`headers` with each named header replaced by its override, or removed when it is `None`."""
    if not overrides:
        return headers
    wanted = {name.lower(): value for name, value in overrides.items()}
    kept = [(name, value) for name, value in headers if name.lower() not in wanted]
    return kept + [(name, value) for name, value in wanted.items() if value is not None]


def without_ignored(body: dict[str, Any], ignored: set[str]) -> dict[str, Any]:
    """The update body as the store applies it once a plugin has dropped the `ignored` keys."""
    return {key: value for key, value in body.items() if key not in ignored}
