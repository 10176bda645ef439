"""`ProductLocks`: the hub's writers of one store product take turns on SQLite, where
`SELECT ... FOR UPDATE` (`repository.locked_product`, PostgreSQL's row lock) is silently no lock.

    locks = ProductLocks.for_database(engine.url)
    async with locks.hold(store_id, "123"):     # read the store, compare, write
        ...

A turn covers the write's part at the store: re-reading the hub's row, reading the store afresh,
comparing and writing. The second writer of a product therefore reads the store after the first
one's write, and finds its value there (a compare-and-set conflict, nothing written twice).

Why not SQLite's own write lock (`BEGIN IMMEDIATE`, or an UPDATE of the row first): it is one
lock for the whole database, and a write holds it across its calls to the store (seconds, with
retries), so every sync batch, webhook and other product's write would wait on one slow store.

So a turn is two locks, neither of them the database's:
- in the process, an `asyncio.Lock` per (store, product), dropped once nobody holds or awaits
  it: the embedded hub runs its syncs, runners and web requests in one process;
- across processes, an advisory lock (`fcntl.lockf`) on one byte of a file beside the database
  (`<database>-writelocks`), the byte chosen by a 62-bit hash of the key: `g4hub serve
  --workers N` writes products from its web processes (edits, runs by hand) and from its
  background process (rules, bulk jobs). The system releases it if the process dies. POSIX
  locks belong to the process, which the in-process lock makes one holder of each key (two keys
  of one process sharing a byte would need a 62-bit hash collision).

A turn ends before the hub mirrors the store's answer and audits it: those need SQLite's write
lock, which the caller's transaction holds from its first write until it ends (`update` may be
called in a unit that has written already), so a writer waiting for it while holding a turn
that transaction wants next would never get it. The hub's row may thus trail the store for the
next writer for a moment; the store's read decides.

On PostgreSQL there is nothing to hold (`for_database` gives locks that hold nothing): the row
lock serializes writers of every process, until the write's transaction ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url

try:
    import fcntl
except ImportError:  # Windows: the processes of one hub do not share a SQLite file there
    fcntl = None  # type: ignore[assignment]

__all__ = ["ProductLocks"]

_Key = tuple[uuid.UUID, str]

_POLL_SECONDS = (0.005, 0.02, 0.05, 0.1)
"""Waits between tries of another process's lock (a blocking `lockf` would stop the event loop,
and one in a thread could not be given up when the waiting task is cancelled)."""


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ProductLocks:
    """Turns of the writers of one (store, product), per hub. `lock_file`: the file whose bytes
    are the cross-process locks, or `None` (this process only); `enabled=False` holds
    nothing."""

    def __init__(self, lock_file: Path | None = None, *, enabled: bool = True) -> None:
        self._lock_file = lock_file
        self._enabled = enabled
        self._turns: dict[_Key, _Turn] = {}
        self._fd: int | None = None

    @classmethod
    def for_database(cls, url: str | URL) -> ProductLocks:
        """Locks for the hub's database: none on PostgreSQL; on a SQLite file, in the process
        and across processes; on an in-memory SQLite database (one process), in the process."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return cls(enabled=False)
        database = parsed.database
        if not database or database == ":memory:" or fcntl is None:
            return cls()
        return cls(Path(f"{database}-writelocks"))

    @contextlib.asynccontextmanager
    async def hold(self, store_id: uuid.UUID, product_id: str) -> AsyncIterator[None]:
        """Wait for the product's turn and hold it for the block."""
        if not self._enabled:
            yield
            return
        key = (store_id, product_id)
        turn = self._turns.setdefault(key, _Turn())
        turn.users += 1
        try:
            async with turn.lock, self._across_processes(key):
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[key]

    def close(self) -> None:
        """Close the lock file (the hub's end; no turn may be held)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @contextlib.asynccontextmanager
    async def _across_processes(self, key: _Key) -> AsyncIterator[None]:
        if self._lock_file is None or fcntl is None:
            yield
            return
        if self._fd is None:
            self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        fd = self._fd
        digest = hashlib.blake2b(f"{key[0]}:{key[1]}".encode(), digest_size=8).digest()
        offset = int.from_bytes(digest, "big") >> 2  # within a signed 64-bit file offset
        tries = 0
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                break
            except (BlockingIOError, PermissionError):  # another process holds it
                await asyncio.sleep(_POLL_SECONDS[min(tries, len(_POLL_SECONDS) - 1)])
                tries += 1
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)
