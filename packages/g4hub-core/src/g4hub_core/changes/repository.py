"""Writing and reading `product_changes`.

Order: the feed is read by id. On PostgreSQL ids come from a sequence, and two transactions can
commit in the other order than they took their ids; a reader between the two commits would pass
the lower id for ever. `record_changes` therefore takes a per-tenant lock held until its
transaction ends, so one tenant's changes commit in id order (SQLite has one writer anyway).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import attrs
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.db.base import utcnow
from g4hub_core.db.dialects import dialect_of
from g4hub_core.models import ProductChange, StoreProduct
from g4hub_core.repository import TenantRepository

__all__ = [
    "ChangeEntry",
    "ChangeKind",
    "ChangeRepository",
    "record_changes",
    "record_store_deleted",
]

ChangeKind = Literal["created", "updated", "deleted"]


@attrs.frozen
class ChangeEntry:
    platform_product_id: str
    kind: ChangeKind
    source_updated_at: datetime | None = None


async def record_changes(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    store_id: uuid.UUID,
    entries: Sequence[ChangeEntry],
    *,
    source: str,
) -> None:
    """Add `entries` to the tenant's change feed in the session's transaction (the one that
    changes the rows, so both commit or neither does)."""
    if not entries:
        return
    await dialect_of(session).lock(session, "changes", tenant_id)
    now = utcnow()
    await session.execute(
        insert(ProductChange),
        [
            {
                "tenant_id": tenant_id,
                "store_id": store_id,
                "platform_product_id": entry.platform_product_id,
                "kind": entry.kind,
                "source": source,
                "source_updated_at": entry.source_updated_at,
                "changed_at": now,
            }
            for entry in entries
        ],
    )


async def record_store_deleted(
    session: AsyncSession, tenant_id: uuid.UUID, store_id: uuid.UUID
) -> None:
    """Before a store is deleted: a `deleted` change for each of its products, so programs
    following the feed learn they are gone (changes keep no foreign key to their store)."""
    held = await session.scalars(
        select(StoreProduct.platform_product_id).where(
            StoreProduct.tenant_id == tenant_id, StoreProduct.store_id == store_id
        )
    )
    await record_changes(
        session,
        tenant_id,
        store_id,
        [ChangeEntry(product_id, "deleted") for product_id in held],
        source="store_deleted",
    )


class ChangeRepository(TenantRepository[ProductChange]):
    model = ProductChange
    noun = "change"

    async def after(
        self, last_id: int, *, limit: int, store_id: uuid.UUID | None = None
    ) -> list[ProductChange]:
        """The tenant's changes past `last_id`, oldest first, at most `limit`."""
        statement = self.statement().where(ProductChange.id > last_id)
        if store_id is not None:
            statement = statement.where(ProductChange.store_id == store_id)
        statement = statement.order_by(ProductChange.id).limit(limit)
        return list((await self.session.scalars(statement)).all())

    async def latest(self, store_id: uuid.UUID, platform_product_id: str) -> ProductChange | None:
        """The product's last change (a deletion is its tombstone)."""
        statement = (
            self.statement()
            .where(
                ProductChange.store_id == store_id,
                ProductChange.platform_product_id == platform_product_id,
            )
            .order_by(ProductChange.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(statement)).one_or_none()

    async def latest_of(
        self, store_id: uuid.UUID, platform_product_ids: Sequence[str]
    ) -> dict[str, ProductChange]:
        """Each product's last change (as `latest`, for many products in one statement per
        chunk of ids), by platform product id; products never changed are absent."""
        found: dict[str, ProductChange] = {}
        if not platform_product_ids:
            return found
        sql = dialect_of(self.session)
        for condition in sql.key_in(ProductChange.platform_product_id, platform_product_ids):
            newest = (
                select(func.max(ProductChange.id))
                .where(
                    ProductChange.tenant_id == self.tenant_id,
                    ProductChange.store_id == store_id,
                    condition,
                )
                .group_by(ProductChange.platform_product_id)
            )
            for change in await self.session.scalars(
                self.statement().where(ProductChange.id.in_(newest))
            ):
                found[change.platform_product_id] = change
        return found

    async def last_id(self) -> int:
        found = await self.session.scalar(
            select(ProductChange.id)
            .where(ProductChange.tenant_id == self.tenant_id)
            .order_by(ProductChange.id.desc())
            .limit(1)
        )
        return int(found or 0)
