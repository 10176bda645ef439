"""What each `g4hub` command does (the parser and the error handling are `hub_api.cli`).

Every command takes the parsed arguments and returns the exit status; a known failure raises
(`CliError`, a settings or database error) and `cli.main` turns it into one line. The hub's heavy
modules are imported inside each command, so `g4hub --help` starts at once.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from g4hub_core.vault.rotation import RotationReport
    from hub_api.settings import ApiSettings

__all__ = [
    "api_settings",
    "db_current",
    "db_upgrade",
    "demo",
    "keys_generate",
    "keys_rotate",
    "serve",
    "worker",
]


def serve(args: argparse.Namespace) -> int:
    from g4hub_core import Hub, HubSettings
    from g4hub_core.sync.runner import DatabaseQueue
    from hub_api.serving import database_label, say, serve_app

    settings = HubSettings()
    api = api_settings(args)
    hub = Hub(settings, jobs=DatabaseQueue() if args.no_sync else None)
    syncs = (
        "left queued for `g4hub worker` processes"
        if args.no_sync
        else f"run in this process ({settings.sync_concurrency} at once)"
    )

    def ready(url: str) -> None:
        say(
            f"G4 Hub is running at {url}\n"
            f"  API and its docs: {url}/schema    health: {url}/health\n"
            f"  database: {database_label(settings)}\n"
            f"  syncs: {syncs}\n"
            "Ctrl-C stops it."
        )

    asyncio.run(serve_app(hub, api, on_ready=ready))
    say("G4 Hub stopped.")
    return 0


def demo(args: argparse.Namespace) -> int:
    from hub_api.demo import run_demo

    return run_demo(args)


def worker(args: argparse.Namespace) -> int:
    from g4hub_core import Hub, HubSettings
    from g4hub_core.sync.runner import EmbeddedRunner
    from hub_api.logging import configure_logging
    from hub_api.serving import database_label, require_schema, say, stop_signals
    from hub_api.settings import ApiSettings

    hub = Hub(HubSettings())
    hub.jobs = EmbeddedRunner(hub, poll_interval=args.poll_interval, recover=args.recover)

    async def work() -> None:
        configure_logging(ApiSettings())
        try:
            await require_schema(hub.engine)
        finally:
            await hub.engine.dispose()
        stop = asyncio.Event()
        with stop_signals(lambda _count: stop.set()):
            async with hub:
                say(
                    f"g4hub worker: running queued syncs from {database_label(hub.settings)} "
                    f"({hub.settings.sync_concurrency} at once). SIGINT or SIGTERM stops it."
                )
                await stop.wait()
                say("g4hub worker: stopping; running syncs are recorded as interrupted.")
        say("g4hub worker: stopped.")

    asyncio.run(work())
    return 0


def db_upgrade(args: argparse.Namespace) -> int:
    from g4hub_core import HubSettings
    from g4hub_core.db import create_engine, current_revision
    from g4hub_core.db import upgrade as upgrade_database
    from hub_api.serving import database_label, say

    settings = HubSettings()

    async def upgrade() -> str | None:
        engine = create_engine(settings.resolved_database_url)
        try:
            await upgrade_database(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    revision = asyncio.run(upgrade())
    say(f"{database_label(settings)} is at the newest schema ({revision}).")
    return 0


def db_current(args: argparse.Namespace) -> int:
    from g4hub_core import HubSettings
    from g4hub_core.db import create_engine, current_revision
    from hub_api.serving import database_label, head_revision, say

    settings = HubSettings()

    async def read() -> str | None:
        engine = create_engine(settings.resolved_database_url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    current, head = asyncio.run(read()), head_revision()
    state = "up to date" if current == head else "run `g4hub db upgrade`"
    say(f"{database_label(settings)}: {current or 'empty'} (newest: {head}; {state})")
    return 0


def keys_rotate(args: argparse.Namespace) -> int:
    from g4hub_core import Hub, HubSettings
    from hub_api.serving import require_schema, say

    hub = Hub(HubSettings())

    async def rotate() -> RotationReport:
        try:
            await require_schema(hub.engine)
            return await hub.rotate_keys(batch_size=args.batch_size)
        finally:
            await hub.engine.dispose()

    report = asyncio.run(rotate())
    key = hub.vault.primary_key_id
    say(
        f"Re-sealed {report.resealed} store credential(s) under key {key!r} in "
        f"{report.batches} batch(es); {report.already_current} already were.\n"
        f"Every stored credential is now sealed under {key!r}: the other keys can be removed "
        "from G4HUB_SECRET_KEYS."
    )
    return 0


def keys_generate(args: argparse.Namespace) -> int:
    from g4hub_core.vault import generate_key
    from hub_api.serving import say

    say(generate_key(args.key_id).encoded())  # a bad --id is InvalidInput: one line from main
    return 0


def api_settings(args: argparse.Namespace, **overrides: Any) -> ApiSettings:
    """`ApiSettings` from the environment, with `--host` / `--port` when given."""
    from hub_api.serving import CliError
    from hub_api.settings import ApiSettings

    settings = ApiSettings()
    if args.host is not None:
        overrides["host"] = args.host
    if args.port is not None:
        if not 0 <= args.port <= 65535:
            raise CliError(f"--port {args.port}: a port is 0-65535")
        overrides["port"] = args.port
    # Validated by hand: `--port 0` (any free port) is fine here though not in the settings.
    return settings.model_copy(update=overrides) if overrides else settings
