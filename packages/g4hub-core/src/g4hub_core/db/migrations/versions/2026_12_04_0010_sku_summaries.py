"""The SKU view's summaries, kept by the database: one row per tenant and SKU, and one per
tenant, SKU and store holding it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

A listing is a product's own SKU (a product with fewer than two variants) or a variant's
(`sku_variants`), as in `skus.repository`; no SKU (`NULL` or '') is summarized under ''.

- `sku_summaries` (tenant_id, sku): the SKU's `listings`, the `stores` holding it and whether
  its listings `differs` on price or stock. Rows stay at zero listings once a SKU is gone
  (readers skip them), so a row a transaction waits on is never deleted under it.
- `sku_store_listings` (tenant_id, sku, store_id): how many listings a store holds of the SKU,
  only while it holds any. Walked by (tenant_id, store_id, sku) for "held by", probed for
  "missing in", its duplicates (`listings > 1`) read from a partial index.

Triggers on `store_products` (and, on SQLite, `sku_variants`) recount every SKU a statement
touched, so every writer, the sync's COPY upsert and the cascades included, keeps them without
knowing of them. SQLite has one writer at a time: a row trigger recounts the row's SKU at once.
PostgreSQL's statement triggers note the changed rows' SKUs in `sku_pending` (transition
tables), and at the commit a deferred trigger locks their summary rows in key order and counts
them by a later statement, whose snapshot sees what each earlier holder of a lock committed:
exact under concurrent writers, and no two writers wait on each other's SKUs in turn.
`sku_pending` stays empty on SQLite. Filled from the existing listings.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The same text as `g4hub_core.db.dialects.VARIANT_COUNT`, frozen here as migrations are.
_COUNT = {
    "postgresql": "coalesce(jsonb_array_length({row}data -> 'variants'), 0)",
    "sqlite": "coalesce(json_array_length({row}data, '$.variants'), 0)",
}
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_PRICE = {"postgresql": "{row}price", "sqlite": "CAST({row}price AS REAL)"}


def _listings(dialect: str, tenant: str, sku: str) -> str:
    """The listings of `(tenant, sku)` ('' for none): `store_id`, `price`, `stock`, each branch
    on its `(tenant_id, sku)` index."""
    count = _COUNT[dialect].format(row="p.")
    price = _PRICE[dialect]
    products = (
        f"SELECT p.store_id, {price.format(row='p.')} AS price, p.stock_quantity AS stock "  # noqa: S608 (names and constants, no values)
        f"FROM store_products AS p WHERE p.tenant_id = {tenant} AND {count} < 2 AND "
    )
    variants = (
        f"SELECT v.store_id, {price.format(row='v.')} AS price, v.stock_quantity AS stock "  # noqa: S608 (names and constants, no values)
        f"FROM sku_variants AS v WHERE v.tenant_id = {tenant} AND "
    )
    return " UNION ALL ".join(
        [
            products + f"p.sku = {sku}",
            products + f"{sku} = '' AND p.sku IS NULL",
            variants + f"v.sku = {sku}",
            variants + f"{sku} = '' AND v.sku IS NULL",
        ]
    )


_DIFFERS = (
    "(coalesce(min(price) <> max(price), false) OR coalesce(min(stock) <> max(stock), false))"
)

_PG_REFRESH = f"""
CREATE FUNCTION g4hub_sku_refresh(tenant_ids uuid[], skus text[], store_ids uuid[])
RETURNS void LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    INSERT INTO sku_summaries (tenant_id, sku)
    SELECT DISTINCT k.tenant_id, k.sku FROM unnest(tenant_ids, skus) AS k(tenant_id, sku)
    WHERE EXISTS (SELECT 1 FROM tenants WHERE tenants.id = k.tenant_id)
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM sku_summaries AS s
    WHERE (s.tenant_id, s.sku) IN (SELECT * FROM unnest(tenant_ids, skus))
    ORDER BY s.tenant_id, s.sku FOR UPDATE;
    WITH keys AS (
        SELECT s.tenant_id, s.sku FROM sku_summaries AS s
        WHERE (s.tenant_id, s.sku) IN (SELECT * FROM unnest(tenant_ids, skus))
    ), per_store AS (
        SELECT k.tenant_id, k.sku, l.store_id, count(*) AS listings,
            min(l.price) AS low_price, max(l.price) AS high_price,
            min(l.stock) AS low_stock, max(l.stock) AS high_stock
        FROM keys AS k
        CROSS JOIN LATERAL ({_listings("postgresql", "k.tenant_id", "k.sku")}) AS l
        GROUP BY k.tenant_id, k.sku, l.store_id
    ), counted AS (
        SELECT k.tenant_id, k.sku, coalesce(sum(p.listings), 0) AS listings,
            count(p.store_id) AS stores,
            coalesce(min(p.low_price) <> max(p.high_price), false)
                OR coalesce(min(p.low_stock) <> max(p.high_stock), false) AS differs
        FROM keys AS k
        LEFT JOIN per_store AS p ON p.tenant_id = k.tenant_id AND p.sku = k.sku
        GROUP BY k.tenant_id, k.sku
    ), summarized AS (
        UPDATE sku_summaries AS s
        SET listings = c.listings, stores = c.stores, differs = c.differs
        FROM counted AS c
        WHERE s.tenant_id = c.tenant_id AND s.sku = c.sku
            AND (s.listings, s.stores, s.differs) IS DISTINCT FROM (c.listings, c.stores, c.differs)
    ), pairs AS (
        SELECT k.tenant_id, k.sku, k.store_id, p.listings
        FROM (
            SELECT DISTINCT k.tenant_id, k.sku, k.store_id
            FROM unnest(tenant_ids, skus, store_ids) AS k(tenant_id, sku, store_id)
            WHERE (k.tenant_id, k.sku) IN (SELECT tenant_id, sku FROM keys)
        ) AS k
        LEFT JOIN per_store AS p
            ON p.tenant_id = k.tenant_id AND p.sku = k.sku AND p.store_id = k.store_id
    ), gone AS (
        DELETE FROM sku_store_listings AS x USING pairs AS k
        WHERE x.tenant_id = k.tenant_id AND x.sku = k.sku AND x.store_id = k.store_id
            AND k.listings IS NULL
    )
    INSERT INTO sku_store_listings (tenant_id, sku, store_id, listings)
    SELECT tenant_id, sku, store_id, listings FROM pairs WHERE listings IS NOT NULL
    ON CONFLICT (tenant_id, sku, store_id) DO UPDATE SET listings = excluded.listings
    WHERE sku_store_listings.listings <> excluded.listings;
END
$$
"""  # noqa: S608 (names and constants, no values)


_PG_TRANSACTION = "pg_current_xact_id()::text::bigint"


def _pg_pending(rows: str) -> str:
    """Into `sku_pending`: the `(tenant, sku, store)` of every listing of the product rows
    `rows`, the product's own SKU or its variants' (as `sku_variants` takes them)."""
    several = _COUNT["postgresql"].format(row="r.") + " >= 2"
    return (
        "INSERT INTO sku_pending (transaction_id, tenant_id, sku, store_id) "  # noqa: S608 (names and constants, no values)
        f"SELECT DISTINCT {_PG_TRANSACTION}, r.tenant_id, coalesce(l.sku, ''), r.store_id "
        f"FROM {rows} AS r CROSS JOIN LATERAL ("
        f"SELECT r.sku WHERE NOT {several} UNION ALL SELECT v.value ->> 'sku' "
        f"FROM jsonb_array_elements(CASE WHEN {several} THEN r.data -> 'variants' END) AS v"
        ") AS l(sku)"
    )


def _pg_changed(side: str) -> str:
    """The old (`o`) or new (`n`) side of the updated products whose listings changed."""
    return (
        f"SELECT {side}.* FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id WHERE "  # noqa: S608 (names and constants, no values)
        "(o.tenant_id, o.store_id, o.sku, o.price, o.stock_quantity, o.data -> 'variants') "
        "IS DISTINCT FROM "
        "(n.tenant_id, n.store_id, n.sku, n.price, n.stock_quantity, n.data -> 'variants')"
    )


# A statement's changed SKUs wait in `sku_pending` until the transaction commits, when they
# are all locked in one go, in key order, and counted: locking as the statements run would take
# a transaction's SKUs in the order of its statements (an upsert's inserted rows, then its
# updated rows; one sync batch, then the next), and two writers could wait on each other.
# The first pending row of a transaction is a marker (no SKU) whose deferred trigger does it.
_PG_TRIGGER = f"""
CREATE FUNCTION g4hub_sku_summaries() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_pending("new_rows")};
    ELSIF TG_OP = 'DELETE' THEN
        {_pg_pending("old_rows")};
    ELSE
        {_pg_pending(f"({_pg_changed('o')} UNION ALL {_pg_changed('n')})")};
    END IF;
    IF FOUND AND NOT EXISTS (
        SELECT 1 FROM sku_pending WHERE transaction_id = {_PG_TRANSACTION} AND sku IS NULL
    ) THEN
        INSERT INTO sku_pending (transaction_id) VALUES ({_PG_TRANSACTION});
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608 (names and constants, no values)

_PG_COMMIT = """
CREATE FUNCTION g4hub_sku_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tenant_ids uuid[];
    skus text[];
    store_ids uuid[];
BEGIN
    WITH taken AS (
        DELETE FROM sku_pending WHERE transaction_id = NEW.transaction_id
        RETURNING tenant_id, sku, store_id
    )
    SELECT array_agg(tenant_id), array_agg(sku), array_agg(store_id)
    INTO tenant_ids, skus, store_ids FROM taken WHERE sku IS NOT NULL;
    IF tenant_ids IS NOT NULL THEN
        PERFORM g4hub_sku_refresh(tenant_ids, skus, store_ids);
    END IF;
    RETURN NULL;
END
$$
"""

_PG_TRIGGERS = {
    "store_products_sku_summaries_insert": ("store_products", "INSERT", "NEW TABLE AS new_rows"),
    "store_products_sku_summaries_update": (
        "store_products",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    "store_products_sku_summaries_delete": ("store_products", "DELETE", "OLD TABLE AS old_rows"),
}


def _sqlite_refresh(row: str) -> str:
    """Statements recounting the SKU of `row` (NEW or OLD) and its store's count of it."""
    tenant, sku, store = f"{row}.tenant_id", f"coalesce({row}.sku, '')", f"{row}.store_id"
    listings = _listings("sqlite", tenant, sku)
    tenant_exists = f"EXISTS (SELECT 1 FROM tenants WHERE tenants.id = {tenant})"  # noqa: S608 (names, no values)
    differs = _DIFFERS.replace("false", "0")
    return f"""
INSERT INTO sku_summaries (tenant_id, sku, listings, stores, differs)
SELECT {tenant}, {sku}, c.listings, c.stores, c.differs FROM (
    SELECT count(*) AS listings, count(DISTINCT store_id) AS stores, {differs} AS differs
    FROM ({listings})
) AS c WHERE {tenant_exists}
ON CONFLICT (tenant_id, sku) DO UPDATE SET listings = excluded.listings,
    stores = excluded.stores, differs = excluded.differs;
DELETE FROM sku_store_listings
WHERE tenant_id = {tenant} AND sku = {sku} AND store_id = {store};
INSERT INTO sku_store_listings (tenant_id, sku, store_id, listings)
SELECT {tenant}, {sku}, {store}, c.listings FROM (
    SELECT count(*) AS listings FROM ({listings}) WHERE store_id = {store}
) AS c WHERE c.listings > 0 AND {tenant_exists};
"""  # noqa: S608 (names and constants, no values)


def _sqlite_triggers() -> dict[str, str]:
    count = _COUNT["sqlite"]
    listing_new, listing_old = count.format(row="NEW.") + " < 2", count.format(row="OLD.") + " < 2"
    changed = " OR ".join(
        [f"OLD.{column} IS NOT NEW.{column}" for column in ("tenant_id", "store_id", "sku")]
        + [f"OLD.{column} IS NOT NEW.{column}" for column in ("price", "stock_quantity")]
        + [f"({listing_old}) IS NOT ({listing_new})"]
    )
    return {
        "store_products_sku_summaries_insert": (
            f"AFTER INSERT ON store_products FOR EACH ROW WHEN {listing_new} "
            f"BEGIN {_sqlite_refresh('NEW')} END"
        ),
        "store_products_sku_summaries_update": (
            "AFTER UPDATE OF tenant_id, store_id, sku, price, stock_quantity, data "
            f"ON store_products FOR EACH ROW WHEN {changed} "
            f"BEGIN {_sqlite_refresh('OLD')} {_sqlite_refresh('NEW')} END"
        ),
        "store_products_sku_summaries_delete": (
            f"AFTER DELETE ON store_products FOR EACH ROW WHEN {listing_old} "
            f"BEGIN {_sqlite_refresh('OLD')} END"
        ),
        "sku_variants_sku_summaries_insert": (
            f"AFTER INSERT ON sku_variants FOR EACH ROW BEGIN {_sqlite_refresh('NEW')} END"
        ),
        "sku_variants_sku_summaries_delete": (
            f"AFTER DELETE ON sku_variants FOR EACH ROW BEGIN {_sqlite_refresh('OLD')} END"
        ),
    }


_SQLITE_FILL = """
INSERT INTO sku_store_listings (tenant_id, sku, store_id, listings)
SELECT tenant_id, sku, store_id, count(*) FROM (
    SELECT tenant_id, coalesce(sku, '') AS sku, store_id FROM store_products
    WHERE {count} < 2
    UNION ALL SELECT tenant_id, coalesce(sku, ''), store_id FROM sku_variants
) GROUP BY tenant_id, sku, store_id;
"""
_SQLITE_FILL_SUMMARIES = f"""
INSERT INTO sku_summaries (tenant_id, sku, listings, stores, differs)
SELECT tenant_id, sku, count(*), count(DISTINCT store_id), {_DIFFERS.replace("false", "0")} FROM (
    SELECT tenant_id, coalesce(sku, '') AS sku, store_id, CAST(price AS REAL) AS price,
        stock_quantity AS stock FROM store_products WHERE {{count}} < 2
    UNION ALL SELECT tenant_id, coalesce(sku, ''), store_id, CAST(price AS REAL), stock_quantity
    FROM sku_variants
) GROUP BY tenant_id, sku;
"""  # noqa: S608 (names and constants, no values)

_PG_FILL = """
SELECT g4hub_sku_refresh(array_agg(tenant_id), array_agg(sku), array_agg(store_id)) FROM (
    SELECT DISTINCT tenant_id, coalesce(sku, '') AS sku, store_id FROM store_products AS r
    WHERE {listing} < 2
    UNION SELECT tenant_id, coalesce(sku, ''), store_id FROM sku_variants
) AS k
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name

    def tenant() -> sa.ForeignKey:
        return sa.ForeignKey("tenants.id", ondelete="CASCADE")

    op.create_table(
        "sku_summaries",
        sa.Column("tenant_id", sa.Uuid(), tenant(), primary_key=True),
        sa.Column("sku", sa.String(), primary_key=True),
        sa.Column("listings", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("stores", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("differs", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_sku_summaries_differs",
        "sku_summaries",
        ["tenant_id", "sku"],
        postgresql_where=sa.text("differs"),
        sqlite_where=sa.text("differs"),
    )
    op.create_table(
        "sku_store_listings",
        sa.Column("tenant_id", sa.Uuid(), tenant(), primary_key=True),
        sa.Column("sku", sa.String(), primary_key=True),
        sa.Column("store_id", sa.Uuid(), primary_key=True),
        sa.Column("listings", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_sku_store_listings_store", "sku_store_listings", ["tenant_id", "store_id", "sku"]
    )
    op.create_index(
        "ix_sku_store_listings_duplicates",
        "sku_store_listings",
        ["tenant_id", "sku", "store_id"],
        postgresql_where=sa.text("listings > 1"),
        sqlite_where=sa.text("listings > 1"),
    )
    op.create_table(
        "sku_pending",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("transaction_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("sku", sa.String(), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
    )
    op.create_index("ix_sku_pending_transaction_id", "sku_pending", ["transaction_id"])
    if dialect == "postgresql":
        op.execute(_PG_REFRESH)
        op.execute(_PG_TRIGGER)
        op.execute(_PG_COMMIT)
        op.execute(
            "CREATE CONSTRAINT TRIGGER sku_pending_commit AFTER INSERT ON sku_pending "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.sku IS NULL) "
            "EXECUTE FUNCTION g4hub_sku_commit()"
        )
        for name, (table, event, transition) in _PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} "
                "FOR EACH STATEMENT EXECUTE FUNCTION g4hub_sku_summaries()"
            )
        op.execute(_PG_FILL.format(listing=_COUNT["postgresql"].format(row="r.")))
        return
    count = _COUNT["sqlite"].format(row="")
    op.execute(_SQLITE_FILL_SUMMARIES.format(count=count))
    op.execute(_SQLITE_FILL.format(count=count))
    for name, body in _sqlite_triggers().items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _event, _transition) in _PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute("DROP TRIGGER sku_pending_commit ON sku_pending")
        op.execute("DROP FUNCTION g4hub_sku_commit()")
        op.execute("DROP FUNCTION g4hub_sku_summaries()")
        op.execute("DROP FUNCTION g4hub_sku_refresh(uuid[], text[], uuid[])")
    else:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("sku_pending")
    op.drop_table("sku_store_listings")
    op.drop_table("sku_summaries")
