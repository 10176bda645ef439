"""Fixtures of the procrastinate queue's tests: PostgreSQL only, with the timings shortened so
retries, stalls and the periodic task happen within a second or two."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from g4hub_core import HubSettings
from g4hub_core.vault import generate_key
from tests.core.sync.helpers import HubFactory

QUICK = {
    "sync_retry_backoff_seconds": 0.2,
    "sync_schedule_check_seconds": 1,
    "sync_worker_heartbeat_seconds": 0.3,
    "sync_worker_stalled_seconds": 1.5,
}


@pytest.fixture
def pg_url(empty_postgres: str) -> str:
    """The session's migrated PostgreSQL database, emptied (the queue's tables too) after."""
    return empty_postgres


@pytest.fixture
def queue_settings(pg_url: str, tmp_path: Path) -> HubSettings:
    return HubSettings(
        database_url=pg_url,
        data_dir=tmp_path / "data",
        secret_keys=generate_key("test").encoded(),
        allow_private_store_hosts=True,
        job_queue="procrastinate",
        **QUICK,
    )


@pytest.fixture
async def make_queue_hub(queue_settings: HubSettings) -> AsyncIterator[HubFactory]:
    """Hubs on procrastinate, each running a worker in-process when started."""
    factory = HubFactory(queue_settings)
    yield factory
    await factory.close()
