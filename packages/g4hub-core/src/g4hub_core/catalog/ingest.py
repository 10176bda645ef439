"""The catalog's write path: batches of one store's products into `store_products`.

    batch = IngestBatch.prepare(products, tenant_id=..., store_id=..., sync_id=...)  # no database
    result = await write_batch(session, batch)     # IngestResult(created, updated, unchanged)
    removed = await remove_unseen(session, tenant_id=..., store_id=..., sync_id=...)

A batch costs a fixed number of statements whatever its size:

- one select of the stored content hashes of the batch's products;
- the new and changed rows in one `INSERT ... ON CONFLICT DO UPDATE`: on SQLite a multi-row
  VALUES statement; on PostgreSQL (by default) `COPY` into a session-local staging table and one
  `INSERT ... SELECT ... ON CONFLICT` from it, which costs the hub a fraction of the CPU of
  binding every value as a parameter (`method="values"` gives the VALUES form there too);
- one `UPDATE` marking the unchanged rows as seen by this sync, so re-syncing an unchanged
  catalog does not rewrite each product's JSON.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import attrs
import pydantic_core
from sqlalchemy import (
    Column,
    ColumnElement,
    Dialect,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import UserDefinedType

from g4hub_connectors import Product
from g4hub_core.db.base import utcnow
from g4hub_core.models import StoreProduct

__all__ = [
    "IngestBatch",
    "IngestMethod",
    "IngestResult",
    "count_store_products",
    "remove_unseen",
    "write_batch",
]

IngestMethod = Literal["auto", "values", "copy"]
"""How new and changed rows are written: "values" (a multi-row upsert, both databases), "copy"
(PostgreSQL: COPY into a staging table, then one upsert from it), "auto" (copy on PostgreSQL)."""

# Bound parameters one statement may carry: SQLite's default SQLITE_MAX_VARIABLE_NUMBER since
# 3.32, and PostgreSQL's protocol limit (a 16-bit count); a margin for the other parameters.
_MAX_PARAMETERS = {"sqlite": 32_766, "postgresql": 65_535}
_MARGIN = 16

_KEY = ("store_id", "platform_product_id")
_COLUMNS = (
    "tenant_id",
    "store_id",
    "platform_product_id",
    "sku",
    "name",
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
# PostgreSQL: one per connection, emptied at every commit. Its columns take the target's types
# from the target itself, so the two cannot drift apart.
_STAGING = "g4hub_ingest"
_CREATE_STAGING = text(
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} ON COMMIT DELETE ROWS AS "  # noqa: S608 (constants)
    f"SELECT {', '.join(_COLUMNS)} FROM store_products WITH NO DATA"
)
_COPY_STAGING = f"COPY {_STAGING} ({', '.join(_COLUMNS)}) FROM STDIN"
_STAGED = _table(_STAGING, MetaData())


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


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _with_ids(session: AsyncSession, ids: Sequence[str]) -> Iterable[ColumnElement[bool]]:
    """Conditions picking the rows with these platform ids, each within the parameter limit."""
    if _dialect(session) == "postgresql":
        # One array parameter joined through unnest: the plan is the same for any batch. An
        # IN list of 500 parameters, once psycopg prepares it, gets a generic plan that
        # compares every row of the store with every id.
        keys = func.unnest(bindparam("ids", list(ids), type_=postgresql.ARRAY(String)))
        yield StoreProduct.platform_product_id == keys.table_valued("id").render_derived().c.id
        return
    for chunk in _chunks(ids, _MAX_PARAMETERS["sqlite"] - _MARGIN):
        yield StoreProduct.platform_product_id.in_(chunk)


async def _stored_hashes(session: AsyncSession, batch: IngestBatch) -> dict[str, str]:
    found: dict[str, str] = {}
    for condition in _with_ids(session, list(batch.rows)):
        result = await session.execute(
            select(StoreProduct.platform_product_id, StoreProduct.content_hash).where(
                StoreProduct.store_id == batch.store_id, condition
            )
        )
        found.update((key, digest) for key, digest in result)
    return found


def _upsert(statement: Any) -> Any:
    return statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={name: statement.excluded[name] for name in _UPDATED_ON_CONFLICT},
    )


async def _upsert_values(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    dialect = _dialect(session)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    connection = await session.connection()
    per_statement = (_MAX_PARAMETERS.get(dialect, 32_766) - _MARGIN) // len(_COLUMNS)
    # RETURNING makes SQLAlchemy send the rows as multi-row VALUES statements ("insertmanyvalues",
    # compiled once and cached); without it, an upsert goes to the driver's executemany, row
    # by row on some drivers. The chunks keep each statement within the parameter limit.
    statement = _upsert(insert(_WRITE)).returning(_WRITE.c.store_id)
    for chunk in _chunks(rows, per_statement):
        await connection.execute(statement, list(chunk))


async def _upsert_copy(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    connection = await session.connection()
    await connection.execute(_CREATE_STAGING)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # psycopg's AsyncConnection, in this transaction
    async with driver.cursor() as cursor, cursor.copy(_COPY_STAGING) as copy:
        for row in rows:
            await copy.write_row([row[name] for name in _COLUMNS])
    staged = select(*(_STAGED.c[name] for name in _COLUMNS))
    await connection.execute(_upsert(postgresql.insert(_WRITE).from_select(_COLUMNS, staged)))


async def _touch(session: AsyncSession, batch: IngestBatch, ids: Sequence[str]) -> None:
    for condition in _with_ids(session, ids):
        await session.execute(
            update(StoreProduct)
            .where(StoreProduct.store_id == batch.store_id, condition)
            .values(seen_by_sync_id=batch.sync_id)
            .execution_options(synchronize_session=False)
        )


async def write_batch(
    session: AsyncSession, batch: IngestBatch, *, method: IngestMethod = "auto"
) -> IngestResult:
    """Write `batch` in the session's transaction: insert new products, rewrite those whose
    content changed (`last_updated` set to now), mark every product of the batch as seen by
    the batch's sync, and count what it did. The caller commits."""
    if not batch.rows:
        return IngestResult()
    copy = _dialect(session) == "postgresql" and method in ("auto", "copy")
    if method == "copy" and not copy:
        raise ValueError("COPY ingest needs PostgreSQL")
    stored = await _stored_hashes(session, batch)
    now = utcnow()
    changed: list[dict[str, Any]] = []
    unchanged: list[str] = []
    for product_id, row in batch.rows.items():
        if stored.get(product_id) == row["content_hash"]:
            unchanged.append(product_id)
        else:
            changed.append({**row, "last_updated": now})
    if changed:
        await (_upsert_copy if copy else _upsert_values)(session, changed)
    if unchanged:
        await _touch(session, batch, unchanged)
    created = sum(1 for row in changed if row["platform_product_id"] not in stored)
    return IngestResult(created=created, updated=len(changed) - created, unchanged=len(unchanged))


async def remove_unseen(
    session: AsyncSession, *, tenant_id: uuid.UUID, store_id: uuid.UUID, sync_id: uuid.UUID
) -> int:
    """Delete the store's products that sync `sync_id` did not write or mark; return how many.
    Only after a complete listing: a partial one would delete products the store still has."""
    result = await session.execute(
        delete(StoreProduct)
        .where(
            StoreProduct.tenant_id == tenant_id,
            StoreProduct.store_id == store_id,
            or_(StoreProduct.seen_by_sync_id.is_(None), StoreProduct.seen_by_sync_id != sync_id),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def count_store_products(session: AsyncSession, store_id: uuid.UUID) -> int:
    """How many products the hub holds for the store (whose tenant the caller has checked:
    counting by store alone lets the unique key's index answer without reading the rows)."""
    total = await session.scalar(
        select(func.count()).select_from(StoreProduct).where(StoreProduct.store_id == store_id)
    )
    return int(total or 0)
