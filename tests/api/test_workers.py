"""`g4hub worker` processes on PostgreSQL (procrastinate), run as an operator runs them: two
workers share 20 stores, a worker killed mid-sync or stopped with SIGTERM loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO

import httpx
import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub, HubSettings
from g4hub_core.db import create_engine, upgrade
from g4hub_core.models import StoreProduct
from g4hub_core.sync.jobs import RELEASED_MESSAGE
from g4hub_core.sync.procrastinate_queue import ProcrastinateQueue
from g4hub_core.sync.schemas import SyncLogRead
from g4hub_core.vault import generate_key
from tests.api.conftest import PASSWORD
from tests.api.tcp_proxy import CuttableProxy
from tests.api.test_cli import TIMEOUT, environment
from tests.core.conftest import POSTGRES_ADMIN_URL
from tests.core.sync.helpers import add_store

KEY = generate_key("test").encoded()
# Short enough that a dead worker is noticed within a couple of seconds.
QUICK = {
    "sync_worker_heartbeat_seconds": "0.3",
    "sync_worker_stalled_seconds": "1.5",
    "sync_schedule_check_seconds": "1",
    "sync_retry_backoff_seconds": "0.2",
    "sync_batch_size": "50",
}


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh PostgreSQL database at the newest schema (the job queue's included)."""
    name = f"g4hub_workers_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)

    async def migrate() -> None:
        engine = create_engine(HubSettings(database_url=url).resolved_database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(migrate())
    yield url
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def web(database: str, tmp_path: Path) -> AsyncIterator[Hub]:
    """The hub of a `serve --no-sync`: it queues syncs, the workers run them."""
    settings = HubSettings(
        database_url=database,
        data_dir=tmp_path / "web",
        secret_keys=KEY,
        allow_private_store_hosts=True,
    )
    hub = Hub(settings, jobs=lambda runtime: ProcrastinateQueue(runtime, run_worker=False))
    async with hub:
        yield hub


class Workers:
    """`g4hub worker` processes on the test's database, their logs in one file."""

    def __init__(self, database: str, folder: Path) -> None:
        self.env = environment(
            folder / "data",
            database_url=database,
            secret_keys=KEY,
            allow_private_store_hosts="true",
            **QUICK,
        )
        self.log_path = folder / "workers.log"
        self._log: IO[str] = self.log_path.open("w")
        self.processes: list[asyncio.subprocess.Process] = []

    async def start(self, *args: str) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hub_api",
            "worker",
            *args,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
        )
        self.processes.append(process)
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), TIMEOUT)
        assert b"running procrastinate jobs" in line, line + self.output().encode()
        return process

    async def stop(self, process: asyncio.subprocess.Process) -> str:
        """SIGTERM, then its remaining output once it exits."""
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
        return out.decode()

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    async def close(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        self._log.close()


@pytest.fixture
async def workers(database: str, tmp_path: Path) -> AsyncIterator[Workers]:
    started = Workers(database, tmp_path)
    yield started
    await started.close()


async def request(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID) -> uuid.UUID:
    async with hub.unit(tenant_id) as unit:
        return (await unit.sync.request(store_id)).id


async def log_of(hub: Hub, tenant_id: uuid.UUID, log_id: uuid.UUID) -> SyncLogRead:
    async with hub.unit(tenant_id) as unit:
        return await unit.sync.get(log_id)


async def until(hub: Hub, tenant_id: uuid.UUID, log_id: uuid.UUID, check: object) -> SyncLogRead:
    """Poll the log until `check(log)` holds (bounded by TIMEOUT: a hang, not a timing)."""
    assert callable(check)
    deadline = time.monotonic() + TIMEOUT
    while not check(log := await log_of(hub, tenant_id, log_id)):
        assert time.monotonic() < deadline, f"the sync never got there: {log!r}"
        await asyncio.sleep(0.05)
    return log


async def product_ids(hub: Hub, store_id: uuid.UUID) -> list[str]:
    """The store's rows' product ids, duplicates kept (there must be none)."""
    async with hub.unit() as unit:
        found = await unit.session.scalars(
            select(StoreProduct.platform_product_id).where(StoreProduct.store_id == store_id)
        )
        return sorted(found)


async def test_two_workers_sync_20_stores_each_once_per_request(web: Hub, workers: Workers) -> None:
    stores = [FakeWooCommerceStore(products=30 + index, seed=index + 1) for index in range(20)]
    with contextlib.ExitStack() as serving:
        for store in stores:
            serving.enter_context(store.serve())
        added = [await add_store(web, store) for store in stores]
        first, second = await workers.start(), await workers.start("--concurrency", "3")

        for round_ in (1, 2):
            logs = [await request(web, tenant, store) for tenant, store in added]
            done = [
                await until(web, tenant, log, lambda log: not log.active)
                for (tenant, _), log in zip(added, logs, strict=True)
            ]
            for store, (_, store_id), log in zip(stores, added, done, strict=True):
                size = len(store.product_ids())
                assert (log.status, log.products_fetched) == ("succeeded", size), log
                # The first sync creates every product; the second finds them unchanged.
                created = size if round_ == 1 else 0
                assert (log.products_created, log.products_updated) == (created, 0), log
                assert await product_ids(web, store_id) == sorted(store.product_ids())
                # One count and one page per request: no sync ran twice, none was skipped
                # (a variable product's variations are asked at /products/N/variations).
                listings = [r for r in store.requests if r.path.endswith("/products")]
                assert len(listings) == 2 * round_

        outputs = [await workers.stop(first), await workers.stop(second)]

    assert [first.returncode, second.returncode] == [0, 0], workers.output()
    assert all("g4hub worker: stopped." in out for out in outputs)
    assert "Traceback" not in workers.output(), workers.output()[-6000:]


async def test_a_worker_killed_mid_sync_is_replaced_and_nothing_is_lost(
    web: Hub, workers: Workers
) -> None:
    store = FakeWooCommerceStore(products=300, latency=0.25)
    with store.serve():
        tenant_id, store_id = await add_store(web, store)
        doomed = await workers.start()
        log_id = await request(web, tenant_id, store_id)
        # The first page's batches are written; the listing goes on.
        await until(web, tenant_id, log_id, lambda log: log.products_fetched >= 50)
        doomed.kill()
        await doomed.wait()
        left = await log_of(web, tenant_id, log_id)
        assert left.status == "running"

        await workers.start()
        done = await until(web, tenant_id, log_id, lambda log: not log.active)

    assert done.status == "succeeded", done
    assert (done.products_fetched, done.products_created, done.products_updated) == (300, 300, 0)
    assert await product_ids(web, store_id) == sorted(store.product_ids())
    assert doomed.returncode == -signal.SIGKILL


async def test_sigterm_releases_the_running_sync_to_another_worker(
    web: Hub, workers: Workers
) -> None:
    store = FakeWooCommerceStore(products=300, latency=0.25)
    with store.serve():
        tenant_id, store_id = await add_store(web, store)
        leaving = await workers.start()
        log_id = await request(web, tenant_id, store_id)
        await until(web, tenant_id, log_id, lambda log: log.products_fetched >= 50)

        out = await workers.stop(leaving)

        assert leaving.returncode == 0, workers.output()
        assert "go back to the queue" in out
        released = await log_of(web, tenant_id, log_id)
        assert (released.status, released.error_message) == ("queued", RELEASED_MESSAGE)
        kept = await product_ids(web, store_id)
        assert len(kept) == released.products_created >= 50  # written pages stay

        await workers.start()
        done = await until(web, tenant_id, log_id, lambda log: not log.active)

    assert done.status == "succeeded", done
    assert (done.products_fetched, done.products_created, done.products_updated) == (300, 300, 0)
    assert await product_ids(web, store_id) == sorted(store.product_ids())
    assert "Traceback" not in workers.output(), workers.output()[-6000:]


async def _line_with(process: asyncio.subprocess.Process, words: str, seen: list[str]) -> None:
    """Read the worker's output until a line holds `words` (bounded by TIMEOUT: a hang)."""
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), TIMEOUT)).decode()
        assert line, f"the worker ended before saying {words!r}: {seen}"
        seen.append(line)
        if words in line:
            return


async def test_a_worker_that_loses_its_database_waits_for_it_and_works_on(
    web: Hub, database: str, tmp_path: Path
) -> None:
    secret = "lantern-quarry-5531"  # trust authentication ignores it
    target = make_url(database)
    proxy = CuttableProxy(target.port or 5432)
    proxy.start()
    through_proxy = target.set(port=proxy.port, password=secret)
    workers = Workers(through_proxy.render_as_string(hide_password=False), tmp_path)
    workers.env["G4HUB_DATABASE_WAIT_SECONDS"] = str(TIMEOUT)
    said: list[str] = []
    store = FakeWooCommerceStore(products=40)
    try:
        with store.serve():
            tenant_id, store_id = await add_store(web, store)
            worker = await workers.start()
            proxy.cut()
            await _line_with(worker, "the database does not answer", said)
            assert worker.returncode is None  # waiting, not gone
            proxy.restore()
            await _line_with(worker, "running again", said)

            log_id = await request(web, tenant_id, store_id)  # enqueued after the return
            done = await until(web, tenant_id, log_id, lambda log: not log.active)
            said.append(await workers.stop(worker))
    finally:
        await workers.close()
        proxy.close()

    everything = "".join(said) + workers.log_path.read_text()
    assert (done.status, done.products_created) == ("succeeded", 40), everything
    assert worker.returncode == 0, everything
    # The driver's reason, not the connection string's password.
    assert "Connection refused" in everything, everything
    assert secret not in everything


async def test_serve_runs_syncs_itself_on_postgresql(database: str, tmp_path: Path) -> None:
    env = environment(
        tmp_path / "data",
        database_url=database,
        secret_keys=KEY,
        allow_private_store_hosts="true",
    )
    store = FakeWooCommerceStore(products=40)
    with store.serve(), (tmp_path / "serve.log").open("w") as log:
        web = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hub_api",
            "serve",
            "--port",
            "0",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
        try:
            assert web.stdout is not None
            banner = ""
            while "Ctrl-C" not in banner:
                line = await asyncio.wait_for(web.stdout.readline(), TIMEOUT)
                assert line, "serve stopped before it was ready"
                banner += line.decode()
            assert "through procrastinate" in banner
            url = re.search(r"running at (http://\S+)", banner)
            assert url is not None
            async with httpx.AsyncClient(base_url=url.group(1), timeout=30) as http:
                account = await http.post(
                    "/api/auth/register",
                    json={"email": "owner@example.com", "password": PASSWORD, "tenant_name": "A"},
                )
                assert account.status_code == 201, account.text
                http.cookies.clear()  # a program's way: the bearer token only
                http.headers["Authorization"] = f"Bearer {account.json()['access_token']}"
                added = await http.post(
                    "/api/stores",
                    json={"name": "Shop", "sync_interval_minutes": 60, **store.credentials()},
                )
                assert added.status_code == 201, added.text
                assert added.json()["sync_interval_minutes"] == 60
                queued = (await http.post(f"/api/stores/{added.json()['id']}/sync")).json()
                deadline = time.monotonic() + TIMEOUT
                while (log_ := (await http.get(f"/api/sync/logs/{queued['id']}")).json())[
                    "status"
                ] in ("queued", "running"):
                    assert time.monotonic() < deadline, log_
                    await asyncio.sleep(0.1)
            web.send_signal(signal.SIGINT)
            await asyncio.wait_for(web.wait(), TIMEOUT)
        finally:
            if web.returncode is None:
                web.kill()
                await web.wait()

    output = (tmp_path / "serve.log").read_text()
    assert (log_["status"], log_["products_created"]) == ("succeeded", 40), output
    assert web.returncode == 0, output
    assert "Traceback" not in output
