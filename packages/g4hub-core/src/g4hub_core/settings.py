"""The core's settings: one pydantic-settings class, built once and passed down.

Every field reads `G4HUB_<NAME>` from the environment (`G4HUB_DATABASE_URL`, `G4HUB_DATA_DIR`,
`G4HUB_SECRET_KEYS`, `G4HUB_ALLOW_PRIVATE_STORE_HOSTS`, …). Tests and embedding apps construct
`HubSettings(...)` directly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["HubSettings", "JobQueueKind", "default_data_dir"]

JobQueueKind = Literal["auto", "embedded", "procrastinate"]


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/g4hub`, else `~/.local/share/g4hub`: where the embedded default keeps its
    SQLite file and generated key."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "g4hub"


class HubSettings(BaseSettings):
    """Settings of the hub core. Defaults give the embedded setup: SQLite in `data_dir`, a key
    generated there on first start, syncs run in-process."""

    model_config = SettingsConfigDict(env_prefix="G4HUB_", frozen=True, extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    """Holds the SQLite database and the generated key file of the embedded default."""
    database_url: str | None = None
    """`postgresql://…` (psycopg 3) or `sqlite:///path`; default: `<data_dir>/g4hub.db`."""
    secret_keys: SecretStr | None = None
    """Comma-separated credential keys, each `id:base64` or plain base64 of 32 bytes. The first
    seals, every one opens. Unset: a key file in `data_dir` (made with mode 0600 if missing)."""
    allow_private_store_hosts: bool = False
    """Allow stores whose host resolves to a private, loopback or link-local address (the demo
    and the tests do; a shared hub should not, so tenants cannot reach its internal network)."""
    sync_concurrency: int = Field(default=2, ge=1, le=64)
    """Syncs one process runs at once (the embedded runner, or a procrastinate worker)."""
    job_queue: JobQueueKind = "auto"
    """What runs syncs: "embedded" (tasks in the hub's process; a `g4hub worker` polls the
    database), "procrastinate" (a job queue in PostgreSQL, run by `g4hub worker` processes and
    by `g4hub serve` itself unless `--no-sync`), or "auto": procrastinate on PostgreSQL,
    embedded on SQLite."""
    sync_retry_attempts: int = Field(default=5, ge=1, le=50)
    """Procrastinate: runs of one sync job in all, when a store fails in a way that may pass
    (429, 5xx, a timeout, a dropped connection). A worker's stop or death also uses one."""
    sync_retry_backoff_seconds: float = Field(default=30.0, ge=0)
    """Procrastinate: the wait before the first retry; it doubles at each retry (at most an
    hour), and a store's own Retry-After is honoured when longer."""
    sync_schedule_check_seconds: int = Field(default=60, ge=1, le=3600)
    """How often scheduled syncs that are due are queued (and, with procrastinate, jobs of
    dead workers recovered). Below 60 it must divide 60 (a cron seconds field)."""
    sync_worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    """Procrastinate: how often a worker says it is alive."""
    sync_worker_stalled_seconds: float = Field(default=60.0, gt=0)
    """Procrastinate: a worker silent this long is dead; its running syncs go back to the queue.
    Keep it several heartbeats long, or a slow worker's job runs twice (one after another: the
    store's lock still holds)."""
    sync_time_budget_seconds: float = Field(default=6 * 3600.0, gt=0)
    """The longest one run of a sync may take. Past it the run stops and its log fails with
    `time_budget_exceeded` (rows written so far are kept), so a stuck or endless store cannot
    hold a sync slot for ever."""
    sync_tenant_concurrency: int | None = Field(default=None, ge=1, le=64)
    """Syncs of one tenant running at once: per embedded runner, and across all workers with
    procrastinate. Default: half of `sync_concurrency`, at least 1, so one tenant's stuck stores
    never hold every slot while other tenants' syncs wait."""
    sync_batch_size: int = Field(default=500, ge=1, le=5000)
    """Products written per transaction during a sync."""
    sync_incremental_overlap_seconds: int = Field(default=300, ge=0)
    """An incremental sync asks for changes since the last good sync's start minus this margin,
    so clock skew between hub and store loses nothing."""
    sync_full_every_hours: float = Field(default=24.0, gt=0)
    """Scheduled syncs are incremental, but one is full when the last full sync is older than
    this: only a full listing sees products removed from the store."""
    database_echo: bool = False
    public_url: str | None = None
    """The hub's address as stores reach it (`https://hub.example.com`). Set, the hub subscribes
    to each store's webhooks and applies product changes within seconds; unset, it says so and
    keeps its stores current by scheduled syncs only."""
    webhook_max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    """The largest webhook delivery accepted (a Shopify product with 2,048 variants is about
    2 MB)."""
    webhook_watchdog_seconds: float = Field(default=600.0, gt=0)
    """How often every store's subscriptions are checked: re-enabled, re-created, or made for
    stores that have none yet."""

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        async_database_url(value.strip())  # refuses an unknown scheme now, not at first query
        return value.strip()

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL with its async driver: `postgresql+psycopg`, `sqlite+aiosqlite`."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'g4hub.db'}"
        return async_database_url(url)

    @field_validator("sync_schedule_check_seconds")
    @classmethod
    def _cron_seconds(cls, value: int) -> int:
        if value < 60 and 60 % value:
            raise ValueError("below 60 seconds, the schedule check must divide 60")
        if value >= 60 and value % 60:
            raise ValueError("from 60 seconds up, the schedule check is a whole number of minutes")
        return value

    @model_validator(mode="after")
    def _queue_needs_postgresql(self) -> HubSettings:
        if self.job_queue == "procrastinate" and not self._on_postgresql():
            raise ValueError("job_queue procrastinate needs a PostgreSQL database_url")
        return self

    def _on_postgresql(self) -> bool:
        return self.resolved_database_url.startswith("postgresql")

    @property
    def resolved_job_queue(self) -> Literal["embedded", "procrastinate"]:
        """The job queue "auto" stands for: procrastinate on PostgreSQL, embedded on SQLite."""
        if self.job_queue != "auto":
            return self.job_queue
        return "procrastinate" if self._on_postgresql() else "embedded"

    @property
    def tenant_sync_limit(self) -> int:
        """`sync_tenant_concurrency`, or its default."""
        return self.sync_tenant_concurrency or max(1, self.sync_concurrency // 2)

    @property
    def key_file(self) -> Path:
        return self.data_dir / "secret.key"


def async_database_url(url: str) -> str:
    """Give a database URL the async driver the core uses (psycopg 3 or aiosqlite)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("a database URL looks like postgresql://user@host/db or sqlite:///path")
    base = scheme.split("+")[0].lower()
    if base in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    raise ValueError(f"unsupported database {base!r}: use PostgreSQL or SQLite")
