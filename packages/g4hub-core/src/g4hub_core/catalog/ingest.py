"""The catalog's write path: batches of one store's products into `store_products`, through
`CatalogWriter`, a repository of one tenant (its statements all name the tenant, so a batch
for another tenant's store changes nothing).

    batch = IngestBatch.prepare(products, tenant_id=..., store_id=..., sync_id=...)  # no database
    writer = CatalogWriter(session, tenant_id)
    result = await writer.write(batch)          # IngestResult(created, updated, unchanged)
    removed = await writer.remove_unseen(store_id, sync_id)

A batch costs a fixed number of statements whatever its size:

- one select of the stored content hashes of the batch's products;
- the new and changed rows in one `INSERT ... ON CONFLICT DO UPDATE` (`SQLDialect.upsert`: on
  PostgreSQL by default through `COPY`, `method="values"` gives the VALUES form there too);
- one `UPDATE` marking the unchanged rows as seen by this sync, so re-syncing an unchanged
  catalog does not rewrite each product's JSON.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import pydantic_core
from sqlalchemy import Column, ColumnElement, Dialect, MetaData, Table, delete, func, or_, select
from sqlalchemy import update as update_
from sqlalchemy.types import UserDefinedType

from g4hub_connectors import Product
from g4hub_core.changes.repository import ChangeEntry, record_changes
from g4hub_core.db.base import utcnow
from g4hub_core.db.dialects import UpsertMethod, dialect_of
from g4hub_core.folding import search_text
from g4hub_core.models import StoreProduct
from g4hub_core.repository import TenantRepository

__all__ = ["CatalogWriter", "IngestBatch", "IngestMethod", "IngestResult"]

IngestMethod = UpsertMethod
"""How new and changed rows are written: "values" (a multi-row upsert, both databases), "copy"
(PostgreSQL: COPY into a staging table, then one upsert from it), "auto" (copy on PostgreSQL)."""

_KEY = ("store_id", "platform_product_id")
_COLUMNS = (
    "tenant_id",
    "store_id",
    "platform_product_id",
    "sku",
    "name",
    "search_text",
    "price",
    "currency",
    "stock_quantity",
    "manage_stock",
    "stock_status",
    "status",
    "image_url",
    "data",
    "content_hash",
    "source_updated_at",
    "seen_by_sync_id",
    "last_updated",
)
_UPDATED_ON_CONFLICT = tuple(name for name in _COLUMNS if name not in (*_KEY, "tenant_id"))


class _EncodedJSON(UserDefinedType[str]):
    """JSON already serialized by `IngestBatch`: bound as text, which SQLite stores as it is and
    PostgreSQL parses into `jsonb` (as it parses any JSON parameter), so each product is
    serialized once, for its hash and its row alike."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "JSONB"

    def bind_processor(self, dialect: Dialect) -> None:
        return None


def _table(name: str, metadata: MetaData) -> Table:
    """`store_products` as the writes see it: the model's column types, but `data` taking
    encoded JSON."""
    source = StoreProduct.__table__
    columns = [
        Column(column, _EncodedJSON() if column == "data" else source.c[column].type)
        for column in _COLUMNS
    ]
    return Table(name, metadata, *columns)


_WRITE = _table("store_products", MetaData())


@attrs.frozen
class IngestResult:
    """What a batch did. `created + updated + unchanged` is the number of distinct products."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: IngestResult) -> IngestResult:
        return IngestResult(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def _aware(moment: datetime | None) -> datetime | None:
    # The connectors give aware datetimes; a naive one (a third platform's) is taken as UTC
    # rather than refused by the column mid-sync.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _text(value: str | None) -> str | None:
    # PostgreSQL's text refuses NUL characters, which a store can hold in a name or SKU.
    return value.replace("\x00", "") if value is not None and "\x00" in value else value


@attrs.frozen
class IngestBatch:
    """One batch of a store's products as rows, made without the database, so a sync can
    prepare a batch while the previous one is written.

    Products are de-duplicated by id, the last occurrence winning (PostgreSQL refuses to upsert
    the same key twice in one statement). `data` is the normalized product as JSON, the
    platform's own JSON under `raw`; `content_hash` a 128-bit BLAKE2b digest of it.
    """

    tenant_id: uuid.UUID
    store_id: uuid.UUID
    sync_id: uuid.UUID
    rows: dict[str, dict[str, Any]]
    """Rows by platform product id, without `last_updated` (set when written)."""
    received: int
    """Products given, duplicates included."""

    @classmethod
    def prepare(
        cls,
        products: Iterable[Product],
        *,
        tenant_id: uuid.UUID,
        store_id: uuid.UUID,
        sync_id: uuid.UUID,
    ) -> IngestBatch:
        rows: dict[str, dict[str, Any]] = {}
        received = 0
        for product in products:
            received += 1
            # `to_json` of the model is one pass; `model_dump(mode="json")` and then the
            # engine's encoding of that dict would be two, and slower together.
            encoded = pydantic_core.to_json(product)
            if b"\\u0000" in encoded:  # jsonb refuses NUL too; drop it from the stored copy
                encoded = encoded.replace(b"\\u0000", b"")
            rows.pop(product.id, None)  # the last occurrence wins, in its own position
            rows[product.id] = {
                "tenant_id": tenant_id,
                "store_id": store_id,
                "platform_product_id": product.id,
                "sku": _text(product.sku),
                "name": _text(product.name),
                "search_text": search_text(product.name, product.sku),
                "price": product.price,
                "currency": product.currency,
                "stock_quantity": product.stock_quantity,
                "manage_stock": product.manage_stock,
                "stock_status": product.stock_status,
                "status": product.status,
                "image_url": _text(product.images[0]) if product.images else None,
                "data": encoded.decode(),
                "content_hash": hashlib.blake2b(encoded, digest_size=16).hexdigest(),
                "source_updated_at": _aware(product.updated_at),
                "seen_by_sync_id": sync_id,
            }
        return cls(tenant_id, store_id, sync_id, rows, received)


class CatalogWriter(TenantRepository[StoreProduct]):
    """Writes one tenant's synced products. Each statement names the tenant: a batch, a removal
    or a count aimed at another tenant's store finds nothing of it, and changes nothing."""

    model = StoreProduct
    noun = "product"

    def _of_store(self, store_id: uuid.UUID) -> ColumnElement[bool]:
        return (StoreProduct.tenant_id == self.tenant_id) & (StoreProduct.store_id == store_id)

    async def write(
        self, batch: IngestBatch, *, method: IngestMethod = "auto", source: str = "sync"
    ) -> IngestResult:
        """Write `batch` in the session's transaction: insert new products, rewrite those whose
        content changed (`last_updated` set to now), mark every product of the batch as seen by
        the batch's sync, and count what it did. The caller commits. A batch of another tenant
        is refused (`ValueError`)."""
        if batch.tenant_id != self.tenant_id:
            raise ValueError("a catalog writer only writes its own tenant's batches")
        if not batch.rows:
            return IngestResult()
        stored = await self._stored_hashes(batch)
        now = utcnow()
        changed: list[dict[str, Any]] = []
        unchanged: list[str] = []
        for product_id, row in batch.rows.items():
            if stored.get(product_id) == row["content_hash"]:
                unchanged.append(product_id)
            else:
                changed.append({**row, "last_updated": now})
        if changed:
            await dialect_of(self.session).upsert(
                self.session,
                _WRITE,
                changed,
                key=_KEY,
                update=_UPDATED_ON_CONFLICT,
                # The store's id is unique across tenants; this makes the write say so too.
                where=lambda excluded: _WRITE.c.tenant_id == excluded.tenant_id,
                method=method,
            )
        if unchanged:
            await self._touch(batch, unchanged)
        created = sum(1 for row in changed if row["platform_product_id"] not in stored)
        # The change feed (`g4hub_core.changes`), in this transaction: `source` names the writer.
        await record_changes(
            self.session,
            self.tenant_id,
            batch.store_id,
            [
                ChangeEntry(
                    row["platform_product_id"],
                    "updated" if row["platform_product_id"] in stored else "created",
                    row["source_updated_at"],
                )
                for row in changed
            ],
            source=source,
        )
        return IngestResult(
            created=created, updated=len(changed) - created, unchanged=len(unchanged)
        )

    async def remove_unseen(self, store_id: uuid.UUID, sync_id: uuid.UUID) -> int:
        """Delete the store's products that sync `sync_id` did not write or mark; return how
        many. Only after a complete listing: a partial one would delete products the store
        still has."""
        result = await self.session.execute(
            delete(StoreProduct)
            .where(
                self._of_store(store_id),
                or_(
                    StoreProduct.seen_by_sync_id.is_(None),
                    StoreProduct.seen_by_sync_id != sync_id,
                ),
            )
            .returning(StoreProduct.platform_product_id)
            .execution_options(synchronize_session=False)
        )
        removed = list(result.scalars())
        # The change feed (`g4hub_core.changes`), in this transaction.
        await record_changes(
            self.session,
            self.tenant_id,
            store_id,
            [ChangeEntry(product_id, "deleted") for product_id in removed],
            source="sync",
        )
        return len(removed)

    async def count(self, store_id: uuid.UUID) -> int:
        """How many products the hub holds for the store."""
        total = await self.session.scalar(
            select(func.count()).select_from(StoreProduct).where(self._of_store(store_id))
        )
        return int(total or 0)

    async def _stored_hashes(self, batch: IngestBatch) -> dict[str, str]:
        found: dict[str, str] = {}
        sql = dialect_of(self.session)
        for condition in sql.key_in(StoreProduct.platform_product_id, list(batch.rows)):
            result = await self.session.execute(
                select(StoreProduct.platform_product_id, StoreProduct.content_hash).where(
                    self._of_store(batch.store_id), condition
                )
            )
            found.update((key, digest) for key, digest in result)
        return found

    async def _touch(self, batch: IngestBatch, ids: Sequence[str]) -> None:
        sql = dialect_of(self.session)
        for condition in sql.key_in(StoreProduct.platform_product_id, ids):
            await self.session.execute(
                update_(StoreProduct)
                .where(self._of_store(batch.store_id), condition)
                .values(seen_by_sync_id=batch.sync_id)
                .execution_options(synchronize_session=False)
            )
