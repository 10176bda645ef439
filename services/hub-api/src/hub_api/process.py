"""What every `g4hub` command shares, kept free of the web stack (uvicorn, Litestar) so that
`worker`, `db` and `keys` start without loading it: one-line failures, terminal output, the
database's label and schema check, waiting for the database, and stopping on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Protocol

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from g4hub_core import HubSettings
from g4hub_core.db import current_revision
from g4hub_core.db.migrate import alembic_config

__all__ = [
    "CliError",
    "database_label",
    "head_revision",
    "require_schema",
    "resume_jobs",
    "say",
    "stop_signals",
    "wait_for_database",
]


class CliError(Exception):
    """A known failure: `g4hub` prints its message on one line and exits with status 1."""


def say(text: str) -> None:
    """Write a line for the person at the terminal (flushed: the output may be a pipe)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def database_label(settings: HubSettings) -> str:
    """The database URL without its password (or its driver: `postgresql://…`, `sqlite:///…`)."""
    url = make_url(settings.resolved_database_url)
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def head_revision() -> str | None:
    """The newest migration's revision."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def require_schema(engine: AsyncEngine) -> None:
    """Raise `CliError` unless the database is at the newest schema."""
    current, head = await current_revision(engine), head_revision()
    if current != head:
        state = f"at {current}" if current else "empty"
        raise CliError(
            f"the database is {state}, not at the newest schema ({head}): "
            "run `g4hub db upgrade` first"
        )


async def wait_for_database(
    engine: AsyncEngine,
    *,
    patience: float,
    first_delay: float = 0.5,
    max_delay: float = 10.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Return once the database answers `SELECT 1`. Until then retry, waiting `first_delay`
    seconds and doubling up to `max_delay`, for `patience` seconds in all; then raise
    `CliError`. A worker started with its database (both restarted by the same machine, a
    failover) then waits for it instead of exiting at once."""
    deadline = clock() + patience
    delay = first_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return
        except (OSError, SQLAlchemyError) as exc:
            reason = _reason(exc, engine)
            left = deadline - clock()
            if left <= 0:
                raise CliError(
                    f"the database did not answer for {patience:g} seconds ({reason}); "
                    "check G4HUB_DATABASE_URL and that the server is running"
                ) from None
            wait = min(delay, max_delay, left)
            say(f"g4hub: the database does not answer ({reason}); retrying in {wait:.1f} s")
            await sleep(wait)
            delay = min(delay * 2, max_delay)


class Restartable(Protocol):
    """A job queue that can be stopped and started again (`g4hub_core.sync.jobs.JobQueue`)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def resume_jobs(
    jobs: Restartable,
    engine: AsyncEngine,
    *,
    patience: float,
    stop: asyncio.Event,
    first_delay: float = 0.5,
    max_delay: float = 10.0,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Restart a job queue whose worker stopped on an error (its database went away, a
    failover): stop it (its running syncs go back to the queue, or stay `running` for the
    next start to recover), wait for the database as at start (`wait_for_database`: backoff,
    saying the driver's reason), start it again. A start that fails (the database went away
    again) is retried the same way. All within `patience` seconds, then `CliError`; False,
    without starting, as soon as `stop` is set."""
    await jobs.stop()
    deadline = clock() + patience
    delay = first_delay
    while not stop.is_set():
        waited = await _unless_stopped(
            wait_for_database(
                engine,
                patience=max(deadline - clock(), 0.0),
                first_delay=first_delay,
                max_delay=max_delay,
                clock=clock,
            ),
            stop,
        )
        if not waited:
            break
        try:
            await jobs.start()
            return True
        except Exception as exc:  # the driver's, or procrastinate's wrapping of it
            reason = _reason(exc, engine)
            await jobs.stop()
            left = deadline - clock()
            if left <= 0:
                raise CliError(
                    f"the job queue did not start again within {patience:g} seconds ({reason})"
                ) from None
            wait = min(delay, max_delay, left)
            say(f"g4hub: the job queue did not start again ({reason}); retrying in {wait:.1f} s")
            delay = min(delay * 2, max_delay)
            await _unless_stopped(asyncio.sleep(wait), stop)
    return False


async def _unless_stopped(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Run `work` until it ends (True; its exception raised) or `stop` is set (False)."""
    working = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (working, stopping):
            task.cancel()
    if not working.done() or working.cancelled():
        return False
    working.result()
    return True


def _reason(exc: BaseException, engine: AsyncEngine) -> str:
    """The driver's own first line ("... port 5432 failed: Connection refused"): what a person
    acts on. Drivers may quote the connection string, so its password is cut out."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = lines[0] if lines else type(exc).__name__
    password = engine.url.password
    if password:
        reason = reason.replace(str(password), "***")
    return reason


@contextlib.contextmanager
def stop_signals(on_signal: Callable[[int], None]) -> Iterator[None]:
    """Call `on_signal(n)` on the n-th SIGINT or SIGTERM while the block runs (in the running
    event loop), instead of Python's KeyboardInterrupt or termination."""
    loop = asyncio.get_running_loop()
    count = 0

    def handle() -> None:
        nonlocal count
        count += 1
        on_signal(count)

    installed: list[signal.Signals] = []
    previous: dict[signal.Signals, object] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, handle)
            installed.append(sig)
        except NotImplementedError:  # Windows' event loops have no signal handlers
            previous[sig] = signal.signal(sig, lambda *_: loop.call_soon_threadsafe(handle))
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
