"""Settings: G4HUB_ environment variables, the embedded defaults, database URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from g4hub_core import HubSettings
from g4hub_core.settings import async_database_url


def test_embedded_default_is_sqlite_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("G4HUB_DATA_DIR", str(tmp_path))
    settings = HubSettings()
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'g4hub.db'}"
    assert settings.key_file == tmp_path / "secret.key"
    assert settings.allow_private_store_hosts is False


def test_environment_configures_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("G4HUB_DATABASE_URL", "postgresql://hub:pw@db.internal/hub")
    monkeypatch.setenv("G4HUB_SECRET_KEYS", "k2:" + "A" * 43 + ",k1:" + "B" * 43)
    monkeypatch.setenv("G4HUB_ALLOW_PRIVATE_STORE_HOSTS", "true")
    settings = HubSettings()
    assert settings.resolved_database_url == "postgresql+psycopg://hub:pw@db.internal/hub"
    assert settings.allow_private_store_hosts is True
    assert "AAAA" not in repr(settings)  # keys are secret in reprs


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////var/lib/g4hub/hub.db", "sqlite+aiosqlite:////var/lib/g4hub/hub.db"),
    ],
)
def test_database_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert async_database_url(given) == expected


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_database_is_refused_when_settings_are_built(url: str) -> None:
    with pytest.raises(ValidationError, match=r"PostgreSQL or SQLite|database URL looks like"):
        HubSettings(database_url=url)


@pytest.mark.parametrize(
    ("url", "queue", "expected"),
    [
        ("postgresql://u@h/db", "auto", "procrastinate"),
        ("sqlite:////tmp/hub.db", "auto", "embedded"),
        ("postgresql://u@h/db", "embedded", "embedded"),
    ],
)
def test_the_job_queue_follows_the_database(url: str, queue: str, expected: str) -> None:
    settings = HubSettings(database_url=url, job_queue=queue)  # type: ignore[arg-type]
    assert settings.resolved_job_queue == expected


def test_procrastinate_needs_postgresql() -> None:
    with pytest.raises(ValidationError, match="needs a PostgreSQL"):
        HubSettings(database_url="sqlite:////tmp/hub.db", job_queue="procrastinate")


@pytest.mark.parametrize("seconds", [7, 90])
def test_the_schedule_check_must_fit_a_cron_line(seconds: int) -> None:
    with pytest.raises(ValidationError, match="sync_schedule_check_seconds"):
        HubSettings(sync_schedule_check_seconds=seconds)
