"""The `g4hub` command guides whoever runs it: a bare `g4hub` lists the commands, a data
directory that cannot be created is named with the setting that chose it, and `worker --help`
lists only the settings a worker reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WEB_ONLY = ("G4HUB_JWT_SECRET", "G4HUB_COOKIE_SECURE", "G4HUB_HOST", "G4HUB_PORT")


def g4hub(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hub_api", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


def test_a_bare_g4hub_lists_the_commands() -> None:
    done = g4hub()
    assert done.returncode == 2
    for command in ("serve", "demo", "worker", "db", "keys"):
        assert f"\n    {command} " in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_a_data_directory_that_cannot_be_made_names_the_setting(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    wanted = blocker / "hub"
    done = g4hub("db", "upgrade", G4HUB_DATA_DIR=str(wanted))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert f"cannot create the data directory {wanted} (from G4HUB_DATA_DIR)" in done.stderr
    assert "Traceback" not in done.stderr


def test_worker_help_lists_only_what_a_worker_reads() -> None:
    text = " ".join(g4hub("worker", "--help").stdout.split())
    for setting in ("G4HUB_DATABASE_URL", "G4HUB_SECRET_KEYS", "G4HUB_SYNC_CONCURRENCY"):
        assert setting in text
    for setting in WEB_ONLY:
        assert setting not in text
    assert "G4HUB_JWT_SECRET" in " ".join(g4hub("serve", "--help").stdout.split())
