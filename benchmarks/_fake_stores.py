"""A child process serving several fake stores on loopback ports, for the worker benchmarks.

    python benchmarks/_fake_stores.py woocommerce --stores 5 --products 10000 --latency-ms 20

Prints one JSON line, the stores' credentials (the fakes' own test values), then answers each
`stats` line on stdin with one JSON line per store: requests received (with the first and last
listing request's `time.monotonic()`, which is system-wide on Linux so the parent can compare it),
the Shopify bucket's level, rejections and peak, and the catalog's size and digest (the parent
checks the hub's rows against it). Exits when stdin closes or on SIGTERM.

`--cache` answers every GET from memory once it has been rendered, after a warm-up listing of each
store at start: the catalog never changes during a run, and so the fakes cost almost no CPU and do
not compete with the workers for the machine's cores (the latency is still paid on every request).
Not for Shopify, whose answers carry the bucket's state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_connectors.testing._asgi import FakeStore, Request, Response

LISTING_PATHS = ("/products.json", "/wc/v3/products")


def catalog_digest(ids: list[str]) -> str:
    """The digest the parent computes over the hub's rows of one store: sorted ids, one a line."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def cache_answers(store: FakeStore) -> None:
    """Serve every GET the store has answered once (200 only) from memory from then on."""
    handle: Callable[[Request], Awaitable[Response]] = store.handle
    answers: dict[tuple[str, tuple[tuple[str, str], ...]], Response] = {}

    async def cached(request: Request) -> Response:
        key = (request.path, tuple(request.query))
        if request.method != "GET":
            return await handle(request)
        if (response := answers.get(key)) is None:
            response = await handle(request)
            if response.status == 200:
                answers[key] = response
        return response

    store.handle = cached  # type: ignore[method-assign]


async def warm(stores: list[FakeStore], creds: list[dict[str, Any]]) -> None:
    """List each store once in-process, at no latency, so its answers are in the cache."""

    async def listing(store: FakeStore, settings: dict[str, Any]) -> None:
        async with gc.create_connector(settings, http_client=store.http_client()) as connector:
            await connector.test_connection()
            await connector.count_products()
            async for _ in connector.iter_products():
                pass

    latencies = [store.latency for store in stores]
    for store in stores:
        store.latency = 0.0
    await asyncio.gather(*(listing(s, c) for s, c in zip(stores, creds, strict=True)))
    for store, latency in zip(stores, latencies, strict=True):
        store.latency = latency
        store.requests.clear()


def stats(store: FakeStore) -> dict[str, Any]:
    listing = [r.at for r in store.requests if r.path.endswith(LISTING_PATHS)]
    ids = store.product_ids()
    bucket = getattr(store, "bucket", None)
    return {
        "requests": len(store.requests),
        "listing_requests": len(listing),
        "first_listing_at": min(listing, default=None),
        "last_listing_at": max(listing, default=None),
        "bucket_level": bucket.level() if bucket is not None else None,
        "bucket_rejected": bucket.rejected if bucket is not None else None,
        "bucket_peak": bucket.peak if bucket is not None else None,
        "products": len(ids),
        "digest": catalog_digest(ids),
    }


def build(args: argparse.Namespace, index: int) -> FakeStore:
    latency, seed = args.latency_ms / 1000, args.seed + index
    if args.platform == "woocommerce":
        return FakeWooCommerceStore(products=args.products, latency=latency, seed=seed)
    return FakeShopifyStore(products=args.products, latency=latency, seed=seed, plan=args.plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("platform", choices=["woocommerce", "shopify"])
    parser.add_argument("--stores", type=int, default=1)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plan", default="standard")
    parser.add_argument("--cache", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    stores = [build(args, index) for index in range(args.stores)]
    with contextlib.ExitStack() as served:
        for store in stores:
            served.enter_context(store.serve())
        creds = [store.credentials() for store in stores]
        if args.cache:
            for store in stores:
                cache_answers(store)
            asyncio.run(warm(stores, creds))
        print(json.dumps(creds), flush=True)
        for line in sys.stdin:
            if line.strip() == "stats":
                print(json.dumps([stats(store) for store in stores]), flush=True)


if __name__ == "__main__":
    main()
