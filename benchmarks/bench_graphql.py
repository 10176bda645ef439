"""Shopify GraphQL benchmarks: paged listing against the cost bucket's own minimum, bulk export end
to end against the REST minimum, memory while a bulk file streams, and the SDK's own decode+map
rate for GraphQL pages and JSONL lines.

Run with `nox -s bench` (or `python benchmarks/bench_graphql.py [--quick]`). Prints figures;
asserts nothing. The catalog: `--products` products (100,000; 10,000 with `--quick`) on the
Standard plan (1,000 points, 100 points/s), 10 % of them with 100-300 variants.

Time is simulated where the fake store supports it: the store and the connector share a virtual
clock, so the bucket's waits and the bulk operations' run time pass instantly and are reported
as simulated seconds; the SDK's own work (and the fake's) is real wall time, added on top (not
overlapped with the simulated time, though Shopify would keep exporting while we download). The
operations' run time is the fake's assumed export rate (`EXPORT_RATE`, 20,000 objects/s of the
store's clock for each operation): Shopify documents no rate (its changelog says only that bulk
queries became "up to 4X faster" in 2026-06), so that part of the figure is an assumption. What
it documents is that from 2026-01 up to five bulk queries may run at once per shop, to split
large exports into parallel jobs: the connector splits the catalog into id ranges and runs them
side by side, and the fake runs each at that rate.

Targets (issue 13): paged listing <= 1.1x the bucket's minimum; bulk export end to end <= 0.5x the
REST minimum for the same catalog; memory flat under 200 MB while the bulk file streams; decode +
map >= 20,000 products/s on one core.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import gc
import heapq
import itertools
import math
import os
import re
import resource
import socket
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pydantic_core

from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.shopify_graphql import ShopifyGraphQLConnector
from g4hub_connectors.shopify_graphql.bulk import bulk_products_query, stream_products
from g4hub_connectors.shopify_graphql.client import load_query
from g4hub_connectors.shopify_graphql.connector import MEDIA_FIRST, VARIANTS_FIRST
from g4hub_connectors.shopify_graphql.mapping import map_graphql_products
from g4hub_connectors.shopify_graphql.payloads import product_page_adapter
from g4hub_connectors.testing import FakeShopifyGraphQLStore

REST_PAGE = 250
REST_BUCKET = 40
REST_LEAK = 2.0


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def big_variants(index: int) -> int | None:
    """10 % of the catalog: 100-300 variants, spread evenly over the ids."""
    return 100 + (index * 7_919) % 201 if index % 10 == 3 else None


def make_store(products: int, clock: Any, plan: str = "standard") -> FakeShopifyGraphQLStore:
    store = FakeShopifyGraphQLStore(products=products, plan=plan, clock=clock)
    store.graphql.views.variant_plan = big_variants
    return store


def rss_mb() -> float:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rest_minimum(products: int) -> float:
    """Seconds the REST Admin API needs at least on Standard: one request per 250 products, the
    first 40 at once, then 2 a second (PLATFORMS.md, "Bounds on sync time")."""
    return max(math.ceil(products / REST_PAGE) - REST_BUCKET, 0) / REST_LEAK


# -- paged listing ---------------------------------------------------------------------------------


async def bench_paged(products: int) -> None:
    clock = VirtualClock()
    store = make_store(products, clock)
    config = ShopifyConfig.model_validate(store.credentials())
    connector = ShopifyGraphQLConnector(
        config, http_client=store.http_client(), clock=clock, sleep=clock.sleep, bulk_threshold=None
    )
    started = time.perf_counter()
    count = variants = 0
    async with connector:
        async for product in connector.iter_products(bulk=False):
            count += 1
            variants += len(product.variants)
    wall = time.perf_counter() - started
    bucket = store.graphql.bucket
    spent = sum(actual or 0 for _, _, actual in store.graphql.queries)
    minimum = max(spent - bucket.maximum, 0) / bucket.restore
    queries = len(store.graphql.queries)
    print(
        f"paged listing, {products:,} products ({variants:,} variants), Standard plan:\n"
        f"  {queries:,} queries, {spent:,.0f} points actually spent, {bucket.throttled} THROTTLED\n"
        f"  simulated {clock.now:,.0f} s vs the bucket's minimum {minimum:,.0f} s "
        f"= {clock.now / minimum if minimum else float('nan'):.3f}x (target <= 1.1x)\n"
        f"  wall time {wall:.1f} s (fake store and SDK on one core)"
    )
    assert count == products


# -- bulk export -----------------------------------------------------------------------------------


class SharedClock:
    """Virtual time for concurrent sleepers (the export's ranges poll side by side): time moves to
    the earliest wake-up among the tasks asleep, so five ranges waiting 5 s each take 5 s, not 25.
    Before time moves, the other tasks get a few turns to run and fall asleep themselves."""

    SETTLE = 8

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), wake))
        while not wake.done():
            for _ in range(self.SETTLE):
                await asyncio.sleep(0)
            if wake.done() or not self._sleepers:
                break
            when, _, first = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            first.set_result(None)


class BulkFile:
    """The JSONL the fake would serve for the SDK's bulk query over the whole catalog (grouped),
    written to disk once, so the timed downloads stream a file instead of waiting on the fake's
    rendering; `byte_range` finds an id range's lines in it (ids ascend through the file)."""

    def __init__(self, store: FakeShopifyGraphQLStore, path: Path) -> None:
        self.path = path
        self.ids: list[int] = []
        self.offsets: list[int] = []
        answer = store.graphql.bulk.run(bulk_products_query(None), group_objects=True)
        number = int(answer["bulkOperation"]["id"].rpartition("/")[2])
        operation = store.graphql.bulk.operations.pop(number)
        self.lines = self.size = 0
        with path.open("wb") as out:
            for row in store.graphql.bulk.rows(operation):
                if b'"__parentId"' not in row:
                    self.ids.append(int(pydantic_core.from_json(row)["legacyResourceId"]))
                    self.offsets.append(self.size)
                out.write(row)
                self.lines += 1
                self.size += len(row)

    def byte_range(self, search: str | None) -> tuple[int, int]:
        """Where the products with `id:>=A` and `id:<B` in `search` are (the whole file without)."""
        lower = re.search(r"id:>=(\d+)", search or "")
        upper = re.search(r"id:<(\d+)", search or "")
        start = bisect.bisect_left(self.ids, int(lower[1])) if lower else 0
        end = bisect.bisect_left(self.ids, int(upper[1])) if upper else len(self.ids)
        offsets = [*self.offsets, self.size]
        return offsets[start], offsets[end]


class FileServer:
    """Shopify's storage host, on another origin: each operation's result is its id range of the
    bulk file, served in 1 MiB chunks."""

    def __init__(self, bulk: BulkFile, store: FakeShopifyGraphQLStore) -> None:
        self.bulk = bulk
        self.store = store
        self.requests: list[dict[str, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.requests.append({k.decode(): v.decode() for k, v in scope["headers"]})
        number = int(scope["path"].rpartition("/")[2].removesuffix(".jsonl"))
        search = self.store.graphql.bulk.operations[number].root.args.get("query")
        start, end = self.bulk.byte_range(search if isinstance(search, str) else None)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/jsonl")],
            }
        )
        with self.bulk.path.open("rb") as source:
            source.seek(start)
            while start < end:
                chunk = source.read(min(1 << 20, end - start))
                start += len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://localhost:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def bench_bulk(products: int) -> None:
    clock = SharedClock()
    store = make_store(products, clock)
    with tempfile.TemporaryDirectory() as folder:
        prepared = time.perf_counter()
        bulk = BulkFile(store, Path(folder) / "bulk.jsonl")
        prepared = time.perf_counter() - prepared
        files = FileServer(bulk, store)
        with serve(files) as origin:
            store.graphql.bulk.storage_host = origin
            http = httpx.AsyncClient(
                transport=store.transport(),
                mounts={f"{origin}/": httpx.AsyncHTTPTransport()},
                timeout=60,
            )
            # A local store over plain HTTP, as the loopback storage host is: an HTTPS store's
            # connector refuses a plain-HTTP download URL.
            config = ShopifyConfig.model_validate(
                store.credentials(store_url="http://fake-store.localhost")
            )
            connector = ShopifyGraphQLConnector(
                config, http_client=http, clock=clock, sleep=clock.sleep
            )
            start_rss = peak_rss = rss_mb()
            started = time.perf_counter()
            cpu = time.process_time()
            # The connector's own thread: the storage host's server runs in another thread of
            # this process, and Shopify's storage is not the hub's CPU.
            sdk_cpu = time.thread_time()
            count = 0
            async with connector:
                async for _product in connector.iter_products(bulk=True):
                    count += 1
                    if count % 5_000 == 0:
                        peak_rss = max(peak_rss, rss_mb())
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
            sdk_cpu = time.thread_time() - sdk_cpu
            await http.aclose()
    peak_rss = max(peak_rss, rss_mb())
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    simulated = clock.now
    total = simulated + wall
    rest = rest_minimum(products)
    rate = store.graphql.bulk.rate
    operations = list(store.graphql.bulk.operations.values())
    # The fake's model of Shopify's side: each range's operation from its start to its end.
    ends = [op.started + 0.1 + op.objects / rate for op in operations]
    running = max(ends) - min(op.started for op in operations)
    longest = max(0.1 + op.objects / rate for op in operations)
    late = simulated - max(ends)  # from the last completion to the poll that saw it
    polls = sum(1 for q in store.graphql.queries if q[0] == "BulkStatus")
    planning = sum(1 for q in store.graphql.queries if q[0] in ("ProductIdBounds", "ProductIdCuts"))
    token_sent = any("x-shopify-access-token" in r for r in files.requests)
    print(
        f"bulk export, {products:,} products, {bulk.lines:,} JSONL objects "
        f"({bulk.size / 2**20:,.0f} MiB; written by the fake in {prepared:.1f} s, not counted), "
        f"load average {load}:\n"
        f"  split into {len(operations)} id ranges ({planning} planning queries), "
        f"{store.graphql.bulk.peak_running} bulk operations at once at most\n"
        f"  Shopify's side, simulated: the ranges' operations {running:,.1f} s in all "
        f"(the longest {longest:,.1f} s) at the fake's assumed {rate:,.0f} objects/s each, "
        f"the last seen completed {late:.1f} s later ({polls} status polls)\n"
        f"  our side, wall: download, decode, map {wall:.1f} s "
        f"({bulk.lines / wall:,.0f} lines/s); CPU {sdk_cpu:.1f} s in the connector's thread "
        f"({bulk.lines / sdk_cpu:,.0f} lines/s), {cpu:.1f} s with the storage host's server\n"
        f"  end to end {total:,.1f} s (simulated + wall, not overlapped) vs the REST minimum "
        f"{rest:,.0f} s = {total / rest if rest else float('nan'):.2f}x (target <= 0.5x)\n"
        f"  with the connector's CPU time instead of its wall time (the machine is shared): "
        f"{simulated + sdk_cpu:,.1f} s = "
        f"{(simulated + sdk_cpu) / rest if rest else float('nan'):.2f}x\n"
        f"  memory while streaming: {start_rss:,.0f} MB at start, peak {peak_rss:,.0f} MB "
        f"(+{peak_rss - start_rss:,.0f} MB; target flat, < 200 MB)\n"
        f"  access token sent to the storage host: {token_sent}\n"
        f"  (Shopify documents no export rate: with one operation at {rate:,.0f} objects/s the "
        f"export alone would take {0.1 + bulk.lines / rate:,.0f} s. REST's minimum counts 250 "
        "products a request, but REST returns at most 100 variants a product: it cannot list "
        "the 10 % with 100-300 variants completely at all.)"
    )
    assert count == products


# -- the SDK's own work ----------------------------------------------------------------------------


async def page_bodies(store: FakeShopifyGraphQLStore, pages: int, first: int) -> list[bytes]:
    """Raw answers to the connector's products query, as the wire brings them."""
    bodies = []
    after = None
    async with store.http_client() as http:
        for _ in range(pages):
            response = await http.post(
                f"{store.url}/admin/api/2026-10/graphql.json",
                json={
                    "query": load_query("products"),
                    "variables": {
                        "first": first,
                        "after": after,
                        "variantsFirst": VARIANTS_FIRST,
                        "mediaFirst": MEDIA_FIRST,
                    },
                },
                headers={"X-Shopify-Access-Token": store.access_token},
            )
            bodies.append(response.content)
            after = pydantic_core.from_json(response.content)["data"]["products"]["pageInfo"][
                "endCursor"
            ]
    return bodies


def decode_and_map_pages(bodies: list[bytes]) -> int:
    count = 0
    for body in bodies:
        raw = pydantic_core.from_json(body)["data"]["products"]
        page = product_page_adapter.validate_python(raw)
        count += len(map_graphql_products(page["nodes"], raw["nodes"], currency="EUR"))
    return count


class _Lines:
    """Stands in for the client: the JSONL file, already in memory, in the 64 KiB blocks of
    whole lines a download brings."""

    def __init__(self, lines: list[bytes]) -> None:
        self.blocks: list[bytes] = []
        block: list[bytes] = []
        size = 0
        for line in lines:
            block.append(line + b"\n")
            size += len(line) + 1
            if size >= 65_536:
                self.blocks.append(b"".join(block))
                block, size = [], 0
        if block:
            self.blocks.append(b"".join(block))

    async def stream_blocks(self, url: str) -> AsyncIterator[bytes]:
        for block in self.blocks:
            yield block


async def decode_and_map_jsonl(lines: list[bytes]) -> int:
    count = 0
    source: Any = _Lines(lines)
    async for batch in stream_products(source, "memory:"):
        count += len(map_graphql_products(batch, batch, currency="EUR"))  # type: ignore[arg-type]
    return count


def decode_only(lines: list[bytes]) -> int:
    """The JSON decoding alone, as the SDK does it (each block as one array): the floor for the
    JSONL rate, since every line becomes Python objects for `Product.raw`."""
    rows = 0
    for block in _Lines(lines).blocks:
        text = block.strip(b"\n").replace(b"\n", b",")
        rows += len(pydantic_core.from_json(b"[" + text + b"]", cache_strings="keys"))
    return rows


async def bench_sdk_work(products: int, rounds: int) -> None:
    for label, plan in (("generated catalog (1-4 variants)", None), ("10 % with 100-300", "big")):
        store = FakeShopifyGraphQLStore(products=products, plan="plus")
        # Gathering the pages is not what is measured: no bucket in the way.
        store.graphql.bucket.restore = 1e9
        if plan:
            store.graphql.views.variant_plan = big_variants
        bodies = await page_bodies(store, pages=products // 16, first=16)
        lines = [
            line for row in store.graphql.bulk.rows(_operation(store)) for line in row.splitlines()
        ]
        best_pages = best_lines = best_decode = math.inf
        # The inputs (and the fake store) are long-lived: keep the garbage collector from
        # walking them on every collection, as it would not in a hub process.
        gc.collect()
        gc.freeze()
        # CPU time of this process: the machine may be shared, and the target is per core.
        for _ in range(rounds):
            started = time.process_time()
            done = decode_and_map_pages(bodies)
            best_pages = min(best_pages, time.process_time() - started)
            started = time.process_time()
            assert await decode_and_map_jsonl(lines) == products
            best_lines = min(best_lines, time.process_time() - started)
            started = time.process_time()
            assert decode_only(lines) == len(lines)
            best_decode = min(best_decode, time.process_time() - started)
        gc.unfreeze()
        load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
        print(
            f"SDK decode+map, {label}, CPU time, best of {rounds} (load average {load}):\n"
            f"  GraphQL pages: {done / best_pages:,.0f} products/s "
            f"(16 a page, first {VARIANTS_FIRST} variants each)\n"
            f"  JSONL lines:   {products / best_lines:,.0f} products/s "
            f"({len(lines) / best_lines:,.0f} lines/s, {len(lines) / products:.1f} lines a "
            "product, every variant) (target >= 20,000 products/s)\n"
            f"  JSONL decoding alone, unchecked and unmapped: {products / best_decode:,.0f} "
            "products/s"
        )


def _operation(store: FakeShopifyGraphQLStore) -> Any:
    answer = store.graphql.bulk.run(bulk_products_query(None), group_objects=True)
    number = int(answer["bulkOperation"]["id"].rpartition("/")[2])
    return store.graphql.bulk.operations.pop(number)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10,000 products instead of 100,000")
    parser.add_argument("--products", type=int, default=None)
    parser.add_argument(
        "--parts", default="sdk,bulk,paged", help="which parts to run (default: all three)"
    )
    args = parser.parse_args()
    products = args.products or (10_000 if args.quick else 100_000)
    parts = set(args.parts.split(","))
    print(f"# Shopify GraphQL benchmarks ({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    if "sdk" in parts:
        asyncio.run(bench_sdk_work(2_000 if args.quick else 5_000, rounds=3 if args.quick else 5))
    if "bulk" in parts:
        asyncio.run(bench_bulk(products))
    if "paged" in parts:
        asyncio.run(bench_paged(products))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"# peak RSS of the whole run {usage.ru_maxrss / 1024:,.0f} MB (fake stores included)")


if __name__ == "__main__":
    main()
