"""Suite-wide guards and shared fixtures. Tests talk only to loopback: any other connection or DNS
lookup fails. `sqlite_template` is a SQLite database migrated once per session (per xdist
worker), copied where a test's hub keeps its database."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NetworkAccessBlocked(RuntimeError):
    """A test tried to reach beyond 127.0.0.1."""


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_loopback(host):
        raise NetworkAccessBlocked(
            f"test tried to connect to {address!r}; only loopback is allowed"
        )


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_loopback(host):
        raise NetworkAccessBlocked(f"test tried to resolve {host!r}; only loopback is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", _guarded_connect)
    mp.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    mp.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    yield
    mp.undo()


# -- migrated databases ----------------------------------------------------------------------------


def migrate_database(url: str) -> None:
    """Bring the database at `url` to the newest schema. Runs its own event loop in a thread, so
    it works from any fixture (even while Playwright's sync API holds the main thread's loop)."""
    import asyncio

    from g4hub_core.db import create_engine, upgrade

    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session (per xdist worker); tests copy it instead of
    running every migration again (`place_migrated_sqlite`)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate_database(f"sqlite+aiosqlite:///{path}")
    return path


def place_migrated_sqlite(database_url: str, template: Path) -> bool:
    """If `database_url` is a SQLite file that does not exist yet, copy the migrated template
    there and answer True; otherwise (another database, or a file already there) False, and the
    caller migrates as before."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    target = Path(url.database)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return True


# -- password hashing ------------------------------------------------------------------------------


@pytest.fixture
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2id with the lightest parameters in this process, for tests about what the API and
    the dashboard do with accounts, not about the hash's cost: argon2-cffi's defaults (64 MiB,
    3 passes, 4 lanes) take 0.1-1 s a registration or sign-in on a busy two-core machine, and
    nearly every API and browser test signs someone up. The core's password tests keep the real
    parameters (tests/core/tenants); processes a test starts (the CLI, `serve`) do too."""
    from argon2 import PasswordHasher

    from g4hub_core.tenants import passwords

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    # The dummy hash for unknown emails is made once per process: made again with these
    # parameters, and with the real ones after the test.
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()
