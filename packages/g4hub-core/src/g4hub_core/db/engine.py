"""The async engine, configured for each database the hub supports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic_core
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["create_engine", "is_postgresql"]


def _json_dumps(value: Any) -> str:
    # pydantic-core's encoder is several times faster than json.dumps on product-sized documents,
    # and handles Decimal and datetime the way the models dump them.
    return pydantic_core.to_json(value).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Cascading deletes need foreign keys on; WAL lets the dashboard read while a sync writes;
    # busy_timeout makes a writer wait for another instead of failing at once.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def create_engine(url: str, *, echo: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url` (already in its async form: `postgresql+psycopg`,
    `sqlite+aiosqlite`). A SQLite file's folder is created if missing."""
    parsed = make_url(url)
    # Statement parameters (password hashes, sealed credentials) stay out of errors and logs.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, json_serializer=_json_dumps, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, echo=echo, json_serializer=_json_dumps, **kwargs)


def is_postgresql(engine: AsyncEngine | Engine) -> bool:
    return engine.dialect.name == "postgresql"
