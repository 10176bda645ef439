"""The hub side of the worker benchmarks: a scratch database, a hub that only queues syncs,
stores added through the core, `g4hub worker` processes sharing the database, and the check that
every store ends up holding exactly its fake's catalog."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import attrs
import psycopg
from _workers import Worker, workers
from bench_core import KEY, _admin_dsn, scratch_postgres
from sqlalchemy import text

from g4hub_core import Hub, HubSettings
from g4hub_core.stores.schemas import StoreCreate
from g4hub_core.sync.queues import job_queue

PASSWORD = "bench-workers-Passphrase-2026"  # noqa: S105 - a scratch database's throwaway account
PICKUP_TIMEOUT = 60.0
PROFILE_DIR: Path | None = None
"""Set by `--profile DIR`: every worker runs under cProfile, its stats written there."""


@attrs.frozen
class Placed:
    tenant_id: uuid.UUID
    store_id: uuid.UUID


# -- the hub that queues --------------------------------------------------------------------------


def worker_env(dsn: str, data_dir: Path) -> dict[str, str]:
    """What a worker needs to share the hub's database and open its sealed credentials."""
    return {
        "G4HUB_DATABASE_URL": dsn,
        "G4HUB_DATA_DIR": str(data_dir),
        "G4HUB_SECRET_KEYS": KEY,
        "G4HUB_ALLOW_PRIVATE_STORE_HOSTS": "true",
        "G4HUB_LOG_LEVEL": "WARNING",
    }


def queue_kind() -> str:
    """The job queue the workers run on PostgreSQL (they share this process's environment)."""
    settings = HubSettings(database_url=_admin_dsn())
    return str(getattr(settings, "resolved_job_queue", "embedded"))


@contextlib.contextmanager
def start_workers(count: int, concurrency: int, dsn: str, data_dir: Path) -> Iterator[list[Worker]]:
    """`count` ready `g4hub worker` processes on `dsn`, each running `concurrency` syncs."""
    polling = queue_kind() == "embedded"
    env = worker_env(dsn, data_dir)
    with workers(count, concurrency, env, polling=polling, profile_dir=PROFILE_DIR) as running:
        yield running


@contextlib.asynccontextmanager
async def queueing_hub(dsn: str, data_dir: Path) -> AsyncIterator[Hub]:
    """A migrated hub on `dsn` that leaves every sync it queues to the workers."""
    settings = HubSettings(
        database_url=dsn, data_dir=data_dir, secret_keys=KEY, allow_private_store_hosts=True
    )
    # As `g4hub serve --no-sync`: on PostgreSQL procrastinate, deferring jobs without a worker.
    hub = Hub(settings, jobs=job_queue(run_syncs=False))
    await hub.upgrade()
    async with hub:
        yield hub


@contextlib.contextmanager
def scratch(purpose: str) -> Iterator[tuple[str, Path]]:
    with scratch_postgres(purpose) as dsn, tempfile.TemporaryDirectory() as tmp:
        yield dsn, Path(tmp)


def backends(dsn: str) -> list[int]:
    """The PostgreSQL server processes serving connections to `dsn`'s database."""
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (psycopg.conninfo.conninfo_to_dict(dsn)["dbname"],),
        ).fetchall()
    return [int(row[0]) for row in rows]


async def add_stores(hub: Hub, creds: list[dict[str, Any]]) -> list[Placed]:
    """One tenant per store (as separate merchants), each store added through the core, which
    tests its connection first."""
    placed = []
    for index, settings in enumerate(creds):
        async with hub.unit() as unit:
            account = await unit.accounts.register(
                email=f"owner{index}@bench.example", password=PASSWORD, tenant_name=f"T{index}"
            )
        async with hub.unit(account.tenant.id) as unit:
            store = await unit.stores.create(StoreCreate(name=f"Store {index}", **settings))
        placed.append(Placed(account.tenant.id, store.id))
    return placed


async def request_syncs(hub: Hub, placed: list[Placed]) -> list[uuid.UUID]:
    logs = []
    for store in placed:
        async with hub.unit(store.tenant_id) as unit:
            log = await unit.sync.request(store.store_id, trigger="manual", mode="full")
        logs.append(log.id)
    return logs


async def wait_finished(
    hub: Hub, logs: list[uuid.UUID], running: list[Worker], timeout: float
) -> dict[str, int]:
    """Poll (every 0.1 s) until no log is queued or running; returns the count by status."""
    query = text("SELECT status, count(*) FROM sync_logs WHERE id = ANY(:ids) GROUP BY status")
    started = time.monotonic()
    while True:
        async with hub.engine.connect() as conn:
            counts = {row[0]: row[1] for row in await conn.execute(query, {"ids": logs})}
        if not counts.get("queued") and not counts.get("running"):
            return counts
        for worker in running:
            worker.check_alive()
        waited = time.monotonic() - started
        if counts.get("queued") == len(logs) and waited > PICKUP_TIMEOUT:
            raise TimeoutError(
                f"the workers took no sync in {PICKUP_TIMEOUT:.0f} s: does the hub's queue "
                "(queueing_hub) reach the workers' one?"
            )
        if waited > timeout:
            raise TimeoutError(f"syncs unfinished after {timeout:.0f} s: {counts}")
        await asyncio.sleep(0.1)


async def log_times(hub: Hub, logs: list[uuid.UUID]) -> tuple[float, float]:
    """Seconds from the first sync's start to the last one's end, and the longest single sync,
    as the logs record them."""
    query = text(
        "SELECT extract(epoch FROM max(finished_at) - min(started_at)),"
        " extract(epoch FROM max(finished_at - started_at)) FROM sync_logs WHERE id = ANY(:ids)"
    )
    async with hub.engine.connect() as conn:
        span, longest = (await conn.execute(query, {"ids": logs})).one()
    return float(span), float(longest)


async def check_catalogs(
    hub: Hub, placed: list[Placed], logs: list[uuid.UUID], fakes: list[dict[str, Any]]
) -> list[str]:
    """What differs between each store's rows and its fake's catalog (nothing, when right): the
    ids (digest) and count of rows, the one log per store and its counters."""
    problems = []
    async with hub.engine.connect() as conn:
        for store, log_id, fake in zip(placed, logs, fakes, strict=True):
            ids = (
                await conn.execute(
                    text("SELECT platform_product_id FROM store_products WHERE store_id = :s"),
                    {"s": store.store_id},
                )
            ).scalars()
            rows = list(ids)
            digest = hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()
            status, created, fetched = (
                await conn.execute(
                    text(
                        "SELECT status, products_created, products_fetched FROM sync_logs"
                        " WHERE id = :l"
                    ),
                    {"l": log_id},
                )
            ).one()
            syncs = (
                await conn.execute(
                    text("SELECT count(*) FROM sync_logs WHERE store_id = :s"),
                    {"s": store.store_id},
                )
            ).scalar_one()
            if status != "succeeded" or syncs != 1:
                problems.append(f"store {store.store_id}: {syncs} syncs, the requested {status}")
            if len(rows) != fake["products"] or digest != fake["digest"]:
                problems.append(
                    f"store {store.store_id}: {len(rows)} rows, not its {fake['products']} products"
                )
            if created != fake["products"] or fetched != fake["products"]:
                problems.append(f"store {store.store_id}: log counts {created} created")
    return problems
