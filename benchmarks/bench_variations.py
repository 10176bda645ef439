"""What asking for WooCommerce variations costs a sync (issue 15: variant SKUs are real).

A fake WooCommerce store in a child process on a loopback port (about 15 % of its products are
variable, 2-4 variations each), answering each request after `--latency-ms`:

- the connector's listing, `iter_products()` without and with `include_variants=True`:
  products/s, requests, and the most requests in flight (bounded by `max_concurrency`, pages and
  variations sharing one limit);
- the hub's full sync into SQLite (the real path, `SyncService.request` then the embedded
  runner): as before this change (the listing without variants, forced here) and as now.

Run: `uv run python benchmarks/bench_variations.py [--products N] [--latency-ms MS]
[--wc-version V]` (10.3+ lists every variation a hundred at a time; older stores are asked per
variable product). Prints
figures and the load average (the machine is shared); asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from bench_connectors import served
from bench_core import migrated_hub, new_store, timed_sync

import g4hub_connectors as gc
from g4hub_connectors import Product
from g4hub_connectors.woocommerce import WooCommerceConnector


class _Counter:
    """Requests sent and the most in flight at once, from httpx's event hooks."""

    def __init__(self) -> None:
        self.sent = 0
        self.in_flight = 0
        self.most = 0

    async def request(self, request: httpx.Request) -> None:
        self.sent += 1
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)

    async def response(self, response: httpx.Response) -> None:
        self.in_flight -= 1


async def listing(creds: dict[str, Any], *, variants: bool) -> tuple[float, int, int, _Counter]:
    counter = _Counter()
    hooks = {"request": [counter.request], "response": [counter.response]}
    async with (
        httpx.AsyncClient(event_hooks=hooks, timeout=60) as client,  # type: ignore[arg-type]
        gc.create_connector(creds, http_client=client) as connector,
    ):
        await connector.count_products()  # discovery and currency, not counted
        counter.sent = 0
        started = time.perf_counter()
        products = [p async for p in connector.iter_products(include_variants=variants)]
        seconds = time.perf_counter() - started
    return seconds, len(products), sum(len(p.variants) for p in products), counter


@contextlib.contextmanager
def listing_without_variants() -> Iterator[None]:
    """The engine's listing as it was before variants were asked for."""
    original = WooCommerceConnector.iter_products

    def without(
        self: WooCommerceConnector,
        *,
        updated_since: datetime | None = None,
        include_variants: bool = False,
    ) -> AsyncIterator[Product]:
        return original(self, updated_since=updated_since, include_variants=False)

    WooCommerceConnector.iter_products = without  # type: ignore[method-assign]
    try:
        yield
    finally:
        WooCommerceConnector.iter_products = original  # type: ignore[method-assign]


async def hub_sync(creds: dict[str, Any], *, variants: bool) -> tuple[float, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        async with migrated_hub(url, Path(tmp)) as hub:
            tenant_id, store_id = await new_store(hub, creds)
            with contextlib.nullcontext() if variants else listing_without_variants():
                seconds, log = await timed_sync(hub, tenant_id, store_id)
    return seconds, log


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument(
        "--wc-version", default="10.4.1", help="before 10.3: one request per variable product"
    )
    args = parser.parse_args()
    print(f"# WooCommerce variations in a sync ({os.cpu_count()} cores, {sys.version.split()[0]})")
    print(
        f"{args.products:,} products, {args.latency_ms:g} ms per request, WooCommerce "
        f"{args.wc_version}, max_concurrency 4"
    )
    extra = ("--wc-version", args.wc_version)
    with served("woocommerce", args.products, args.latency_ms, *extra) as creds:
        print("\n## Connector listing")
        print(f"{'variants':<9} {'seconds':>8} {'products/s':>11} {'variants':>9} {'requests':>9}"
              f" {'in flight':>10}")  # fmt: skip
        for variants in (False, True):
            seconds, count, held, counter = await listing(creds, variants=variants)
            print(f"{'yes' if variants else 'no':<9} {seconds:>8.2f} {count / seconds:>11,.0f}"
                  f" {held:>9,} {counter.sent:>9,} {counter.most:>10}")  # fmt: skip
        print("\n## Hub full sync into SQLite")
        print(f"{'variants':<9} {'seconds':>8} {'products/s':>11} {'status':>10}")
        for variants in (False, True):
            seconds, log = await hub_sync(creds, variants=variants)
            rate = (log.products_created or 0) / seconds
            print(f"{'yes' if variants else 'no':<9} {seconds:>8.2f} {rate:>11,.0f}"
                  f" {log.status:>10}")  # fmt: skip
    print(f"\nload average: {os.getloadavg()}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main())
