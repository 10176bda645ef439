"""What each `g4hub` command does (the parser and the error handling are `hub_api.cli`).

Every command takes the parsed arguments and returns the exit status; a known failure raises
(`CliError`, a settings or database error) and `cli.main` turns it into one line. The hub's heavy
modules are imported inside each command, so `g4hub --help` starts at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
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
    "queue_ended",
    "serve",
    "worker",
]


def serve(args: argparse.Namespace) -> int:
    from g4hub_core import Hub, HubSettings
    from g4hub_core.sync.queues import job_queue
    from hub_api.serving import database_label, say, serve_app

    settings = HubSettings()
    api = api_settings(args)
    # Unless --no-sync, its queue runs syncs here: procrastinate on PostgreSQL, else embedded.
    hub = Hub(settings, jobs=job_queue(run_syncs=not args.no_sync))
    queue = settings.resolved_job_queue
    workers = getattr(args, "workers", 1)
    here = "the background process" if workers > 1 else "this process"
    if args.no_sync:
        syncs = (
            "queued in PostgreSQL (procrastinate) for `g4hub worker` processes"
            if queue == "procrastinate"
            else "left queued for `g4hub worker` processes"
        )
    elif queue == "procrastinate":
        syncs = (
            f"run by {here} ({settings.sync_concurrency} at once) and any `g4hub worker`, "
            "through procrastinate"
        )
    else:
        syncs = f"run in {here} ({settings.sync_concurrency} at once)"
    banner = (
        "G4 Hub is running at {url}\n"
        "  dashboard: {url}/    API and its docs: {url}/schema    health: {url}/health\n"
        f"  database: {database_label(settings)}\n"
        + (f"  web processes: {workers}, and one background process\n" if workers > 1 else "")
        + f"  syncs: {syncs}\n"
        "Ctrl-C stops it."
    )
    if workers > 1:
        from hub_api.supervisor import serve_workers

        serve_workers(settings, api, workers=workers, run_syncs=not args.no_sync, banner=banner)
        say("G4 Hub stopped.")
        return 0

    def ready(url: str) -> None:
        say(banner.format(url=url))

    asyncio.run(serve_app(hub, api, on_ready=ready))
    say("G4 Hub stopped.")
    return 0


def demo(args: argparse.Namespace) -> int:
    from hub_api.demo import run_demo

    return run_demo(args)


def worker(args: argparse.Namespace) -> int:
    from g4hub_core import Hub, HubSettings
    from g4hub_core.sync.queues import job_queue
    from hub_api.logging import configure_logging
    from hub_api.process import (
        database_label,
        require_schema,
        resume_jobs,
        say,
        stop_signals,
        wait_for_database,
    )
    from hub_api.settings import ApiSettings

    settings = HubSettings()
    procrastinate = settings.resolved_job_queue == "procrastinate"
    concurrency = args.concurrency or settings.sync_concurrency
    poll_interval = args.poll_interval or (5.0 if procrastinate else 2.0)
    hub = Hub(
        settings,
        jobs=job_queue(concurrency=concurrency, poll_interval=poll_interval, recover=args.recover),
    )

    def on_signal(count: int) -> None:
        stop.set()
        if count > 1:
            # A second signal: no waiting for the pages being written. PostgreSQL rolls the
            # open transactions back; the jobs are recovered as a dead worker's.
            sys.stderr.write("g4hub worker: stopped at once.\n")
            os._exit(1)

    stop = asyncio.Event()

    async def work() -> None:
        api = ApiSettings()
        configure_logging(api)
        try:
            await wait_for_database(hub.engine, patience=api.database_wait_seconds)
            await require_schema(hub.engine)
        finally:
            await hub.engine.dispose()
        with stop_signals(on_signal):
            async with hub:
                kind = "procrastinate jobs" if procrastinate else "queued syncs"
                say(
                    f"g4hub worker: running {kind} from {database_label(settings)} "
                    f"({concurrency} at once). SIGINT or SIGTERM stops it."
                )
                # A worker whose database goes away stops on an error: wait for the database
                # (as at start) and start it again, rather than exit.
                while await queue_ended(stop, hub.jobs):
                    say("g4hub worker: the job queue stopped on an error; restarting it")
                    if not await resume_jobs(
                        hub.jobs, hub.engine, patience=api.database_wait_seconds, stop=stop
                    ):
                        break
                    say("g4hub worker: running again.")
                say(
                    "g4hub worker: stopping; running syncs finish their page and go back to "
                    "the queue."
                    if procrastinate
                    else "g4hub worker: stopping; running syncs are recorded as interrupted."
                )
        say("g4hub worker: stopped.")

    asyncio.run(work())
    return 0


async def queue_ended(stop: asyncio.Event, jobs: object) -> bool:
    """Wait for `stop`, or for a procrastinate worker to end by itself; True in that case."""
    from g4hub_core.sync.procrastinate_queue import ProcrastinateQueue

    if not isinstance(jobs, ProcrastinateQueue):
        await stop.wait()
        return False
    stopping = asyncio.ensure_future(stop.wait())
    ended = asyncio.ensure_future(jobs.wait_stopped())
    await asyncio.wait({stopping, ended}, return_when=asyncio.FIRST_COMPLETED)
    for waiting in (stopping, ended):
        waiting.cancel()
    return not stop.is_set()


def db_upgrade(args: argparse.Namespace) -> int:
    from g4hub_core import HubSettings
    from g4hub_core.db import create_engine, current_revision
    from g4hub_core.db import upgrade as upgrade_database
    from hub_api.process import database_label, say

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
    from hub_api.process import database_label, head_revision, say

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
    from hub_api.process import require_schema, say

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
    from hub_api.process import say

    say(generate_key(args.key_id).encoded())  # a bad --id is InvalidInput: one line from main
    return 0


def api_settings(args: argparse.Namespace, **overrides: Any) -> ApiSettings:
    """`ApiSettings` from the environment, with `--host` / `--port` when given."""
    from hub_api.process import CliError
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
