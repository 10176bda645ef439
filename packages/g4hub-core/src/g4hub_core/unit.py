"""`UnitOfWork`: one session and transaction, the tenant it works for, and what waits for its
commit. The core's leaf: services receive a unit (and only the collaborators they use), so no
service needs the `Hub` that builds them.

    async with UnitOfWork(sessionmaker, tenant_id) as work:   # commits when the block ends
        work.session.add(...)
        work.after_commit(notify)                             # runs once committed, never after
                                                              # a rollback
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from g4hub_core.errors import AccessDenied

__all__ = ["UnitFactory", "UnitOfWork"]


class UnitOfWork:
    """One transaction. Use as `async with`: it commits when the block ends without an error
    (then runs the `after_commit` callbacks, in order), and rolls back otherwise.

    `tenant_id`: the tenant the unit works for; reading `tenant_id` on a unit without one
    raises `AccessDenied` (`tenant_required`), so tenant services cannot run unscoped."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._tenant_id = tenant_id
        self._session: AsyncSession | None = None
        self._after_commit: list[Callable[[], Awaitable[None]]] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit as `async with ... as unit`")
        return self._session

    @property
    def tenant_id(self) -> uuid.UUID:
        if self._tenant_id is None:
            raise AccessDenied("This action needs a signed-in tenant.", code="tenant_required")
        return self._tenant_id

    @property
    def has_tenant(self) -> bool:
        return self._tenant_id is not None

    def after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` once this unit has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    async def commit(self) -> None:
        """Commit now (the unit commits at its end anyway), then run what waited for it."""
        await self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            await callback()

    async def __aenter__(self) -> Self:
        self._session = self._sessionmaker()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                await self.commit()
            else:
                await session.rollback()
                self._after_commit.clear()
        finally:
            await session.close()


UnitFactory = Callable[[uuid.UUID | None], UnitOfWork]
"""Makes a unit for a tenant (or none): what code that opens its own transactions receives."""
