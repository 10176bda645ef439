"""Load benchmark: concurrent clients reading the dashboard while a large sync writes.

Run with `nox -s bench` (or `python benchmarks/bench_load.py [--quick]`). For SQLite and then
PostgreSQL (`G4HUB_BENCH_POSTGRES_URL`, default postgresql://postgres@127.0.0.1:5432/postgres; a
scratch database is created and dropped), it starts `g4hub serve --workers N` as a person would,
a fake WooCommerce store of 20,000 products in its own process, registers, connects the store
and starts its first sync; while that sync runs, 32 clients each alternate `GET
/api/dashboard/overview` and a catalog search (`GET /api/stores/{id}/products?q=...`, accent-free
words that must find accented names), for a fixed time. Before that, one client alone does
the same for a few seconds (the cost of one request, without queueing). Prints the machine's
load average at the start (other work on the machine inflates every figure), then per database
p50/p95/p99 latency and requests/s per kind, failed requests, how far the sync got and its pace
during the load (products/s: the background process runs at a lower priority, see
`--niceness`). Target (issue 12): p99 < 500 ms on both databases on a 2-core machine. The
clients share the machine with the server: the figures include that competition, as a real
single-host deployment would. The web processes are what the README recommends (`--workers`:
one per core: on 2 cores and 20,000 synced products, 2 answered 139 requests/s on SQLite
and 4 answered 129, p99 470 against 541 ms); `serve` runs the sync in one more,
background process.

--quick: 10 s of load (default 30 s). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
from _workers import fake_stores  # sibling script (its folder is on sys.path when run as one)
from sqlalchemy.engine import make_url

from g4hub_core.vault import generate_key

POSTGRES_ADMIN = os.environ.get(
    "G4HUB_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "quiet-harbor-lantern-8472"  # noqa: S105 (a scratch hub's account)
# Folded forms of the fake catalog's words: each must find accented names ("cafe" → "Café").
ALONE_SECONDS = 3.0  # one client alone before the load: a request's own cost
QUERIES = ["cafe", "creme", "grosse", "mug", "candle", "organic", "zolty", "nandu", "42", "7"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str]:
    name = f"g4hub_load_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_ADMIN).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def serve(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """`g4hub serve --workers N --port 0`; yields its URL once it answers."""
    with log.open("w") as errors:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "hub_api", "serve", "--workers", str(workers), "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if match := re.search(r"running at (http://\S+)", line):
                    yield match.group(1)
                    break
            else:
                raise RuntimeError(f"serve did not start; see {log}")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def client(
    url: str,
    token: str,
    store_id: str,
    clock: list[float],
    warm: asyncio.Semaphore,
    ready: asyncio.Event,
    seed: int,
    samples: dict[str, list[float]],
) -> int:
    """One client: warms up, waits for `ready`, then overview, search, overview, ... until
    `clock[0]`; returns its failures."""
    failures = 0
    queries = itertools.cycle(QUERIES[seed % len(QUERIES) :] + QUERIES[: seed % len(QUERIES)])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        # Warm-up, not measured: each process's first requests open its database connections
        # and import what the routes load lazily.
        for path in ("/api/dashboard/overview", f"/api/stores/{store_id}/products?q=mug"):
            await http.get(path)
        warm.release()
        await ready.wait()
        for turn in itertools.count():
            if time.monotonic() >= clock[0]:
                return failures
            if turn % 2 == 0:
                kind, path = "overview", "/api/dashboard/overview"
            else:
                kind, path = "search", f"/api/stores/{store_id}/products?q={next(queries)}"
            started = time.perf_counter()
            try:
                answer = await http.get(path)
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                samples[kind].append(time.perf_counter() - started)
            else:
                failures += 1
    return failures


async def load(
    url: str, creds: dict[str, Any], clients: int, seconds: float, *, sync_first: bool = False
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        account = await http.post(
            "/api/auth/register",
            json={"email": "load@example.com", "password": PASSWORD, "tenant_name": "Load"},
        )
        account.raise_for_status()
        http.cookies.clear()
        token = account.json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        added = await http.post("/api/stores", json={"name": "Big store", **creds})
        if added.status_code != 201:
            raise RuntimeError(f"adding the store: {added.status_code} {added.text}")
        store_id = added.json()["id"]
        sync = (await http.post(f"/api/stores/{store_id}/sync")).json()
        if sync_first:  # --idle: the load on a synced catalog, for comparison
            while (await http.get(f"/api/sync/logs/{sync['id']}")).json()["status"] in (  # noqa: ASYNC110
                "queued",
                "running",
            ):
                await asyncio.sleep(0.5)
        # The load starts once the sync runs (polling the API, as a dashboard does).
        while (await http.get(f"/api/sync/logs/{sync['id']}")).json()["status"] == "queued":  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        alone = await clients_for(url, token, store_id, 1, ALONE_SECONDS)
        before = (await http.get(f"/api/sync/logs/{sync['id']}")).json()
        result = await clients_for(url, token, store_id, clients, seconds)
        log = (await http.get(f"/api/sync/logs/{sync['id']}")).json()
    synced = log.get("products_fetched", 0) - before.get("products_fetched", 0)
    return {**result, "alone": alone, "sync": log, "synced_under_load": synced}


async def clients_for(
    url: str, token: str, store_id: str, clients: int, seconds: float
) -> dict[str, Any]:
    """`clients` clients at once for `seconds`: their samples, time and failures."""
    samples: dict[str, list[float]] = {"overview": [], "search": []}
    ready, warm = asyncio.Event(), asyncio.Semaphore(0)
    clock = [float("inf")]
    tasks = [
        asyncio.ensure_future(client(url, token, store_id, clock, warm, ready, seed, samples))
        for seed in range(clients)
    ]
    for _ in tasks:
        await warm.acquire()
    started = time.monotonic()
    clock[0] = started + seconds
    ready.set()
    failures = await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    return {"samples": samples, "elapsed": elapsed, "failures": sum(failures)}


def report(database: str, workers: int, clients: int, result: dict[str, Any]) -> None:
    samples: dict[str, list[float]] = result["samples"]
    every = samples["overview"] + samples["search"]
    sync = result["sync"]
    print(
        f"\n{database}, {workers} web processes and the background one (syncs): "
        f"{len(every)} requests in "
        f"{result['elapsed']:.1f} s = {len(every) / result['elapsed']:.0f} requests/s, "
        f"{result['failures']} failed; sync {sync['status']} at "
        f"{sync.get('products_fetched', 0)} products fetched, "
        f"{result['synced_under_load'] / result['elapsed']:.0f} products/s during the load"
    )
    alone = result["alone"]
    for label, figures in (("1 client", alone), (f"{clients} clients", result)):
        print(f"  {label} ({figures['failures']} failed):")
        for kind, values in (*figures["samples"].items(), ("all", _all(figures))):
            if not values:
                print(f"    {kind:8} no answers")
                continue
            print(
                f"    {kind:8} n={len(values):5}  {len(values) / figures['elapsed']:5.0f} req/s"
                f"  p50 {statistics.median(values) * 1000:6.0f} ms  "
                f"p95 {percentile(values, 0.95) * 1000:6.0f} ms  "
                f"p99 {percentile(values, 0.99) * 1000:6.0f} ms"
            )
    p99 = percentile(every, 0.99) * 1000 if every else float("inf")
    print(f"  target p99 < 500 ms: {'met' if p99 < 500 else 'NOT met'} ({p99:.0f} ms)")
    print(f"  machine load average after this run (1, 5, 15 min): {_loads()}")


def _loads() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _all(figures: dict[str, Any]) -> list[float]:
    return [value for values in figures["samples"].values() for value in values]


def run(database: str, args: argparse.Namespace, folder: Path) -> None:
    with contextlib.ExitStack() as stack:
        env = {key: value for key, value in os.environ.items() if not key.startswith("G4HUB_")}
        env |= {
            "G4HUB_DATA_DIR": str(folder / database),
            "G4HUB_SECRET_KEYS": generate_key("bench").encoded(),
            "G4HUB_ALLOW_PRIVATE_STORE_HOSTS": "true",
            "G4HUB_LOG_LEVEL": "WARNING",
            "G4HUB_LOG_JSON": "false",
        }
        if args.niceness is not None:
            env["G4HUB_BACKGROUND_NICENESS"] = str(args.niceness)
        if database == "postgresql":
            env["G4HUB_DATABASE_URL"] = stack.enter_context(scratch_postgres())
        stores = stack.enter_context(
            fake_stores("woocommerce", 1, args.products, "--latency-ms", str(args.latency_ms))
        )
        url = stack.enter_context(serve(env, args.workers, folder / f"{database}-serve.log"))
        result = asyncio.run(
            load(url, stores.creds[0], args.clients, args.seconds, sync_first=args.idle)
        )
    report(database, args.workers, args.clients, result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 s of load instead of 30 s")
    parser.add_argument("--clients", type=int, default=32)
    default_workers = os.cpu_count() or 1  # the README's advice: one per core
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers,
        help=f"web processes (default: one per core, {default_workers})",
    )
    parser.add_argument(
        "--niceness",
        type=int,
        help="G4HUB_BACKGROUND_NICENESS for the background process (default: the hub's)",
    )
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=float, default=5.0, help="the fake store's")
    parser.add_argument(
        "--idle", action="store_true", help="load after the sync ends, not during it"
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    args.seconds = 10.0 if args.quick else 30.0
    print(
        f"load: {args.clients} clients for {args.seconds:.0f} s, overview and search, during "
        f"the first sync of a {args.products:,}-product store ({os.cpu_count()} CPUs)"
    )
    print(f"machine load average at the start (1, 5, 15 min): {_loads()}")
    with tempfile.TemporaryDirectory(prefix="g4hub-load-") as folder:
        for database in args.database or ["sqlite", "postgresql"]:
            run(database, args, Path(folder))


if __name__ == "__main__":
    main()
