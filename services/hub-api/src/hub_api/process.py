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
