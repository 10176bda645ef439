"""The base of every tenant-owned repository: built with a tenant, filtering by it in its base
statement, so no query can forget to."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.db.base import Base
from g4hub_core.errors import NotFound

__all__ = ["TenantRepository"]

M = TypeVar("M", bound=Base)


class TenantRepository(Generic[M]):
    """Rows of `model` that belong to one tenant. Another tenant's rows do not exist here: `get`
    answers `None` and `get_or_raise` raises `NotFound`, exactly as for an unknown id."""

    model: ClassVar[type[Any]]
    noun: ClassVar[str] = "item"

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def statement(self) -> Select[M]:
        return select(self.model).where(self.model.tenant_id == self.tenant_id)

    async def get(self, id_: uuid.UUID, *, for_update: bool = False) -> M | None:
        statement = self.statement().where(self.model.id == id_)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.scalars(statement)).one_or_none()

    async def get_or_raise(self, id_: uuid.UUID, *, for_update: bool = False) -> M:
        found = await self.get(id_, for_update=for_update)
        if found is None:
            raise NotFound(f"No {self.noun} with id {id_}.", details={"id": str(id_)})
        return found

    def add(self, row: M) -> M:
        """Add a new row, owned by this repository's tenant."""
        owner = getattr(row, "tenant_id", None)
        if owner is not None and owner != self.tenant_id:
            raise ValueError("a repository only adds rows of its own tenant")
        row.tenant_id = self.tenant_id  # type: ignore[attr-defined]
        self.session.add(row)
        return row

    async def delete(self, row: M) -> None:
        if row.tenant_id != self.tenant_id:  # type: ignore[attr-defined]
            raise ValueError("a repository only deletes rows of its own tenant")
        await self.session.delete(row)
