"""What the core's write paths do differently on PostgreSQL and SQLite, in one place.

    sql = dialect_of(session)
    statement = sql.insert(table).on_conflict_do_update(...)
    for condition in sql.key_in(column, ids): ...
    await sql.upsert(session, table, rows, key=..., update=..., where=...)
    if await sql.insert_or_skip(session, statement): ...
    await sql.lock(session, "tenant", tenant_id)
    sql.variant_count("store_products")

Nothing else in the sync and catalog paths asks which database it is on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import attrs
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Executable,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

__all__ = ["VARIANT_COUNT", "SQLDialect", "UpsertMethod", "dialect_of"]

UpsertMethod = Literal["auto", "values", "copy"]

# Bound parameters one statement may carry: SQLite's default SQLITE_MAX_VARIABLE_NUMBER since
# 3.32, and PostgreSQL's protocol limit (a 16-bit count); a margin for the other parameters.
_MAX_PARAMETERS = {"sqlite": 32_766, "postgresql": 65_535}
_MARGIN = 16


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@attrs.frozen
class SQLDialect:
    """The database-specific pieces of the write paths, for one dialect."""

    name: Literal["postgresql", "sqlite"]

    @property
    def postgresql(self) -> bool:
        return self.name == "postgresql"

    @property
    def statement_parameters(self) -> int:
        """Bound parameters one statement may safely carry."""
        return _MAX_PARAMETERS[self.name] - _MARGIN

    def insert(self, table: Any) -> Any:
        """An INSERT into `table` (a `Table`, or a model's `__table__`) that knows `ON CONFLICT`
        (both dialects spell it alike)."""
        return (postgresql.insert if self.postgresql else sqlite.insert)(table)

    def key_in(
        self, column: InstrumentedAttribute[str], keys: Sequence[str]
    ) -> Iterable[ColumnElement[bool]]:
        """Conditions picking the rows whose `column` is one of `keys`, each within the
        parameter limit (run one statement per condition)."""
        if self.postgresql:
            # One array parameter joined through unnest: the plan is the same for any batch. An
            # IN list of 500 parameters, once psycopg prepares it, gets a generic plan that
            # compares every row of the store with every id.
            found = func.unnest(bindparam("keys", list(keys), type_=postgresql.ARRAY(String)))
            yield column == found.table_valued("key").render_derived().c.key
            return
        for chunk in _chunks(keys, self.statement_parameters):
            yield column.in_(chunk)

    async def upsert(
        self,
        session: AsyncSession,
        table: Table,
        rows: Sequence[dict[str, Any]],
        *,
        key: Sequence[str],
        update: Sequence[str],
        where: Callable[[Any], ColumnElement[bool]],
        method: UpsertMethod = "auto",
    ) -> None:
        """Insert `rows` into `table`, rewriting the columns `update` of the rows whose `key`
        exists already and for which `where(excluded)` holds (rows it refuses stay as they
        are). Every row has every column of `table`.

        `method`: "values" (multi-row `INSERT ... ON CONFLICT`, both databases), "copy"
        (PostgreSQL: `COPY` into a transaction-local staging table, then one `INSERT ... SELECT
        ... ON CONFLICT` from it, a fraction of the CPU of binding every value), "auto" (copy on
        PostgreSQL)."""
        if method == "copy" and not self.postgresql:
            raise ValueError("COPY needs PostgreSQL")
        columns = [column.name for column in table.columns]

        def conflict(statement: Any) -> Any:
            return statement.on_conflict_do_update(
                index_elements=list(key),
                set_={name: statement.excluded[name] for name in update},
                where=where(statement.excluded),
            )

        connection = await session.connection()
        if self.postgresql and method != "values":
            staging = f"g4hub_staging_{table.name}"
            # One per connection, emptied at every commit. Its columns take the target's types
            # from the target itself, so the two cannot drift apart.
            await connection.execute(
                text(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "  # noqa: S608 (names, not values)
                    f"SELECT {', '.join(columns)} FROM {table.name} WITH NO DATA"
                )
            )
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection  # psycopg's AsyncConnection, in this transaction
            copy_into = f"COPY {staging} ({', '.join(columns)}) FROM STDIN"
            async with driver.cursor() as cursor, cursor.copy(copy_into) as copy:
                for row in rows:
                    await copy.write_row([row[name] for name in columns])
            staged = Table(staging, MetaData(), *(Column(c.name, c.type) for c in table.columns))
            selected = select(*(staged.c[name] for name in columns))
            await connection.execute(conflict(self.insert(table).from_select(columns, selected)))
            # ON COMMIT empties it only at the commit: a second upsert in the same transaction
            # would meet these rows again ("ON CONFLICT cannot affect row a second time").
            await connection.execute(text(f"TRUNCATE {staging}"))
            return
        # RETURNING makes SQLAlchemy send the rows as multi-row VALUES statements
        # ("insertmanyvalues", compiled once and cached); without it, an upsert goes to the
        # driver's executemany, row by row on some drivers. The chunks keep each statement
        # within the parameter limit.
        statement = conflict(self.insert(table)).returning(table.c[key[0]])
        for chunk in _chunks(rows, self.statement_parameters // len(columns)):
            await connection.execute(statement, list(chunk))

    async def insert_or_skip(self, session: AsyncSession, statement: Executable) -> bool:
        """Run an INSERT a unique index may refuse: False if it did, the session's transaction
        usable either way."""
        try:
            if self.postgresql:
                # PostgreSQL aborts the whole transaction on an error: a savepoint contains it.
                async with session.begin_nested():
                    await session.execute(statement)
            else:
                # SQLite backs out only the failing statement. (Its driver would commit at the
                # release of a savepoint that began the transaction.)
                await session.execute(statement)
        except IntegrityError:
            return False
        return True

    def variant_count(self, table: str) -> ColumnElement[int]:
        """How many variants the normalized product in `table.data` lists (0 when it has no
        list). Rendered as literal SQL, the same text as the partial indexes of migration 0008
        (`VARIANT_COUNT`), so the planners can use them."""
        return literal_column(VARIANT_COUNT[self.name].replace("data", f"{table}.data"), BigInteger)

    async def lock(self, session: AsyncSession, scope: str, key: uuid.UUID) -> None:
        """Hold a lock on `(scope, key)` until the transaction ends, so two transactions that
        read-then-write the same thing run one after the other. SQLite needs none: it has one
        writer at a time, and the hub's runners on SQLite share one process."""
        if self.postgresql:
            await session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"),
                {"name": f"g4hub:{scope}:{key}"},
            )


VARIANT_COUNT = {
    "postgresql": "coalesce(jsonb_array_length(data -> 'variants'), 0)",
    "sqlite": "coalesce(json_array_length(data, '$.variants'), 0)",
}
"""The number of variants of a `store_products` row, as SQL on each database (migration 0008's
partial indexes and `SQLDialect.variant_count`)."""

_DIALECTS: dict[str, SQLDialect] = {
    "postgresql": SQLDialect("postgresql"),
    "sqlite": SQLDialect("sqlite"),
}


def dialect_of(session: AsyncSession) -> SQLDialect:
    """The dialect of the database `session` talks to."""
    name = session.get_bind().dialect.name
    try:
        return _DIALECTS[name]
    except KeyError:
        raise ValueError(f"unsupported database {name!r}: use PostgreSQL or SQLite") from None
