"""`g4hub serve --workers N`: N web processes answering on one listening socket.

The supervisor binds the socket and migrates the database once, then starts the web processes
(spawned, so none inherits the supervisor's state) and hands each the socket; the kernel gives
each new connection to whichever process accepts it first. A process that dies after it started
is started again; one that fails at start stops them all.

Syncs run in exactly one of them, process 0:
- on PostgreSQL (procrastinate) the others only queue jobs, which process 0 (and any
  `g4hub worker`) takes through the database;
- on SQLite (the embedded runner) the others leave a requested sync queued in the database and
  process 0 polls for it (every `SYNC_POLL_INTERVAL` seconds). One runner means one writer of
  sync batches, and the recovery of syncs left running by a crash cannot mark another live
  process's syncs as interrupted.
With `--no-sync` none runs syncs. Sign-in throttling is counted in each process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType

from g4hub_core import Hub, HubSettings
from hub_api.logging import configure_logging
from hub_api.process import CliError, say
from hub_api.serving import bind, public_url, serve_app
from hub_api.settings import ApiSettings

__all__ = ["SYNC_POLL_INTERVAL", "serve_workers"]

SYNC_POLL_INTERVAL = 1.0
"""How often process 0 looks for syncs the other processes queued (SQLite / embedded)."""

# A process that ends sooner than this after its start failed to start: starting it again
# would fail again (a bad setting, a database that refuses), so everything stops.
_STARTUP_GRACE = 10.0
# After a stop signal: how long the processes get to stop by themselves (a Ctrl-C reaches them
# directly), then to finish open requests after a SIGTERM, before they are killed.
_SIGNAL_REACH = 1.0
_STOP_TIMEOUT = 30.0


def serve_workers(
    settings: HubSettings,
    api: ApiSettings,
    *,
    workers: int,
    run_syncs: bool,
    banner: str,
) -> None:
    """Serve the app from `workers` processes until SIGINT or SIGTERM. `banner` (with `{url}`)
    is printed by process 0 once it answers. Raises `CliError` when a process cannot start."""
    configure_logging(api)
    listening = bind(api.host, api.port)
    try:
        asyncio.run(_upgrade(settings))
        url = public_url(listening)
        _Supervisor(settings, api, listening, run_syncs, banner.format(url=url)).run(workers)
    finally:
        listening.close()


async def _upgrade(settings: HubSettings) -> None:
    from g4hub_core.db import create_engine, upgrade

    engine = create_engine(settings.resolved_database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


class _Supervisor:
    def __init__(
        self,
        settings: HubSettings,
        api: ApiSettings,
        listening: socket.socket,
        run_syncs: bool,
        banner: str,
    ) -> None:
        self._settings = settings
        self._api = api
        self._listening = listening
        self._run_syncs = run_syncs
        self._banner = banner
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self._processes: dict[int, tuple[BaseProcess, float]] = {}

    def run(self, workers: int) -> None:
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for index in range(workers):
                self._start(index)
            failed = self._watch()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed is not None:
            raise CliError(f"web process {failed} could not start (see the log above)")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def _start(self, index: int) -> None:
        process = self._context.Process(
            target=_web_process,
            args=(
                index,
                self._listening,
                self._settings,
                self._api,
                self._run_syncs and index == 0,
                self._banner if index == 0 else None,
            ),
            name=f"g4hub-web-{index}",
        )
        process.start()
        self._processes[index] = (process, time.monotonic())

    def _watch(self) -> int | None:
        """Restart processes that die until a stop signal; the index of one that failed to
        start, if any."""
        while not self._stop.is_set():
            sentinels = [process.sentinel for process, _ in self._processes.values()]
            multiprocessing.connection.wait(sentinels, timeout=0.5)
            for index, (process, started) in list(self._processes.items()):
                if process.is_alive() or self._stop.is_set():
                    continue
                if time.monotonic() - started < _STARTUP_GRACE:
                    return index
                sys.stderr.write(
                    f"g4hub serve: web process {index} ended ({process.exitcode}); "
                    "starting it again.\n"
                )
                self._start(index)
        return None

    def _stop_all(self) -> None:
        processes = [process for process, _ in self._processes.values()]
        deadline = time.monotonic() + _SIGNAL_REACH
        for process in processes:
            process.join(max(deadline - time.monotonic(), 0))
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT
        for process in processes:
            process.join(max(deadline - time.monotonic(), 0))
            if process.is_alive():
                process.kill()
                process.join()


def _web_process(
    index: int,
    listening: socket.socket,
    settings: HubSettings,
    api: ApiSettings,
    runs_syncs: bool,
    banner: str | None,
) -> None:
    """One web process (the target of a spawned process)."""
    from g4hub_core.sync.queues import job_queue

    # Only the supervisor's own signals matter here until the server installs its handlers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    embedded = settings.resolved_job_queue != "procrastinate"
    poll_interval = SYNC_POLL_INTERVAL if embedded and runs_syncs else None
    hub = Hub(settings, jobs=job_queue(run_syncs=runs_syncs, poll_interval=poll_interval))

    def ready(url: str) -> None:
        if banner is not None:
            say(banner)

    try:
        asyncio.run(serve_app(hub, api, on_ready=ready, listening=listening, migrate=False))
    except CliError as exc:
        sys.stderr.write(f"g4hub serve: web process {index}: {exc}\n")
        sys.exit(1)
