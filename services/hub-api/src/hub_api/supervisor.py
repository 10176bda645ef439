"""`g4hub serve --workers N`: N web processes answering on one port, and one
background process that runs the syncs.

The supervisor binds the port and migrates the database once, then starts the processes
(spawned, so none inherits the supervisor's state). On Linux each web process listens on a
socket of its own bound to that port (`SO_REUSEPORT`; the supervisor's, never listening, keeps
the port), and the kernel spreads new connections evenly over them: on one shared socket the
process that happened to wake first took nearly every connection (a dashboard keeps its
connections open), so one process answered for all and the others idled. The price: a web
process that hangs (rather than dies) keeps its share of new connections waiting. Elsewhere the
web processes share the supervisor's socket. A process that dies after it started is started
again; one that fails at start stops them all.

The web processes only answer requests (and apply the webhook deliveries they receive): a sync
decodes and writes thousands of products a second, and in a web process it held that process's
event loop, so the requests queued behind its batches. The background process runs:
- the syncs: on PostgreSQL a procrastinate worker (the web processes only queue jobs, which it
  and any `g4hub worker` take through the database); on SQLite the embedded runner, which polls
  the database for the syncs the web processes leave queued (every `SYNC_POLL_INTERVAL`
  seconds). One runner means one writer of sync batches, and the recovery of syncs left running
  by a crash cannot mark another live process's syncs as interrupted;
- the runners of bulk writes and rules (see `Hub(runners=...)`).
With `--no-sync` it runs no syncs (`g4hub worker` processes do), only those runners. It runs
at a lower CPU priority (`G4HUB_BACKGROUND_NICENESS`, default 10): under load the web processes
answer first, and a sync takes the cycles they leave. Sign-in throttling is counted in each web
process.
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
from hub_api.process import CliError, resume_jobs, say, stop_signals
from hub_api.serving import bind, public_url, serve_app
from hub_api.settings import ApiSettings

__all__ = ["SYNC_POLL_INTERVAL", "serve_workers"]

SYNC_POLL_INTERVAL = 1.0
"""How often the background process looks for syncs the web processes queued (SQLite)."""
BACKGROUND = "the background process"

# A process that ends sooner than this after its start failed to start: starting it again
# would fail again (a bad setting, a database that refuses), so everything stops.
_STARTUP_GRACE = 10.0
# After a stop signal: how long the processes get to stop by themselves (a Ctrl-C reaches them
# directly), then to finish open requests after a SIGTERM, before they are killed.
_SIGNAL_REACH = 1.0
_STOP_TIMEOUT = 30.0
# Linux balances the connections of SO_REUSEPORT sockets; other systems do not (or lack it).
_OWN_SOCKETS = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def serve_workers(
    settings: HubSettings,
    api: ApiSettings,
    *,
    workers: int,
    run_syncs: bool,
    banner: str,
) -> None:
    """Serve the app from `workers` web processes, with syncs (unless not `run_syncs`) and the
    other background work in one more process, until SIGINT or SIGTERM. `banner` (with `{url}`)
    is printed by web process 0 once it answers. Raises `CliError` when a process cannot
    start."""
    configure_logging(api)
    listening = bind(api.host, api.port, reuse_port=_OWN_SOCKETS)
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
        # Each process by its name ("web process 0", ..., `BACKGROUND`): itself, its start.
        self._processes: dict[str, tuple[BaseProcess, float]] = {}

    def run(self, workers: int) -> None:
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for index in range(workers):
                self._start(f"web process {index}")
            self._start(BACKGROUND)
            failed = self._watch()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed is not None:
            raise CliError(f"{failed} could not start (see the log above)")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def _start(self, name: str) -> None:
        if name == BACKGROUND:
            process = self._context.Process(
                target=_background_process,
                args=(self._settings, self._api, self._run_syncs),
                name="g4hub-background",
            )
        else:
            first = name == "web process 0"
            process = self._context.Process(
                target=_web_process,
                args=(
                    name,
                    self._listening,
                    self._settings,
                    self._api,
                    self._banner if first else None,
                ),
                name=f"g4hub-{name.replace(' process ', '-')}",
            )
        process.start()
        self._processes[name] = (process, time.monotonic())

    def _watch(self) -> str | None:
        """Restart processes that die until a stop signal; the name of one that failed to
        start, if any."""
        while not self._stop.is_set():
            sentinels = [process.sentinel for process, _ in self._processes.values()]
            multiprocessing.connection.wait(sentinels, timeout=0.5)
            for name, (process, started) in list(self._processes.items()):
                if process.is_alive() or self._stop.is_set():
                    continue
                if time.monotonic() - started < _STARTUP_GRACE:
                    return name
                sys.stderr.write(
                    f"g4hub serve: {name} ended ({process.exitcode}); starting it again.\n"
                )
                self._start(name)
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
    name: str,
    listening: socket.socket,
    settings: HubSettings,
    api: ApiSettings,
    banner: str | None,
) -> None:
    """One web process (the target of a spawned process): it queues syncs and bulk writes for
    the background process, and runs none itself."""
    from g4hub_core.sync.queues import job_queue

    # Only the supervisor's own signals matter here until the server installs its handlers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _OWN_SOCKETS:
        host, port = listening.getsockname()[:2]
        listening.close()
        try:
            listening = bind(host, port, reuse_port=True)
        except CliError as exc:
            sys.stderr.write(f"g4hub serve: {name}: {exc}\n")
            sys.exit(1)
    hub = Hub(settings, jobs=job_queue(run_syncs=False), runners=False)

    def ready(url: str) -> None:
        if banner is not None:
            say(banner)

    try:
        asyncio.run(serve_app(hub, api, on_ready=ready, listening=listening, migrate=False))
    except CliError as exc:
        sys.stderr.write(f"g4hub serve: {name}: {exc}\n")
        sys.exit(1)


def _background_process(settings: HubSettings, api: ApiSettings, run_syncs: bool) -> None:
    """The background process (the target of a spawned process): syncs (unless not
    `run_syncs`), bulk writes and rules, until SIGINT or SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(api)
    # Lower priority only: the kernel still gives it every cycle the web processes leave idle.
    os.nice(api.background_niceness)
    try:
        asyncio.run(_run_background(settings, api, run_syncs))
    except CliError as exc:
        sys.stderr.write(f"g4hub serve: {BACKGROUND}: {exc}\n")
        sys.exit(1)


async def _run_background(settings: HubSettings, api: ApiSettings, run_syncs: bool) -> None:
    from g4hub_core.sync.queues import job_queue
    from hub_api.commands import queue_ended

    embedded = settings.resolved_job_queue != "procrastinate"
    poll_interval = SYNC_POLL_INTERVAL if embedded and run_syncs else None
    hub = Hub(settings, jobs=job_queue(run_syncs=run_syncs, poll_interval=poll_interval))
    stop = asyncio.Event()
    with stop_signals(lambda count: stop.set()):
        async with hub:
            # A procrastinate worker whose database went away ends: wait for the database
            # and start it again, as `g4hub worker` does.
            while await queue_ended(stop, hub.jobs):
                if not await resume_jobs(
                    hub.jobs, hub.engine, patience=api.database_wait_seconds, stop=stop
                ):
                    break
