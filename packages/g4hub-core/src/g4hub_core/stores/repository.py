"""The tenant's stores."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from g4hub_core.models import Store
from g4hub_core.repository import TenantRepository

__all__ = ["StoreRepository"]


class StoreRepository(TenantRepository[Store]):
    model = Store
    noun = "store"

    async def list(self) -> Sequence[Store]:
        """Every store of the tenant, by name (then age, for equal names)."""
        statement = self.statement().order_by(Store.name, Store.created_at, Store.id)
        return (await self.session.scalars(statement)).all()

    async def find_by_url(
        self, platform: str, store_url: str, *, exclude: uuid.UUID | None = None
    ) -> Store | None:
        """The tenant's store at `store_url` (normalized, as the connector config gives it),
        other than `exclude`."""
        statement = self.statement().where(Store.platform == platform, Store.store_url == store_url)
        if exclude is not None:
            statement = statement.where(Store.id != exclude)
        return (await self.session.scalars(statement.limit(1))).one_or_none()
