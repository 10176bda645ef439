"""The write path's rows: the audit trail and bulk jobs, one tenant's each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, tuple_

from g4hub_core.models import SkuVariant, StoreProduct, WriteAudit, WriteJob
from g4hub_core.repository import TenantRepository

__all__ = ["AuditRepository", "WriteJobRepository", "locked_product"]


class AuditRepository(TenantRepository[WriteAudit]):
    model = WriteAudit
    noun = "audit entry"

    async def list(
        self,
        *,
        store_id: uuid.UUID | None = None,
        product_id: str | None = None,
        rule_id: uuid.UUID | None = None,
        job_id: uuid.UUID | None = None,
        field: str | None = None,
        result: str | None = None,
        actor: str | None = None,
        by_rule: bool | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
        limit: int = 100,
    ) -> Sequence[WriteAudit]:
        """Newest first (then by id), after the entry keyed `after` (its `created_at` and `id`),
        filtered by whichever of the other arguments are given (`by_rule`: made by a rule, or
        not)."""
        statement = self.statement()
        if field is not None:
            statement = statement.where(WriteAudit.field == field)
        if result is not None:
            statement = statement.where(WriteAudit.result == result)
        if actor is not None:
            statement = statement.where(WriteAudit.actor == actor)
        if by_rule is not None:
            statement = statement.where(
                WriteAudit.rule_id.is_not(None) if by_rule else WriteAudit.rule_id.is_(None)
            )
        if store_id is not None:
            statement = statement.where(WriteAudit.store_id == store_id)
        if product_id is not None:
            statement = statement.where(WriteAudit.product_id == product_id)
        if rule_id is not None:
            statement = statement.where(WriteAudit.rule_id == rule_id)
        if job_id is not None:
            statement = statement.where(WriteAudit.job_id == job_id)
        if after is not None:
            moment, last_id = after
            statement = statement.where(
                or_(
                    WriteAudit.created_at < moment,
                    and_(WriteAudit.created_at == moment, WriteAudit.id < last_id),
                )
            )
        statement = statement.order_by(WriteAudit.created_at.desc(), WriteAudit.id.desc())
        statement = statement.limit(limit)
        return (await self.session.scalars(statement)).all()

    async def titles(
        self, products: Sequence[tuple[uuid.UUID, str]]
    ) -> tuple[dict[tuple[uuid.UUID, str], str], dict[tuple[uuid.UUID, str, str], str]]:
        """The tenant's product names by (store, product id), and its variants' titles by
        (store, product id, variant id), of the `products` given (at most a page's worth)."""
        if not products:
            return {}, {}
        keys = tuple_(StoreProduct.store_id, StoreProduct.platform_product_id).in_(set(products))
        names = await self.session.execute(
            select(
                StoreProduct.store_id, StoreProduct.platform_product_id, StoreProduct.name
            ).where(StoreProduct.tenant_id == self.tenant_id, keys)
        )
        variants = await self.session.execute(
            select(
                StoreProduct.store_id,
                StoreProduct.platform_product_id,
                SkuVariant.variant_id,
                SkuVariant.title,
            )
            .join(SkuVariant, SkuVariant.product_row_id == StoreProduct.id)
            .where(StoreProduct.tenant_id == self.tenant_id, keys)
        )
        return (
            {(store, product): name for store, product, name in names if name},
            {
                (store, product, variant): title
                for store, product, variant, title in variants
                if variant is not None and title
            },
        )


class WriteJobRepository(TenantRepository[WriteJob]):
    model = WriteJob
    noun = "write job"


async def locked_product(
    repository: TenantRepository[StoreProduct], store_id: uuid.UUID, product_id: str
) -> StoreProduct | None:
    """The tenant's product row, read afresh (not from the session's identity map) and, on
    PostgreSQL, locked until the transaction ends, so the hub's writes to one product take turns
    across processes. SQLite drops `FOR UPDATE`: there the turn is `ProductLocks`' alone
    (`writes.locks`)."""
    statement = (
        repository.statement()
        .where(StoreProduct.store_id == store_id, StoreProduct.platform_product_id == product_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await repository.session.scalars(statement)).one_or_none()
