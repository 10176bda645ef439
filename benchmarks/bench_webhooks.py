"""Real-time benchmark: product changes delivered as signed WooCommerce webhooks at a steady rate
to the hub's public endpoint, timed from the delivery's POST to the change being visible in the
API (`GET /api/changes`, polled every 50 ms), on SQLite and on the machine's PostgreSQL.

Run with `nox -s bench` (or `python benchmarks/bench_webhooks.py [--quick]`). Prints p50/p95/max
latency, the deliveries lost, and how long the endpoint took to answer a delivery (verify and
store; Shopify waits 5 s) (changes not visible 60 s after the last was sent); asserts
nothing. The app runs in a process of its own (uvicorn on a loopback port, as one `g4hub serve`
process does: one event loop serves the endpoint and applies deliveries on SQLite; on
PostgreSQL deliveries are procrastinate jobs, run by the worker that process starts); the fake
store runs on a loopback port for the subscriptions.

Target (issue 14): p95 < 2 s at 50 deliveries/s, 0 lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import uvicorn
from sqlalchemy.engine import make_url

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub, HubSettings
from g4hub_core.vault import generate_key
from hub_api.app import create_app
from hub_api.settings import ApiSettings

PUBLIC_URL = "http://testserver.local"
POSTGRES_ADMIN_URL = os.environ.get(
    "G4HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _serve(settings: HubSettings, port: int) -> None:
    """The child process: the app under uvicorn on `port`, as `g4hub serve` runs it."""
    app = create_app(settings, ApiSettings(jwt_secret="bench-" + "x" * 40, log_json=False))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


@contextlib.contextmanager
def _serving(settings: HubSettings) -> Iterator[str]:
    """The app in a process of its own on a loopback port (as `g4hub serve` runs it), so the
    deliveries arrive over real connections, concurrently, and the sender's Python does not
    share the hub's (in one process the two threads' turns at the interpreter lock would be
    most of what is measured)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(settings, port), daemon=True
    )
    process.start()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code < 500:
                break
        except httpx.HTTPError:
            pass
        assert process.is_alive(), "the hub did not start"
        assert time.monotonic() < deadline, "the hub did not start in a minute"
        time.sleep(0.1)
    try:
        yield base_url
    finally:
        process.terminate()
        process.join(30)


@contextlib.contextmanager
def _rebased(store: FakeWooCommerceStore, base_url: str) -> Iterator[None]:
    """Subscriptions were made for PUBLIC_URL; deliveries go to the served app instead."""
    original = store.webhooks.send

    async def send(client: httpx.AsyncClient, deliveries: Any = None) -> list[int]:
        if deliveries is None:
            deliveries, store.webhooks.outbox = store.webhooks.outbox, []
        moved = [
            dataclasses.replace(d, url=d.url.replace(PUBLIC_URL, base_url)) for d in deliveries
        ]
        return await original(client, moved)

    store.webhooks.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        store.webhooks.send = original  # type: ignore[method-assign]


async def _run(database_url: str, data_dir: Path, changes: int, rate: float) -> dict[str, Any]:
    settings = HubSettings(
        database_url=database_url,
        data_dir=data_dir,
        secret_keys=generate_key("bench").encoded(),
        allow_private_store_hosts=True,
        public_url=PUBLIC_URL,
    )
    migrating = Hub(settings)
    await migrating.upgrade()
    await migrating.engine.dispose()
    store = FakeWooCommerceStore(products=changes + 20)
    with store.serve(), _serving(settings) as base_url, _rebased(store, base_url):
        client = httpx.AsyncClient(base_url=base_url, timeout=30)
        registered = await client.post(
            "/api/auth/register",
            json={
                "email": "owner@example.com",
                "password": "plum-orchard-42",
                "tenant_name": "B",
            },
        )
        assert registered.status_code == 201, registered.text
        headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
        client.cookies.clear()
        added = await client.post(
            "/api/stores",
            json={"name": "Bench", **store.credentials(), "sync": True},
            headers=headers,
        )
        assert added.status_code == 201, added.text
        store_id = added.json()["id"]
        while True:
            logs = await client.get(f"/api/sync/logs?store_id={store_id}", headers=headers)
            if logs.json()["items"][0]["status"] not in ("queued", "running"):
                break
            await asyncio.sleep(0.1)
        await store.webhooks.send(client)  # the pings
        feed = await client.get("/api/changes?limit=1000", headers=headers)
        cursor = feed.json()["next_cursor"]
        while feed.json()["has_more"]:
            feed = await client.get(f"/api/changes?cursor={cursor}&limit=1000", headers=headers)
            cursor = feed.json()["next_cursor"]

        ids = store.product_ids()
        # One delivery at a time first: what one costs alone, beside its cost in the stream.
        alone: list[float] = []
        for product_id in ids[changes : changes + 20]:
            store.webhooks.edit(product_id, name="Alone")
            deliveries, store.webhooks.outbox = store.webhooks.outbox, []
            began = time.perf_counter()
            for delivery in deliveries:
                url = delivery.url.replace(PUBLIC_URL, base_url)
                await client.post(url, content=delivery.body, headers=delivery.headers)
            alone.append(time.perf_counter() - began)
        sent: dict[str, float] = {}
        seen: dict[str, float] = {}
        done = asyncio.Event()

        async def watch() -> None:
            nonlocal cursor
            while not done.is_set() or len(seen) < len(sent):
                page = await client.get(f"/api/changes?cursor={cursor}&limit=1000", headers=headers)
                now = time.perf_counter()
                body = page.json()
                for item in body["items"]:
                    if item["platform_product_id"] in sent:  # not the ones sent alone
                        seen.setdefault(item["platform_product_id"], now)
                cursor = body["next_cursor"]
                if done.is_set() and time.perf_counter() - finished > 60:
                    return
                await asyncio.sleep(0.05)

        finished = float("inf")
        watcher = asyncio.create_task(watch())
        statuses: list[int] = []
        answered: list[float] = []
        errors: dict[str, int] = {}
        # As the platforms send: each delivery answered within 5 s (Shopify's limit), however
        # many are under way.
        sender = httpx.AsyncClient(
            timeout=httpx.Timeout(5, pool=None), limits=httpx.Limits(max_connections=None)
        )

        async def deliver(deliveries: list[Any]) -> None:
            began = time.perf_counter()
            for delivery in deliveries:
                url = delivery.url.replace(PUBLIC_URL, base_url)
                try:
                    response = await sender.post(
                        url, content=delivery.body, headers=delivery.headers
                    )
                    statuses.append(response.status_code)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            answered.append(time.perf_counter() - began)

        # A store does not wait for one delivery's answer before the next change's: each
        # is sent on its own schedule, so a slow hub shows as latency, not as a lower rate.
        senders: list[asyncio.Task[None]] = []
        start = time.perf_counter()
        for n, product_id in enumerate(ids[:changes]):
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
            store.webhooks.edit(product_id, name=f"Changed {n}")
            deliveries, store.webhooks.outbox = store.webhooks.outbox, []
            sent[product_id] = time.perf_counter()
            senders.append(asyncio.create_task(deliver(deliveries)))
        await asyncio.gather(*senders)
        assert set(statuses) <= {200}, set(statuses)
        finished = time.perf_counter()
        done.set()
        await watcher
        await client.aclose()
        await sender.aclose()
    latencies = sorted(seen[p] - sent[p] for p in sent if p in seen)
    answered.sort()
    return {
        "alone": statistics.median(alone),
        "unanswered": errors,
        "receive_p50": statistics.median(answered),
        "receive_p95": answered[int(0.95 * (len(answered) - 1))],
        "sent": len(sent),
        "lost": len(sent) - len(latencies),
        "rate": len(sent) / (finished - start),
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "max": latencies[-1],
    }


def _report(name: str, figures: dict[str, Any]) -> None:
    print(
        f"{name:>10}: {figures['sent']} deliveries at {figures['rate']:.1f}/s -> visible in the "
        f"API p50 {figures['p50'] * 1000:.0f} ms, p95 {figures['p95'] * 1000:.0f} ms, "
        f"max {figures['max'] * 1000:.0f} ms; lost {figures['lost']}; answered (verified and "
        f"stored) p50 {figures['receive_p50'] * 1000:.0f} ms, "
        f"p95 {figures['receive_p95'] * 1000:.0f} ms; unanswered within 5 s: "
        f"{sum(figures['unanswered'].values())} {figures['unanswered'] or ''}; one delivery alone "
        f"answered in {figures['alone'] * 1000:.0f} ms (p50)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="200 changes instead of 1,000")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    changes = 200 if args.quick else 1000
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        _report("SQLite", await _run(sqlite, Path(tmp) / "sqlite", changes, args.rate))
        if args.no_postgres:
            return
        admin = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
        dsn = admin.render_as_string(hide_password=False)
        name = f"g4hub_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = admin.set(drivername="postgresql+psycopg", database=name)
            figures = await _run(
                url.render_as_string(hide_password=False), Path(tmp) / "pg", changes, args.rate
            )
            _report("PostgreSQL", figures)
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
