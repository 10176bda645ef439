"""The `g4hub` command, run as a person runs it: `python -m hub_api ...` in a subprocess, with
settings from the environment (`G4HUB_DATA_DIR` in a temporary folder)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs
import httpx
import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub, HubSettings
from g4hub_core.db import create_engine
from g4hub_core.models import SyncLog
from g4hub_core.stores.schemas import StoreCreate
from g4hub_core.sync.runner import DatabaseQueue
from g4hub_core.vault import generate_key, parse_keys
from hub_api.serving import head_revision
from tests.api.conftest import PASSWORD
from tests.core.conftest import POSTGRES_ADMIN_URL

# Generous: each run imports the whole hub, and CI machines are slow. Never a timing assertion.
TIMEOUT = 120


@attrs.frozen
class Result:
    code: int
    out: str
    err: str


def environment(data_dir: Path, **settings: str) -> dict[str, str]:
    """This process's environment without any G4HUB_* of the machine's, plus `settings`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("G4HUB_")}
    env["G4HUB_DATA_DIR"] = str(data_dir)
    env["G4HUB_LOG_JSON"] = "false"
    env.update({f"G4HUB_{name.upper()}": value for name, value in settings.items()})
    return env


async def g4hub(*args: str, env: dict[str, str]) -> Result:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub_api",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode is not None
    return Result(process.returncode, out.decode(), err.decode())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def env(data_dir: Path) -> dict[str, str]:
    return environment(data_dir)


HELP_COMMANDS = [["serve"], ["demo"], ["worker"], ["db"], ["db", "upgrade"], ["db", "current"]]
HELP_COMMANDS += [["keys"], ["keys", "rotate"], ["keys", "generate"]]


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ([], ["serve", "demo", "worker", "db", "keys"]),
        (["serve"], ["--host", "--port", "--no-sync", "G4HUB_DATABASE_URL"]),
        (["demo"], ["--host", "--port", "--products", "fake WooCommerce"]),
        (["worker"], ["--concurrency", "--poll-interval", "--recover", "SIGTERM", "PostgreSQL"]),
        (["db"], ["upgrade", "current"]),
        (["db", "upgrade"], ["every migration"]),
        (["db", "current"], ["revision"]),
        (["keys"], ["rotate", "generate"]),
        (["keys", "rotate"], ["--batch-size", "G4HUB_SECRET_KEYS"]),
        (["keys", "generate"], ["--id", "G4HUB_SECRET_KEYS"]),
    ],
    ids=["g4hub", *("-".join(c) for c in HELP_COMMANDS)],
)
async def test_every_command_explains_itself(
    command: list[str], mentions: list[str], env: dict[str, str]
) -> None:
    result = await g4hub(*command, "--help", env=env)
    assert result.code == 0, result.err
    assert result.out.startswith(f"usage: g4hub {' '.join(command)}".rstrip())
    for word in mentions:
        assert word in result.out


async def test_a_usage_error_exits_2(env: dict[str, str]) -> None:
    result = await g4hub("serve", "--port", "eighty", env=env)
    assert result.code == 2
    assert "invalid int value" in result.err


async def test_db_upgrade_makes_the_sqlite_database(data_dir: Path, env: dict[str, str]) -> None:
    result = await g4hub("db", "upgrade", env=env)
    assert result.code == 0, result.err
    assert (data_dir / "g4hub.db").is_file()
    assert f"({head_revision()})" in result.out
    assert not (data_dir / "secret.key").exists()  # migrating needs no credential key

    current = await g4hub("db", "current", env=env)
    assert current.code == 0, current.err
    assert "up to date" in current.out


async def test_keys_generate_prints_a_key_the_hub_accepts(env: dict[str, str]) -> None:
    result = await g4hub("keys", "generate", "--id", "k2026", env=env)
    assert result.code == 0, result.err
    (key,) = parse_keys(result.out.strip())
    assert key.key_id == "k2026"


async def test_keys_rotate_reseals_credentials_under_the_new_key(data_dir: Path) -> None:
    old, new = generate_key("old").encoded(), generate_key("new").encoded()
    store = FakeWooCommerceStore(products=5)
    with store.serve():
        tenant_id, store_id = await _store_sealed_under(data_dir, old, store)

        result = await g4hub(
            "keys", "rotate", env=environment(data_dir, secret_keys=f"{new},{old}")
        )
        assert result.code == 0, result.err
        assert "Re-sealed 1 store credential" in result.out
        assert "'new'" in result.out
        for secret in (old, new, *store.credentials().values()):
            assert secret.split(":")[-1] not in result.out + result.err

        # Only the new key now: the credentials still open, and the store still connects.
        hub = Hub(_settings(data_dir, new))
        try:
            async with hub.unit(tenant_id) as unit:
                tested = await unit.stores.test(store_id)
        finally:
            await hub.close()
    assert tested.connection_status == "connected"


@pytest.mark.parametrize(
    ("command", "settings", "expected"),
    [
        (["db", "upgrade"], {"database_url": "mysql://hub@127.0.0.1/hub"}, "G4HUB_DATABASE_URL"),
        (["serve", "--port", "0"], {"database_url": "not a url"}, "G4HUB_DATABASE_URL"),
        (["keys", "rotate"], {"secret_keys": "not-a-key"}, "credential key"),
        (["serve", "--port", "0"], {"jwt_secret": "short"}, "G4HUB_JWT_SECRET"),
        (
            ["worker"],
            # Nothing listens on port 1: the database is unreachable (and not waited for).
            {
                "database_url": "postgresql://hub:hunter2-secret@127.0.0.1:1/hub",
                "database_wait_seconds": "0",
            },
            "Connection refused",
        ),
    ],
    ids=["unsupported-database", "malformed-url", "bad-key", "short-jwt-secret", "unreachable"],
)
async def test_bad_settings_exit_1_with_one_line(
    data_dir: Path, command: list[str], settings: dict[str, str], expected: str
) -> None:
    result = await g4hub(*command, env=environment(data_dir, **settings))
    assert result.code == 1, result.out + result.err
    assert result.err.startswith("g4hub: ")
    assert result.err.count("\n") == 1, result.err
    assert expected in result.err
    assert "Traceback" not in result.err
    assert "hunter2-secret" not in result.err


async def test_serve_refuses_a_port_in_use(env: dict[str, str]) -> None:
    with _listening() as port:
        result = await g4hub("serve", "--port", str(port), env=env)
    assert result.code == 1
    assert result.err.startswith(f"g4hub: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in result.err


async def test_serve_no_sync_leaves_syncs_to_a_worker_that_stops_on_sigterm(
    data_dir: Path,
) -> None:
    env = environment(
        data_dir, secret_keys=generate_key("test").encoded(), allow_private_store_hosts="true"
    )
    store = FakeWooCommerceStore(products=120)
    with store.serve(), (data_dir.parent / "processes.log").open("w") as log:
        web = await _start("serve", "--no-sync", "--port", "0", env=env, log=log)
        worker: asyncio.subprocess.Process | None = None
        try:
            url = await _announced_url(web)
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                account = await http.post(
                    "/api/auth/register",
                    json={"email": "owner@example.com", "password": PASSWORD, "tenant_name": "A"},
                )
                assert account.status_code == 201, account.text
                http.cookies.clear()  # a program's way: the bearer token only
                http.headers["Authorization"] = f"Bearer {account.json()['access_token']}"
                added = await http.post("/api/stores", json={"name": "Shop", **store.credentials()})
                assert added.status_code == 201, added.text
                sync_url = f"/api/stores/{added.json()['id']}/sync"
                queued = (await http.post(sync_url)).json()
                assert queued["status"] == "queued"

                worker = await _start("worker", "--poll-interval", "0.1", env=env, log=log)
                first = await _finished(http, queued["id"])
                # Queued while the worker runs: found by polling.
                second = await _finished(http, (await http.post(sync_url)).json()["id"])

            worker.send_signal(signal.SIGTERM)
            worker_out, _ = await asyncio.wait_for(worker.communicate(), TIMEOUT)
            web.send_signal(signal.SIGINT)
            web_out, _ = await asyncio.wait_for(web.communicate(), TIMEOUT)
        finally:
            for process in (web, worker):
                if process is not None and process.returncode is None:
                    process.kill()
                    await process.wait()

    output = (data_dir.parent / "processes.log").read_text()
    assert (first["status"], first["products_created"]) == ("succeeded", 120), output
    assert (second["status"], second["products_fetched"]) == ("succeeded", 120), output
    assert worker.returncode == 0, output
    assert "g4hub worker: stopped." in worker_out.decode()
    assert web.returncode == 0, output
    assert "G4 Hub stopped." in web_out.decode()
    assert "Traceback" not in output


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_serve_workers_answer_from_any_process_and_sync_in_a_background_one(
    data_dir: Path, request: pytest.FixtureRequest, database: str
) -> None:
    settings = {"secret_keys": generate_key("test").encoded(), "allow_private_store_hosts": "true"}
    if database == "postgresql":
        settings["database_url"] = request.getfixturevalue("postgres_database")
    env = environment(data_dir, **settings)
    database_url = HubSettings(data_dir=data_dir, **settings).resolved_database_url  # type: ignore[arg-type]
    store = FakeWooCommerceStore(products=120)
    with store.serve(), (data_dir.parent / "processes.log").open("w") as log:
        web = await _start("serve", "--workers", "3", "--port", "0", env=env, log=log)
        try:
            url = await _announced_url(web)
            # Three web processes, then the background one.
            processes = (await _web_processes(web.pid, 4))[:3]
            # No keep-alive: each request is a new connection, taken by any web process.
            async with httpx.AsyncClient(
                base_url=url, timeout=30, headers={"Connection": "close"}
            ) as http:
                account = await http.post(
                    "/api/auth/register",
                    json={"email": "owner@example.com", "password": PASSWORD, "tenant_name": "A"},
                )
                assert account.status_code == 201, account.text
                http.cookies.clear()
                http.headers["Authorization"] = f"Bearer {account.json()['access_token']}"
                added = await http.post("/api/stores", json={"name": "Shop", **store.credentials()})
                assert added.status_code == 201, added.text
                sync_url = f"/api/stores/{added.json()['id']}/sync"
                # The web processes answer and one queues the sync; then every web process is
                # stopped, and the background process runs the sync.
                for _ in range(5):
                    assert (await http.get("/api/dashboard/overview")).status_code == 200
                queued = (await http.post(sync_url)).json()
                assert queued["status"] == "queued"
                for pid in processes:
                    os.kill(pid, signal.SIGSTOP)
                try:
                    ended = await _ended_in_database(database_url, queued["id"])
                finally:
                    for pid in processes:
                        os.kill(pid, signal.SIGCONT)
                first = await _finished(http, queued["id"])
                second = await _finished(http, (await http.post(sync_url)).json()["id"])
            web.send_signal(signal.SIGTERM)
            web_out, _ = await asyncio.wait_for(web.communicate(), TIMEOUT)
        finally:
            if web.returncode is None:
                web.kill()
                await web.wait()

    output = (data_dir.parent / "processes.log").read_text()
    assert ended == "succeeded", output
    assert (first["status"], first["products_created"]) == ("succeeded", 120), output
    assert (second["status"], second["products_fetched"]) == ("succeeded", 120), output
    assert web.returncode == 0, output
    assert "web processes: 3, and one background process" in web_out.decode()
    assert "G4 Hub stopped." in web_out.decode()
    assert _spawned_children(web.pid) == []
    assert "Traceback" not in output


# -- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (`serve` migrates it)."""
    name = f"g4hub_cli_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _spawned_children(parent: int) -> list[int]:
    """The pids of `parent`'s spawned (multiprocessing) children, in start order."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
            if int(fields[1]) == parent and b"spawn_main" in cmdline:
                found.append((int(fields[19]), int(stat.parent.name)))
    return [pid for _, pid in sorted(found)]


async def _web_processes(parent: int, count: int) -> list[int]:
    """The pids of the web processes `serve --workers` started, once there are `count`."""
    deadline = time.monotonic() + TIMEOUT
    while len(found := _spawned_children(parent)) != count:
        assert time.monotonic() < deadline, f"{len(found)} web processes, not {count}"
        await asyncio.sleep(0.1)
    return found


async def _start(*args: str, env: dict[str, str], log: IO[str]) -> asyncio.subprocess.Process:
    """`g4hub <args>` in the background: stdout to a pipe, stderr (the logs) to `log`."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub_api", *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=log
    )


async def _announced_url(process: asyncio.subprocess.Process) -> str:
    """The URL `serve` prints once it answers."""
    assert process.stdout is not None
    while True:
        line = await asyncio.wait_for(process.stdout.readline(), TIMEOUT)
        assert line, "serve stopped before it was ready"
        if match := re.search(r"running at (http://\S+)", line.decode()):
            return match.group(1)


async def _finished(http: httpx.AsyncClient, log_id: str) -> dict[str, Any]:
    """Poll a sync's log until it is over (bounded by TIMEOUT)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        log: dict[str, Any] = (await http.get(f"/api/sync/logs/{log_id}")).json()
        if log["status"] not in ("queued", "running"):
            return log
        assert time.monotonic() < deadline, f"the sync never finished: {log}"
        await asyncio.sleep(0.1)


async def _ended_in_database(database_url: str, log_id: str) -> str:
    """Poll a sync's status in the database itself (no web process need answer) until it is
    over (bounded by TIMEOUT)."""
    engine = create_engine(database_url)
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            async with engine.connect() as connection:
                status = await connection.scalar(
                    select(SyncLog.status).where(SyncLog.id == uuid.UUID(log_id))
                )
            if status not in ("queued", "running"):
                return str(status)
            assert time.monotonic() < deadline, f"the sync never finished: {status}"
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


def _settings(data_dir: Path, keys: str) -> HubSettings:
    return HubSettings(data_dir=data_dir, secret_keys=keys, allow_private_store_hosts=True)


async def _store_sealed_under(
    data_dir: Path, keys: str, store: FakeWooCommerceStore
) -> tuple[uuid.UUID, uuid.UUID]:
    """A migrated database with a tenant and a connected store, credentials sealed under the
    first of `keys`."""
    hub = Hub(_settings(data_dir, keys), jobs=DatabaseQueue())
    await hub.upgrade()
    try:
        async with hub.unit() as unit:
            account = await unit.accounts.register(
                email="owner@example.com", password=PASSWORD, tenant_name="Acme"
            )
        async with hub.unit(account.tenant.id) as unit:
            saved = await unit.stores.create(StoreCreate(name="Shop", **store.credentials()))
    finally:
        await hub.close()
    return account.tenant.id, saved.id


@contextlib.contextmanager
def _listening() -> Iterator[int]:
    """A port something already listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]
